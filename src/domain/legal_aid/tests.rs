//! Legal-aid self-check tests: a table of cases over every article and group, the threshold
//! boundary, strict rule parsing, the CLI, and what the outbox event may contain.

use std::sync::Arc;

use chrono::{TimeZone, Utc};

use super::cli::run_legal_aid_cli;
use super::engine::{
    AidAnswer, AidError, AidScreen, Indication, InputView, NONE, Prefill, QuestionId, SelfCheck,
    per_person_yuan,
};
use super::event::{Applicant, Consent, PreApplication, PreApplicationError, outbox_payload};
use super::rules::{JILIN_DEFAULT, Rules, RulesError};
use crate::domain::consult::text::Lang;

fn rules() -> Arc<Rules> {
    Arc::new(Rules::jilin_default().unwrap())
}

fn threshold() -> u32 {
    rules().hardship.monthly_income_per_person_max_yuan
}

/// Answers a check from a simple description; panics if a question is asked that has no answer.
fn run(age: Option<u8>, answers: &[(QuestionId, AidAnswer)]) -> SelfCheck {
    let mut check = SelfCheck::new(
        rules(),
        Prefill {
            age,
            suggested: Vec::new(),
        },
    );
    while let AidScreen::Question(q) = check.screen() {
        let a = answers
            .iter()
            .find(|(id, _)| *id == q)
            .unwrap_or_else(|| panic!("question {q:?} asked but not answered"))
            .1
            .clone();
        check.answer(a).unwrap_or_else(|e| panic!("{e}"));
    }
    check
}

fn c(id: &str) -> AidAnswer {
    AidAnswer::Choice(id.to_owned())
}

use QuestionId::*;

struct Case {
    name: &'static str,
    age: Option<u8>,
    answers: Vec<(QuestionId, AidAnswer)>,
    indication: Indication,
    decided_by: &'static str,
    basis_contains: &'static str,
    material: &'static str,
}

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

// ---------------------------------------------------------------- strict rules

#[test]
fn default_rules_parse_and_json_rules_parse_the_same() {
    let r = rules();
    assert_eq!(r.region, "jilin");
    assert!(r.hardship.placeholder);
    let as_toml: toml::Value = toml::from_str(JILIN_DEFAULT).unwrap();
    let json = serde_json::to_string(&as_toml).unwrap();
    let from_json = Rules::from_json(&json).unwrap();
    assert_eq!(from_json.scope.len(), r.scope.len());
}

#[test]
fn unknown_field_is_rejected_with_its_name() {
    let text = JILIN_DEFAULT.replace(
        "placeholder = true",
        "placeholder = true\nmonthly_income_min_yuan = 5",
    );
    match Rules::from_toml(&text) {
        Err(RulesError::Parse(msg)) => assert!(msg.contains("monthly_income_min_yuan"), "{msg}"),
        other => panic!("accepted: {:?}", other.map(|r| r.version)),
    }
    let text = JILIN_DEFAULT.replace("id = \"bravery\"", "id = \"bravery\"\nweight = 2");
    assert!(matches!(Rules::from_toml(&text), Err(RulesError::Parse(m)) if m.contains("weight")));
}

#[test]
fn missing_threshold_is_rejected_with_its_name() {
    let text: String = JILIN_DEFAULT
        .lines()
        .filter(|l| !l.starts_with("monthly_income_per_person_max_yuan"))
        .collect::<Vec<_>>()
        .join("\n");
    match Rules::from_toml(&text) {
        Err(RulesError::Parse(msg)) => {
            assert!(msg.contains("monthly_income_per_person_max_yuan"), "{msg}")
        }
        other => panic!("accepted: {:?}", other.map(|r| r.version)),
    }
    let zero = JILIN_DEFAULT.replace(
        "monthly_income_per_person_max_yuan = 2000",
        "monthly_income_per_person_max_yuan = 0",
    );
    assert!(
        matches!(Rules::from_toml(&zero), Err(RulesError::Invalid(p)) if p[0].contains("above 0"))
    );
}

#[test]
fn inconsistent_rules_are_rejected() {
    let text = JILIN_DEFAULT.replace(
        "requires_scope = [\"wages\", \"work-injury\"]",
        "requires_scope = [\"wagez\"]",
    );
    assert!(
        matches!(Rules::from_toml(&text), Err(RulesError::Invalid(p)) if p.iter().any(|x| x.contains("wagez")))
    );
    let text = JILIN_DEFAULT.replace("materials = [\"dv-proof\"]", "materials = [\"nope\"]");
    assert!(
        matches!(Rules::from_toml(&text), Err(RulesError::Invalid(p)) if p.iter().any(|x| x.contains("nope")))
    );
    let text = JILIN_DEFAULT.replace("id = \"bravery\"", "id = \"wages\"");
    assert!(
        matches!(Rules::from_toml(&text), Err(RulesError::Invalid(p)) if p.iter().any(|x| x.contains("also used")))
    );
}

// ---------------------------------------------------------------- CLI

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn cli_evaluates_a_case_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let answers = write(
        &dir,
        "a.toml",
        "age = 30\nspecial_case = \"none\"\nmatter = \"wages\"\ngroup = \"migrant-worker\"\nhousehold_size = 2\n",
    );
    let out = run_legal_aid_cli(&answers, None, false).unwrap();
    assert!(out.contains("result: no-means-test"), "{out}");
    assert!(out.contains("第四十二条第三项"), "{out}");
    assert!(out.contains("not asked (ignored): household_size"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&run_legal_aid_cli(&answers, None, true).unwrap()).unwrap();
    assert_eq!(json["result"]["indication"], "no-means-test");
    assert_eq!(json["rules"]["region"], "jilin");
}

#[test]
fn cli_uses_a_rules_file_and_reports_missing_answers_and_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        &dir,
        "r.toml",
        &JILIN_DEFAULT.replace(
            "monthly_income_per_person_max_yuan = 2000",
            "monthly_income_per_person_max_yuan = 100",
        ),
    );
    let answers = write(
        &dir,
        "a.json",
        r#"{"special_case":"none","matter":"wages","group":"none","priority_group":"none","household_size":1,"household_monthly_income_yuan":150}"#,
    );
    let out = run_legal_aid_cli(&answers, Some(&rules), false).unwrap();
    assert!(
        out.contains("over-threshold"),
        "the rules file's threshold is used: {out}"
    );
    let out = run_legal_aid_cli(&answers, None, false).unwrap();
    assert!(
        out.contains("under-threshold"),
        "the default threshold otherwise: {out}"
    );

    let missing = write(&dir, "m.toml", "special_case = \"none\"\n");
    let err = format!(
        "{:#}",
        run_legal_aid_cli(&missing, None, false).unwrap_err()
    );
    assert!(err.contains("`matter`") && err.contains("wages"), "{err}");
    let unknown = write(&dir, "u.toml", "special_case = \"none\"\nincome = 3\n");
    let err = format!(
        "{:#}",
        run_legal_aid_cli(&unknown, None, false).unwrap_err()
    );
    assert!(err.contains("income"), "{err}");
    let bad_rules = write(&dir, "bad.toml", "format = 1\n");
    let err = format!(
        "{:#}",
        run_legal_aid_cli(&answers, Some(&bad_rules), false).unwrap_err()
    );
    assert!(
        err.contains("bad.toml") && err.contains("missing field"),
        "{err}"
    );
    let err = format!(
        "{:#}",
        run_legal_aid_cli(&dir.path().join("none.toml"), None, false).unwrap_err()
    );
    assert!(err.contains("none.toml"), "{err}");
}

// ---------------------------------------------------------------- event and consent

fn applicant() -> Applicant {
    // Synthetic person: not a real name or number.
    Applicant {
        name: "测试甲".into(),
        id_number: "11010519491231002X".into(),
        phone: Some("13800000000".into()),
    }
}

#[test]
fn outbox_event_without_consent_has_nothing_personal() {
    let check = run(
        Some(67),
        &[
            (SpecialCase, c(NONE)),
            (Matter, c("maintenance")),
            (Group, c(NONE)),
            (PriorityGroup, c(NONE)),
            (HouseholdSize, AidAnswer::Number(3)),
            (HouseholdIncome, AidAnswer::Number(4321)),
        ],
    );
    let payload = outbox_payload("chk-1", &check, Lang::ZhCn, None).unwrap();
    let text = payload.to_string();
    assert_eq!(payload["type"], "legal-aid.self-check");
    assert_eq!(payload["indication"], "likely-eligible");
    assert_eq!(payload["has_pre_application"], false);
    for personal in [
        "4321",
        "67",
        "测试甲",
        "11010519491231002X",
        "13800000000",
        "household",
    ] {
        assert!(!text.contains(personal), "{personal} leaked: {text}");
    }
    assert!(payload.get("pre_application").is_none());
}

#[test]
fn consented_pre_application_carries_what_staff_need() {
    let check = run(
        Some(67),
        &[
            (SpecialCase, c(NONE)),
            (Matter, c("maintenance")),
            (Group, c(NONE)),
            (PriorityGroup, c(NONE)),
            (HouseholdSize, AidAnswer::Number(3)),
            (HouseholdIncome, AidAnswer::Number(4321)),
        ],
    );
    let at = Utc.with_ymd_and_hms(2025, 11, 1, 9, 30, 0).unwrap();
    let pre = PreApplication::new(&check, applicant(), Consent::given(Lang::ZhCn, at)).unwrap();
    let payload = outbox_payload("chk-2", &check, Lang::ZhCn, Some(&pre)).unwrap();
    assert_eq!(payload["has_pre_application"], true);
    let p = &payload["pre_application"];
    assert_eq!(p["applicant"]["id_number"], "11010519491231002X");
    assert_eq!(p["household_monthly_income_yuan"], 4321);
    assert_eq!(p["scope"], "maintenance");
    assert_eq!(p["consent"]["text_version"], super::CONSENT_TEXT_VERSION);
    let debug = format!("{pre:?}");
    assert!(
        !debug.contains("测试甲") && !debug.contains("11010519491231002X"),
        "{debug}"
    );
}

#[test]
fn pre_application_needs_current_consent_a_finished_check_and_identity() {
    let at = Utc.with_ymd_and_hms(2025, 11, 1, 9, 30, 0).unwrap();
    let unfinished = SelfCheck::new(rules(), Prefill::default());
    assert_eq!(
        PreApplication::new(&unfinished, applicant(), Consent::given(Lang::ZhCn, at)).err(),
        Some(PreApplicationError::NotFinished)
    );
    let done = run(None, &[(SpecialCase, c("bravery"))]);
    let stale = Consent {
        text_version: "old".into(),
        given_at: at,
        lang: Lang::ZhCn,
    };
    assert!(matches!(
        PreApplication::new(&done, applicant(), stale),
        Err(PreApplicationError::StaleConsent(_))
    ));
    let nobody = Applicant {
        name: " ".into(),
        id_number: String::new(),
        phone: None,
    };
    assert_eq!(
        PreApplication::new(&done, nobody, Consent::given(Lang::ZhCn, at)).err(),
        Some(PreApplicationError::MissingIdentity)
    );
    assert!(outbox_payload("x", &unfinished, Lang::ZhCn, None).is_none());
}

#[test]
fn legal_aid_slip_has_result_materials_and_hotline() {
    let check = run(None, &[(SpecialCase, c("domestic-violence"))]);
    let r = check.result(Lang::ZhCn).unwrap();
    let slip = crate::domain::consult::GuidanceSlip::for_legal_aid(
        &r,
        &crate::domain::consult::SlipContext::bare(),
    );
    assert_eq!(slip.outcome, "不用审查经济条件");
    assert!(slip.materials.iter().any(|m| m.contains("报警记录")));
    assert!(slip.hotline.starts_with("12348"));
    assert!(slip.disclaimer.contains("不是审批决定"));
}

#[test]
fn shipped_example_answer_files_give_their_expected_result() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/legal-aid-rules/examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let out: serde_json::Value =
            serde_json::from_str(&run_legal_aid_cli(&path, None, true).unwrap()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = match text.lines().find_map(|l| l.strip_prefix("# expect = ")) {
            Some(e) => e.trim().to_owned(),
            None => "staff-review".to_owned(), // the JSON example: 4,500 a head is over the default 2,000
        };
        assert_eq!(
            out["result"]["indication"],
            expected.as_str(),
            "{}",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 5);
}

// ---------------------------------------------------------------- issue 14: what a citizen reads

/// Issue 14 item 1: someone who only wants to petition is never told "likely eligible",
/// however poor; once a retrial is decided, the means test decides as usual.
#[test]
fn a_petition_without_a_retrial_decision_is_not_likely_eligible() {
    for answer in ["no", "unsure"] {
        let check = run(
            None,
            &[
                (SpecialCase, c(NONE)),
                (Matter, c("retrial-appeal")),
                (Condition, c(answer)),
                (HouseholdSize, AidAnswer::Number(1)),
                (HouseholdIncome, AidAnswer::Number(0)),
            ],
        );
        let r = check.result(Lang::ZhCn).unwrap();
        assert_eq!(r.indication, Indication::StaffReview, "{answer}");
        assert_eq!(r.decided_by, "condition-unmet");
        assert!(
            r.text.reason.contains("法院决定再审或者检察院提出抗诉以后"),
            "{}",
            r.text.reason
        );
        assert_eq!(
            check.household(),
            (None, None),
            "no means questions were asked"
        );
        for lang in [Lang::KoKr, Lang::En] {
            assert!(!check.result(lang).unwrap().text.has_fallback);
        }
    }
    let mut check = SelfCheck::new(rules(), Prefill::default());
    check.answer(c(NONE)).unwrap();
    check.answer(c("retrial-appeal")).unwrap();
    let q = check.question(Lang::ZhCn).unwrap();
    assert_eq!(q.id, QuestionId::Condition);
    assert!(q.text.contains("抗诉"), "{}", q.text);
    assert!(check.answer(c("maybe")).is_err(), "only yes, no or unsure");
}

/// Issue 14 item 9: "income unknown" leads to "staff will check your means with you".
#[test]
fn unknown_income_means_staff_check_the_means_with_the_citizen() {
    let check = run(
        None,
        &[
            (SpecialCase, c(NONE)),
            (Matter, c("wages")),
            (Group, c(NONE)),
            (PriorityGroup, c(NONE)),
            (HouseholdSize, AidAnswer::Number(3)),
            (HouseholdIncome, AidAnswer::Unknown),
        ],
    );
    let zh = check.result(Lang::ZhCn).unwrap();
    assert_eq!(zh.indication, Indication::MeansCheck);
    assert_eq!(zh.text.headline, "工作人员会和您一起核对经济状况");
    for lang in Lang::ALL {
        let headline = check.result(lang).unwrap().text.headline;
        for says_no in ["不符合", "맞지 않을", "not qualify"] {
            assert!(!headline.contains(says_no), "{headline}");
        }
    }
}

/// Issue 14 item 10: the figure shown is the figure compared, so the sentence is true.
#[test]
fn the_income_sentence_is_true_at_and_just_over_the_threshold() {
    let t = threshold();
    let reason = |size: u32, income: u32, lang: Lang| {
        run(
            None,
            &[
                (SpecialCase, c(NONE)),
                (Matter, c("wages")),
                (Group, c(NONE)),
                (PriorityGroup, c(NONE)),
                (HouseholdSize, AidAnswer::Number(size)),
                (HouseholdIncome, AidAnswer::Number(income)),
            ],
        )
        .result(lang)
        .unwrap()
    };
    let over = reason(3, 3 * t + 1, Lang::ZhCn);
    assert_eq!(over.indication, Indication::StaffReview);
    let expected = per_person_yuan(3 * t + 1, 3).0;
    assert_eq!(expected, format!("{t}.33"));
    assert!(
        over.text
            .reason
            .contains(&format!("平均每人约{expected}元"))
            && over
                .text
                .reason
                .contains(&format!("高于本省参考标准（每人每月{t}元）")),
        "{}",
        over.text.reason
    );
    assert!(
        !over.text.reason.contains(&format!("每人{t}元")),
        "never 'about {t}, above {t}'"
    );
    let at = reason(3, 3 * t, Lang::ZhCn);
    assert_eq!(at.indication, Indication::LikelyEligible);
    assert!(
        at.text.reason.contains(&format!("平均每人{t}元，不高于")),
        "{}",
        at.text.reason
    );
    let en = reason(3, 3 * t + 1, Lang::En).text.reason;
    assert!(
        en.contains(&format!("about {expected} yuan a head, above")),
        "{en}"
    );
    let ko = reason(3, 3 * t + 1, Lang::KoKr).text.reason;
    assert!(ko.contains(&format!("약 {expected}위안")), "{ko}");
}

#[test]
fn per_person_figures_never_round_across_the_threshold() {
    assert_eq!(per_person_yuan(6000, 3), ("2000".to_owned(), false));
    assert_eq!(per_person_yuan(6001, 3), ("2000.33".to_owned(), true));
    assert_eq!(per_person_yuan(6002, 3), ("2000.67".to_owned(), true));
    for t in [1, 999, 2000, 3333] {
        for size in 1..=super::engine::MAX_HOUSEHOLD {
            let over = per_person_yuan(t * size + 1, size).0;
            let shown: f64 = over.parse().unwrap();
            assert!(shown > f64::from(t), "{t} × {size} + 1 shows {over}");
            let at = per_person_yuan(t * size, size).0;
            assert_eq!(at, t.to_string());
        }
    }
}

/// Issue 14 item 11: a parent suing their children for 赡养费 is asked about their own side
/// only; the children's income is never counted.
#[test]
fn maintenance_claims_ask_about_the_applicants_own_means() {
    let mut check = SelfCheck::new(rules(), Prefill::default());
    for a in [c(NONE), c("maintenance"), c(NONE), c(NONE)] {
        check.answer(a).unwrap();
    }
    let size = check.question(Lang::ZhCn).unwrap();
    assert_eq!(size.id, QuestionId::HouseholdSize);
    assert!(size.text.contains("不算您要向他要钱的人"), "{}", size.text);
    check.answer(AidAnswer::Number(2)).unwrap();
    let income = check.question(Lang::ZhCn).unwrap();
    assert!(
        income
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("不要算您要告的人的收入"),
        "{income:?}"
    );
    for lang in [Lang::KoKr, Lang::En] {
        assert!(!check.question(lang).unwrap().has_fallback);
    }
    check.answer(AidAnswer::Number(1000)).unwrap();
    let r = check.result(Lang::ZhCn).unwrap();
    assert!(
        r.text.reason.contains("不算您要告的人"),
        "{}",
        r.text.reason
    );
    assert!(
        r.text.basis.iter().any(|b| b.contains("不算被告")),
        "{:?}",
        r.text.basis
    );
    assert!(
        r.unverified.contains(&"maintenance/own_means".to_owned()),
        "{:?}",
        r.unverified
    );
    // Other matters keep the household question.
    let mut wages = SelfCheck::new(rules(), Prefill::default());
    for a in [c(NONE), c("wages"), c(NONE), c(NONE)] {
        wages.answer(a).unwrap();
    }
    assert!(
        wages
            .question(Lang::ZhCn)
            .unwrap()
            .text
            .contains("您家一共几口人")
    );
}

/// Issue 14 item 8: the migrant-worker exemption (art. 42(3)) follows wages and work injury
/// only, not the confirmation of an employment relationship.
#[test]
fn the_migrant_worker_exemption_follows_wages_and_work_injury_only() {
    let groups = |scope: &str| {
        let mut check = SelfCheck::new(rules(), Prefill::default());
        check.answer(c(NONE)).unwrap();
        check.answer(c(scope)).unwrap();
        match check.question(Lang::ZhCn).map(|q| q.input) {
            Some(InputView::Choice { options, .. }) => {
                options.into_iter().map(|o| o.id).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        }
    };
    assert!(groups("wages").contains(&"migrant-worker".to_owned()));
    assert!(groups("work-injury").contains(&"migrant-worker".to_owned()));
    assert!(!groups("employment-relationship").contains(&"migrant-worker".to_owned()));
}

#[test]
fn every_shipped_rule_item_is_marked_unverified_until_a_qualified_person_checks_it() {
    let r = rules();
    let unverified = r.unverified();
    let items =
        r.scope.len() + r.no_means_test.len() + r.exempt_groups.len() + r.priority_groups.len();
    assert!(unverified.len() >= items, "{unverified:?}");
    let check = run(None, &[(SpecialCase, c("bravery"))]);
    assert_eq!(
        check.result(Lang::ZhCn).unwrap().unverified,
        vec!["bravery".to_owned()]
    );
    // An item marked verified is no longer listed.
    let text = JILIN_DEFAULT.replacen(
        "materials = [\"bravery-proof\"]\nverified = false",
        "materials = [\"bravery-proof\"]\nverified = true",
        1,
    );
    let checked = Rules::from_toml(&text).unwrap();
    assert!(checked.is_verified("bravery"));
    assert!(!checked.unverified().iter().any(|(_, id)| *id == "bravery"));
}

#[test]
fn the_cli_reports_the_threshold_in_force_its_source_and_unverified_items() {
    let dir = tempfile::tempdir().unwrap();
    let answers = write(
        &dir,
        "a.toml",
        "special_case = \"none\"\nmatter = \"wages\"\ngroup = \"none\"\npriority_group = \"none\"\nhousehold_size = 1\nhousehold_monthly_income_yuan = 100\n",
    );
    let json: serde_json::Value =
        serde_json::from_str(&run_legal_aid_cli(&answers, None, true).unwrap()).unwrap();
    assert_eq!(
        json["threshold"]["monthly_income_per_person_max_yuan"],
        threshold()
    );
    assert_eq!(json["threshold"]["placeholder"], true);
    assert_eq!(json["threshold"]["source"]["kind"], "built-in");
    assert!(json["rules"]["unverified"].as_array().unwrap().len() > 5);
    assert_eq!(json["result"]["unverified"][0], "wages");

    let rules_file = write(
        &dir,
        "r.toml",
        &JILIN_DEFAULT
            .replace(
                "monthly_income_per_person_max_yuan = 2000",
                "monthly_income_per_person_max_yuan = 1800",
            )
            .replace("placeholder = true", "placeholder = false"),
    );
    let json: serde_json::Value =
        serde_json::from_str(&run_legal_aid_cli(&answers, Some(&rules_file), true).unwrap())
            .unwrap();
    assert_eq!(
        json["threshold"]["monthly_income_per_person_max_yuan"],
        1800
    );
    assert_eq!(json["threshold"]["placeholder"], false);
    assert_eq!(json["threshold"]["source"]["kind"], "file");
    let text = run_legal_aid_cli(&answers, None, false).unwrap();
    assert!(
        text.contains(&format!(
            "threshold: {} yuan per person a month, a PLACEHOLDER (from built-in rules)",
            threshold()
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "UNVERIFIED: this result rests on items no qualified person has checked: wages"
        ),
        "{text}"
    );
}
