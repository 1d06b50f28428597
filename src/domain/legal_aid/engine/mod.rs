//! The self-check: large-button questions one at a time, then an indication (never a decision).
//!
//! Order of questions, each skipped when it can no longer change the result:
//! 1. `special-case` — a case with no means test (art. 32 …)? A yes ends the check.
//! 2. `matter` — which matter (scope list, or "none of these": staff review).
//! 3. `condition` — only for a matter with a condition (art. 33: a retrial decided or a
//!    protest lodged); anything but "yes" ends in staff review.
//! 4. `group` — a group exempt from the economic review (art. 42), filtered by age and matter.
//! 5. `priority-group` — e.g. a registered-poverty household (no means test, priority).
//! 6. `household-size`, 7. `household-income` — compared with the provincial threshold; for a
//!    matter with `own_means` (maintenance claims), without the person the claim is against.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::rules::{Condition, OwnMeans, RuleItem, Rules};
use crate::domain::consult::flow::pick;
use crate::domain::consult::text::{Lang, Localized};

/// The answer id meaning "none of these".
pub const NONE: &str = "none";
/// The answer ids of the condition question.
pub const YES: &str = "yes";
/// See [`YES`].
pub const NO: &str = "no";
/// See [`YES`]: 不清楚.
pub const UNSURE: &str = "unsure";
/// Largest household size accepted.
pub const MAX_HOUSEHOLD: u32 = 30;
/// Largest monthly household income accepted, in yuan (anything above is surely over any threshold).
pub const MAX_MONTHLY_INCOME_YUAN: u32 = 10_000_000;

/// The self-check's questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionId {
    /// A no-means-test case?
    SpecialCase,
    /// Which matter?
    Matter,
    /// Does the matter meet its scope item's condition?
    Condition,
    /// An exempt group?
    Group,
    /// A priority group (registered-poverty household)?
    PriorityGroup,
    /// How many people live on the household income?
    HouseholdSize,
    /// The household's monthly income.
    HouseholdIncome,
}

/// An answer from the citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AidAnswer {
    /// A button id (an item id, [`NONE`], `yes` or `no`).
    Choice(String),
    /// A number typed on the keypad.
    Number(u32),
    /// 不清楚 — only where the question allows it.
    Unknown,
}

/// The overall indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Indication {
    /// No means test applies (art. 32, art. 42 groups, registered poverty).
    NoMeansTest,
    /// In scope and under the hardship threshold.
    LikelyEligible,
    /// In scope, income not known: staff will check the means with the citizen.
    MeansCheck,
    /// May not qualify — staff will review.
    StaffReview,
}

impl Indication {
    /// The headline shown to the citizen.
    pub fn headline(self, lang: Lang) -> &'static str {
        match self {
            Indication::NoMeansTest => pick(
                lang,
                "不用审查经济条件",
                "경제 상황 심사가 필요 없습니다",
                "No means test applies",
            ),
            Indication::LikelyEligible => pick(
                lang,
                "您很可能符合法律援助条件",
                "법률원조를 받을 수 있을 가능성이 큽니다",
                "You are likely eligible",
            ),
            Indication::MeansCheck => pick(
                lang,
                "工作人员会和您一起核对经济状况",
                "직원이 경제 상황을 함께 확인해 드립니다",
                "Staff will check your means with you",
            ),
            Indication::StaffReview => pick(
                lang,
                "可能不符合条件，请工作人员帮您看看",
                "조건에 맞지 않을 수 있습니다. 직원이 확인해 드립니다",
                "You may not qualify — staff will review",
            ),
        }
    }
}

/// A button on a choice question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionView {
    /// Pass as `AidAnswer::Choice(id)`.
    pub id: String,
    /// The label.
    pub label: Localized,
    /// A one-line explanation.
    pub help: Option<Localized>,
}

/// How the citizen answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum InputView {
    /// Large buttons (may be more than four: show as a scrolling list).
    Choice {
        /// The buttons.
        options: Vec<OptionView>,
        /// The option to highlight (e.g. the matter the consultation came from).
        suggested: Option<String>,
    },
    /// A number on the digit keypad.
    Number {
        /// Smallest accepted.
        min: u32,
        /// Largest accepted.
        max: u32,
        /// Unit after the field: 人, 元.
        unit: &'static str,
        /// Whether a 不清楚 button is offered.
        allow_unknown: bool,
    },
}

/// A self-check screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionView {
    /// Which question.
    pub id: QuestionId,
    /// The question.
    pub text: String,
    /// An explanation line.
    pub help: Option<String>,
    /// How to answer.
    pub input: InputView,
    /// False on the first question.
    pub can_go_back: bool,
    /// True when some text of this screen is shown in Chinese for want of a translation.
    pub has_fallback: bool,
}

/// What the check says, always as an indication.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelfCheckResult {
    /// The indication.
    pub indication: Indication,
    /// The rule item that decided (scope, case or group id), or `out-of-scope`,
    /// `condition-unmet`, `income-unknown`, `over-threshold`, `under-threshold`.
    pub decided_by: String,
    /// The matter chosen, if any.
    pub scope: Option<String>,
    /// Priority handling (registered-poverty households).
    pub priority: bool,
    /// Whether the hardship threshold used is still a placeholder.
    pub threshold_placeholder: bool,
    /// Rule items this result rests on that no qualified person has verified yet.
    pub unverified: Vec<String>,
    /// The result in the requested language.
    pub text: ResultText,
}

/// The texts of a result, resolved for one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultText {
    /// The language.
    pub lang: Lang,
    /// Headline (the indication).
    pub headline: String,
    /// Why, in plain words.
    pub reason: String,
    /// Legal basis lines.
    pub basis: Vec<String>,
    /// What to bring.
    pub materials: Vec<String>,
    /// "This is an indication, not a decision."
    pub notice: String,
    /// True when some text fell back to zh-CN.
    pub has_fallback: bool,
}

/// Known facts before the check starts.
#[derive(Debug, Clone, Default)]
pub struct Prefill {
    /// Age from the ID card, if one was read.
    pub age: Option<u8>,
    /// The rules items the consultation's advice rests on: a scope item is highlighted on the
    /// matter question, a no-means-test case or an exempt group on theirs.
    pub suggested: Vec<String>,
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AidError {
    /// The check is finished.
    #[error("the self-check has already given its result")]
    Finished,
    /// The answer does not fit the question.
    #[error("{answer} is not an answer to the question {question:?}")]
    Invalid {
        /// The question.
        question: QuestionId,
        /// What was given.
        answer: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Answers {
    special_case: Option<String>,
    matter: Option<String>,
    /// `yes`, `no` or `unsure`.
    condition: Option<String>,
    group: Option<String>,
    priority_group: Option<String>,
    household_size: Option<u32>,
    /// Some(None) = 不清楚.
    household_income: Option<Option<u32>>,
}

/// One citizen's self-check.
#[derive(Debug, Clone)]
pub struct SelfCheck {
    rules: Arc<Rules>,
    prefill: Prefill,
    answers: Answers,
    asked: Vec<QuestionId>,
}

/// What is on screen.
#[derive(Debug, Clone, PartialEq)]
pub enum AidScreen {
    /// A question.
    Question(QuestionId),
    /// The result is ready ([`SelfCheck::result`]).
    Result,
}

impl SelfCheck {
    /// Starts a check under `rules`.
    pub fn new(rules: Arc<Rules>, prefill: Prefill) -> SelfCheck {
        SelfCheck {
            rules,
            prefill,
            answers: Answers::default(),
            asked: Vec::new(),
        }
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The age used to filter groups (from the ID card), if known.
    pub fn age(&self) -> Option<u8> {
        self.prefill.age
    }

    /// The current screen.
    pub fn screen(&self) -> AidScreen {
        match self.next_question() {
            Some(q) => AidScreen::Question(q),
            None => AidScreen::Result,
        }
    }

    /// Answers the current question.
    pub fn answer(&mut self, answer: AidAnswer) -> Result<AidScreen, AidError> {
        let Some(q) = self.next_question() else {
            return Err(AidError::Finished);
        };
        let invalid = || AidError::Invalid {
            question: q,
            answer: match &answer {
                AidAnswer::Choice(c) => format!("choice {c:?}"),
                AidAnswer::Number(n) => format!("number {n}"),
                AidAnswer::Unknown => "\"unknown\"".to_owned(),
            },
        };
        let choice = |allowed: &[&str]| match &answer {
            AidAnswer::Choice(c) if c == NONE || allowed.contains(&c.as_str()) => Some(c.clone()),
            _ => None,
        };
        match q {
            QuestionId::SpecialCase => {
                let c = choice(&ids(&self.rules.no_means_test)).ok_or_else(invalid)?;
                self.answers.special_case = Some(c);
            }
            QuestionId::Matter => {
                let c = choice(&ids(&self.rules.scope)).ok_or_else(invalid)?;
                self.answers.matter = Some(c);
            }
            QuestionId::Condition => match &answer {
                AidAnswer::Choice(c) if [YES, NO, UNSURE].contains(&c.as_str()) => {
                    self.answers.condition = Some(c.clone())
                }
                _ => return Err(invalid()),
            },
            QuestionId::Group => {
                let options = self.group_options();
                let allowed: Vec<&str> = options.iter().map(|i| i.id.as_str()).collect();
                let c = choice(&allowed).ok_or_else(invalid)?;
                self.answers.group = Some(c);
            }
            QuestionId::PriorityGroup => {
                let c = choice(&ids(&self.rules.priority_groups)).ok_or_else(invalid)?;
                self.answers.priority_group = Some(c);
            }
            QuestionId::HouseholdSize => match answer {
                AidAnswer::Number(n) if (1..=MAX_HOUSEHOLD).contains(&n) => {
                    self.answers.household_size = Some(n)
                }
                _ => return Err(invalid()),
            },
            QuestionId::HouseholdIncome => match answer {
                AidAnswer::Number(n) if n <= MAX_MONTHLY_INCOME_YUAN => {
                    self.answers.household_income = Some(Some(n))
                }
                AidAnswer::Unknown => self.answers.household_income = Some(None),
                _ => return Err(invalid()),
            },
        }
        self.asked.push(q);
        Ok(self.screen())
    }

    /// Goes back one question. Returns false on the first question (the UI leaves the check).
    pub fn back(&mut self) -> bool {
        let Some(q) = self.asked.pop() else {
            return false;
        };
        let a = &mut self.answers;
        match q {
            QuestionId::SpecialCase => a.special_case = None,
            QuestionId::Matter => a.matter = None,
            QuestionId::Condition => a.condition = None,
            QuestionId::Group => a.group = None,
            QuestionId::PriorityGroup => a.priority_group = None,
            QuestionId::HouseholdSize => a.household_size = None,
            QuestionId::HouseholdIncome => a.household_income = None,
        }
        true
    }

    /// Starts over with the same prefill.
    pub fn restart(&mut self) {
        self.answers = Answers::default();
        self.asked.clear();
    }

    /// The household size and monthly income given (personal: only for a consented pre-application).
    pub fn household(&self) -> (Option<u32>, Option<u32>) {
        (
            self.answers.household_size,
            self.answers.household_income.flatten(),
        )
    }
}

fn ids(items: &[RuleItem]) -> Vec<&str> {
    items.iter().map(|i| i.id.as_str()).collect()
}

mod questions;
mod result;

pub use result::per_person_yuan;
