//! The shipped legal content says what the law says: every outcome names its statute and
//! article, judicial interpretations carry their document numbers, the legal-aid hints agree
//! with the self-check's rules, the Korean uses the terms Korean-Chinese readers use, and
//! each error found in the review of issue 14 stays corrected.

use std::sync::Arc;

use super::defaults;
use super::flow::{Consultation, Screen};
use super::model::{Action, Catalogue, Matter, Outcome};
use super::text::{Lang, Text};
use crate::domain::legal_aid::{
    AidAnswer, AidScreen, Indication, InputView, NONE, Prefill, QuestionId, Rules, SelfCheck, YES,
};

pub(super) fn catalogue() -> Arc<Catalogue> {
    Arc::new(defaults::catalogue().unwrap_or_else(|e| panic!("{e}")))
}

pub(super) fn rules() -> Arc<Rules> {
    Arc::new(Rules::jilin_default().unwrap())
}

pub(super) fn outcome<'a>(
    c: &'a Catalogue,
    matter: &str,
    outcome: &str,
) -> (&'a Matter, &'a Outcome) {
    let m = c
        .matter(matter)
        .unwrap_or_else(|| panic!("no matter {matter}"));
    let o = m
        .outcomes
        .iter()
        .find(|o| o.id == outcome)
        .unwrap_or_else(|| panic!("no outcome {matter}/{outcome}"));
    (m, o)
}

pub(super) fn zh(t: &Option<Text>) -> &str {
    t.as_ref().map_or("", |t| t.zh_cn.as_str())
}

/// The outcome reached by answering in order.
pub(super) fn walk(c: &Arc<Catalogue>, matter: &str, answers: &[&str]) -> Consultation {
    let mut flow = Consultation::start(c.clone(), matter).unwrap();
    for a in answers {
        flow.answer(a).unwrap_or_else(|e| panic!("{matter}: {e}"));
    }
    assert!(
        flow.outcome().is_some(),
        "{matter} {answers:?} ends in an outcome"
    );
    flow
}

/// 《…》第…条 (an article of a named statute), the citation every outcome must carry.
fn cites_an_article(basis: &str) -> bool {
    let mut rest = basis;
    while let Some(open) = rest.find('《') {
        let after = &rest[open..];
        let Some(close) = after.find('》') else {
            return false;
        };
        let mut tail = &after[close + '》'.len_utf8()..];
        // A judicial interpretation's document number may stand between title and article.
        if tail.starts_with("（法释") {
            tail = tail
                .find('）')
                .map_or(tail, |end| &tail[end + '）'.len_utf8()..]);
        }
        let numerals = "一二三四五六七八九十百千零";
        if let Some(num) = tail.strip_prefix('第') {
            let digits: String = num.chars().take_while(|c| numerals.contains(*c)).collect();
            if !digits.is_empty() && num[digits.len()..].starts_with('条') {
                return true;
            }
        }
        rest = tail;
    }
    false
}

#[test]
fn every_outcome_names_a_statute_and_article() {
    let c = catalogue();
    for m in &c.matters {
        assert!(
            !m.verified,
            "{}: no qualified person has verified it yet",
            m.id
        );
        for o in &m.outcomes {
            let basis = o
                .basis
                .as_ref()
                .unwrap_or_else(|| panic!("{}/{} has no basis", m.id, o.id));
            assert!(
                cites_an_article(&basis.zh_cn),
                "{}/{}: basis names no article: {}",
                m.id,
                o.id,
                basis.zh_cn
            );
            for lang in [Lang::KoKr, Lang::En] {
                assert!(
                    basis.has(lang),
                    "{}/{} basis lacks {}",
                    m.id,
                    o.id,
                    lang.tag()
                );
            }
        }
    }
    assert!(cites_an_article("《民法典》第一千零七十六条。"));
    assert!(cites_an_article(
        "《最高人民法院关于审理涉彩礼纠纷案件适用法律若干问题的规定》（法释〔2024〕1号）第五条"
    ));
    assert!(!cites_an_article("《行政复议法》（申请期限60日）"));
}

#[test]
fn judicial_interpretations_carry_their_document_number() {
    let c = catalogue();
    for m in &c.matters {
        for o in &m.outcomes {
            let basis = zh(&o.basis);
            for (i, _) in basis.match_indices("《最高人民法院") {
                let cited = &basis[i..];
                let end = cited.find('》').unwrap_or(cited.len());
                let after = &cited[end..];
                assert!(
                    after.starts_with("》（法释〔"),
                    "{}/{}: {} has no 法释〔…〕 number",
                    m.id,
                    o.id,
                    &cited[..end]
                );
            }
        }
    }
}

/// Phrases that tell the citizen legal aid applies (with or without a means test).
const PROMISES: [&str; 4] = [
    "可以申请法律援助",
    "可申请法律援助",
    "属于法律援助的范围",
    "属于法律援助范围",
];
/// Phrases that tell the citizen there is no means test.
const NO_MEANS: [&str; 4] = [
    "不用审查经济",
    "不用核查经济",
    "不受经济困难条件的限制",
    "免予核查经济",
];

/// Issue 14 item 7: what a page says about legal aid is what the self-check it links to
/// answers. Every outcome that promises legal aid names the rules item it rests on (its own
/// `legal_aid`, else the matter's scope); that item exists; the self-check started from the
/// page highlights it; and run as the page describes, the engine gives the same answer.
#[test]
fn every_legal_aid_hint_agrees_with_the_rules_engine() {
    let c = catalogue();
    let rules = rules();
    let table = |id: &str| -> Option<&'static str> {
        if rules.scope.iter().any(|i| i.id == id) {
            Some("scope")
        } else if rules.no_means_test.iter().any(|i| i.id == id) {
            Some("no_means_test")
        } else if rules.exempt_groups.iter().any(|i| i.id == id) {
            Some("exempt_group")
        } else {
            None
        }
    };
    let mut checked = 0;
    for m in &c.matters {
        if let Some(scope) = &m.legal_aid_scope {
            assert_eq!(
                table(scope),
                Some("scope"),
                "{}: legal_aid_scope {scope}",
                m.id
            );
        }
        for o in &m.outcomes {
            let at = format!("{}/{}", m.id, o.id);
            let text = &o.summary.zh_cn;
            let promises = PROMISES.iter().any(|p| text.contains(p));
            let no_means = NO_MEANS.iter().any(|p| text.contains(p));
            let item = o.legal_aid_item(m);
            let kind = item.map(|i| table(i).unwrap_or_else(|| panic!("{at}: unknown item {i}")));
            if o.legal_aid.as_deref() == Some("none") {
                assert!(
                    !promises && !no_means,
                    "{at} says no list item applies but promises aid"
                );
            }
            if promises {
                assert!(
                    kind.is_some(),
                    "{at} promises legal aid without naming the item"
                );
            }
            if no_means {
                assert!(
                    matches!(kind, Some("no_means_test" | "exempt_group")),
                    "{at} promises no means test but rests on {item:?}"
                );
            }
            let Some(item) = item else { continue };
            let links_check = o.steps.iter().any(|s| s.action == Action::LegalAidCheck);
            if !(promises || no_means || links_check) {
                continue;
            }
            // The self-check opened from this page highlights the item...
            let flow = {
                let mut f = Consultation::start(c.clone(), &m.id).unwrap();
                let mut answered = true;
                while let Screen::Question(q) = f.screen() {
                    // Any path to this outcome: try answers until it is reached.
                    let Some(a) = q.answers.iter().find(|a| {
                        let mut g = f.clone();
                        g.answer(&a.id).is_ok() && reaches(&g, &o.id)
                    }) else {
                        answered = false;
                        break;
                    };
                    let id = a.id.clone();
                    f.answer(&id).unwrap();
                }
                assert!(answered, "{at} is reachable");
                f
            };
            let suggested = flow.legal_aid_items();
            assert!(suggested.iter().any(|s| s == item), "{at}: {suggested:?}");
            let mut check = SelfCheck::new(
                rules.clone(),
                Prefill {
                    age: None,
                    suggested: suggested.clone(),
                },
            );
            // ...and answers as the page says.
            let expected = match kind {
                Some("scope") => Indication::LikelyEligible,
                _ => Indication::NoMeansTest,
            };
            let group_scope = m.legal_aid_scope.clone().unwrap_or_default();
            while let AidScreen::Question(q) = check.screen() {
                let view = check.question(Lang::ZhCn).unwrap();
                if let InputView::Choice { suggested, .. } = &view.input
                    && matches!(
                        q,
                        QuestionId::SpecialCase | QuestionId::Matter | QuestionId::Group
                    )
                    && kind
                        == Some(match q {
                            QuestionId::SpecialCase => "no_means_test",
                            QuestionId::Matter => "scope",
                            _ => "exempt_group",
                        })
                {
                    assert_eq!(suggested.as_deref(), Some(item), "{at}: {q:?} highlights");
                }
                let answer = match q {
                    QuestionId::SpecialCase if kind == Some("no_means_test") => item.to_owned(),
                    QuestionId::Matter if kind == Some("scope") => item.to_owned(),
                    QuestionId::Matter => group_scope.clone(),
                    QuestionId::Condition => YES.to_owned(),
                    QuestionId::Group if kind == Some("exempt_group") => item.to_owned(),
                    QuestionId::HouseholdSize => {
                        check.answer(AidAnswer::Number(1)).unwrap();
                        continue;
                    }
                    QuestionId::HouseholdIncome => {
                        check.answer(AidAnswer::Number(0)).unwrap();
                        continue;
                    }
                    _ => NONE.to_owned(),
                };
                check
                    .answer(AidAnswer::Choice(answer))
                    .unwrap_or_else(|e| panic!("{at}: {e}"));
            }
            let r = check.result(Lang::ZhCn).unwrap();
            assert_eq!(
                r.indication, expected,
                "{at}: the self-check disagrees ({item})"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} hints checked");
}

/// Whether `outcome` can still be reached from where `flow` stands.
pub(super) fn reaches(flow: &Consultation, outcome: &str) -> bool {
    match flow.screen() {
        Screen::Outcome(o) => o.id == outcome,
        Screen::Question(q) => q.answers.iter().any(|a| {
            let mut next = flow.clone();
            next.answer(&a.id).is_ok() && reaches(&next, outcome)
        }),
    }
}

/// Every Korean text the kiosk can show from content, rules and code.
pub(super) fn korean_pairs() -> Vec<(String, String)> {
    let c = catalogue();
    let rules = rules();
    let mut out: Vec<(String, String)> = c
        .all_texts()
        .into_iter()
        .chain(rules.all_texts())
        .filter_map(|t| t.ko_kr.clone().map(|ko| (t.zh_cn.clone(), ko)))
        .collect();
    // The queue's services are the same words on the ticket and the home screen.
    for service in crate::domain::queue::Catalogue::built_in().services() {
        for t in [&service.name, &service.description] {
            if let Some(ko) = &t.ko_kr {
                out.push((t.zh_cn.clone(), ko.clone()));
            }
        }
    }
    let mut code = crate::domain::legal_aid::tests_support::all_engine_text(Lang::KoKr);
    code.push_str(crate::domain::legal_aid::consent_text(Lang::KoKr));
    for s in super::QueueService::ALL {
        code.push_str(s.name(Lang::KoKr));
    }
    for m in &c.matters {
        for o in &m.outcomes {
            for st in &o.steps {
                code.push_str(&super::flow::action_label(&c, &st.action, Lang::KoKr).text);
            }
        }
    }
    out.push((String::new(), code));
    out
}

/// Issue 14: one term for legal aid (법률원조); 人社 is 인력자원사회보장국, not a company's HR
/// department; 复议 is 복의 (행정복의), never 재심, which is a retrial.
#[test]
fn korean_uses_the_terms_korean_chinese_readers_use() {
    let mut wrong_terms = Vec::new();
    for (zh, ko) in korean_pairs() {
        for wrong in [
            "법률 원조",
            "법률지원",
            "법률 지원",
            "법률구조",
            "인사 부서",
            "인사국",
            "행정 재심",
            "행정재심",
        ] {
            if let Some(at) = ko.find(wrong) {
                let start = ko[..at].char_indices().rev().nth(20).map_or(0, |(i, _)| i);
                let end = ko[at..]
                    .char_indices()
                    .nth(30)
                    .map_or(ko.len(), |(i, _)| at + i);
                wrong_terms.push(format!("{wrong:?} in …{}…", &ko[start..end]));
            }
        }
        if zh.contains("法律援助") {
            assert!(ko.contains("법률원조"), "{zh} → {ko}");
        }
        if zh.contains("复议") {
            assert!(ko.contains("복의") && !ko.contains("재심"), "{zh} → {ko}");
        }
        if zh.contains("行政复议") {
            assert!(ko.contains("행정복의"), "{zh} → {ko}");
        }
        if zh.contains("人社") {
            assert!(ko.contains("인력자원사회보장"), "{zh} → {ko}");
        }
    }
    assert!(wrong_terms.is_empty(), "{}", wrong_terms.join("\n"));
}
