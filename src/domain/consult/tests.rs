//! Tests of the default content, the loader's rejections, the flow engine, search, the slip
//! and font coverage.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::defaults;
use super::flow::{Consultation, FlowError, Screen, ScreenView};
use super::load::CatalogueError;
use super::model::{Action, Catalogue};
use super::search::{SearchIndex, SearchTarget};
use super::slip::{GuidanceSlip, InstitutionAddress, SlipContext};
use super::text::Lang;

fn content_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content/catalogue/consultation")
}

fn catalogue() -> Arc<Catalogue> {
    match defaults::catalogue() {
        Ok(c) => Arc::new(c),
        Err(e) => panic!("default content is invalid:\n{e}"),
    }
}

/// Every complete path through a matter's flow: (answer ids, outcome id).
fn all_paths(c: &Arc<Catalogue>, matter: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut stack = vec![(Consultation::start(c.clone(), matter).unwrap(), Vec::new())];
    while let Some((flow, path)) = stack.pop() {
        assert!(
            path.len() <= 6,
            "{matter}: path {path:?} is too long (or loops)"
        );
        match flow.screen() {
            Screen::Outcome(o) => out.push((path, o.id.clone())),
            Screen::Question(q) => {
                for a in &q.answers {
                    let mut next = flow.clone();
                    next.answer(&a.id).unwrap();
                    let mut p = path.clone();
                    p.push(a.id.clone());
                    stack.push((next, p));
                }
            }
        }
    }
    out
}

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

// ---------------------------------------------------------------- loader rejections

fn base_files(matter: &str) -> Vec<(String, Vec<u8>)> {
    let cat = r#"
format = 1
version = "t"
disclaimer = { zh-CN = "仅供参考" }
[[service_area]]
id = "mediation"
name = { zh-CN = "人民调解" }
summary = { zh-CN = "调解" }
queue_service = "mediation"
[[institution_kind]]
id = "court"
name = { zh-CN = "法院" }
[[hotline]]
id = "12348"
number = "12348"
name = { zh-CN = "热线" }
[[category]]
id = "family"
name = { zh-CN = "家庭" }
"#;
    let mats = "[[material]]\nid = \"id-card\"\nname = { zh-CN = \"身份证\" }\n";
    vec![
        ("catalogue.toml".into(), cat.as_bytes().to_vec()),
        ("materials.toml".into(), mats.as_bytes().to_vec()),
        ("matters/a.toml".into(), matter.as_bytes().to_vec()),
    ]
}

const GOOD_MATTER: &str = r#"
id = "family.a"
category = "family"
areas = ["mediation"]
name = { zh-CN = "甲" }
summary = { zh-CN = "甲事" }
keywords = ["甲"]
[[question]]
id = "q1"
text = { zh-CN = "问一" }
answers = [ { id = "a", label = { zh-CN = "是" }, next = "q2" }, { id = "b", label = { zh-CN = "否" }, next = "q2" } ]
[[question]]
id = "q2"
text = { zh-CN = "问二" }
answers = [ { id = "a", label = { zh-CN = "是" }, outcome = "o1" }, { id = "b", label = { zh-CN = "否" }, outcome = "o1" } ]
[[outcome]]
id = "o1"
title = { zh-CN = "结果" }
summary = { zh-CN = "说明" }
basis = { zh-CN = "《人民调解法》第四条。" }
step = [ { kind = "ticket", service = "mediation", materials = ["id-card"] } ]
"#;

fn load(files: &[(String, Vec<u8>)]) -> Result<Catalogue, CatalogueError> {
    Catalogue::from_files(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
}

fn invalid_message(matter: &str) -> String {
    match load(&base_files(matter)) {
        Ok(_) => panic!("accepted invalid content"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_minimal_fixture_is_valid() {
    let c = load(&base_files(GOOD_MATTER)).unwrap();
    assert_eq!(c.matters.len(), 1);
}

#[test]
fn a_cycle_is_rejected() {
    let m = GOOD_MATTER.replace(
        r#"{ id = "b", label = { zh-CN = "否" }, outcome = "o1" }"#,
        r#"{ id = "b", label = { zh-CN = "否" }, next = "q1" }"#,
    );
    assert!(
        invalid_message(&m).contains("loops back"),
        "{}",
        invalid_message(&m)
    );
}

#[test]
fn a_one_question_path_is_rejected() {
    let m = GOOD_MATTER.replace(
        r#"{ id = "b", label = { zh-CN = "否" }, next = "q2" }"#,
        r#"{ id = "b", label = { zh-CN = "否" }, outcome = "o1" }"#,
    );
    assert!(invalid_message(&m).contains("at least 2"));
}

#[test]
fn unknown_references_are_rejected_with_their_location() {
    let m = GOOD_MATTER.replace(r#"materials = ["id-card"]"#, r#"materials = ["passport"]"#);
    let msg = invalid_message(&m);
    assert!(
        msg.contains("matters/a.toml") && msg.contains("passport"),
        "{msg}"
    );
    let m = GOOD_MATTER.replace(
        r#"kind = "ticket", service = "mediation""#,
        r#"kind = "institution", institution = "embassy""#,
    );
    assert!(invalid_message(&m).contains("embassy"));
    let m = GOOD_MATTER.replace(r#"category = "family""#, r#"category = "work""#);
    assert!(invalid_message(&m).contains("unknown category"));
}

#[test]
fn an_invented_queue_service_is_a_parse_error() {
    let m = GOOD_MATTER.replace(r#"service = "mediation""#, r#"service = "tax-office""#);
    let msg = invalid_message(&m);
    assert!(
        msg.contains("tax-office") && msg.contains("legal-consultation"),
        "{msg}"
    );
}

#[test]
fn missing_chinese_text_and_unknown_fields_are_rejected() {
    let m = GOOD_MATTER.replace(r#"name = { zh-CN = "甲" }"#, r#"name = { en = "A" }"#);
    assert!(invalid_message(&m).contains("zh-CN"));
    let m = GOOD_MATTER.replace(r#"keywords = ["甲"]"#, "keywords = [\"甲\"]\npriority = 3");
    assert!(invalid_message(&m).contains("priority"));
}

#[test]
fn duplicate_ids_are_rejected() {
    let mut files = base_files(GOOD_MATTER);
    files.push(("matters/b.toml".into(), GOOD_MATTER.as_bytes().to_vec()));
    let msg = load(&files)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.contains("also used by"), "{msg}");
    let m = GOOD_MATTER.replace(r#"id = "q2""#, r#"id = "q1""#);
    assert!(invalid_message(&m).contains("duplicate id"));
}

#[test]
fn unexpected_and_missing_files_are_rejected() {
    let mut files = base_files(GOOD_MATTER);
    files.push(("matter/typo.toml".into(), b"".to_vec()));
    assert!(matches!(
        load(&files),
        Err(CatalogueError::UnexpectedFile(_))
    ));
    let files = base_files(GOOD_MATTER)
        .into_iter()
        .skip(1)
        .collect::<Vec<_>>();
    assert!(matches!(
        load(&files),
        Err(CatalogueError::MissingFile("catalogue.toml"))
    ));
}

// ---------------------------------------------------------------- flow engine

#[test]
fn flow_goes_forward_back_and_restarts() {
    let c = catalogue();
    let mut f = Consultation::start(c.clone(), "labour.unpaid-wages").unwrap();
    let ScreenView::Question(q) = f.view(Lang::ZhCn) else {
        panic!("starts with a question")
    };
    assert_eq!(q.question_id, "still-working");
    assert!(!q.can_go_back);
    assert!(!f.back(), "back on the first question leaves the flow");
    f.answer("left-long").unwrap();
    assert_eq!(f.step_number(), 2);
    f.answer("no").unwrap();
    let ScreenView::Outcome(o) = f.view(Lang::ZhCn) else {
        panic!("outcome expected")
    };
    assert_eq!(o.outcome_id, "time-limit");
    assert!(o.disclaimer.text.contains("不是处理结果"));
    assert!(matches!(f.answer("yes"), Err(FlowError::Finished)));
    assert!(f.back());
    let Screen::Question(q) = f.screen() else {
        panic!()
    };
    assert_eq!(q.id, "proof-old");
    f.restart();
    assert_eq!(f.step_number(), 1);
    assert!(f.answered().is_empty());
}

#[test]
fn wrong_answer_and_unknown_matter_are_typed_errors() {
    let c = catalogue();
    assert_eq!(
        Consultation::start(c.clone(), "no.such").err(),
        Some(FlowError::UnknownMatter("no.such".into()))
    );
    let mut f = Consultation::start(c, "labour.unpaid-wages").unwrap();
    assert!(matches!(
        f.answer("maybe"),
        Err(FlowError::UnknownAnswer { .. })
    ));
    assert_eq!(f.step_number(), 1, "a wrong answer does not move the flow");
}

#[test]
fn an_outcome_without_its_legal_basis_is_rejected() {
    let m = GOOD_MATTER.replace("basis = { zh-CN = \"《人民调解法》第四条。\" }\n", "");
    assert_ne!(m, GOOD_MATTER);
    let msg = invalid_message(&m);
    assert!(
        msg.contains("matters/a.toml") && msg.contains("outcome o1") && msg.contains("legal basis"),
        "{msg}"
    );
}

#[test]
fn views_flag_missing_translations() {
    let c = Arc::new(load(&base_files(GOOD_MATTER)).unwrap());
    let f = Consultation::start(c, "family.a").unwrap();
    let ScreenView::Question(q) = f.view(Lang::KoKr) else {
        panic!()
    };
    assert!(q.text.fallback, "a zh-CN-only question says so");
    assert!(q.has_fallback());
    let c = catalogue();
    let f = Consultation::start(c, "labour.unpaid-wages").unwrap();
    let ScreenView::Question(q) = f.view(Lang::KoKr) else {
        panic!()
    };
    assert!(!q.text.fallback && q.text.text.contains("일하고"));
}

#[test]
fn the_record_holds_ids_only() {
    let c = catalogue();
    let mut f = Consultation::start(c, "marriage.divorce").unwrap();
    assert!(
        f.record("c-1", Lang::ZhCn).is_none(),
        "no record before the outcome"
    );
    f.answer("one").unwrap();
    f.answer("yes").unwrap();
    let r = f.record("c-1", Lang::ZhCn).unwrap();
    assert_eq!(
        (r.matter_id.as_str(), r.outcome_id.as_str()),
        ("marriage.divorce", "violence")
    );
    let payload = r.outbox_payload().to_string();
    assert!(payload.contains("\"consultation.completed\"") && payload.contains("\"violence\""));
    assert!(
        !payload.contains("对方"),
        "no display text in the record: {payload}"
    );
}

// ---------------------------------------------------------------- slip

#[test]
fn slip_lists_steps_materials_once_institution_and_hotline() {
    let c = catalogue();
    let mut f = Consultation::start(c, "labour.unpaid-wages").unwrap();
    f.answer("yes").unwrap();
    f.answer("some").unwrap();
    let lookup = |kind: &str| {
        (kind == "labour-inspection").then(|| InstitutionAddress {
            kind: kind.to_owned(),
            name: "示例市劳动保障监察支队".into(),
            address: "示例路1号".into(),
            phone: None,
            hours: None,
        })
    };
    let ctx = SlipContext {
        qr_url: Some("https://example.invalid/12348"),
        institution: &lookup,
    };
    let slip = GuidanceSlip::for_consultation(&f, Lang::ZhCn, &ctx).unwrap();
    assert_eq!(slip.matter, "拖欠工资");
    assert_eq!(slip.outcome, "申请劳动仲裁");
    assert!(slip.next_steps[0].text.contains("仲裁"));
    assert!(slip.materials.contains(&"身份证".to_owned()));
    let unique: HashSet<&String> = slip.materials.iter().collect();
    assert_eq!(unique.len(), slip.materials.len());
    assert_eq!(
        slip.institution.as_ref().map(|i| i.address.as_str()),
        Some("示例路1号")
    );
    assert!(slip.hotline.starts_with("12348"));
    assert_eq!(
        slip.qr_url.as_deref(),
        Some("https://example.invalid/12348")
    );
    assert!(!slip.has_fallback);
    let en = GuidanceSlip::for_consultation(&f, Lang::En, &SlipContext::bare()).unwrap();
    assert_eq!(en.outcome, "Apply for labour arbitration");
    assert!(en.institution.is_none());
}

// ---------------------------------------------------------------- search

fn top(index: &SearchIndex, c: &Catalogue, q: &str) -> Vec<String> {
    index
        .search(q, 5)
        .into_iter()
        .map(|h| match h.target {
            SearchTarget::Category(i) => format!("category:{}", c.categories[i].id),
            SearchTarget::Matter(i) => c.matters[i].id.clone(),
        })
        .collect()
}

#[test]
fn search_by_keyword_initials_partial_and_colloquial_input() {
    let c = catalogue();
    let idx = SearchIndex::build(&c);
    assert_eq!(
        top(&idx, &c, "ldzy").first().map(String::as_str),
        Some("category:labour")
    );
    assert_eq!(
        top(&idx, &c, "LDZY").first().map(String::as_str),
        Some("category:labour")
    );
    assert_eq!(
        top(&idx, &c, "欠薪").first().map(String::as_str),
        Some("labour.unpaid-wages")
    );
    assert_eq!(
        top(&idx, &c, "老板不给钱").first().map(String::as_str),
        Some("labour.unpaid-wages")
    );
    assert!(
        top(&idx, &c, "老板不给我钱").contains(&"labour.unpaid-wages".to_owned()),
        "a phrase close to a keyword still finds it"
    );
    assert!(
        top(&idx, &c, "ld").contains(&"category:labour".to_owned()),
        "two letters of the initials"
    );
    assert!(
        top(&idx, &c, "laodong").contains(&"category:labour".to_owned()),
        "full pinyin"
    );
    assert_eq!(
        top(&idx, &c, "lh").first().map(String::as_str),
        Some("marriage.divorce")
    );
    assert_eq!(
        top(&idx, &c, "jb").first().map(String::as_str),
        Some("marriage.domestic-violence")
    );
    assert!(
        top(&idx, &c, "rmtj").contains(&"services.mediation".to_owned()),
        "调 read as tiao"
    );
    assert_eq!(
        top(&idx, &c, "宅基").first().map(String::as_str),
        Some("land.homestead")
    );
    assert_eq!(
        top(&idx, &c, "divorce").first().map(String::as_str),
        Some("marriage.divorce")
    );
    assert_eq!(
        top(&idx, &c, "이혼").first().map(String::as_str),
        Some("marriage.divorce")
    );
    assert!(idx.search("", 5).is_empty());
    assert!(idx.search("  ，。 ", 5).is_empty());
    assert!(idx.search("qqqqxz", 5).is_empty());
}

/// Issue 14: Korean names are found as they are typed on the 두벌식 keyboard, syllable by
/// syllable, and in the Korean-Chinese spelling without the initial-sound rule.
#[test]
fn korean_is_found_while_it_is_typed() {
    let c = catalogue();
    let idx = SearchIndex::build(&c);
    let mut typed = crate::domain::hangul::TypedInput::default();
    let mut seen = Vec::new();
    for key in ["ㅇ", "ㅣ", "ㅎ", "ㅗ", "ㄴ"] {
        typed.push(key, 16);
        let text = typed.text();
        let found = top(&idx, &c, &text);
        if text.chars().count() > 1 || text == "이" {
            assert!(
                found.contains(&"marriage.divorce".to_owned()),
                "{text}: {found:?}"
            );
        }
        seen.push(text);
    }
    assert_eq!(seen, ["ㅇ", "이", "잏", "이호", "이혼"]);
    assert_eq!(
        top(&idx, &c, "이혼").first().map(String::as_str),
        Some("marriage.divorce")
    );
    assert_eq!(
        top(&idx, &c, "리혼").first().map(String::as_str),
        Some("marriage.divorce"),
        "Korean-Chinese spelling"
    );
    assert!(
        top(&idx, &c, "로동").contains(&"category:labour".to_owned()),
        "로동 finds 노동"
    );
    assert_eq!(
        top(&idx, &c, "임금").first().map(String::as_str),
        Some("labour.unpaid-wages")
    );
    assert_eq!(
        top(&idx, &c, "임그").first().map(String::as_str),
        Some("labour.unpaid-wages"),
        "the syllable being typed"
    );
    assert!(top(&idx, &c, "법률원조").contains(&"services.legal-aid".to_owned()));
    assert!(top(&idx, &c, "가정폭").contains(&"marriage.domestic-violence".to_owned()));
    assert!(top(&idx, &c, "교통사고").contains(&"category:traffic".to_owned()));
    assert!(idx.search("ㅋㅋㅋㅋ", 5).is_empty());
}

#[test]
fn search_hits_are_unique_and_ranked() {
    let c = catalogue();
    let idx = SearchIndex::build(&c);
    let hits = idx.search("gs", 20);
    let targets: HashSet<_> = hits.iter().map(|h| h.target).collect();
    assert_eq!(targets.len(), hits.len(), "one hit per target");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    for h in &hits {
        let id = match h.target {
            SearchTarget::Category(i) => &c.categories[i].id,
            SearchTarget::Matter(i) => &c.matters[i].id,
        };
        assert_eq!(&h.id, id);
    }
    let hit = &idx.search("讨薪", 1)[0];
    assert_eq!(hit.matched, "讨薪");
}

// ---------------------------------------------------------------- fonts

/// Characters of everything the kiosk can show from this work: content, rules, reasons and
/// the fixed labels in code.
fn all_shown_text() -> String {
    let c = catalogue();
    let mut s = String::new();
    for t in c.all_texts() {
        for (_, v) in t.variants() {
            s.push_str(v);
        }
    }
    for m in &c.matters {
        s.push_str(&m.keywords.concat());
    }
    for k in &c.categories {
        s.push_str(&k.keywords.concat());
    }
    let rules = crate::domain::legal_aid::Rules::jilin_default().unwrap();
    for t in rules.all_texts() {
        for (_, v) in t.variants() {
            s.push_str(v);
        }
    }
    let reasons = crate::domain::rating::RatingReasons::default_set().unwrap();
    for lang in Lang::ALL {
        for kind in [
            crate::domain::rating::ServiceKind::Ticket,
            crate::domain::rating::ServiceKind::Consultation,
            crate::domain::rating::ServiceKind::VideoCall,
        ] {
            for r in reasons.options(kind, lang) {
                s.push_str(&r.label.text);
                s.push_str(&r.criterion_name.text);
            }
        }
        for l in crate::domain::rating::RatingLevel::ALL {
            s.push_str(l.label(lang));
        }
        for svc in super::QueueService::ALL {
            s.push_str(svc.name(lang));
        }
        s.push_str(crate::domain::legal_aid::consent_text(lang));
        for i in [
            crate::domain::legal_aid::Indication::NoMeansTest,
            crate::domain::legal_aid::Indication::LikelyEligible,
            crate::domain::legal_aid::Indication::StaffReview,
        ] {
            s.push_str(i.headline(lang));
        }
        // Every screen and result of a full self-check in this language.
        s.push_str(&crate::domain::legal_aid::tests_support::all_engine_text(
            lang,
        ));
        for m in &c.matters {
            for o in &m.outcomes {
                for st in &o.steps {
                    s.push_str(&super::flow::action_label(&c, &st.action, lang).text);
                }
            }
        }
        s.push_str(&super::slip::hotline_line(lang));
        s.push_str(super::slip::slip_title(lang));
    }
    s
}

#[test]
fn every_character_shown_is_in_the_embedded_font() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/fonts/NotoSansCJKsc-Regular-kiosk.otf");
    let data = std::fs::read(&path).unwrap();
    let face = ttf_parser::Face::parse(&data, 0).unwrap();
    let text = all_shown_text();
    let missing: BTreeSet<char> = text
        .chars()
        .filter(|ch| !ch.is_control() && face.glyph_index(*ch).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "characters not in the kiosk font: {missing:?}"
    );
    assert!(text.chars().count() > 20_000, "the check saw the content");
}
