//! The table of cases over every article and group, and the walk through the questions.

use super::*;

fn cases() -> Vec<Case> {
    let t = threshold();
    let none = || c(NONE);
    let plain = |scope: &str, size: u32, income: AidAnswer| {
        vec![
            (SpecialCase, none()),
            (Matter, c(scope)),
            (Group, none()),
            (PriorityGroup, none()),
            (HouseholdSize, AidAnswer::Number(size)),
            (HouseholdIncome, income),
        ]
    };
    let with_condition = |mut answers: Vec<(QuestionId, AidAnswer)>, a: &str| {
        answers.insert(2, (Condition, c(a)));
        answers
    };
    let art32 = |id: &str| vec![(SpecialCase, c(id))];
    let group =
        |scope: &str, g: &str| vec![(SpecialCase, none()), (Matter, c(scope)), (Group, c(g))];
    vec![
        Case {
            name: "art. 32(4) domestic violence",
            age: None,
            answers: art32("domestic-violence"),
            indication: Indication::NoMeansTest,
            decided_by: "domestic-violence",
            basis_contains: "第三十二条第四项",
            material: "报警记录",
        },
        Case {
            name: "art. 32(2) bravery",
            age: None,
            answers: art32("bravery"),
            indication: Indication::NoMeansTest,
            decided_by: "bravery",
            basis_contains: "第三十二条第二项",
            material: "见义勇为",
        },
        Case {
            name: "art. 32(1) martyr's relative",
            age: None,
            answers: art32("martyr-relative"),
            indication: Indication::NoMeansTest,
            decided_by: "martyr-relative",
            basis_contains: "第三十二条第一项",
            material: "烈士证明书",
        },
        Case {
            name: "art. 32(3) acquittal",
            age: None,
            answers: art32("acquittal-compensation"),
            indication: Indication::NoMeansTest,
            decided_by: "acquittal-compensation",
            basis_contains: "第三十二条第三项",
            material: "无罪",
        },
        Case {
            name: "CPL 35/278 mandatory defence",
            age: None,
            answers: art32("criminal-mandatory"),
            indication: Indication::NoMeansTest,
            decided_by: "criminal-mandatory",
            basis_contains: "刑事诉讼法",
            material: "拘留通知书",
        },
        Case {
            name: "art. 42(1) minor",
            age: Some(16),
            answers: group("maintenance", "minor-no-income"),
            indication: Indication::NoMeansTest,
            decided_by: "minor-no-income",
            basis_contains: "第四十二条第一项",
            material: "户口簿",
        },
        Case {
            name: "art. 42(1) elderly",
            age: Some(72),
            answers: group("maintenance", "elderly-no-income"),
            indication: Indication::NoMeansTest,
            decided_by: "elderly-no-income",
            basis_contains: "第四十二条第一项",
            material: "没有固定生活来源",
        },
        Case {
            name: "art. 42(1) disabled",
            age: Some(40),
            answers: group("accident-injury", "disabled-no-income"),
            indication: Indication::NoMeansTest,
            decided_by: "disabled-no-income",
            basis_contains: "第四十二条第一项",
            material: "残疾人证",
        },
        Case {
            name: "art. 42(2) social assistance",
            age: None,
            answers: group("social-insurance", "social-assistance"),
            indication: Indication::NoMeansTest,
            decided_by: "social-assistance",
            basis_contains: "第四十二条第二项",
            material: "低保证",
        },
        Case {
            name: "art. 42(2) judicial assistance",
            age: None,
            answers: group("wages", "judicial-assistance"),
            indication: Indication::NoMeansTest,
            decided_by: "judicial-assistance",
            basis_contains: "第四十二条第二项",
            material: "司法救助决定书",
        },
        Case {
            name: "art. 42(2) special care",
            age: None,
            answers: group("pension-benefit", "special-care"),
            indication: Indication::NoMeansTest,
            decided_by: "special-care",
            basis_contains: "第四十二条第二项",
            material: "优抚证明",
        },
        Case {
            name: "art. 42(3) migrant worker, wages",
            age: Some(35),
            answers: group("wages", "migrant-worker"),
            indication: Indication::NoMeansTest,
            decided_by: "migrant-worker",
            basis_contains: "第四十二条第三项",
            material: "在城里打工",
        },
        Case {
            name: "art. 42(3) migrant worker, work injury",
            age: Some(35),
            answers: group("work-injury", "migrant-worker"),
            indication: Indication::NoMeansTest,
            decided_by: "migrant-worker",
            basis_contains: "第三十一条第七项",
            material: "病历",
        },
        Case {
            name: "registered poverty (一免七优先)",
            age: None,
            answers: vec![
                (SpecialCase, none()),
                (Matter, c("wages")),
                (Group, none()),
                (PriorityGroup, c("registered-poverty")),
            ],
            indication: Indication::NoMeansTest,
            decided_by: "registered-poverty",
            basis_contains: "一免七优先",
            material: "脱贫户",
        },
        Case {
            name: "art. 31(5) wages, just under the threshold",
            age: None,
            answers: plain("wages", 3, AidAnswer::Number(3 * t - 1)),
            indication: Indication::LikelyEligible,
            decided_by: "under-threshold",
            basis_contains: "第三十四条",
            material: "经济困难状况说明表",
        },
        Case {
            name: "art. 31(4) maintenance, at the threshold",
            age: None,
            answers: plain("maintenance", 3, AidAnswer::Number(3 * t)),
            indication: Indication::LikelyEligible,
            decided_by: "under-threshold",
            basis_contains: "第三十一条第四项",
            material: "亲属关系",
        },
        Case {
            name: "art. 31(7) accident, just over the threshold",
            age: None,
            answers: plain("accident-injury", 3, AidAnswer::Number(3 * t + 1)),
            indication: Indication::StaffReview,
            decided_by: "over-threshold",
            basis_contains: "第三十一条第七项",
            material: "事故认定书",
        },
        Case {
            name: "art. 31(1) state compensation, one person at the threshold",
            age: None,
            answers: plain("state-compensation", 1, AidAnswer::Number(t)),
            indication: Indication::LikelyEligible,
            decided_by: "under-threshold",
            basis_contains: "第三十一条第一项",
            material: "身份证",
        },
        Case {
            name: "art. 31(2) social insurance, income unknown",
            age: None,
            answers: plain("social-insurance", 2, AidAnswer::Unknown),
            indication: Indication::MeansCheck,
            decided_by: "income-unknown",
            basis_contains: "第三十一条第二项",
            material: "申请表",
        },
        Case {
            name: "art. 31(3) pension",
            age: None,
            answers: plain("pension-benefit", 2, AidAnswer::Number(0)),
            indication: Indication::LikelyEligible,
            decided_by: "under-threshold",
            basis_contains: "第三十一条第三项",
            material: "身份证",
        },
        Case {
            name: "art. 31(6) civil capacity",
            age: None,
            answers: plain("civil-capacity", 4, AidAnswer::Number(4 * t)),
            indication: Indication::LikelyEligible,
            decided_by: "under-threshold",
            basis_contains: "第三十一条第六项",
            material: "诊断证明",
        },
        Case {
            name: "art. 31(8) environment",
            age: None,
            answers: plain("environment", 5, AidAnswer::Number(100_000)),
            indication: Indication::StaffReview,
            decided_by: "over-threshold",
            basis_contains: "第三十一条第八项",
            material: "身份证",
        },
        Case {
            name: "art. 33 retrial decided by the court",
            age: None,
            answers: with_condition(plain("retrial-appeal", 1, AidAnswer::Number(t / 2)), "yes"),
            indication: Indication::LikelyEligible,
            decided_by: "under-threshold",
            basis_contains: "第三十三条",
            material: "生效的判决书",
        },
        Case {
            name: "art. 33 only a petition so far: never likely eligible",
            age: None,
            answers: vec![
                (SpecialCase, none()),
                (Matter, c("retrial-appeal")),
                (Condition, c("no")),
            ],
            indication: Indication::StaffReview,
            decided_by: "condition-unmet",
            basis_contains: "人民法院决定、裁定再审或者人民检察院提出抗诉",
            material: "生效的判决书",
        },
        Case {
            name: "art. 31(5) confirming the employment relationship",
            age: Some(30),
            answers: plain("employment-relationship", 2, AidAnswer::Number(2 * t)),
            indication: Indication::LikelyEligible,
            decided_by: "under-threshold",
            basis_contains: "请求确认劳动关系",
            material: "劳动合同",
        },
        Case {
            name: "criminal defence (CPL 35), means test",
            age: None,
            answers: plain("criminal-defence", 2, AidAnswer::Number(2 * t)),
            indication: Indication::LikelyEligible,
            decided_by: "under-threshold",
            basis_contains: "第三十五条",
            material: "起诉书",
        },
        Case {
            name: "crime victim (art. 29), just over the threshold",
            age: None,
            answers: plain("crime-victim", 2, AidAnswer::Number(2 * t + 1)),
            indication: Indication::StaffReview,
            decided_by: "over-threshold",
            basis_contains: "第二十九条",
            material: "起诉书",
        },
        Case {
            name: "outside the scope",
            age: None,
            answers: vec![(SpecialCase, none()), (Matter, none())],
            indication: Indication::StaffReview,
            decided_by: "out-of-scope",
            basis_contains: "",
            material: "身份证",
        },
    ]
}

#[test]
fn table_of_cases_over_every_article_and_group() {
    for case in cases() {
        let check = run(case.age, &case.answers);
        let r = check
            .result(Lang::ZhCn)
            .unwrap_or_else(|| panic!("{}: no result", case.name));
        assert_eq!(r.indication, case.indication, "{}", case.name);
        assert_eq!(r.decided_by, case.decided_by, "{}", case.name);
        let basis = r.text.basis.join(" | ");
        assert!(
            basis.contains(case.basis_contains),
            "{}: basis {basis}",
            case.name
        );
        let materials = r.text.materials.join(" | ");
        assert!(
            materials.contains(case.material),
            "{}: materials {materials}",
            case.name
        );
        assert!(
            r.text.notice.contains("不是审批决定"),
            "{}: always an indication",
            case.name
        );
        assert!(!r.text.reason.is_empty());
        for lang in [Lang::KoKr, Lang::En] {
            let t = check.result(lang).unwrap().text;
            assert!(
                !t.has_fallback,
                "{}: {} has untranslated text",
                case.name,
                lang.tag()
            );
            assert!(!t.reason.is_empty() && !t.headline.is_empty());
        }
    }
}

#[test]
fn every_group_and_case_in_the_rules_is_covered_by_the_table() {
    let r = rules();
    let table: Vec<String> = cases().iter().map(|c| c.decided_by.to_owned()).collect();
    for item in r
        .no_means_test
        .iter()
        .chain(&r.exempt_groups)
        .chain(&r.priority_groups)
    {
        assert!(table.contains(&item.id), "no case for {}", item.id);
    }
    for s in &r.scope {
        assert!(
            cases().iter().any(|c| c
                .answers
                .iter()
                .any(|(q, a)| *q == Matter && *a == AidAnswer::Choice(s.id.clone()))),
            "no case for scope {}",
            s.id
        );
    }
}

#[test]
fn priority_is_flagged_only_for_the_priority_group() {
    let check = run(
        None,
        &[
            (SpecialCase, c(NONE)),
            (Matter, c("wages")),
            (Group, c(NONE)),
            (PriorityGroup, c("registered-poverty")),
        ],
    );
    assert!(check.result(Lang::ZhCn).unwrap().priority);
    let check = run(None, &[(SpecialCase, c("bravery"))]);
    assert!(!check.result(Lang::ZhCn).unwrap().priority);
}

#[test]
fn age_from_the_id_card_filters_groups_and_matter_filters_migrant_workers() {
    let options = |age: Option<u8>, scope: &str| {
        let mut check = SelfCheck::new(
            rules(),
            Prefill {
                age,
                suggested: Vec::new(),
            },
        );
        check.answer(c(NONE)).unwrap();
        check.answer(c(scope)).unwrap();
        match check.question(Lang::ZhCn).map(|q| (q.id, q.input)) {
            Some((QuestionId::Group, InputView::Choice { options, .. })) => {
                options.into_iter().map(|o| o.id).collect::<Vec<_>>()
            }
            other => panic!("expected the group question, got {other:?}"),
        }
    };
    let adult = options(Some(40), "wages");
    assert!(
        !adult.contains(&"minor-no-income".into()) && !adult.contains(&"elderly-no-income".into())
    );
    assert!(adult.contains(&"migrant-worker".into()));
    let old = options(Some(75), "maintenance");
    assert!(old.contains(&"elderly-no-income".into()) && !old.contains(&"migrant-worker".into()));
    let unknown = options(None, "maintenance");
    assert!(
        unknown.contains(&"elderly-no-income".into())
            && unknown.contains(&"minor-no-income".into())
    );
    // A group hidden by age is refused as an answer too.
    let mut check = SelfCheck::new(
        rules(),
        Prefill {
            age: Some(40),
            suggested: Vec::new(),
        },
    );
    check.answer(c(NONE)).unwrap();
    check.answer(c("wages")).unwrap();
    assert!(matches!(
        check.answer(c("elderly-no-income")),
        Err(AidError::Invalid { .. })
    ));
}

#[test]
fn suggested_scope_is_highlighted_back_and_restart_work() {
    let mut check = SelfCheck::new(
        rules(),
        Prefill {
            age: None,
            suggested: vec!["wages".into()],
        },
    );
    assert!(!check.back());
    check.answer(c(NONE)).unwrap();
    let q = check.question(Lang::ZhCn).unwrap();
    assert!(matches!(q.input, InputView::Choice { suggested: Some(ref s), .. } if s == "wages"));
    assert!(q.can_go_back);
    check.answer(c("wages")).unwrap();
    assert!(check.back());
    assert_eq!(check.screen(), AidScreen::Question(QuestionId::Matter));
    check.restart();
    assert_eq!(check.screen(), AidScreen::Question(QuestionId::SpecialCase));
}

#[test]
fn bad_answers_are_refused_without_moving() {
    let mut check = SelfCheck::new(rules(), Prefill::default());
    assert!(matches!(
        check.answer(AidAnswer::Number(3)),
        Err(AidError::Invalid { .. })
    ));
    assert!(matches!(
        check.answer(c("no-such-case")),
        Err(AidError::Invalid { .. })
    ));
    assert_eq!(check.screen(), AidScreen::Question(QuestionId::SpecialCase));
    let mut check = run(None, &[(SpecialCase, c("bravery"))]);
    assert_eq!(check.answer(c(NONE)), Err(AidError::Finished));
    let mut check = SelfCheck::new(rules(), Prefill::default());
    for a in [c(NONE), c("wages"), c(NONE), c(NONE)] {
        check.answer(a).unwrap();
    }
    assert!(
        check.answer(AidAnswer::Number(0)).is_err(),
        "a household of 0 people"
    );
    assert!(
        check.answer(AidAnswer::Unknown).is_err(),
        "household size cannot be unknown"
    );
}

#[test]
fn placeholder_threshold_is_disclosed() {
    let t = threshold();
    let check = run(
        None,
        &[
            (SpecialCase, c(NONE)),
            (Matter, c("wages")),
            (Group, c(NONE)),
            (PriorityGroup, c(NONE)),
            (HouseholdSize, AidAnswer::Number(1)),
            (HouseholdIncome, AidAnswer::Number(t)),
        ],
    );
    let r = check.result(Lang::ZhCn).unwrap();
    assert!(r.threshold_placeholder);
    assert!(r.text.reason.contains("临时数字"), "{}", r.text.reason);
}
