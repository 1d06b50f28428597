//! The outbox event, consent and the pre-application, the slip and the example files.

use super::*;

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
    assert_eq!(
        p["consent"]["text_version"],
        crate::domain::legal_aid::CONSENT_TEXT_VERSION
    );
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
