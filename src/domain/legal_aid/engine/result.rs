//! The self-check's result: the indication, its reasons and the figures shown.

use super::*;

impl SelfCheck {
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

fn pick_owned<'a>(lang: Lang, t: (&'a str, &'a str, &'a str)) -> &'a str {
    match lang {
        Lang::ZhCn => t.0,
        Lang::KoKr => t.1,
        Lang::En => t.2,
    }
}
