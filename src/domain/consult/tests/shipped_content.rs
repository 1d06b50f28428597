//! The shipped content: it loads, every path ends well, everything is translated.

use super::*;

#[test]
fn default_content_loads_and_embedded_list_matches_the_directory() {
    let c = catalogue();
    let from_dir = Catalogue::from_dir(&content_dir()).unwrap();
    assert_eq!(
        from_dir.matters.len(),
        c.matters.len(),
        "a content file is not listed in defaults::FILES"
    );
    let mut on_disk = Vec::new();
    for entry in walk(&content_dir()) {
        on_disk.push(entry);
    }
    let listed: BTreeSet<&str> = defaults::FILES.iter().map(|(n, _)| *n).collect();
    for f in &on_disk {
        assert!(
            listed.contains(f.as_str()),
            "{f} is missing from defaults::FILES"
        );
    }
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(
                    p.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out
}

#[test]
fn every_answer_path_reaches_an_outcome_after_at_least_two_questions() {
    let c = catalogue();
    for m in &c.matters {
        let paths = all_paths(&c, &m.id);
        let reached: HashSet<&str> = paths.iter().map(|(_, o)| o.as_str()).collect();
        for (path, outcome) in &paths {
            assert!(
                path.len() >= 2,
                "{}: path {path:?} → {outcome} asks fewer than 2 questions",
                m.id
            );
        }
        for o in &m.outcomes {
            assert!(
                reached.contains(o.id.as_str()),
                "{}: outcome {} is unreachable",
                m.id,
                o.id
            );
        }
    }
}

#[test]
fn content_covers_the_required_areas_categories_and_matter_count() {
    let c = catalogue();
    let required_categories = [
        "婚姻家庭",
        "劳动争议与讨薪",
        "借贷与合同",
        "交通事故",
        "医疗纠纷",
        "工伤",
        "土地与宅基地",
        "房产与物业",
        "消费维权",
        "邻里纠纷",
        "赡养抚养",
        "继承与遗嘱",
        "刑事案件与辩护",
        "行政争议",
    ];
    for name in required_categories {
        let cat = c.categories.iter().find(|k| k.name.zh_cn == name);
        let cat = cat.unwrap_or_else(|| panic!("category {name} missing"));
        assert!(
            c.matters_in(&cat.id).count() >= 2,
            "{name} has fewer than 2 matters"
        );
    }
    let problem_matters = c
        .matters
        .iter()
        .filter(|m| c.category_of(m).id != "services")
        .count();
    assert!(
        problem_matters >= 40,
        "only {problem_matters} matters across the problem categories"
    );
    let areas: BTreeSet<&str> = c
        .service_areas
        .iter()
        .map(|a| a.name.zh_cn.as_str())
        .collect();
    for name in [
        "律师服务",
        "公证",
        "司法鉴定",
        "法律援助",
        "人民调解",
        "普法宣传",
        "仲裁",
    ] {
        assert!(areas.contains(name), "service area {name} missing");
    }
}

#[test]
fn every_step_refers_to_existing_services_institutions_hotlines_and_materials() {
    let c = catalogue();
    let mut services_used = HashSet::new();
    for m in &c.matters {
        for o in &m.outcomes {
            assert!(!o.steps.is_empty(), "{}/{} has no step", m.id, o.id);
            for s in &o.steps {
                match &s.action {
                    Action::Ticket { service } | Action::Appointment { service } => {
                        services_used.insert(*service);
                    }
                    Action::Institution { kind } => {
                        assert!(c.institution_kind(kind).is_some(), "{}: {kind}", m.id)
                    }
                    Action::Hotline { hotline } => assert!(c.hotline(hotline).is_some()),
                    Action::LegalAidCheck | Action::VideoLawyer => {}
                }
                for mat in &s.materials {
                    assert!(c.material(mat).is_some(), "{}: material {mat}", m.id);
                }
            }
        }
    }
    assert_eq!(
        services_used.len(),
        7,
        "every queue service is recommended somewhere"
    );
    for kind in [
        "law-firm",
        "notary-office",
        "mediation-committee",
        "judicial-appraisal-body",
        "labour-arbitration",
        "commercial-arbitration",
    ] {
        assert!(
            c.institution_kind(kind).is_some(),
            "institution kind {kind}"
        );
    }
}

#[test]
fn every_text_is_translated_into_korean_and_english_and_chinese_is_never_blank() {
    let c = catalogue();
    for lang in Lang::ALL {
        let (missing, total) = c.missing_translations(lang);
        assert!(total > 500, "the report sees the content ({total})");
        if missing > 0 {
            let untranslated: Vec<&str> = c
                .all_texts()
                .into_iter()
                .filter(|t| !t.has(lang))
                .map(|t| t.zh_cn.as_str())
                .take(10)
                .collect();
            panic!("{missing} texts lack {}: {untranslated:?}", lang.tag());
        }
    }
    // The report counts real gaps: one untranslated text is one missing.
    let mut files = base_files(GOOD_MATTER);
    files[2].1 = GOOD_MATTER
        .replace(
            r#"text = { zh-CN = "问一" }"#,
            r#"text = { zh-CN = "问一", en = "Q1" }"#,
        )
        .into_bytes();
    let fixture = load(&files).unwrap();
    let (missing_ko, total) = fixture.missing_translations(Lang::KoKr);
    let (missing_en, _) = fixture.missing_translations(Lang::En);
    assert_eq!((missing_ko, missing_en + 1), (total, total));
    for t in c.all_texts() {
        assert!(!t.zh_cn.trim().is_empty());
    }
    let names = c
        .categories
        .iter()
        .map(|x| &x.name)
        .chain(c.matters.iter().map(|x| &x.name))
        .chain(c.matters.iter().map(|x| &x.summary))
        .chain(c.service_areas.iter().map(|x| &x.name))
        .chain(c.institution_kinds.iter().map(|x| &x.name))
        .chain(c.materials.iter().map(|x| &x.name))
        .chain(c.hotlines.iter().map(|x| &x.name));
    for n in names {
        for lang in [Lang::KoKr, Lang::En] {
            assert!(n.has(lang), "{} has no {} translation", n.zh_cn, lang.tag());
        }
    }
}

#[test]
fn legal_aid_scopes_named_by_matters_exist_in_the_default_rules() {
    let rules = crate::domain::legal_aid::Rules::jilin_default().unwrap();
    for m in &catalogue().matters {
        if let Some(s) = &m.legal_aid_scope {
            assert!(
                rules.scope_item(s).is_some(),
                "{}: legal_aid_scope {s}",
                m.id
            );
        }
    }
}
