//! The questions of the self-check: which comes next and how it is shown.

use super::*;

impl SelfCheck {
    pub(super) fn next_question(&self) -> Option<QuestionId> {
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

    pub(super) fn group_options(&self) -> Vec<&RuleItem> {
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
    pub(super) fn suggested_in(&self, items: &[RuleItem]) -> Option<String> {
        self.prefill
            .suggested
            .iter()
            .find(|s| items.iter().any(|i| &i.id == *s))
            .cloned()
    }

    /// The chosen scope item's condition, if it has one.
    pub(super) fn condition(&self) -> Option<&Condition> {
        self.scope_item()?.condition.as_ref()
    }

    /// The chosen scope item's own-means rule, if it has one.
    pub(super) fn own_means(&self) -> Option<&OwnMeans> {
        self.scope_item()?.own_means.as_ref()
    }

    pub(super) fn scope_item(&self) -> Option<&RuleItem> {
        self.answers
            .matter
            .as_deref()
            .filter(|m| *m != NONE)
            .and_then(|m| self.rules.scope_item(m))
    }
}

pub(super) fn plain_option(id: &str, label: &str) -> OptionView {
    OptionView {
        id: id.to_owned(),
        label: Localized {
            text: label.to_owned(),
            fallback: false,
        },
        help: None,
    }
}

pub(super) fn household_size_input(lang: Lang) -> InputView {
    InputView::Number {
        min: 1,
        max: MAX_HOUSEHOLD,
        unit: pick(lang, "人", "명", "people"),
        allow_unknown: false,
    }
}

pub(super) fn household_income_input(lang: Lang) -> InputView {
    InputView::Number {
        min: 0,
        max: MAX_MONTHLY_INCOME_YUAN,
        unit: pick(lang, "元", "위안", "yuan"),
        allow_unknown: true,
    }
}
