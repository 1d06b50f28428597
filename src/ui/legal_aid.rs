//! The legal-aid self-check on screen: what legal aid is, the questions one at a time (large
//! buttons, or the number pad with 不清楚), the indication with its reason, basis and
//! materials, then a ticket, the printed result, and — only with the citizen's separate
//! consent and a card read in this session — a pre-application for staff, stored encrypted
//! and deleted once the operations centre has it. Without consent nothing personal is kept.

use std::sync::Arc;

use serde::Serialize;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use zeroize::{Zeroize, Zeroizing};

use super::controller::KioskController;
use super::guidance::{choices, no_arg, with_arg};
use super::slips::SlipOwner;
use super::{AidIndication, AidStep, AppWindow, Choice, LegalAid, Page, PrepareStage};
use crate::domain::consult::GuidanceSlip;
use crate::domain::legal_aid::{
    AidAnswer, AidScreen, Applicant, Consent, Indication, InputView, PreApplication, Prefill,
    QuestionView, SelfCheck, SelfCheckResult, consent_text, outbox_payload,
};
use crate::i18n::Lang;
use crate::store::outbox;
use crate::store::sealed::append_sealed;

/// Longest number typed on the pad (a telephone number with area code).
const MAX_DIGITS: usize = 15;
/// Shortest telephone number accepted (a local landline).
const MIN_PHONE_DIGITS: usize = 7;

/// One citizen's self-check.
#[derive(Default)]
pub(super) struct AidState {
    check: Option<SelfCheck>,
    /// The check's id: its outbox events (and a pre-application) refer to it.
    check_id: String,
    /// Opened from a consultation outcome: 返回 on the first screen goes back there.
    from_consultation: bool,
    /// Digits typed on the pad; wiped when cleared (it may be a telephone number).
    number: Zeroizing<String>,
    /// A pre-application was stored for this check.
    prepared: bool,
}

/// The sealed payload of a pre-application: the anonymous event plus the applicant's data.
#[derive(Serialize)]
struct SealedPreApplication<'a> {
    #[serde(flatten)]
    event: serde_json::Value,
    pre_application: &'a PreApplication,
}

impl KioskController {
    pub(super) fn wire_legal_aid(&self, g: &LegalAid<'_>) {
        g.on_open(no_arg(self, |this| this.open_legal_aid_for(None)));
        g.on_begin(no_arg(self, |this| this.show_aid_screen()));
        g.on_choose(with_arg(self, |this, id: SharedString| {
            this.answer_aid(AidAnswer::Choice(id.to_string()))
        }));
        g.on_digit(with_arg(self, |this, d: SharedString| this.aid_digit(&d)));
        g.on_backspace(no_arg(self, |this| {
            this.aid.borrow_mut().number.pop();
            this.show_number();
        }));
        g.on_clear(no_arg(self, |this| {
            this.aid.borrow_mut().number.zeroize();
            this.show_number();
        }));
        g.on_unknown(no_arg(self, |this| this.answer_aid(AidAnswer::Unknown)));
        g.on_confirm_number(no_arg(self, |this| this.confirm_number()));
        g.on_take_ticket(no_arg(self, |this| {
            this.take_ticket("legal-aid".to_owned())
        }));
        g.on_print_slip(no_arg(self, |this| this.print_aid_slip()));
        g.on_prepare_application(no_arg(self, |this| this.ask_consent()));
        g.on_consent(with_arg(self, |this, agreed: bool| {
            this.consent_given(agreed)
        }));
        g.on_skip_phone(no_arg(self, |this| this.save_pre_application(None)));
        g.on_done(no_arg(self, |this| this.go_home()));
    }

    pub(super) fn reset_legal_aid(&self) {
        *self.aid.borrow_mut() = AidState::default();
        if let Some(app) = self.app.upgrade() {
            let g = app.global::<LegalAid>();
            g.set_step(AidStep::Intro);
            g.set_number(SharedString::new());
            g.set_prepare(PrepareStage::None);
            g.set_options(choices(Vec::new()));
        }
    }

    fn aid_global(&self, f: impl FnOnce(&LegalAid<'_>)) {
        if let Some(app) = self.app.upgrade() {
            f(&app.global::<LegalAid>());
        }
    }

    /// Opens the self-check; `scope` pre-selects the matter (from a consultation outcome).
    /// The age comes from the ID card when one was read in this session.
    pub fn open_legal_aid_for(&self, scope: Option<String>) {
        let from_consultation = scope.is_some()
            || self
                .app
                .upgrade()
                .is_some_and(|app| app.global::<super::Nav>().get_page() == Page::Consult);
        let age = self
            .citizen
            .borrow()
            .as_ref()
            .and_then(|c| u8::try_from(c.age).ok());
        let check = SelfCheck::new(
            self.deps.guidance.legal_aid_rules.clone(),
            Prefill {
                age,
                suggested_scope: scope,
            },
        );
        *self.aid.borrow_mut() = AidState {
            check: Some(check),
            check_id: crate::ids::random_hex(),
            from_consultation,
            ..AidState::default()
        };
        let slip = self.initial_slip_stage();
        self.aid_global(|g| {
            g.set_age_from_card(age.is_some());
            g.set_slip(slip);
            g.set_prepare(PrepareStage::None);
            g.set_step(AidStep::Intro);
        });
        self.show_page(Page::LegalAid);
    }

    /// Shows the current question, or the result once every needed answer is in.
    fn show_aid_screen(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let lang = self.shared().lang;
        let (question, result) = {
            let state = self.aid.borrow();
            let Some(check) = state.check.as_ref() else {
                return;
            };
            (check.question(lang), check.result(lang))
        };
        self.aid.borrow_mut().number.zeroize();
        match (question, result) {
            (Some(q), _) => show_aid_question(&app, &q),
            (None, Some(r)) => {
                show_aid_result(&app, &r);
                self.record_check(lang);
            }
            (None, None) => {}
        }
    }

    /// The anonymous outcome event: ids and the indication, nothing about the person.
    fn record_check(&self, lang: Lang) {
        let payload = {
            let state = self.aid.borrow();
            state
                .check
                .as_ref()
                .and_then(|c| outbox_payload(&state.check_id, c, lang, None))
        };
        let Some(payload) = payload else {
            return;
        };
        let at = self.deps.clock.now();
        self.deps.worker.submit(move |store| {
            if let Err(e) =
                outbox::append(store.conn(), outbox::kind::LEGAL_AID_CHECKED, &payload, at)
            {
                tracing::error!("cannot record the legal-aid self-check: {e}");
            }
        });
    }

    fn answer_aid(&self, answer: AidAnswer) {
        let answered = {
            let mut state = self.aid.borrow_mut();
            state.check.as_mut().map(|c| c.answer(answer))
        };
        match answered {
            Some(Ok(AidScreen::Question(_) | AidScreen::Result)) => self.show_aid_screen(),
            Some(Err(e)) => tracing::warn!("self-check answer refused: {e}"),
            None => {}
        }
    }

    fn aid_digit(&self, digit: &str) {
        {
            let mut state = self.aid.borrow_mut();
            let number = &mut state.number;
            if number.len() >= MAX_DIGITS || !digit.bytes().all(|b| b.is_ascii_digit()) {
                return;
            }
            // No leading zeros in an amount; a telephone number may start with 0.
            if number.as_str() == "0" && !self.on_phone_step() {
                number.clear();
            }
            number.push_str(digit);
        }
        self.show_number();
    }

    fn on_phone_step(&self) -> bool {
        self.app
            .upgrade()
            .is_some_and(|app| app.global::<LegalAid>().get_step() == AidStep::Phone)
    }

    fn show_number(&self) {
        let number = self.aid.borrow().number.clone();
        self.aid_global(|g| {
            g.set_number(number.as_str().into());
            g.set_number_invalid(false);
        });
    }

    fn confirm_number(&self) {
        if self.on_phone_step() {
            let phone = self.aid.borrow().number.clone();
            if phone.len() < MIN_PHONE_DIGITS {
                self.aid_global(|g| g.set_number_invalid(true));
                return;
            }
            self.save_pre_application(Some(phone));
            return;
        }
        let (value, range) = {
            let state = self.aid.borrow();
            let range = state
                .check
                .as_ref()
                .and_then(|c| c.question(Lang::ZhCn))
                .and_then(|q| match q.input {
                    InputView::Number { min, max, .. } => Some(min..=max),
                    InputView::Choice { .. } => None,
                });
            (state.number.parse::<u32>().ok(), range)
        };
        match (value, range) {
            (Some(n), Some(range)) if range.contains(&n) => self.answer_aid(AidAnswer::Number(n)),
            _ => self.aid_global(|g| g.set_number_invalid(true)),
        }
    }

    fn current_result(&self, lang: Lang) -> Option<SelfCheckResult> {
        self.aid
            .borrow()
            .check
            .as_ref()
            .and_then(|c| c.result(lang))
    }

    fn print_aid_slip(&self) {
        // Chinese on paper: thermal printers carry GB18030 fonts only.
        let Some(result) = self.current_result(Lang::ZhCn) else {
            return;
        };
        let slip = self.with_slip_context(|ctx| GuidanceSlip::for_legal_aid(&result, ctx));
        self.print_slip(slip, SlipOwner::LegalAid);
    }

    /// 请工作人员帮我准备申请: the separate consent screen (only with a card read in this
    /// session: the pre-application needs the applicant's name and number).
    fn ask_consent(&self) {
        if self.citizen.borrow().is_none() || self.aid.borrow().prepared {
            return;
        }
        let lang = self.shared().lang;
        self.aid_global(|g| {
            g.set_consent_text(consent_text(lang).into());
            g.set_step(AidStep::Consent);
        });
    }

    fn consent_given(&self, agreed: bool) {
        if !agreed {
            // Nothing is kept: back to the result, as it was.
            self.aid_global(|g| g.set_step(AidStep::Result));
            return;
        }
        self.aid.borrow_mut().number.zeroize();
        self.aid_global(|g| {
            g.set_number(SharedString::new());
            g.set_number_invalid(false);
            g.set_unit(SharedString::new());
            g.set_step(AidStep::Phone);
        });
    }

    /// Stores the consented pre-application (encrypted) with its outbox event.
    fn save_pre_application(&self, phone: Option<Zeroizing<String>>) {
        let lang = self.shared().lang;
        let applicant = self.citizen.borrow().as_ref().map(|c| Applicant {
            name: c.holder.name.clone(),
            id_number: c.holder.id_number.clone(),
            phone: phone.as_ref().map(|p| p.as_str().to_owned()),
        });
        self.aid.borrow_mut().number.zeroize();
        self.aid_global(|g| g.set_number(SharedString::new()));
        let Some(applicant) = applicant else {
            // The card left and the session with it; nothing to keep.
            self.aid_global(|g| g.set_step(AidStep::Result));
            return;
        };
        let consent = Consent::given(lang, self.deps.clock.now().to_utc());
        let built = {
            let state = self.aid.borrow();
            state.check.as_ref().map(|check| {
                let event = outbox_payload(&state.check_id, check, lang, None);
                (
                    PreApplication::new(check, applicant, consent),
                    event,
                    state.check_id.clone(),
                )
            })
        };
        let Some((pre, event, check_id)) = built else {
            return;
        };
        let (pre, mut event) = match (pre, event) {
            (Ok(pre), Some(event)) => (pre, event),
            (Err(e), _) => {
                tracing::warn!("no pre-application: {e}");
                self.aid_global(|g| g.set_step(AidStep::Result));
                return;
            }
            (Ok(_), None) => return,
        };
        if let Some(obj) = event.as_object_mut() {
            obj.insert("has_pre_application".into(), true.into());
        }
        self.aid_global(|g| {
            g.set_prepare(PrepareStage::Saving);
            g.set_step(AidStep::Prepared);
        });
        let key = Arc::clone(&self.deps.seal_key);
        let at = self.deps.clock.now();
        let back = self.session_poster();
        self.deps.worker.submit(move |store| {
            let stub = serde_json::json!({
                "type": "legal-aid.pre-application",
                "check_id": check_id,
                "sealed": true,
            });
            let sealed = SealedPreApplication {
                event,
                pre_application: &pre,
            };
            let saved = (|| -> Result<(), crate::store::sealed::SealError> {
                let tx = store.conn().transaction()?;
                append_sealed(
                    &tx,
                    &key,
                    outbox::kind::LEGAL_AID_PRE_APPLICATION,
                    &stub,
                    &sealed,
                    at,
                )?;
                tx.commit()?;
                Ok(())
            })();
            drop(sealed);
            drop(pre);
            let stage = match saved {
                Ok(()) => {
                    tracing::info!("legal-aid pre-application stored (sealed) for staff");
                    PrepareStage::Saved
                }
                Err(e) => {
                    tracing::error!("cannot store the legal-aid pre-application: {e}");
                    PrepareStage::Failed
                }
            };
            back.post(move |this| {
                if stage == PrepareStage::Saved {
                    this.aid.borrow_mut().prepared = true;
                }
                this.aid_global(|g| g.set_prepare(stage));
            });
        });
    }

    /// 返回 in the self-check: one question back; from the first screen, to where it came from.
    pub(super) fn legal_aid_back(&self) {
        let Some(step) = self
            .app
            .upgrade()
            .map(|app| app.global::<LegalAid>().get_step())
        else {
            return;
        };
        match step {
            AidStep::Intro => {
                if self.aid.borrow().from_consultation {
                    self.show_page(Page::Consult);
                } else {
                    self.go_home();
                }
            }
            AidStep::Question | AidStep::Result => {
                let stepped = self
                    .aid
                    .borrow_mut()
                    .check
                    .as_mut()
                    .is_some_and(SelfCheck::back);
                if stepped {
                    self.show_aid_screen();
                } else {
                    self.aid_global(|g| g.set_step(AidStep::Intro));
                }
            }
            AidStep::Consent | AidStep::Prepared => {
                self.aid_global(|g| g.set_step(AidStep::Result));
            }
            AidStep::Phone => {
                self.aid.borrow_mut().number.zeroize();
                self.aid_global(|g| {
                    g.set_number(SharedString::new());
                    g.set_step(AidStep::Consent);
                });
            }
        }
    }
}

/// Fills a question screen.
pub(super) fn show_aid_question(app: &AppWindow, q: &QuestionView) {
    let g = app.global::<LegalAid>();
    g.set_question(q.text.into());
    g.set_help(q.help.unwrap_or_default().into());
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
pub(super) fn show_aid_result(app: &AppWindow, r: &SelfCheckResult) {
    let g = app.global::<LegalAid>();
    g.set_indication(match r.indication {
        Indication::NoMeansTest => AidIndication::NoMeansTest,
        Indication::LikelyEligible => AidIndication::LikelyEligible,
        Indication::StaffReview => AidIndication::StaffReview,
    });
    g.set_headline(r.text.headline.as_str().into());
    g.set_reason(r.text.reason.as_str().into());
    let strings = |v: &[String]| -> ModelRc<SharedString> {
        ModelRc::new(VecModel::from(
            v.iter()
                .map(|s| SharedString::from(s.as_str()))
                .collect::<Vec<_>>(),
        ))
    };
    g.set_basis(strings(&r.text.basis));
    g.set_materials(strings(&r.text.materials));
    g.set_notice(r.text.notice.as_str().into());
    g.set_step(AidStep::Result);
}
