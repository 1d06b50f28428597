//! The guided-flow engine the UI drives one screen at a time.
//!
//! ```text
//! Consultation::start(catalogue, "labour.unpaid-wages")
//!   .screen()            -> Screen::Question(..)   show it
//!   .answer("no")        -> Screen::Question(..)   or Screen::Outcome(..)
//!   .back()              -> one step back (false on the first question: leave the flow)
//!   .restart()           -> first question again
//! ```

use std::sync::Arc;

use serde::Serialize;

use super::model::{Action, Catalogue, Matter, Outcome, Question, Target};
use super::text::{Lang, Localized};

/// Why the engine refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    /// The matter id is not in the catalogue (e.g. content was replaced under the UI).
    #[error("there is no matter {0:?} in the consultation content")]
    UnknownMatter(String),
    /// The answer id is not one of the current question's answers.
    #[error("{answer:?} is not an answer to question {question:?}")]
    UnknownAnswer {
        /// The current question.
        question: String,
        /// The answer given.
        answer: String,
    },
    /// An answer was given while the outcome is on screen.
    #[error("the consultation has already reached its outcome")]
    Finished,
}

/// What is on screen now.
#[derive(Debug, Clone, Copy)]
pub enum Screen<'a> {
    /// A question to answer.
    Question(&'a Question),
    /// The outcome reached.
    Outcome(&'a Outcome),
}

/// One citizen's walk through a matter's guided flow.
#[derive(Debug, Clone)]
pub struct Consultation {
    catalogue: Arc<Catalogue>,
    matter: usize,
    /// (question index, answer index) for every answered question, in order.
    path: Vec<(usize, usize)>,
    at: Target,
}

impl Consultation {
    /// Starts the flow of `matter_id` at its first question.
    pub fn start(catalogue: Arc<Catalogue>, matter_id: &str) -> Result<Self, FlowError> {
        let matter = *catalogue
            .index
            .matters
            .get(matter_id)
            .ok_or_else(|| FlowError::UnknownMatter(matter_id.to_owned()))?;
        Ok(Consultation {
            catalogue,
            matter,
            path: Vec::new(),
            at: Target::Question(0),
        })
    }

    /// The catalogue this flow runs on.
    pub fn catalogue(&self) -> &Arc<Catalogue> {
        &self.catalogue
    }

    /// The matter being consulted.
    pub fn matter(&self) -> &Matter {
        &self.catalogue.matters[self.matter]
    }

    /// The current screen.
    pub fn screen(&self) -> Screen<'_> {
        let matter = self.matter();
        match self.at {
            Target::Question(q) => Screen::Question(&matter.questions[q]),
            Target::Outcome(o) => Screen::Outcome(&matter.outcomes[o]),
        }
    }

    /// The outcome, once reached.
    pub fn outcome(&self) -> Option<&Outcome> {
        match self.screen() {
            Screen::Outcome(o) => Some(o),
            Screen::Question(_) => None,
        }
    }

    /// Answers the current question by answer id and moves on.
    pub fn answer(&mut self, answer_id: &str) -> Result<Screen<'_>, FlowError> {
        let Target::Question(q) = self.at else {
            return Err(FlowError::Finished);
        };
        let question = &self.catalogue.matters[self.matter].questions[q];
        let Some(a) = question.answers.iter().position(|a| a.id == answer_id) else {
            return Err(FlowError::UnknownAnswer {
                question: question.id.clone(),
                answer: answer_id.to_owned(),
            });
        };
        self.at = question.answers[a].target;
        self.path.push((q, a));
        Ok(self.screen())
    }

    /// Goes back one screen. Returns false (and stays) on the first question: the UI then leaves the flow.
    pub fn back(&mut self) -> bool {
        match self.path.pop() {
            Some((q, _)) => {
                self.at = Target::Question(q);
                true
            }
            None => false,
        }
    }

    /// Starts the same matter over.
    pub fn restart(&mut self) {
        self.path.clear();
        self.at = Target::Question(0);
    }

    /// 1-based number of the current question (for 第 2 题); on the outcome, the questions answered.
    pub fn step_number(&self) -> usize {
        match self.at {
            Target::Question(_) => self.path.len() + 1,
            Target::Outcome(_) => self.path.len(),
        }
    }

    /// The answers given so far, as (question, answer) ids.
    pub fn answered(&self) -> Vec<(&str, &str)> {
        let matter = self.matter();
        self.path
            .iter()
            .map(|&(q, a)| {
                let question = &matter.questions[q];
                (question.id.as_str(), question.answers[a].id.as_str())
            })
            .collect()
    }

    /// The current screen with every text resolved for `lang`, ready for Slint models.
    pub fn view(&self, lang: Lang) -> ScreenView {
        let matter = self.matter();
        match self.screen() {
            Screen::Question(q) => ScreenView::Question(QuestionView {
                matter_id: matter.id.clone(),
                matter_name: matter.name.localized(lang),
                question_id: q.id.clone(),
                text: q.text.localized(lang),
                help: q.help.as_ref().map(|h| h.localized(lang)),
                answers: q
                    .answers
                    .iter()
                    .map(|a| AnswerView {
                        id: a.id.clone(),
                        label: a.label.localized(lang),
                    })
                    .collect(),
                number: self.step_number(),
                can_go_back: !self.path.is_empty(),
            }),
            Screen::Outcome(o) => {
                ScreenView::Outcome(outcome_view(&self.catalogue, matter, o, lang))
            }
        }
    }

    /// The legal-aid items to highlight when the citizen opens the self-check from here: the
    /// outcome's `legal_aid` item once reached, and the matter's scope. The self-check then
    /// starts from the same items the page's advice rests on.
    pub fn legal_aid_items(&self) -> Vec<String> {
        let matter = self.matter();
        let outcome = self.outcome();
        if outcome.is_some_and(|o| o.legal_aid.as_deref() == Some(super::model::NO_LEGAL_AID_ITEM))
        {
            // The advice says no list item applies; the self-check must not suggest one.
            return Vec::new();
        }
        let mut items: Vec<String> = outcome
            .and_then(|o| o.legal_aid_item(matter))
            .map(str::to_owned)
            .into_iter()
            .collect();
        if let Some(scope) = &matter.legal_aid_scope
            && !items.contains(scope)
        {
            items.push(scope.clone());
        }
        items
    }

    /// The record of a finished consultation for the outbox (no personal data: ids only).
    /// None until the outcome is reached.
    pub fn record(&self, consultation_id: &str, lang: Lang) -> Option<ConsultationRecord> {
        let outcome = self.outcome()?;
        let matter = self.matter();
        Some(ConsultationRecord {
            consultation_id: consultation_id.to_owned(),
            content_version: self.catalogue.version.clone(),
            category_id: self.catalogue.category_of(matter).id.clone(),
            matter_id: matter.id.clone(),
            outcome_id: outcome.id.clone(),
            answers: self
                .answered()
                .into_iter()
                .map(|(q, a)| AnsweredQuestion {
                    question: q.to_owned(),
                    answer: a.to_owned(),
                })
                .collect(),
            recommended: outcome.steps.iter().map(|s| s.action.clone()).collect(),
            lang,
        })
    }
}

/// A screen ready for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "screen", rename_all = "kebab-case")]
pub enum ScreenView {
    /// A question.
    Question(QuestionView),
    /// The outcome.
    Outcome(OutcomeView),
}

/// A question screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionView {
    /// The matter's id.
    pub matter_id: String,
    /// The matter's name (screen header).
    pub matter_name: Localized,
    /// The question's id.
    pub question_id: String,
    /// The question.
    pub text: Localized,
    /// A one-line explanation, if any.
    pub help: Option<Localized>,
    /// The answer buttons.
    pub answers: Vec<AnswerView>,
    /// 1-based question number.
    pub number: usize,
    /// False on the first question (返回 leaves the flow).
    pub can_go_back: bool,
}

impl QuestionView {
    /// Whether some text of this screen is shown in zh-CN for want of a translation.
    pub fn has_fallback(&self) -> bool {
        self.matter_name.fallback
            || self.text.fallback
            || self.help.as_ref().is_some_and(|h| h.fallback)
            || self.answers.iter().any(|a| a.label.fallback)
    }
}

/// An answer button.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerView {
    /// Pass this to [`Consultation::answer`].
    pub id: String,
    /// The label.
    pub label: Localized,
}

/// The outcome screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeView {
    /// The matter's id.
    pub matter_id: String,
    /// The matter's name.
    pub matter_name: Localized,
    /// The outcome's id.
    pub outcome_id: String,
    /// Short title.
    pub title: Localized,
    /// Plain-language advice.
    pub summary: Localized,
    /// Statute basis, where given.
    pub basis: Option<Localized>,
    /// Next steps, each a button or a line.
    pub steps: Vec<StepView>,
    /// "Guidance only" line.
    pub disclaimer: Localized,
}

impl OutcomeView {
    /// Whether some text of this screen is shown in zh-CN for want of a translation.
    pub fn has_fallback(&self) -> bool {
        [
            &self.matter_name,
            &self.title,
            &self.summary,
            &self.disclaimer,
        ]
        .into_iter()
        .chain(self.basis.as_ref())
        .any(|t| t.fallback)
            || self.steps.iter().any(|s| {
                s.label.fallback
                    || s.note.as_ref().is_some_and(|n| n.fallback)
                    || s.materials.iter().any(|m| m.fallback)
            })
    }
}

impl ScreenView {
    /// Whether some text of this screen is shown in zh-CN for want of a translation.
    pub fn has_fallback(&self) -> bool {
        match self {
            ScreenView::Question(q) => q.has_fallback(),
            ScreenView::Outcome(o) => o.has_fallback(),
        }
    }
}

/// A next step on the outcome screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepView {
    /// What the step does (the UI wires ticket/appointment/legal-aid/video buttons from this).
    pub action: Action,
    /// A short label such as 取号：法律咨询 or 前往：公证处.
    pub label: Localized,
    /// Why, or what to say there.
    pub note: Option<Localized>,
    /// What to bring.
    pub materials: Vec<Localized>,
    /// For hotline steps, the number to dial.
    pub number: Option<String>,
}

pub(crate) fn outcome_view(
    catalogue: &Catalogue,
    matter: &Matter,
    o: &Outcome,
    lang: Lang,
) -> OutcomeView {
    OutcomeView {
        matter_id: matter.id.clone(),
        matter_name: matter.name.localized(lang),
        outcome_id: o.id.clone(),
        title: o.title.localized(lang),
        summary: o.summary.localized(lang),
        basis: o.basis.as_ref().map(|b| b.localized(lang)),
        steps: o
            .steps
            .iter()
            .map(|s| StepView {
                label: action_label(catalogue, &s.action, lang),
                action: s.action.clone(),
                note: s.note.as_ref().map(|n| n.localized(lang)),
                materials: s
                    .materials
                    .iter()
                    .filter_map(|m| catalogue.material(m))
                    .map(|m| m.name.localized(lang))
                    .collect(),
                number: match &s.action {
                    Action::Hotline { hotline } => {
                        catalogue.hotline(hotline).map(|h| h.number.clone())
                    }
                    _ => None,
                },
            })
            .collect(),
        disclaimer: catalogue.disclaimer.localized(lang),
    }
}

/// A short label for a step: 取号：法律咨询, 前往：公证处, 拨打 12348 …
pub fn action_label(catalogue: &Catalogue, action: &Action, lang: Lang) -> Localized {
    let (prefix, name, fallback) = match action {
        Action::Ticket { service } => (
            pick(lang, "取号：", "번호표: ", "Take a ticket: "),
            service.name(lang).to_owned(),
            false,
        ),
        Action::Appointment { service } => (
            pick(lang, "预约：", "예약: ", "Book an appointment: "),
            service.name(lang).to_owned(),
            false,
        ),
        Action::LegalAidCheck => (
            "",
            pick(
                lang,
                "法律援助自测（看看能否免费请律师）",
                "법률원조 자가 진단",
                "Legal-aid self-check",
            )
            .to_owned(),
            false,
        ),
        Action::VideoLawyer => (
            "",
            pick(
                lang,
                "视频连线律师",
                "변호사와 화상 상담",
                "Talk to a lawyer on video",
            )
            .to_owned(),
            false,
        ),
        Action::Institution { kind } => {
            let shown = catalogue.institution_kind(kind).map(|k| k.name.get(lang));
            (
                pick(lang, "前往：", "방문: ", "Go to: "),
                shown.map_or_else(|| kind.clone(), |s| s.text.to_owned()),
                shown.is_some_and(|s| s.fallback),
            )
        }
        Action::Hotline { hotline } => {
            let h = catalogue.hotline(hotline);
            let shown = h.map(|h| h.name.get(lang));
            (
                pick(lang, "拨打：", "전화: ", "Call: "),
                match (h, shown) {
                    (Some(h), Some(s)) => format!("{} {}", h.number, s.text),
                    _ => hotline.clone(),
                },
                shown.is_some_and(|s| s.fallback),
            )
        }
    };
    Localized {
        text: format!("{prefix}{name}"),
        fallback,
    }
}

pub(crate) fn pick(
    lang: Lang,
    zh: &'static str,
    ko: &'static str,
    en: &'static str,
) -> &'static str {
    match lang {
        Lang::ZhCn => zh,
        Lang::KoKr => ko,
        Lang::En => en,
    }
}

/// An answered question in a consultation record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnsweredQuestion {
    /// Question id.
    pub question: String,
    /// Answer id.
    pub answer: String,
}

/// What the ops centre learns from one finished consultation: ids only, nothing personal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsultationRecord {
    /// The consultation's id (also what a rating refers to).
    pub consultation_id: String,
    /// The content version used.
    pub content_version: String,
    /// Category id.
    pub category_id: String,
    /// Matter id.
    pub matter_id: String,
    /// Outcome id.
    pub outcome_id: String,
    /// The path taken.
    pub answers: Vec<AnsweredQuestion>,
    /// The steps recommended.
    pub recommended: Vec<Action>,
    /// The language the citizen used.
    pub lang: Lang,
}

impl ConsultationRecord {
    /// The outbox event type.
    pub const EVENT_TYPE: &'static str = "consultation.completed";

    /// The outbox payload (serde JSON) for this record.
    pub fn outbox_payload(&self) -> serde_json::Value {
        serde_json::json!({
            "type": Self::EVENT_TYPE,
            "record": self,
        })
    }
}
