//! Legal-aid self-check (法律援助自测): a rules engine driven by the province's signed
//! `legal-aid-rules` bundle. Its result is an indication for the citizen, never a decision.

pub mod cli;
pub mod engine;
pub mod event;
pub mod recipients;
pub mod rules;
pub mod slip;

pub use cli::run_legal_aid_cli;
pub use engine::{
    AidAnswer, AidError, AidScreen, Indication, InputView, NO, NONE, OptionView, Prefill,
    QuestionId, QuestionView, ResultText, SelfCheck, SelfCheckResult, UNSURE, YES, per_person_yuan,
};
pub use event::{
    Applicant, CONSENT_TEXT_VERSION, Consent, PreApplication, PreApplicationError, consent_text,
    outbox_payload,
};
pub use rules::{Rules, RulesError};

#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) mod tests_support {
    use std::sync::Arc;

    use super::engine::{AidAnswer, InputView, Prefill, SelfCheck};
    use super::rules::Rules;
    use crate::domain::consult::text::Lang;

    /// Every question, option, unit and result text a full walk of the default rules shows.
    pub(crate) fn all_engine_text(lang: Lang) -> String {
        let Ok(rules) = Rules::jilin_default() else {
            return String::new();
        };
        let t = rules.hardship.monthly_income_per_person_max_yuan;
        let mut out = String::new();
        let mut stack = vec![SelfCheck::new(Arc::new(rules), Prefill::default())];
        while let Some(check) = stack.pop() {
            let Some(q) = check.question(lang) else {
                if let Some(r) = check.result(lang) {
                    let x = r.text;
                    out.push_str(&format!(
                        "{}{}{}{}{}",
                        x.headline,
                        x.reason,
                        x.basis.concat(),
                        x.materials.concat(),
                        x.notice
                    ));
                }
                continue;
            };
            out.push_str(&q.text);
            out.push_str(q.help.as_deref().unwrap_or_default());
            let answers: Vec<AidAnswer> = match q.input {
                InputView::Choice { options, .. } => options
                    .into_iter()
                    .map(|o| {
                        out.push_str(&o.label.text);
                        if let Some(h) = o.help {
                            out.push_str(&h.text);
                        }
                        AidAnswer::Choice(o.id)
                    })
                    .collect(),
                InputView::Number {
                    unit,
                    allow_unknown,
                    ..
                } => {
                    out.push_str(unit);
                    let mut v = vec![AidAnswer::Number(1), AidAnswer::Number(t + 1)];
                    if allow_unknown {
                        v.push(AidAnswer::Unknown);
                    }
                    v
                }
            };
            for a in answers {
                let mut next = check.clone();
                if next.answer(a).is_ok() {
                    stack.push(next);
                }
            }
        }
        out
    }
}
