//! The flow engine and the guidance slip.

use super::*;

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
        (kind == "labour-inspection")
            .then(|| InstitutionAddress {
                kind: kind.to_owned(),
                name: "示例市劳动保障监察支队".into(),
                address: "示例路1号".into(),
                phone: None,
                hours: None,
                distance: Some("1.2 公里".into()),
            })
            .into_iter()
            .collect()
    };
    let ctx = SlipContext {
        qr_url: Some("https://example.invalid/12348"),
        institutions: &lookup,
    };
    let slip = GuidanceSlip::for_consultation(&f, Lang::ZhCn, &ctx).unwrap();
    assert_eq!(slip.matter, "拖欠工资");
    assert_eq!(slip.outcome, "申请劳动仲裁");
    assert!(slip.next_steps[0].text.contains("仲裁"));
    assert!(slip.materials.contains(&"身份证".to_owned()));
    let unique: HashSet<&String> = slip.materials.iter().collect();
    assert_eq!(unique.len(), slip.materials.len());
    assert_eq!(
        slip.institutions.first().map(|i| i.address.as_str()),
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
    assert!(en.institutions.is_empty());
}
