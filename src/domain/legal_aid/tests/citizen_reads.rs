//! Issue 14: what a citizen reads is true.

use super::*;

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
        for size in 1..=crate::domain::legal_aid::engine::MAX_HOUSEHOLD {
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
