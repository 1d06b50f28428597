//! The `LegalAid` global's controller: what legal aid is, the questions one at a time
//! (large buttons, or the number pad with 不清楚), the indication with its reason, basis and
//! materials, then a ticket, the printed result, and — only with the citizen's separate
//! consent and a card read in this session — a pre-application for staff. Without consent
//! nothing personal is kept. The rules are `domain::legal_aid`; filling the view is [`view`].

pub mod view;

use std::cell::RefCell;
use std::rc::Rc;

use slint::{ComponentHandle, SharedString};
use zeroize::{Zeroize, Zeroizing};

use self::view::{show_aid_question, show_aid_result};
use super::shell::models::{choices, slip_ready, slip_stage};
use super::shell::poster::UiRef;
use super::shell::{Intent, Shell, callback, callback_with};
use super::{AidStep, AppWindow, LegalAid, Page, PrepareStage, SlipStage};
use crate::domain::consult::{GuidanceSlip, SlipContext};
use crate::domain::legal_aid::{
    AidAnswer, AidScreen, Applicant, InputView, Prefill, SelfCheck, SelfCheckResult, consent_text,
};
use crate::i18n::Lang;
use crate::services::LegalAidService;
use crate::services::legal_aid::PreApplied;
use crate::services::printing::PrintService;
use crate::services::{ContentService, DirectoryService};

/// Longest number typed on the pad (a telephone number with area code).
const MAX_DIGITS: usize = 15;
/// Shortest telephone number accepted (a local landline).
const MIN_PHONE_DIGITS: usize = 7;

/// One citizen's self-check.
#[derive(Default)]
struct AidState {
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

/// What the self-check needs from the rest of the firmware.
pub struct LegalAidDeps {
    pub content: ContentService,
    pub legal_aid: LegalAidService,
    pub printing: PrintService,
    pub directory: DirectoryService,
    /// Encoded in the slip's QR code (empty: none).
    pub online_service_url: String,
}

pub struct LegalAidController {
    shell: Shell,
    deps: LegalAidDeps,
    ui: UiRef<Self>,
    state: RefCell<AidState>,
}

impl LegalAidController {
    pub fn attach(app: &AppWindow, shell: Shell, deps: LegalAidDeps) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            deps,
            ui: UiRef::from_weak(me),
            state: RefCell::default(),
        });
        let me = Rc::downgrade(&this);
        let g = app.global::<LegalAid>();
        g.on_open(callback(&me, |this| this.open(Vec::new())));
        g.on_begin(callback(&me, |this| this.show_screen()));
        g.on_choose(callback_with(&me, |this, id: SharedString| {
            this.answer(AidAnswer::Choice(id.to_string()))
        }));
        g.on_digit(callback_with(&me, |this, d: SharedString| this.digit(&d)));
        g.on_backspace(callback(&me, |this| {
            this.state.borrow_mut().number.pop();
            this.show_number();
        }));
        g.on_clear(callback(&me, |this| {
            this.state.borrow_mut().number.zeroize();
            this.show_number();
        }));
        g.on_unknown(callback(&me, |this| this.answer(AidAnswer::Unknown)));
        g.on_confirm_number(callback(&me, |this| this.confirm_number()));
        g.on_take_ticket(callback(&me, |this| {
            this.shell.request(Intent::TakeTicket {
                service: "legal-aid".to_owned(),
            });
        }));
        g.on_print_slip(callback(&me, |this| this.print_slip()));
        g.on_prepare_application(callback(&me, |this| this.ask_consent()));
        g.on_consent(callback_with(&me, |this, agreed: bool| {
            this.consent(agreed)
        }));
        g.on_skip_phone(callback(&me, |this| this.pre_apply(None)));
        g.on_done(callback(&me, |this| this.shell.go_home()));
        shell.on_back(Page::LegalAid, callback(&me, |this| this.back()));
        shell.on_home(callback_with(&me, |this, _ended: bool| this.reset()));
        let m = me.clone();
        shell.on_intent(move |intent| match (m.upgrade(), intent) {
            (Some(this), Intent::LegalAidCheck { suggested }) => {
                this.open(suggested.clone());
                true
            }
            _ => false,
        });
        this
    }

    crate::ui::shell::with_global!(LegalAid);

    fn reset(&self) {
        *self.state.borrow_mut() = AidState::default();
        self.with(|g| {
            g.set_step(AidStep::Intro);
            g.set_number(SharedString::new());
            g.set_prepare(PrepareStage::None);
            g.set_options(choices(Vec::new()));
        });
    }

    /// Opens the self-check; `suggested` highlights the items a consultation outcome rests
    /// on. The age comes from the ID card when one was read in this session.
    fn open(&self, suggested: Vec<String>) {
        let from_consultation = !suggested.is_empty() || self.shell.page() == Page::Consult;
        let age = self
            .shell
            .session()
            .citizen()
            .and_then(|c| u8::try_from(c.age).ok());
        let check = SelfCheck::new(
            self.deps.content.current().legal_aid_rules.clone(),
            Prefill { age, suggested },
        );
        *self.state.borrow_mut() = AidState {
            check: Some(check),
            check_id: crate::ids::random_hex(),
            from_consultation,
            ..AidState::default()
        };
        let slip = slip_ready(self.deps.printing.available());
        self.with(|g| {
            g.set_age_from_card(age.is_some());
            g.set_slip(slip);
            g.set_prepare(PrepareStage::None);
            g.set_step(AidStep::Intro);
        });
        self.shell.show(Page::LegalAid);
    }

    /// Shows the current question, or the result once every needed answer is in.
    fn show_screen(&self) {
        let Some(app) = self.shell.app() else {
            return;
        };
        let lang = self.shell.lang();
        let (question, result) = {
            let state = self.state.borrow();
            let Some(check) = state.check.as_ref() else {
                return;
            };
            (check.question(lang), check.result(lang))
        };
        self.state.borrow_mut().number.zeroize();
        match (question, result) {
            (Some(q), _) => show_aid_question(&app, &q),
            (None, Some(r)) => {
                show_aid_result(&app, &r);
                let state = self.state.borrow();
                if let Some(check) = state.check.as_ref() {
                    self.deps.legal_aid.checked(&state.check_id, check, lang);
                }
            }
            (None, None) => {}
        }
    }

    fn answer(&self, answer: AidAnswer) {
        let answered = self
            .state
            .borrow_mut()
            .check
            .as_mut()
            .map(|c| c.answer(answer));
        match answered {
            Some(Ok(AidScreen::Question(_) | AidScreen::Result)) => self.show_screen(),
            Some(Err(e)) => tracing::warn!("self-check answer refused: {e}"),
            None => {}
        }
    }

    fn on_phone_step(&self) -> bool {
        self.shell
            .app()
            .is_some_and(|app| app.global::<LegalAid>().get_step() == AidStep::Phone)
    }

    fn digit(&self, digit: &str) {
        let phone = self.on_phone_step();
        {
            let mut state = self.state.borrow_mut();
            let number = &mut state.number;
            if number.len() >= MAX_DIGITS || !digit.bytes().all(|b| b.is_ascii_digit()) {
                return;
            }
            // No leading zeros in an amount; a telephone number may start with 0.
            if number.as_str() == "0" && !phone {
                number.clear();
            }
            number.push_str(digit);
        }
        self.show_number();
    }

    fn show_number(&self) {
        let number = self.state.borrow().number.clone();
        self.with(|g| {
            g.set_number(number.as_str().into());
            g.set_number_invalid(false);
        });
    }

    fn confirm_number(&self) {
        if self.on_phone_step() {
            let phone = self.state.borrow().number.clone();
            if phone.len() < MIN_PHONE_DIGITS {
                self.with(|g| g.set_number_invalid(true));
                return;
            }
            self.pre_apply(Some(phone));
            return;
        }
        let (value, range) = {
            let state = self.state.borrow();
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
            (Some(n), Some(range)) if range.contains(&n) => self.answer(AidAnswer::Number(n)),
            _ => self.with(|g| g.set_number_invalid(true)),
        }
    }

    fn result(&self, lang: Lang) -> Option<SelfCheckResult> {
        self.state
            .borrow()
            .check
            .as_ref()
            .and_then(|c| c.result(lang))
    }

    fn print_slip(&self) {
        // Chinese on paper: thermal printers carry GB18030 fonts only.
        let Some(result) = self.result(Lang::ZhCn) else {
            return;
        };
        let directory = self.deps.directory.clone();
        let lookup = move |kind: &str| directory.slip_addresses(kind);
        let url = self.deps.online_service_url.trim();
        let ctx = SlipContext {
            qr_url: (!url.is_empty()).then_some(url),
            institutions: &lookup,
        };
        let slip = GuidanceSlip::for_legal_aid(&result, &ctx);
        self.with(|g| g.set_slip(SlipStage::Printing));
        let reply = self.shell.reply(&self.ui, |this: &Self, printed| {
            this.with(|g| g.set_slip(slip_stage(printed)));
        });
        self.deps.printing.print_slip(&slip, reply);
    }

    /// 请工作人员帮我准备申请: the separate consent screen (only with a card read in this
    /// session: the pre-application needs the applicant's name and number).
    fn ask_consent(&self) {
        if !self.shell.session().has_identity() || self.state.borrow().prepared {
            return;
        }
        let lang = self.shell.lang();
        self.with(|g| {
            g.set_consent_text(consent_text(lang).into());
            g.set_step(AidStep::Consent);
        });
    }

    fn consent(&self, agreed: bool) {
        if !agreed {
            // Nothing is kept: back to the result, as it was.
            self.with(|g| g.set_step(AidStep::Result));
            return;
        }
        self.state.borrow_mut().number.zeroize();
        self.with(|g| {
            g.set_number(SharedString::new());
            g.set_number_invalid(false);
            g.set_unit(SharedString::new());
            g.set_step(AidStep::Phone);
        });
    }

    /// Stores the consented pre-application (sealed) with its outbox event.
    fn pre_apply(&self, phone: Option<Zeroizing<String>>) {
        let applicant = self.shell.session().citizen().map(|c| Applicant {
            name: c.holder.name.clone(),
            id_number: c.holder.id_number.clone(),
            phone: phone.as_ref().map(|p| p.as_str().to_owned()),
        });
        self.state.borrow_mut().number.zeroize();
        self.with(|g| g.set_number(SharedString::new()));
        let Some(applicant) = applicant else {
            // The card left and the session with it; nothing to keep.
            self.with(|g| g.set_step(AidStep::Result));
            return;
        };
        self.with(|g| {
            g.set_prepare(PrepareStage::Saving);
            g.set_step(AidStep::Prepared);
        });
        let reply = self
            .shell
            .reply(&self.ui, |this: &Self, saved: Result<PreApplied, _>| {
                let stage = match saved {
                    Ok(PreApplied::ForCentre) => PrepareStage::Saved,
                    // Kept on the terminal: the citizen is told to apply at the counter if urgent.
                    Ok(PreApplied::Held) => PrepareStage::Held,
                    Err(_) => PrepareStage::Failed,
                };
                if stage != PrepareStage::Failed {
                    this.state.borrow_mut().prepared = true;
                }
                this.with(|g| g.set_prepare(stage));
            });
        let state = self.state.borrow();
        let Some(check) = state.check.as_ref() else {
            return;
        };
        self.deps
            .legal_aid
            .pre_apply(&state.check_id, check, self.shell.lang(), applicant, reply);
    }

    /// 返回 in the self-check: one question back; from the first screen, to where it came from.
    fn back(&self) {
        let Some(step) = self.shell.app().map(|a| a.global::<LegalAid>().get_step()) else {
            return;
        };
        match step {
            AidStep::Intro => {
                if self.state.borrow().from_consultation {
                    self.shell.show(Page::Consult);
                } else {
                    self.shell.go_home();
                }
            }
            AidStep::Question | AidStep::Result => {
                let stepped = self
                    .state
                    .borrow_mut()
                    .check
                    .as_mut()
                    .is_some_and(SelfCheck::back);
                if stepped {
                    self.show_screen();
                } else {
                    self.with(|g| g.set_step(AidStep::Intro));
                }
            }
            AidStep::Consent | AidStep::Prepared => self.with(|g| g.set_step(AidStep::Result)),
            AidStep::Phone => {
                self.state.borrow_mut().number.zeroize();
                self.with(|g| {
                    g.set_number(SharedString::new());
                    g.set_step(AidStep::Consent);
                });
            }
        }
    }
}
