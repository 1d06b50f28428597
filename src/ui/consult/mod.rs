//! The `Consult` global's controller: categories → matters → the guided questions → the
//! outcome with next steps that act (a ticket, the legal-aid self-check, a lawyer on video,
//! directions), the printed guidance slip and a rating; and search with the on-screen
//! keyboard. The flow itself is `domain::consult`; filling the view is [`view`].

mod search;
pub mod view;

use std::cell::RefCell;
use std::rc::Rc;

use slint::{ComponentHandle, SharedString};

use self::view::{
    categories_model, chips_model, matters_model, nearby_of, search_results, show_outcome,
    show_question,
};
use super::shell::models::{choices, slip_ready, slip_stage};
use super::shell::poster::UiRef;
use super::shell::{Intent, Shell, callback, callback_with};
use super::{AppWindow, Consult, ConsultStep, Page, SlipStage};
use crate::domain::consult::flow::{ScreenView, pick};
use crate::domain::consult::{Action, Consultation, GuidanceSlip, SlipContext};
use crate::domain::hangul::Keyboard;
use crate::domain::rating::ServiceKind;
use crate::i18n::Lang;
use crate::services::ContentService;
use crate::services::printing::PrintService;
use crate::services::{ConsultService, DirectoryService, ignore};

/// Longest search input taken from the keyboard.
const MAX_QUERY_CHARS: usize = 16;

/// How the citizen reached the matters or a matter: 返回 goes back there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Via {
    #[default]
    Categories,
    Search,
}

/// One citizen's walk through the guide.
#[derive(Default)]
struct ConsultState {
    /// The category whose matters are (or were last) shown.
    category: Option<String>,
    /// How the matters list was reached.
    matters_via: Via,
    /// How the matter was reached (its matters list, or search).
    matter_via: Via,
    flow: Option<Consultation>,
    /// The id of this consultation: outbox record and rating refer to it.
    consultation_id: String,
    /// The search keyboard: what was typed, in which layout.
    keyboard: Keyboard,
}

/// What the guide needs from the rest of the firmware.
pub struct ConsultDeps {
    pub content: ContentService,
    pub consult: ConsultService,
    pub printing: PrintService,
    pub directory: DirectoryService,
    /// Encoded in the slip's QR code (empty: none).
    pub online_service_url: String,
}

pub struct ConsultController {
    shell: Shell,
    deps: ConsultDeps,
    ui: UiRef<Self>,
    state: RefCell<ConsultState>,
}

impl ConsultController {
    pub fn attach(app: &AppWindow, shell: Shell, deps: ConsultDeps) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            deps,
            ui: UiRef::from_weak(me),
            state: RefCell::default(),
        });
        let me = Rc::downgrade(&this);
        let g = app.global::<Consult>();
        g.on_open(callback(&me, |this| this.open()));
        g.on_choose_category(callback_with(&me, |this, id: SharedString| {
            this.choose_category(&id, Via::Categories)
        }));
        g.on_choose_matter(callback_with(&me, |this, id: SharedString| {
            this.start_matter(&id, Via::Categories)
        }));
        g.on_answer(callback_with(&me, |this, id: SharedString| {
            this.answer(&id)
        }));
        g.on_do_step(callback_with(&me, |this, i: i32| this.do_step(i)));
        g.on_print_slip(callback(&me, |this| this.print_slip()));
        g.on_rate(callback(&me, |this| this.rate()));
        g.on_follow_up(callback(&me, |this| this.follow_up()));
        g.on_dismiss_notice(callback(&me, |this| this.show_notice(String::new())));
        g.on_open_search(callback(&me, |this| this.open_search()));
        g.on_key(callback_with(&me, |this, k: SharedString| {
            this.type_on_keyboard(|kb| kb.key(&k))
        }));
        g.on_backspace(callback(&me, |this| {
            this.type_on_keyboard(|kb| kb.backspace())
        }));
        g.on_clear_query(callback(&me, |this| this.type_on_keyboard(|kb| kb.clear())));
        g.on_switch_layout(callback(&me, |this| {
            this.type_on_keyboard(|kb| kb.switch_layout())
        }));
        g.on_shift(callback(&me, |this| this.type_on_keyboard(|kb| kb.shift())));
        g.on_choose_chip(callback_with(&me, |this, word: SharedString| {
            this.type_on_keyboard(|kb| kb.set_text(&word))
        }));
        g.on_choose_result(callback_with(&me, |this, id: SharedString| {
            this.choose_result(&id)
        }));
        shell.on_back(Page::Consult, callback(&me, |this| this.back()));
        shell.on_home(callback_with(&me, |this, _ended: bool| this.reset()));
        let m = me.clone();
        shell.on_intent(move |intent| {
            if let (Some(this), Intent::Rated { id, .. }) = (m.upgrade(), intent)
                && this.state.borrow().consultation_id == *id
            {
                this.with(|g| g.set_rated(true));
            }
            false
        });
        this
    }

    crate::ui::shell::with_global!(Consult);

    fn lang(&self) -> Lang {
        self.shell.lang()
    }

    fn reset(&self) {
        *self.state.borrow_mut() = ConsultState::default();
        self.with(|g| {
            g.set_step(ConsultStep::Categories);
            g.set_query(SharedString::new());
            g.set_results(choices(Vec::new()));
            g.set_notice(SharedString::new());
            g.set_rated(false);
        });
    }

    /// 法律咨询 on the home screen: the categories.
    fn open(&self) {
        self.reset();
        let (catalogue, lang) = (
            self.deps.content.current().consultation.clone(),
            self.lang(),
        );
        self.with(|g| {
            g.set_categories(categories_model(&catalogue, lang));
            g.set_untranslated(catalogue.categories_fall_back(lang));
            g.set_step(ConsultStep::Categories);
        });
        self.shell.show(Page::Consult);
    }

    fn choose_category(&self, id: &str, via: Via) {
        let (catalogue, lang) = (
            self.deps.content.current().consultation.clone(),
            self.lang(),
        );
        let Some(category) = catalogue.category(id) else {
            tracing::warn!(category = id, "unknown category chosen");
            return;
        };
        {
            let mut state = self.state.borrow_mut();
            state.category = Some(id.to_owned());
            state.matters_via = via;
        }
        self.with(|g| {
            g.set_category_name(category.name.text(lang).into());
            g.set_matters(matters_model(&catalogue, id, lang));
            g.set_untranslated(catalogue.matters_fall_back(id, lang));
            g.set_step(ConsultStep::Matters);
        });
    }

    fn start_matter(&self, id: &str, via: Via) {
        let catalogue = self.deps.content.current().consultation.clone();
        let flow = match Consultation::start(catalogue, id) {
            Ok(flow) => flow,
            Err(e) => {
                tracing::warn!("cannot start the consultation: {e}");
                return;
            }
        };
        {
            let mut state = self.state.borrow_mut();
            state.category = Some(flow.catalogue().category_of(flow.matter()).id.clone());
            state.matter_via = via;
            state.consultation_id = crate::ids::random_hex();
            state.flow = Some(flow);
        }
        let slip = slip_ready(self.deps.printing.available());
        self.with(|g| {
            g.set_rated(false);
            g.set_slip(slip);
        });
        self.show_flow_screen();
    }

    fn answer(&self, answer_id: &str) {
        let answered = {
            let mut state = self.state.borrow_mut();
            state
                .flow
                .as_mut()
                .map(|flow| flow.answer(answer_id).map(|_| ()))
        };
        match answered {
            Some(Ok(())) => self.show_flow_screen(),
            Some(Err(e)) => tracing::warn!("answer refused: {e}"),
            None => {}
        }
    }

    /// Shows the flow's current screen; reaching the outcome records the consultation.
    fn show_flow_screen(&self) {
        let Some(app) = self.shell.app() else {
            return;
        };
        let lang = self.lang();
        let state = self.state.borrow();
        let Some(flow) = state.flow.as_ref() else {
            return;
        };
        let view = flow.view(lang);
        // Said to the citizen, in their language, when a text falls back to Chinese.
        app.global::<Consult>().set_untranslated(
            view.has_fallback() || (flow.step_number() == 1 && !flow.matter().summary.has(lang)),
        );
        match view {
            ScreenView::Question(q) => show_question(&app, &q, flow.matter().summary.text(lang)),
            ScreenView::Outcome(o) => {
                let directory = &self.deps.directory;
                let nearby = nearby_of(flow, lang, |kind| directory.nearest(kind, lang));
                show_outcome(&app, &o, flow.catalogue(), lang, &nearby);
                if let Some(record) = flow.record(&state.consultation_id, lang) {
                    self.deps.consult.completed(&record, ignore);
                }
            }
        }
        self.shell.show(Page::Consult);
    }

    /// 返回 in the guide: one step back.
    fn back(&self) {
        if self.notice_open() {
            self.show_notice(String::new());
            return;
        }
        let Some(step) = self.shell.app().map(|a| a.global::<Consult>().get_step()) else {
            return;
        };
        match step {
            ConsultStep::Categories => self.shell.go_home(),
            ConsultStep::Search => self.open(),
            ConsultStep::Matters => match self.state.borrow().matters_via {
                Via::Search => self.with(|g| g.set_step(ConsultStep::Search)),
                Via::Categories => {
                    let untranslated = self
                        .deps
                        .content
                        .current()
                        .consultation
                        .categories_fall_back(self.lang());
                    self.with(|g| {
                        g.set_untranslated(untranslated);
                        g.set_step(ConsultStep::Categories)
                    })
                }
            },
            ConsultStep::Question | ConsultStep::Outcome => {
                let stepped = self
                    .state
                    .borrow_mut()
                    .flow
                    .as_mut()
                    .is_some_and(Consultation::back);
                if stepped {
                    self.show_flow_screen();
                    return;
                }
                // Back from the first question: to where the matter was chosen.
                let (via, category, matters_via) = {
                    let mut state = self.state.borrow_mut();
                    state.flow = None;
                    (state.matter_via, state.category.clone(), state.matters_via)
                };
                match (via, category) {
                    (Via::Search, _) => self.with(|g| g.set_step(ConsultStep::Search)),
                    (Via::Categories, Some(category)) => {
                        self.choose_category(&category, matters_via)
                    }
                    (Via::Categories, None) => self.open(),
                }
            }
        }
    }

    fn notice_open(&self) -> bool {
        self.shell
            .app()
            .is_some_and(|app| !app.global::<Consult>().get_notice().is_empty())
    }

    fn show_notice(&self, text: String) {
        self.with(|g| g.set_notice(text.into()));
    }

    /// A next step on the outcome page was tapped.
    fn do_step(&self, index: i32) {
        let (action, category_id, scope) = {
            let state = self.state.borrow();
            let Some(flow) = state.flow.as_ref() else {
                return;
            };
            let Some(step) = flow
                .outcome()
                .and_then(|o| usize::try_from(index).ok().and_then(|i| o.steps.get(i)))
            else {
                return;
            };
            (
                step.action.clone(),
                flow.catalogue().category_of(flow.matter()).id.clone(),
                flow.legal_aid_items(),
            )
        };
        let lang = self.lang();
        match action {
            Action::Ticket { service } => {
                self.shell.request(Intent::TakeTicket {
                    service: service.id().to_owned(),
                });
            }
            Action::LegalAidCheck => {
                self.shell.request(Intent::LegalAidCheck { suggested: scope });
            }
            Action::VideoLawyer => {
                let calling = self.shell.request(Intent::VideoCall {
                    category: Some(category_id),
                });
                if !calling {
                    self.show_notice(no_video_notice(lang).to_owned());
                }
            }
            Action::Appointment { service } => self.show_notice(match lang {
                Lang::ZhCn => format!(
                    "预约“{}”：请到服务台，或拨打 12348，工作人员会为您约好时间。",
                    service.name(lang)
                ),
                Lang::KoKr => format!(
                    "\u{201c}{}\u{201d} 예약: 안내 데스크에 말씀하시거나 12348로 전화하시면 직원이 시간을 정해 드립니다.",
                    service.name(lang)
                ),
                Lang::En => format!(
                    "To book \u{201c}{}\u{201d}, ask at the front desk or call 12348; staff will arrange a time.",
                    service.name(lang)
                ),
            }),
            Action::Institution { kind } => {
                // The directory's list of that kind, nearest first; without one, where to ask.
                if !self.shell.request(Intent::FindInstitutions { kind: kind.clone() }) {
                    self.show_notice(self.institution_notice(&kind));
                }
            }
            Action::Hotline { hotline } => {
                let text = match self.deps.content.current().consultation.hotline(&hotline) {
                    Some(h) => format!(
                        "{}{} {}",
                        pick(lang, "请拨打：", "전화하세요: ", "Please call: "),
                        h.number,
                        h.name.text(lang)
                    ),
                    None => hotline,
                };
                self.show_notice(text);
            }
        }
    }

    /// Where to go for an institution kind, with its address when the registry knows one.
    fn institution_notice(&self, kind: &str) -> String {
        let lang = self.lang();
        let content = self.deps.content.current();
        let known = content.consultation.institution_kind(kind);
        let name = known.map_or_else(|| kind.to_owned(), |k| k.name.text(lang).to_owned());
        let summary = known
            .and_then(|k| k.summary.as_ref())
            .map(|s| s.text(lang).to_owned())
            .unwrap_or_default();
        let place = pick(
            lang,
            "工作人员可以告诉您最近的地址。",
            "가장 가까운 곳의 주소는 직원에게 물어보세요.",
            "Staff can tell you the nearest address.",
        );
        format!(
            "{}{name}\n{summary}\n{place}",
            pick(lang, "请前往：", "방문할 곳: ", "Go to: ")
        )
    }

    fn print_slip(&self) {
        let slip = {
            let state = self.state.borrow();
            let Some(flow) = state.flow.as_ref() else {
                return;
            };
            let directory = self.deps.directory.clone();
            let lookup = move |kind: &str| directory.slip_addresses(kind);
            let url = self.deps.online_service_url.trim();
            let ctx = SlipContext {
                qr_url: (!url.is_empty()).then_some(url),
                institutions: &lookup,
            };
            // Chinese on paper: thermal printers carry GB18030 fonts only.
            GuidanceSlip::for_consultation(flow, Lang::ZhCn, &ctx)
        };
        let Some(slip) = slip else {
            return;
        };
        self.with(|g| g.set_slip(SlipStage::Printing));
        let reply = self.shell.reply(&self.ui, |this: &Self, printed| {
            this.with(|g| g.set_slip(slip_stage(printed)));
        });
        self.deps.printing.print_slip(&slip, reply);
    }

    /// Staff to call the citizen back about this matter (a work order, with consent).
    fn follow_up(&self) {
        let summary = {
            let state = self.state.borrow();
            let Some(flow) = state.flow.as_ref() else {
                return;
            };
            // For the centre's staff: in Chinese, whatever the citizen reads.
            format!("咨询跟进：{}", flow.matter().name.text(Lang::ZhCn))
        };
        self.shell.request(Intent::FollowUp { summary });
    }

    fn rate(&self) {
        let (id, subject) = {
            let state = self.state.borrow();
            let Some(flow) = state.flow.as_ref() else {
                return;
            };
            (
                state.consultation_id.clone(),
                flow.matter().name.text(self.lang()).to_owned(),
            )
        };
        self.shell.request(Intent::Rate {
            kind: ServiceKind::Consultation,
            id,
            subject: Some(subject),
        });
    }
}

/// Said when the outcome offers a lawyer on video but this terminal cannot call.
fn no_video_notice(lang: Lang) -> &'static str {
    pick(
        lang,
        "本终端暂时不能视频连线律师。现在您可以取号“法律咨询”当面问律师，或拨打 12348。",
        "이 단말기에서는 지금 변호사 화상 상담을 할 수 없습니다. \u{201c}법률 상담\u{201d} 번호표를 받아 변호사에게 직접 묻거나 12348로 전화하세요.",
        "This terminal cannot make video calls with a lawyer right now. Take a ticket for legal consultation to ask a lawyer in person, or call 12348.",
    )
}
