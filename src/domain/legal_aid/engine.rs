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

    fn next_question(&self) -> Option<QuestionId> {
        let a = &self.answers;
        let special = match &a.special_case {
            Some(s) => s.as_str(),
            None if self.rules.no_means_test.is_empty() => NONE,
            None => return Some(QuestionId::SpecialCase),
        };
        if special != NONE {
            return None;
        }
        let Some(matter) = &a.matter else {
            return Some(QuestionId::Matter);
        };
        if matter == NONE {
            return None;
        }
        if self
            .rules
            .scope_item(matter)
            .is_some_and(|i| i.condition.is_some())
        {
            match a.condition.as_deref() {
                None => return Some(QuestionId::Condition),
                Some(YES) => {}
                Some(_) => return None,
            }
        }
        if a.group.is_none() && !self.group_options().is_empty() {
            return Some(QuestionId::Group);
        }
        if a.group.as_deref().is_some_and(|g| g != NONE) {
            return None;
        }
        if a.priority_group.is_none() && !self.rules.priority_groups.is_empty() {
            return Some(QuestionId::PriorityGroup);
        }
        if a.priority_group.as_deref().is_some_and(|g| g != NONE) {
            return None;
        }
        if a.household_size.is_none() {
            return Some(QuestionId::HouseholdSize);
        }
        if a.household_income.is_none() {
            return Some(QuestionId::HouseholdIncome);
        }
        None
    }

    fn group_options(&self) -> Vec<&RuleItem> {
        let matter = self.answers.matter.as_deref();
        self.rules
            .exempt_groups
            .iter()
            .filter(|g| {
                let age_ok = match self.prefill.age {
                    Some(age) => {
                        g.min_age.is_none_or(|lo| age >= lo) && g.max_age.is_none_or(|hi| age <= hi)
                    }
                    None => true,
                };
                let scope_ok = g.requires_scope.is_empty()
                    || matter.is_some_and(|m| g.requires_scope.iter().any(|s| s == m));
                age_ok && scope_ok
            })
            .collect()
    }

    /// The current question ready for display, or None when the result is ready.
    pub fn question(&self, lang: Lang) -> Option<QuestionView> {
        let id = self.next_question()?;
        let mut fallback = false;
        let mut items = |items: Vec<&RuleItem>, none_label: &'static str| {
            let mut options: Vec<OptionView> = items
                .into_iter()
                .map(|i| {
                    let label = i.label.localized(lang);
                    let help = i.help.as_ref().map(|h| h.localized(lang));
                    fallback |= label.fallback || help.as_ref().is_some_and(|h| h.fallback);
                    OptionView {
                        id: i.id.clone(),
                        label,
                        help,
                    }
                })
                .collect();
            options.push(plain_option(NONE, none_label));
            options
        };
        let none_of_these = pick(lang, "都不是", "해당 없음", "None of these");
        let own_means = self.own_means().is_some();
        let (text, help, input): (String, Option<String>, InputView) = match id {
            QuestionId::SpecialCase => (
                pick(
                    lang,
                    "您是不是下面这些情况？",
                    "다음 중 해당하는 경우가 있습니까?",
                    "Does one of these describe your situation?",
                )
                .into(),
                Some(
                    pick(
                        lang,
                        "这些情况申请法律援助，不用看家里有没有钱。",
                        "이런 경우에는 경제 상황과 관계없이 법률원조를 신청할 수 있습니다.",
                        "In these cases legal aid does not depend on your income.",
                    )
                    .into(),
                ),
                InputView::Choice {
                    options: items(self.rules.no_means_test.iter().collect(), none_of_these),
                    suggested: self.suggested_in(&self.rules.no_means_test),
                },
            ),
            QuestionId::Matter => (
                pick(
                    lang,
                    "您要办的是哪一类事情？",
                    "어떤 일로 도움이 필요합니까?",
                    "What is your matter about?",
                )
                .into(),
                None,
                InputView::Choice {
                    options: items(
                        self.rules.scope.iter().collect(),
                        pick(
                            lang,
                            "都不是 / 不清楚",
                            "해당 없음 / 잘 모름",
                            "None of these / not sure",
                        ),
                    ),
                    suggested: self.suggested_in(&self.rules.scope),
                },
            ),
            QuestionId::Condition => {
                let condition = self.condition()?;
                let text = condition.question.localized(lang);
                let help = condition.help.as_ref().map(|h| h.localized(lang));
                fallback |= text.fallback || help.as_ref().is_some_and(|h| h.fallback);
                (
                    text.text,
                    help.map(|h| h.text),
                    InputView::Choice {
                        options: vec![
                            plain_option(YES, pick(lang, "是", "예", "Yes")),
                            plain_option(NO, pick(lang, "不是", "아니요", "No")),
                            plain_option(UNSURE, pick(lang, "不清楚", "잘 모름", "Not sure")),
                        ],
                        suggested: None,
                    },
                )
            }
            QuestionId::Group => (
                pick(
                    lang,
                    "您是不是下面这些人？",
                    "다음 중 해당하는 분입니까?",
                    "Are you one of these?",
                )
                .into(),
                Some(
                    pick(
                        lang,
                        "有证明材料的，不用再核查家里的经济情况。",
                        "증명 서류가 있으면 경제 상황 확인을 하지 않습니다.",
                        "With proof, your income is not checked.",
                    )
                    .into(),
                ),
                InputView::Choice {
                    options: items(self.group_options(), none_of_these),
                    suggested: self.suggested_in(&self.rules.exempt_groups),
                },
            ),
            QuestionId::PriorityGroup => (
                pick(
                    lang,
                    "您家是不是下面这种家庭？",
                    "다음과 같은 가구에 해당합니까?",
                    "Is your household one of these?",
                )
                .into(),
                Some(
                    pick(
                        lang,
                        "就是村里或社区登记过、有卡或证明的家庭。",
                        "마을이나 주민센터에 등록되어 증명이 있는 가구입니다.",
                        "A household registered by the village or community, with a card or certificate.",
                    )
                    .into(),
                ),
                InputView::Choice {
                    options: items(
                        self.rules.priority_groups.iter().collect(),
                        pick(lang, "不是 / 不清楚", "아니요 / 잘 모름", "No / not sure"),
                    ),
                    suggested: None,
                },
            ),
            QuestionId::HouseholdSize if own_means => (
                pick(
                    lang,
                    "不算您要向他要钱的人，和您一起生活的一共几口人？",
                    "돈을 청구하려는 상대방을 빼고, 함께 생활하는 가족은 모두 몇 명입니까?",
                    "Leaving out the person you are claiming from, how many people live in your household?",
                )
                .into(),
                Some(
                    pick(
                        lang,
                        "算上您自己。您要告的子女（或应当给钱的人）不算在内。",
                        "본인을 포함합니다. 소송하려는 자녀(또는 돈을 줘야 하는 사람)는 빼세요.",
                        "Count yourself. Leave out the children (or whoever owes the money) you are claiming from.",
                    )
                    .into(),
                ),
                household_size_input(lang),
            ),
            QuestionId::HouseholdSize => (
                pick(
                    lang,
                    "您家一共几口人一起生活？",
                    "함께 생활하는 가족은 모두 몇 명입니까?",
                    "How many people live in your household?",
                )
                .into(),
                Some(
                    pick(
                        lang,
                        "算上您自己，和您一起吃住、一起花钱的家里人。",
                        "본인을 포함하여 함께 살며 생활비를 같이 쓰는 가족입니다.",
                        "Count yourself and the family members you share living costs with.",
                    )
                    .into(),
                ),
                household_size_input(lang),
            ),
            QuestionId::HouseholdIncome if own_means => (
                pick(
                    lang,
                    "您自己（和一起生活的这些家里人）每个月一共大约收入多少钱？",
                    "본인(과 함께 생활하는 가족)의 한 달 수입은 모두 대략 얼마입니까?",
                    "About how much do you (and the people you live with) earn a month in all?",
                )
                .into(),
                Some(
                    pick(
                        lang,
                        "不要算您要告的人的收入。养老金、种地和打工的收入加在一起，大概就行。",
                        "소송하려는 사람의 수입은 넣지 마세요. 연금, 농사, 일용직 수입을 더한 대략의 금액이면 됩니다.",
                        "Do not count the income of the person you are claiming from. Add pensions, farm and casual income; a rough figure is fine.",
                    )
                    .into(),
                ),
                household_income_input(lang),
            ),
            QuestionId::HouseholdIncome => (
                pick(
                    lang,
                    "您家每个月一共大约收入多少钱？",
                    "가족 전체의 한 달 수입은 대략 얼마입니까?",
                    "About how much does your whole household earn a month?",
                )
                .into(),
                Some(
                    pick(
                        lang,
                        "把工资、养老金、种地和打工的收入加在一起，大概就行。",
                        "월급, 연금, 농사와 일용직 수입을 모두 더한 대략의 금액이면 됩니다.",
                        "Add wages, pensions, farm and casual income; a rough figure is fine.",
                    )
                    .into(),
                ),
                household_income_input(lang),
            ),
        };
        Some(QuestionView {
            id,
            text,
            help,
            input,
            can_go_back: !self.asked.is_empty(),
            has_fallback: fallback,
        })
    }

    /// The first prefilled suggestion that is one of `items`.
    fn suggested_in(&self, items: &[RuleItem]) -> Option<String> {
        self.prefill
            .suggested
            .iter()
            .find(|s| items.iter().any(|i| &i.id == *s))
            .cloned()
    }

    /// The chosen scope item's condition, if it has one.
    fn condition(&self) -> Option<&Condition> {
        self.scope_item()?.condition.as_ref()
    }

    /// The chosen scope item's own-means rule, if it has one.
    fn own_means(&self) -> Option<&OwnMeans> {
        self.scope_item()?.own_means.as_ref()
    }

    fn scope_item(&self) -> Option<&RuleItem> {
        self.answers
            .matter
            .as_deref()
            .filter(|m| *m != NONE)
            .and_then(|m| self.rules.scope_item(m))
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

    /// The result, once every needed question is answered.
    pub fn result(&self, lang: Lang) -> Option<SelfCheckResult> {
        if self.next_question().is_some() {
            return None;
        }
        let rules = &*self.rules;
        let a = &self.answers;
        let scope = self.scope_item();
        let mut b = ResultBuilder::new(rules, lang);
        let find = |items: &'_ [RuleItem], id: &Option<String>| {
            id.as_deref()
                .filter(|i| *i != NONE)
                .and_then(|i| items.iter().find(|x| x.id == i))
                .cloned()
        };
        let (indication, decided_by, priority) = if let Some(case) =
            find(&rules.no_means_test, &a.special_case)
        {
            b.reason(
                    &case,
                    (
                        "您说的情况是“{}”。这种情况申请法律援助，不受经济困难条件的限制。",
                        "말씀하신 상황은 \u{201c}{}\u{201d}입니다. 이 경우 경제 상황과 관계없이 법률원조를 신청할 수 있습니다.",
                        "You said: \u{201c}{}\u{201d}. In this case legal aid does not depend on your income.",
                    ),
                );
            b.item(&case);
            (Indication::NoMeansTest, case.id.clone(), false)
        } else if let Some(scope) = scope {
            b.item(scope);
            if let (Some(condition), Some(answer)) = (&scope.condition, &a.condition)
                && answer != YES
            {
                // Not yet within the article: never "likely eligible", however low the income.
                let unmet = condition.unmet.get(lang);
                b.fallback |= unmet.fallback;
                b.reason = unmet.text.to_owned();
                (Indication::StaffReview, "condition-unmet".to_owned(), false)
            } else if let Some(group) = find(&rules.exempt_groups, &a.group) {
                b.reason(
                        &group,
                        (
                            "您属于“{}”。拿得出证明材料的，不用再核查家里的经济情况。",
                            "\u{201c}{}\u{201d}에 해당합니다. 증명 서류가 있으면 경제 상황 확인을 하지 않습니다.",
                            "You are in the group \u{201c}{}\u{201d}. With proof, your income is not checked.",
                        ),
                    );
                b.item(&group);
                (Indication::NoMeansTest, group.id.clone(), false)
            } else if let Some(group) = find(&rules.priority_groups, &a.priority_group) {
                b.reason(
                    &group,
                    (
                        "您家是“{}”，不用审查经济困难情况，办理时优先。",
                        "\u{201c}{}\u{201d}에 해당하여 경제 상황 심사가 없고 우선 처리됩니다.",
                        "As a \u{201c}{}\u{201d}, there is no means test and you get priority.",
                    ),
                );
                b.item(&group);
                (Indication::NoMeansTest, group.id.clone(), true)
            } else {
                b.means_test(scope);
                self.income_indication(&mut b, scope.own_means.is_some())
            }
        } else {
            b.plain_reason(
                    "您的事情不在常见的法律援助范围里，但不一定不行。请工作人员帮您看看；法律咨询对所有人都免费。",
                    "말씀하신 일은 일반적인 법률원조 범위에 없지만, 안 된다는 뜻은 아닙니다. 직원에게 확인해 보세요. 법률 상담은 누구나 무료입니다.",
                    "Your matter is not in the usual legal-aid list, which does not mean no. Staff will look at it; legal consultation is free for everyone.",
                );
            (Indication::StaffReview, "out-of-scope".to_owned(), false)
        };
        let unverified = b.unverified.clone();
        let threshold_used = matches!(decided_by.as_str(), "under-threshold" | "over-threshold");
        Some(SelfCheckResult {
            indication,
            decided_by,
            scope: scope.map(|s| s.id.clone()),
            priority,
            threshold_placeholder: rules.hardship.placeholder,
            unverified,
            text: b.finish(indication, threshold_used),
        })
    }

    fn income_indication(
        &self,
        b: &mut ResultBuilder<'_>,
        own_means: bool,
    ) -> (Indication, String, bool) {
        let threshold = self.rules.hardship.monthly_income_per_person_max_yuan;
        let size = self.answers.household_size.unwrap_or(1).max(1);
        match self.answers.household_income.flatten() {
            None => {
                b.plain_reason(
                    "家里收入说不清楚没关系，工作人员会和您一起核对、一起算。",
                    "수입을 잘 모르셔도 괜찮습니다. 직원이 함께 확인하고 계산해 드립니다.",
                    "If you are unsure of your income, staff will go through it with you.",
                );
                (Indication::MeansCheck, "income-unknown".to_owned(), false)
            }
            // Compare totals exactly (no rounded per-person figure decides): at the threshold
            // counts as hardship.
            Some(income) if u64::from(income) <= u64::from(threshold) * u64::from(size) => {
                b.income_reason(income, size, threshold, true, own_means);
                (
                    Indication::LikelyEligible,
                    "under-threshold".to_owned(),
                    false,
                )
            }
            Some(income) => {
                b.income_reason(income, size, threshold, false, own_means);
                (Indication::StaffReview, "over-threshold".to_owned(), false)
            }
        }
    }
}

fn plain_option(id: &str, label: &str) -> OptionView {
    OptionView {
        id: id.to_owned(),
        label: Localized {
            text: label.to_owned(),
            fallback: false,
        },
        help: None,
    }
}

fn household_size_input(lang: Lang) -> InputView {
    InputView::Number {
        min: 1,
        max: MAX_HOUSEHOLD,
        unit: pick(lang, "人", "명", "people"),
        allow_unknown: false,
    }
}

fn household_income_input(lang: Lang) -> InputView {
    InputView::Number {
        min: 0,
        max: MAX_MONTHLY_INCOME_YUAN,
        unit: pick(lang, "元", "위안", "yuan"),
        allow_unknown: true,
    }
}

/// Income per person in yuan as shown to the citizen: exact when it divides evenly, else to
/// the fen, rounded half up, marked "about". Never rounds across the threshold: with whole
/// yuan and at most [`MAX_HOUSEHOLD`] people, an income above `threshold × size` is at least
/// `threshold + 1/30` a head, which shows as at least `threshold.03`.
pub fn per_person_yuan(income: u32, size: u32) -> (String, bool) {
    let size = u64::from(size.max(1));
    let exact = u64::from(income) % size == 0;
    let fen = (u64::from(income) * 200 + size) / (2 * size);
    let text = if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    };
    (text, !exact)
}

struct ResultBuilder<'r> {
    rules: &'r Rules,
    lang: Lang,
    reason: String,
    basis: Vec<String>,
    material_ids: Vec<String>,
    fallback: bool,
    unverified: Vec<String>,
}

impl<'r> ResultBuilder<'r> {
    fn new(rules: &'r Rules, lang: Lang) -> Self {
        ResultBuilder {
            rules,
            lang,
            reason: String::new(),
            basis: Vec::new(),
            material_ids: rules.base_materials.clone(),
            fallback: false,
            unverified: Vec::new(),
        }
    }

    fn reason(&mut self, item: &RuleItem, templates: (&str, &str, &str)) {
        let label = item.label.get(self.lang);
        self.fallback |= label.fallback;
        self.reason = pick_owned(self.lang, templates).replacen("{}", label.text, 1);
    }

    fn plain_reason(&mut self, zh: &str, ko: &str, en: &str) {
        self.reason = pick_owned(self.lang, (zh, ko, en)).to_owned();
    }

    fn income_reason(
        &mut self,
        income: u32,
        size: u32,
        threshold: u32,
        under: bool,
        own_means: bool,
    ) {
        let (pp, approx) = per_person_yuan(income, size);
        let (about_zh, about_ko, about_en) = if approx {
            ("约", "약 ", "about ")
        } else {
            ("", "", "")
        };
        let whose = match (self.lang, own_means) {
            (Lang::ZhCn, true) => "不算您要告的人，",
            (Lang::KoKr, true) => "소송하려는 사람을 빼고 ",
            (Lang::En, true) => "leaving out the person you are claiming from, ",
            _ => "",
        };
        self.reason = match (self.lang, under) {
            (Lang::ZhCn, true) => format!(
                "按您说的，{whose}您家{size}口人每月一共收入{income}元，平均每人{about_zh}{pp}元，不高于本省参考标准（每人每月{threshold}元），属于经济困难。"
            ),
            (Lang::ZhCn, false) => format!(
                "按您说的，{whose}您家{size}口人每月一共收入{income}元，平均每人{about_zh}{pp}元，高于本省参考标准（每人每月{threshold}元）。家里有特殊困难（如大病、残疾）的，请告诉工作人员。"
            ),
            (Lang::KoKr, true) => format!(
                "말씀하신 대로라면 {whose}가구원 {size}명의 한 달 수입 합계는 {income}위안이고 1인당 {about_ko}{pp}위안으로, 기준(1인당 월 {threshold}위안) 이하여서 경제적 곤란에 해당합니다."
            ),
            (Lang::KoKr, false) => format!(
                "말씀하신 대로라면 {whose}가구원 {size}명의 한 달 수입 합계는 {income}위안이고 1인당 {about_ko}{pp}위안으로, 기준(1인당 월 {threshold}위안)보다 많습니다. 큰 병이나 장애 등 특별한 어려움이 있으면 직원에게 말씀해 주세요."
            ),
            (Lang::En, true) => format!(
                "From your answers, {whose}{size} people live on {income} yuan a month in all: {about_en}{pp} yuan a head, at or below the provincial guide of {threshold} yuan a head. This counts as hardship."
            ),
            (Lang::En, false) => format!(
                "From your answers, {whose}{size} people live on {income} yuan a month in all: {about_en}{pp} yuan a head, above the provincial guide of {threshold} yuan a head. Tell staff about special hardship such as serious illness or disability."
            ),
        };
    }

    fn item(&mut self, item: &RuleItem) {
        let b = item.basis.get(self.lang);
        self.fallback |= b.fallback;
        if !self.basis.iter().any(|x| x == b.text) {
            self.basis.push(b.text.to_owned());
        }
        for m in &item.materials {
            if !self.material_ids.contains(m) {
                self.material_ids.push(m.clone());
            }
        }
        if !item.verified && !self.unverified.contains(&item.id) {
            self.unverified.push(item.id.clone());
        }
    }

    fn means_test(&mut self, scope: &RuleItem) {
        let b = self.rules.hardship.basis.get(self.lang);
        self.fallback |= b.fallback;
        self.basis.push(b.text.to_owned());
        if let Some(own) = &scope.own_means {
            let b = own.basis.get(self.lang);
            self.fallback |= b.fallback;
            self.basis.push(b.text.to_owned());
            if !own.verified {
                self.unverified.push(format!("{}/own_means", scope.id));
            }
        }
        for m in &self.rules.means_test_materials {
            if !self.material_ids.contains(m) {
                self.material_ids.push(m.clone());
            }
        }
    }

    /// `threshold_used`: the hardship threshold decided the indication.
    fn finish(mut self, indication: Indication, threshold_used: bool) -> ResultText {
        let materials = self
            .material_ids
            .iter()
            .filter_map(|id| self.rules.material(id))
            .map(|m| {
                let s = m.name.get(self.lang);
                self.fallback |= s.fallback;
                s.text.to_owned()
            })
            .collect();
        let notice = self.rules.notice.get(self.lang);
        self.fallback |= notice.fallback;
        let mut reason = self.reason;
        if self.rules.hardship.placeholder && threshold_used {
            reason.push_str(pick(
                self.lang,
                "（注意：本机的收入标准还是临时数字，以法律援助机构的标准为准。）",
                " (참고: 이 기계의 수입 기준은 임시 값입니다. 법률원조기구의 기준을 따릅니다.)",
                " (Note: this terminal's income guide is a placeholder; the legal-aid office's standard applies.)",
            ));
        }
        ResultText {
            lang: self.lang,
            headline: indication.headline(self.lang).to_owned(),
            reason,
            basis: self.basis,
            materials,
            notice: notice.text.to_owned(),
            has_fallback: self.fallback,
        }
    }
}

fn ids(items: &[RuleItem]) -> Vec<&str> {
    items.iter().map(|i| i.id.as_str()).collect()
}

fn pick_owned<'a>(lang: Lang, t: (&'a str, &'a str, &'a str)) -> &'a str {
    match lang {
        Lang::ZhCn => t.0,
        Lang::KoKr => t.1,
        Lang::En => t.2,
    }
}
