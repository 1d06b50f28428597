//! The `Requests` global's controller (留言与办理进度): a lawyer's call back, a complaint or
//! a suggestion that the centre finishes as a work order, and the progress of the citizen's
//! requests. Every request is filed under the citizen's ID card (its keyed hash, never the
//! number) after they agreed on screen to exactly what is passed on; nothing is filed
//! without that. A consultation outcome opens it to have staff follow the matter up.

use std::cell::RefCell;
use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use zeroize::Zeroizing;

use crate::devices::camera::{ReceiptReader, Scanned};
use crate::domain::work_orders::{Request, status_text};
use crate::i18n::Lang;
use crate::services::printing::PrintResult;
use crate::services::work_orders::{Filed, OrderStatus, WorkOrderError};
use crate::services::{PrintService, WorkOrderService};
use crate::ui::shell::models::{choice, choices};
use crate::ui::shell::poster::UiRef;
use crate::ui::shell::{Intent, Shell, callback, callback_with};
use crate::ui::{AppWindow, Page, RequestRow, Requests, RequestsStep};

mod texts;
use texts::{
    PROGRESS, TOPICS, consent_text, filed_text, heading, menu, no_camera, no_paper_receipt,
    no_receipt, not_offered, problem_text, progress_heading, summary_in, summary_of, take_receipt,
};

/// Digits a telephone number may have, with an area code and an extension.
const MAX_PHONE_CHARS: usize = 20;

#[derive(Default)]
struct Draft {
    /// What is asked for; `None` while reading progress.
    request: Option<Request>,
    /// What the request is about, as filed (the terminal's words, in Chinese for staff).
    summary: String,
    /// The topic's words in the citizen's language, for the consent text.
    about: String,
    phone: String,
    /// Progress rather than a request.
    progress: bool,
}

/// What the page needs besides the shell.
pub struct RequestsDeps {
    pub work_orders: WorkOrderService,
    /// Prints the receipt of a request.
    pub printing: PrintService,
    /// Reads a receipt's QR code with the camera.
    pub receipts: ReceiptReader,
}

pub struct RequestsController {
    shell: Shell,
    deps: RequestsDeps,
    ui: UiRef<Self>,
    draft: RefCell<Draft>,
}

impl RequestsController {
    pub fn attach(app: &AppWindow, shell: Shell, deps: RequestsDeps) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            deps,
            ui: UiRef::from_weak(me),
            draft: RefCell::default(),
        });
        let me = Rc::downgrade(&this);
        let g = app.global::<Requests>();
        g.on_open(callback(&me, |this| this.open()));
        g.on_choose(callback_with(&me, |this, id: SharedString| {
            this.choose(&id)
        }));
        g.on_choose_topic(callback_with(&me, |this, id: SharedString| {
            this.choose_topic(&id)
        }));
        g.on_digit(callback_with(&me, |this, k: SharedString| {
            {
                let mut draft = this.draft.borrow_mut();
                if draft.phone.chars().count() < MAX_PHONE_CHARS {
                    draft.phone.push_str(&k);
                }
            }
            this.show_phone(false);
        }));
        g.on_backspace(callback(&me, |this| {
            this.draft.borrow_mut().phone.pop();
            this.show_phone(false);
        }));
        g.on_clear(callback(&me, |this| {
            this.draft.borrow_mut().phone.clear();
            this.show_phone(false);
        }));
        g.on_confirm_phone(callback(&me, |this| {
            let phone = this.draft.borrow().phone.clone();
            if provisioning::appointments::valid_phone(&phone) {
                this.show_consent();
            } else {
                this.show_phone(true);
            }
        }));
        g.on_skip_phone(callback(&me, |this| {
            let optional = this
                .draft
                .borrow()
                .request
                .is_some_and(|r| !r.needs_phone());
            if optional {
                this.draft.borrow_mut().phone.clear();
                this.show_consent();
            }
        }));
        g.on_agree(callback(&me, |this| this.file()));
        g.on_scan(callback(&me, |this| this.scan()));
        g.on_cancel_scan(callback(&me, |this| {
            this.deps.receipts.stop();
            this.with(|g| g.set_step(RequestsStep::Card));
        }));
        g.on_decline(callback(&me, |this| {
            *this.draft.borrow_mut() = Draft::default();
            let message = match this.shell.lang() {
                Lang::KoKr => "아무것도 보내지 않았습니다.",
                Lang::En => "Nothing was sent.",
                _ => "没有发送任何信息。",
            };
            this.show_done(message, false);
        }));
        shell.on_home(callback_with(&me, |this, _ended: bool| {
            this.deps.receipts.stop();
            *this.draft.borrow_mut() = Draft::default();
            this.with(|g| {
                g.set_phone(SharedString::new());
                g.set_orders(ModelRc::default());
                g.set_step(RequestsStep::Menu);
            });
        }));
        // A card placed while the page asks for it.
        shell.on_session_started(callback(&me, |this| {
            if this.shell.page() == Page::Requests && this.step() == Some(RequestsStep::Card) {
                this.after_card();
            }
        }));
        let m = me.clone();
        shell.on_intent(move |intent| match (m.upgrade(), intent) {
            (Some(this), Intent::FollowUp { summary }) => {
                this.follow_up(summary.clone());
                true
            }
            _ => false,
        });
        this
    }

    crate::ui::shell::with_global!(Requests);

    fn step(&self) -> Option<RequestsStep> {
        self.shell
            .app()
            .map(|app| app.global::<Requests>().get_step())
    }

    /// 留言与办理进度 on the home screen.
    fn open(&self) {
        *self.draft.borrow_mut() = Draft::default();
        let lang = self.shell.lang();
        self.with(|g| {
            g.set_reading_progress(false);
            g.set_menu(choices(menu(lang)));
            g.set_phone(SharedString::new());
            g.set_step(RequestsStep::Working);
        });
        self.shell.show(Page::Requests);
        let reply = self.shell.reply(&self.ui, |this: &Self, offered: bool| {
            if offered {
                this.with(|g| g.set_step(RequestsStep::Menu));
            } else {
                this.show_done(not_offered(this.shell.lang()), true);
            }
        });
        self.deps.work_orders.offered(reply);
    }

    /// From a consultation outcome: staff to follow the matter (`summary`) up by telephone.
    /// (A receipt is not offered for progress there: the card is read.)
    fn follow_up(&self, summary: String) {
        let lang = self.shell.lang();
        *self.draft.borrow_mut() = Draft {
            request: Some(Request::FollowUp),
            about: summary.clone(),
            summary,
            ..Draft::default()
        };
        self.with(|g| g.set_heading(heading(Request::FollowUp, lang).into()));
        self.shell.show(Page::Requests);
        self.ask_card();
    }

    fn choose(&self, id: &str) {
        let lang = self.shell.lang();
        if id == PROGRESS {
            *self.draft.borrow_mut() = Draft {
                progress: true,
                ..Draft::default()
            };
            self.with(|g| {
                g.set_heading(progress_heading(lang).into());
                g.set_reading_progress(true);
            });
            self.ask_card();
            return;
        }
        let Some(request) = Request::from_id(id) else {
            return;
        };
        *self.draft.borrow_mut() = Draft {
            request: Some(request),
            summary: summary_of(request).into(),
            about: summary_in(request, lang).into(),
            ..Draft::default()
        };
        self.with(|g| g.set_heading(heading(request, lang).into()));
        match request {
            Request::Complaint | Request::Suggestion => self.with(|g| {
                g.set_topics(choices(
                    TOPICS
                        .iter()
                        .map(|t| choice(t.id, t.label(lang), ""))
                        .collect(),
                ));
                g.set_step(RequestsStep::Topic);
            }),
            _ => self.ask_card(),
        }
    }

    fn choose_topic(&self, id: &str) {
        let Some(topic) = TOPICS.iter().find(|t| t.id == id) else {
            return;
        };
        let lang = self.shell.lang();
        {
            let mut draft = self.draft.borrow_mut();
            let Some(request) = draft.request else {
                return;
            };
            draft.summary = format!("{}：{}", summary_of(request), topic.zh);
            let colon = if lang == Lang::ZhCn { "：" } else { ": " };
            draft.about = format!("{}{colon}{}", summary_in(request, lang), topic.label(lang));
        }
        self.ask_card();
    }

    /// The card, unless it was read in this session already.
    fn ask_card(&self) {
        if self.shell.session().has_identity() {
            self.after_card();
        } else {
            self.with(|g| g.set_step(RequestsStep::Card));
        }
    }

    fn after_card(&self) {
        if self.draft.borrow().progress {
            self.progress();
        } else {
            self.show_phone(false);
        }
    }

    fn show_phone(&self, invalid: bool) {
        let (phone, optional) = {
            let draft = self.draft.borrow();
            (
                draft.phone.clone(),
                draft.request.is_some_and(|r| !r.needs_phone()),
            )
        };
        self.with(|g| {
            g.set_phone(phone.into());
            g.set_phone_invalid(invalid);
            g.set_phone_optional(optional);
            g.set_step(RequestsStep::Phone);
        });
    }

    fn show_consent(&self) {
        let text = {
            let draft = self.draft.borrow();
            consent_text(&draft.about, &draft.phone, self.shell.lang())
        };
        self.with(|g| {
            g.set_consent(text.into());
            g.set_step(RequestsStep::Consent);
        });
    }

    fn id_number(&self) -> Option<Zeroizing<String>> {
        let session = self.shell.session();
        session
            .citizen()
            .map(|c| Zeroizing::new(c.holder.id_number.clone()))
    }

    fn file(&self) {
        let (request, phone, summary) = {
            let draft = self.draft.borrow();
            let Some(request) = draft.request else {
                return;
            };
            (request, draft.phone.clone(), draft.summary.clone())
        };
        let Some(id_number) = self.id_number() else {
            self.with(|g| g.set_step(RequestsStep::Card));
            return;
        };
        self.with(|g| g.set_step(RequestsStep::Working));
        let reply = self.shell.reply(
            &self.ui,
            |this: &Self, filed: Result<Filed, WorkOrderError>| {
                *this.draft.borrow_mut() = Draft::default();
                let lang = this.shell.lang();
                match filed {
                    Ok(filed) => this.print_receipt(&filed),
                    Err(e) => this.show_done(problem_text(&e, lang), true),
                }
            },
        );
        self.deps
            .work_orders
            .file(request, id_number, phone, summary, reply);
    }

    fn progress(&self) {
        let Some(id_number) = self.id_number() else {
            return;
        };
        self.with(|g| g.set_step(RequestsStep::Working));
        let reply = self.shell.reply(&self.ui, Self::show_orders);
        self.deps.work_orders.status(id_number, reply);
    }

    /// The camera looks for a receipt; its request's progress follows.
    fn scan(&self) {
        self.with(|g| g.set_step(RequestsStep::Scan));
        let reply = self.shell.reply(&self.ui, |this: &Self, scanned: Scanned| {
            if this.step() != Some(RequestsStep::Scan) {
                // The citizen stopped or left meanwhile.
                return;
            }
            match scanned {
                Scanned::Receipt(code) => {
                    this.with(|g| g.set_step(RequestsStep::Working));
                    let reply = this.shell.reply(&this.ui, Self::show_orders);
                    this.deps.work_orders.status_by_receipt(code, reply);
                }
                Scanned::Nothing => this.show_done(no_receipt(this.shell.lang()), true),
                Scanned::CameraFailed => this.show_done(no_camera(this.shell.lang()), true),
            }
        });
        self.deps.receipts.scan(reply);
    }

    fn show_orders(&self, found: Result<Vec<OrderStatus>, WorkOrderError>) {
        let lang = self.shell.lang();
        match found {
            Ok(orders) => self.with(|g| {
                let rows: Vec<RequestRow> = orders
                    .iter()
                    .map(|o| RequestRow {
                        category: o.category.clone().into(),
                        status: status_text(&o.status, lang).into(),
                    })
                    .collect();
                g.set_orders(ModelRc::new(VecModel::from(rows)));
                g.set_step(RequestsStep::Progress);
            }),
            Err(e) => self.show_done(problem_text(&e, lang), true),
        }
    }

    /// The receipt, and what became of it.
    fn print_receipt(&self, filed: &Filed) {
        let reply = self
            .shell
            .reply(&self.ui, |this: &Self, printed: PrintResult| {
                let lang = this.shell.lang();
                let text = match printed {
                    PrintResult::Printed => format!("{}{}", filed_text(lang), take_receipt(lang)),
                    _ => format!("{}{}", filed_text(lang), no_paper_receipt(lang)),
                };
                this.show_done(&text, false);
            });
        self.deps.printing.print_receipt(filed, reply);
    }

    fn show_done(&self, message: &str, warning: bool) {
        self.with(|g| {
            g.set_message(message.into());
            g.set_warning(warning);
            g.set_step(RequestsStep::Done);
        });
    }
}
