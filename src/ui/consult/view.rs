//! Filling the `Consult` global: the categories, a category's matters, a question, an
//! outcome, the quick picks and live search results. Shared by the controller and the
//! screenshot samples.

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::domain::consult::flow::{OutcomeView, QuestionView, pick};
use crate::domain::consult::{Action, Catalogue, Consultation, SearchIndex, SearchTarget};
use crate::domain::institutions::{Place, nearest_heading};
use crate::i18n::{Lang, Localized};
use crate::ui::shell::models::{choice, choices, strings};
use crate::ui::{AppWindow, Choice, Consult, ConsultStep, NextStep, StepKind};

/// Search results shown.
const MAX_RESULTS: usize = 12;

/// Quick picks for search (there is no Chinese input method on the kiosk): what citizens
/// most often come with, searched by the Chinese word, labelled in the citizen's language.
pub const KEYWORD_CHIPS: &[(&str, &str, &str)] = &[
    ("欠薪", "임금 체불", "Unpaid wages"),
    ("离婚", "이혼", "Divorce"),
    ("工伤", "산업재해", "Work injury"),
    ("交通事故", "교통사고", "Traffic accident"),
    ("借钱不还", "빌려준 돈", "Unpaid loan"),
    ("遗产", "상속", "Inheritance"),
    ("宅基地", "주택부지", "Homestead land"),
    ("物业", "물업관리", "Property management"),
    ("赡养", "부양", "Elderly support"),
    ("医疗纠纷", "의료 분쟁", "Medical dispute"),
    ("邻居", "이웃", "Neighbours"),
    ("家暴", "가정폭력", "Domestic violence"),
];

/// The categories as large buttons.
pub fn categories_model(catalogue: &Catalogue, lang: Lang) -> ModelRc<Choice> {
    choices(
        catalogue
            .categories
            .iter()
            .map(|c| choice(c.id.as_str(), c.name.text(lang), ""))
            .collect(),
    )
}

/// A category's matters, each with its plain-language explanation.
pub fn matters_model(catalogue: &Catalogue, category_id: &str, lang: Lang) -> ModelRc<Choice> {
    choices(
        catalogue
            .matters_in(category_id)
            .map(|m| {
                choice(
                    m.id.as_str(),
                    m.name.text(lang),
                    first_sentence(m.summary.text(lang)),
                )
            })
            .collect(),
    )
}

/// The first sentence of an explanation, for a button's second line.
fn first_sentence(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| matches!(c, '。' | '！' | '？'))
        .map(|(i, c)| i + c.len_utf8())
        .or_else(|| text.find(". ").map(|i| i + 1))
        .unwrap_or(text.len());
    &text[..end]
}

/// An optional text as a view shows it: empty when there is none.
fn text_or_empty(text: Option<&Localized>) -> SharedString {
    text.map_or("", |t| t.text.as_str()).into()
}

/// Fills the question screen.
pub fn show_question(app: &AppWindow, q: &QuestionView, matter_summary: &str) {
    let g = app.global::<Consult>();
    g.set_matter_name(q.matter_name.text.as_str().into());
    g.set_matter_summary(matter_summary.into());
    g.set_question_number(i32::try_from(q.number).unwrap_or(i32::MAX));
    g.set_question(q.text.text.as_str().into());
    g.set_question_help(text_or_empty(q.help.as_ref()));
    g.set_answers(choices(
        q.answers
            .iter()
            .map(|a| choice(a.id.as_str(), a.label.text.as_str(), ""))
            .collect(),
    ));
    g.set_step(ConsultStep::Question);
}

/// Fills the outcome screen.
pub fn show_outcome(
    app: &AppWindow,
    o: &OutcomeView,
    catalogue: &Catalogue,
    lang: Lang,
    nearby: &Nearby,
) {
    let g = app.global::<Consult>();
    g.set_nearby_title(nearby.heading.as_str().into());
    g.set_nearby(strings(&nearby.lines));
    g.set_matter_name(o.matter_name.text.as_str().into());
    g.set_outcome_title(o.title.text.as_str().into());
    g.set_outcome_summary(o.summary.text.as_str().into());
    g.set_outcome_basis(text_or_empty(o.basis.as_ref()));
    g.set_disclaimer(o.disclaimer.text.as_str().into());
    let mut materials: Vec<SharedString> = Vec::new();
    let steps: Vec<NextStep> = o
        .steps
        .iter()
        .map(|s| {
            for m in &s.materials {
                let m = SharedString::from(m.text.as_str());
                if !materials.contains(&m) {
                    materials.push(m);
                }
            }
            let detail = match (&s.note, &s.action) {
                (Some(note), _) => note.text.clone(),
                (None, Action::Institution { kind }) => catalogue
                    .institution_kind(kind)
                    .and_then(|k| k.summary.as_ref())
                    .map(|summary| summary.text(lang).to_owned())
                    .unwrap_or_default(),
                (None, _) => String::new(),
            };
            NextStep {
                label: s.label.text.as_str().into(),
                detail: detail.into(),
                kind: step_kind(&s.action),
            }
        })
        .collect();
    g.set_materials(ModelRc::new(VecModel::from(materials)));
    g.set_steps(ModelRc::new(VecModel::from(steps)));
    g.set_step(ConsultStep::Outcome);
}

/// The nearest institutions of the kind an outcome sends the citizen to, as the outcome
/// screen lists them (nothing when the terminal's directory has none of that kind).
#[derive(Debug, Default)]
pub struct Nearby {
    pub heading: String,
    pub lines: Vec<String>,
}

/// The nearest institutions of the outcome's first institution step that `nearest` finds
/// (the directory in force, or the screenshots' sample).
pub fn nearby_of(flow: &Consultation, lang: Lang, nearest: impl Fn(&str) -> Vec<Place>) -> Nearby {
    let Some(outcome) = flow.outcome() else {
        return Nearby::default();
    };
    outcome
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Institution { kind } => Some(nearest(kind)),
            _ => None,
        })
        .find(|places| !places.is_empty())
        .map(|places| Nearby {
            heading: nearest_heading(places[0].kind, lang),
            lines: places.iter().map(|p| p.nearby_line(lang)).collect(),
        })
        .unwrap_or_default()
}

fn step_kind(action: &Action) -> StepKind {
    match action {
        Action::Ticket { .. } => StepKind::Ticket,
        Action::Appointment { .. } => StepKind::Appointment,
        Action::LegalAidCheck => StepKind::LegalAid,
        Action::VideoLawyer => StepKind::Video,
        Action::Institution { .. } => StepKind::Institution,
        Action::Hotline { .. } => StepKind::Hotline,
    }
}

/// The quick-pick words in `lang`; tapping one searches its Chinese word.
pub fn chips_model(lang: Lang) -> ModelRc<Choice> {
    choices(
        KEYWORD_CHIPS
            .iter()
            .map(|&(zh, ko, en)| choice(zh, pick(lang, zh, ko, en), ""))
            .collect(),
    )
}

/// Live results for what was typed: matters and categories, with why each was found.
pub fn search_results(
    index: &SearchIndex,
    catalogue: &Catalogue,
    query: &str,
    lang: Lang,
) -> ModelRc<Choice> {
    let hits = index.search(query, MAX_RESULTS);
    choices(
        hits.into_iter()
            .filter_map(|hit| match hit.target {
                SearchTarget::Matter(i) => {
                    let m = catalogue.matters.get(i)?;
                    let category = catalogue.category_of(m).name.text(lang);
                    let detail = match hit.field {
                        crate::domain::consult::search::MatchedField::Keyword => {
                            format!("{category} · {}", hit.matched)
                        }
                        _ => category.to_owned(),
                    };
                    Some(choice(
                        format!("matter:{}", m.id),
                        m.name.text(lang),
                        detail,
                    ))
                }
                SearchTarget::Category(i) => {
                    let c = catalogue.categories.get(i)?;
                    Some(choice(
                        format!("category:{}", c.id),
                        c.name.text(lang),
                        pick(
                            lang,
                            "查看这一类的全部事项",
                            "이 분야의 모든 항목 보기",
                            "See every matter of this kind",
                        ),
                    ))
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quick_pick_finds_a_matter() {
        let catalogue = crate::domain::consult::defaults::catalogue().unwrap();
        let index = SearchIndex::build(&catalogue);
        for (word, _, _) in KEYWORD_CHIPS {
            let hits = index.search(word, 5);
            assert!(
                hits.iter()
                    .any(|h| matches!(h.target, SearchTarget::Matter(_))),
                "{word} finds no matter: {hits:?}"
            );
        }
    }

    #[test]
    fn a_button_shows_the_first_sentence_of_an_explanation() {
        assert_eq!(
            first_sentence("干了活，老板不给钱。先要证明。"),
            "干了活，老板不给钱。"
        );
        assert_eq!(first_sentence("You worked. Then"), "You worked.");
        assert_eq!(first_sentence("没有句号"), "没有句号");
    }
}
