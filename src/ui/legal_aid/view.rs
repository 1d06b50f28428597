//! Filling the `LegalAid` global: a question (choices or the number pad) and the result
//! with its reason, basis and materials. Shared by the controller and the screenshot samples.

use slint::{ComponentHandle, SharedString};

use crate::domain::legal_aid::{Indication, InputView, QuestionView, SelfCheckResult};
use crate::ui::shell::models::{choices, strings};
use crate::ui::{AidIndication, AidStep, AppWindow, Choice, LegalAid};

/// Fills a question screen.
pub fn show_aid_question(app: &AppWindow, q: &QuestionView) {
    let g = app.global::<LegalAid>();
    g.set_question(q.text.as_str().into());
    g.set_help(q.help.as_deref().unwrap_or_default().into());
    g.set_untranslated(q.has_fallback);
    g.set_number(SharedString::new());
    g.set_number_invalid(false);
    match &q.input {
        InputView::Choice { options, suggested } => {
            g.set_number_input(false);
            let items: Vec<Choice> = options
                .iter()
                .map(|o| Choice {
                    id: o.id.as_str().into(),
                    label: o.label.text.as_str().into(),
                    detail: o
                        .help
                        .as_ref()
                        .map(|h| h.text.as_str())
                        .unwrap_or_default()
                        .into(),
                    highlighted: suggested.as_deref() == Some(o.id.as_str()),
                    disabled: false,
                })
                .collect();
            g.set_options(choices(items));
        }
        InputView::Number {
            min,
            max,
            unit,
            allow_unknown,
        } => {
            g.set_number_input(true);
            g.set_unit((*unit).into());
            g.set_min(i32::try_from(*min).unwrap_or(i32::MAX));
            g.set_max(i32::try_from(*max).unwrap_or(i32::MAX));
            g.set_allow_unknown(*allow_unknown);
        }
    }
    g.set_step(AidStep::Question);
}

/// Fills the result screen.
pub fn show_aid_result(app: &AppWindow, r: &SelfCheckResult) {
    let g = app.global::<LegalAid>();
    g.set_indication(match r.indication {
        Indication::NoMeansTest => AidIndication::NoMeansTest,
        Indication::LikelyEligible => AidIndication::LikelyEligible,
        Indication::MeansCheck => AidIndication::MeansCheck,
        Indication::StaffReview => AidIndication::StaffReview,
    });
    g.set_untranslated(r.text.has_fallback);
    g.set_headline(r.text.headline.as_str().into());
    g.set_reason(r.text.reason.as_str().into());
    g.set_basis(strings(&r.text.basis));
    g.set_materials(strings(&r.text.materials));
    g.set_notice(r.text.notice.as_str().into());
    g.set_step(AidStep::Result);
}
