//! Each error found in the review of issue 14, by item, stays corrected; and the
//! translations keep every number of the Chinese.

use super::content_tests::{catalogue, outcome, rules, walk, zh};
use super::model::Action;
use super::text::Lang;

/// Item 2: 轻伤 is the criminal grade, a graze is 轻微伤; fractures are reported as crimes and
/// assessed before any settlement, never sent to police mediation.
#[test]
fn injury_grades_and_police_mediation() {
    let c = catalogue();
    let m = c.matter("neighbour.fight").unwrap();
    let light = &m.questions[0].answers[0];
    assert!(
        !light.label.zh_cn.contains("轻伤"),
        "a graze is not 轻伤: {}",
        light.label.zh_cn
    );
    for reported in ["yes", "no"] {
        let flow = walk(&c, "neighbour.fight", &["serious", reported]);
        let o = flow.outcome().unwrap();
        assert_eq!(o.id, "serious");
        assert!(
            o.summary.zh_cn.contains("不属于治安调解"),
            "{}",
            o.summary.zh_cn
        );
        assert!(
            o.summary.zh_cn.contains("先做伤情鉴定"),
            "{}",
            o.summary.zh_cn
        );
        assert!(zh(&o.basis).contains("《刑法》第二百三十四条"));
        assert!(!o.steps.iter().any(|s| s.action
            == Action::Ticket {
                service: super::QueueService::Mediation
            }));
    }
    let minor = walk(&c, "neighbour.fight", &["light", "yes"]);
    assert!(minor.outcome().unwrap().summary.zh_cn.contains("轻微伤"));
}

/// Item 3: past 48 hours, a frozen body can still be autopsied within 7 days; later still,
/// the family is not sent away.
#[test]
fn the_autopsy_window_has_its_seven_day_exception() {
    let c = catalogue();
    let frozen = walk(&c, "medical.death", &["yes", "frozen"]);
    let o = frozen.outcome().unwrap();
    assert_eq!(o.id, "autopsy");
    assert!(o.summary.zh_cn.contains("7天") && zh(&o.basis).contains("第二十六条"));
    let late = walk(&c, "medical.death", &["yes", "over-7d"]);
    assert!(late.outcome().unwrap().summary.zh_cn.contains("照样可以"));
}

/// Item 4: a printed will is signed and dated on every page; heirs and legatees cannot witness.
#[test]
fn printed_wills_and_witnesses() {
    let c = catalogue();
    for o in &c.matter("inheritance.will").unwrap().outcomes {
        assert!(o.summary.zh_cn.contains("每一页"), "{}", o.id);
        assert!(o.summary.zh_cn.contains("受遗赠人"), "{}", o.id);
        assert!(
            zh(&o.basis).contains("第一千一百三十六条")
                && zh(&o.basis).contains("第一千一百四十条")
        );
    }
}

/// Item 5: six months or more counts as a year; under six months, half a month's pay.
#[test]
fn severance_rounding_is_stated() {
    let c = catalogue();
    let (_, o) = outcome(&c, "labour.dismissal", "compensation");
    assert!(o.summary.zh_cn.contains("六个月以上不满一年的，按一年算"));
    assert!(o.summary.zh_cn.contains("不满六个月的，给半个月工资"));
    assert!(
        o.summary
            .ko_kr
            .as_deref()
            .unwrap()
            .contains("6개월 미만은 반달 임금")
    );
    assert!(
        o.summary
            .en
            .as_deref()
            .unwrap()
            .contains("under six months earns half a month's pay")
    );
}

/// Item 6: registered and lived together, the bride price is generally not returned; a partial
/// return only after a short marriage with an excessive amount (法释〔2024〕1号 arts. 5–6).
#[test]
fn bride_price_follows_the_2024_provisions() {
    let c = catalogue();
    for answer in ["short", "long"] {
        let o = walk(&c, "marriage.bride-price", &["yes", answer]);
        let o = o.outcome().unwrap();
        assert_eq!(o.id, "registered-lived");
        assert!(o.summary.zh_cn.contains("法院一般不支持"));
        assert!(o.summary.zh_cn.contains("一起生活时间较短、彩礼数额又过高"));
        assert!(zh(&o.basis).contains("（法释〔2024〕1号）第五条"));
    }
    let lived = walk(&c, "marriage.bride-price", &["no", "yes"]);
    assert!(zh(&lived.outcome().unwrap().basis).contains("（法释〔2024〕1号）第六条"));
}

/// Items 7 and 8: no promise for an ordinary divorce; dismissal pay and double pay are not
/// wages; an amount dispute over demolition is not state compensation.
#[test]
fn legal_aid_scopes_are_what_the_articles_cover() {
    let c = catalogue();
    let (m, o) = outcome(&c, "marriage.divorce", "court");
    assert_eq!(o.legal_aid_item(m), None);
    assert!(
        walk(&c, "marriage.divorce", &["one", "no"])
            .legal_aid_items()
            .is_empty()
    );
    for m in [
        "labour.dismissal",
        "labour.no-contract",
        "administrative.demolition",
    ] {
        let matter = c.matter(m).unwrap();
        assert_ne!(matter.legal_aid_scope.as_deref(), Some("wages"), "{m}");
        for o in &matter.outcomes {
            assert_ne!(o.legal_aid_item(matter), Some("wages"), "{m}/{}", o.id);
        }
    }
    assert_eq!(
        c.matter("labour.no-contract")
            .unwrap()
            .legal_aid_scope
            .as_deref(),
        Some("employment-relationship")
    );
    let challenge = walk(&c, "administrative.demolition", &["not-yet", "yes"]);
    assert!(challenge.legal_aid_items().is_empty());
    let unlawful = walk(&c, "administrative.demolition", &["demolished", "no"]);
    assert_eq!(
        unlawful.legal_aid_items(),
        vec!["state-compensation".to_owned()]
    );
}

/// Item 12: appraisal fee relief is for legal-aid recipients (art. 53), not anyone in hardship.
#[test]
fn appraisal_fee_relief_is_for_legal_aid_recipients() {
    let c = catalogue();
    let (_, o) = outcome(&c, "services.appraisal", "apply");
    assert!(o.summary.zh_cn.contains("受援人"));
    assert!(!o.summary.zh_cn.contains("经济困难的可以申请缓、减、免"));
    assert!(zh(&o.basis).contains("《法律援助法》第五十三条第二款"));
}

/// Item 13: the 15 days after a reconsideration decision, the 2 years for state
/// compensation, duty lawyers and art. 25's list, the divorce agreement and current documents,
/// and nobody past the 3-day review window told to hurry to a review.
#[test]
fn missing_deadlines_and_rights_are_stated() {
    let c = catalogue();
    for (m, o) in [
        ("administrative.penalty", "review"),
        ("administrative.benefits", "review"),
        ("administrative.demolition", "challenge"),
        ("land.expropriation", "review"),
    ] {
        let (_, o) = outcome(&c, m, o);
        assert!(o.summary.zh_cn.contains("15日"), "{m}");
        assert!(zh(&o.basis).contains("《行政诉讼法》第四十五条"), "{m}");
    }
    let (_, o) = outcome(&c, "administrative.demolition", "evidence");
    assert!(o.summary.zh_cn.contains("两年内") && zh(&o.basis).contains("第三十九条"));
    let (_, o) = outcome(&c, "criminal.detained", "lawyer");
    assert!(o.summary.zh_cn.contains("值班律师") && zh(&o.basis).contains("第三十条"));
    let (m, o) = outcome(&c, "criminal.detained", "mandatory");
    for group in [
        "未成年人",
        "视力、听力、言语残疾人",
        "不能完全辨认自己行为的成年人",
        "无期徒刑、死刑",
        "死刑复核",
        "缺席审判",
    ] {
        assert!(o.summary.zh_cn.contains(group), "{group}");
    }
    assert!(m.questions[1].answers.iter().any(|a| a.id == "grave"));
    let (_, o) = outcome(&c, "marriage.divorce", "registry");
    let materials: Vec<&str> = o
        .steps
        .iter()
        .flat_map(|s| s.materials.iter().map(String::as_str))
        .collect();
    assert!(materials.contains(&"divorce-agreement") && !materials.contains(&"household-register"));
    assert!(o.summary.zh_cn.contains("书面离婚协议"));
    let late = walk(&c, "traffic.liability", &["older", "share"]);
    let o = late.outcome().unwrap();
    assert_eq!(o.id, "late");
    assert!(!o.summary.zh_cn.contains("尽快申请复核") && o.summary.zh_cn.contains("不予受理"));
}

/// A translation keeps every figure of the Chinese (a deadline, an amount, a number to dial).
#[test]
fn translations_keep_every_number() {
    fn numbers(s: &str) -> Vec<u64> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect()
    }
    let c = catalogue();
    let rules = rules();
    let mut lost = Vec::new();
    for t in c.all_texts().into_iter().chain(rules.all_texts()) {
        for lang in [Lang::KoKr, Lang::En] {
            let tr = t.get(lang).text;
            let in_translation = numbers(tr);
            for n in numbers(&t.zh_cn) {
                if !in_translation.contains(&n) {
                    lost.push(format!(
                        "{} lost in {}: {}",
                        n,
                        lang.tag(),
                        t.zh_cn.chars().take(40).collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(lost.is_empty(), "{}", lost.join("\n"));
}
