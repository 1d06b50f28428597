//! Rating validation and payload tests.

use super::*;

fn reasons() -> RatingReasons {
    RatingReasons::default_set().unwrap()
}

fn ticket(id: &str) -> ServiceEvent {
    ServiceEvent {
        kind: ServiceKind::Ticket,
        id: id.to_owned(),
    }
}

#[test]
fn five_levels_two_negative_with_labels_in_three_languages() {
    let negative: Vec<_> = RatingLevel::ALL
        .iter()
        .filter(|l| l.is_negative())
        .collect();
    assert_eq!(
        negative,
        [&RatingLevel::Dissatisfied, &RatingLevel::VeryDissatisfied]
    );
    let zh: Vec<_> = RatingLevel::ALL
        .iter()
        .map(|l| l.label(Lang::ZhCn))
        .collect();
    assert_eq!(zh, ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]);
    assert_eq!(RatingLevel::ALL.map(|l| l.score()), [5, 4, 3, 2, 1]);
    assert_eq!(
        RatingLevel::VeryDissatisfied.label(Lang::KoKr),
        "매우 불만족"
    );
}

#[test]
fn reasons_cover_the_offline_criteria_and_filter_by_kind() {
    let r = reasons();
    let criteria: Vec<&str> = r.criteria.iter().map(|c| c.name.zh_cn.as_str()).collect();
    for c in ["服务效率", "服务水平", "服务态度", "整体满意度"] {
        assert!(criteria.contains(&c), "{c}");
    }
    let for_consultation: Vec<String> = r
        .options(ServiceKind::Consultation, Lang::ZhCn)
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert!(for_consultation.contains(&"questions-unclear".to_owned()));
    assert!(
        !for_consultation.contains(&"impolite".to_owned()),
        "no staff at a self-service consultation"
    );
    let video = r.options(ServiceKind::VideoCall, Lang::En);
    assert!(
        video
            .iter()
            .any(|o| o.id == "video-poor" && o.label.text == "Poor video or sound")
    );
}

#[test]
fn valid_ratings_pass_and_make_a_payload_without_personal_data() {
    let r = reasons();
    let rating = r
        .validate(
            ticket("A012-20251101"),
            RatingLevel::Dissatisfied,
            &["long-wait", "impatient"],
        )
        .unwrap();
    let p = rating.outbox_payload();
    assert_eq!(p["type"], "rating.submitted");
    assert_eq!(p["event_kind"], "ticket");
    assert_eq!(p["event_id"], "A012-20251101");
    assert_eq!(p["level"], "dissatisfied");
    assert_eq!(p["score"], 2);
    assert_eq!(p["negative"], true);
    assert_eq!(p["reasons"], serde_json::json!(["long-wait", "impatient"]));
    assert_eq!(p["reasons_version"], r.version.as_str());
    assert!(
        r.validate(ticket("t1"), RatingLevel::VerySatisfied, &[])
            .is_ok()
    );
    assert!(
        r.validate(ticket("t1"), RatingLevel::VeryDissatisfied, &[])
            .is_ok(),
        "reasons are optional"
    );
}

#[test]
fn invalid_ratings_are_refused_with_the_reason() {
    let r = reasons();
    assert_eq!(
        r.validate(ticket("t1"), RatingLevel::Satisfied, &["long-wait"]),
        Err(RatingError::ReasonsNotAllowed)
    );
    assert_eq!(
        r.validate(ticket("t1"), RatingLevel::BasicallySatisfied, &["other"]),
        Err(RatingError::ReasonsNotAllowed)
    );
    assert_eq!(
        r.validate(ticket("t1"), RatingLevel::Dissatisfied, &["rude-robot"]),
        Err(RatingError::UnknownReason("rude-robot".into()))
    );
    assert_eq!(
        r.validate(ticket("t1"), RatingLevel::Dissatisfied, &["other", "other"]),
        Err(RatingError::DuplicateReason("other".into()))
    );
    let consult = ServiceEvent {
        kind: ServiceKind::Consultation,
        id: "c-1".into(),
    };
    assert!(matches!(
        r.validate(consult, RatingLevel::Dissatisfied, &["impolite"]),
        Err(RatingError::ReasonNotForKind { .. })
    ));
    assert_eq!(
        r.validate(ticket(""), RatingLevel::Satisfied, &[]),
        Err(RatingError::MissingEventId)
    );
    assert!(matches!(
        r.validate(ticket("a b"), RatingLevel::Satisfied, &[]),
        Err(RatingError::BadEventId(_))
    ));
    assert!(matches!(
        r.validate(ticket(&"x".repeat(65)), RatingLevel::Satisfied, &[]),
        Err(RatingError::BadEventId(_))
    ));
    let six = [
        "long-wait",
        "slow-handling",
        "come-again",
        "unclear-answer",
        "problem-not-solved",
        "other",
    ];
    assert_eq!(
        r.validate(ticket("t1"), RatingLevel::VeryDissatisfied, &six),
        Err(RatingError::TooManyReasons)
    );
}

#[test]
fn reason_files_are_checked() {
    assert!(
        matches!(RatingReasons::from_toml("format = 1\nversion = \"x\"\ncriterion = []\nreason = []\nextra = 1"), Err(ReasonsError::Parse(m)) if m.contains("extra"))
    );
    let bad = DEFAULT_REASONS.replace("criterion = \"attitude\"", "criterion = \"mood\"");
    assert!(
        matches!(RatingReasons::from_toml(&bad), Err(ReasonsError::Invalid(m)) if m.contains("mood"))
    );
}
