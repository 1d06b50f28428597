//! The kiosk controller: owns what the citizen's session looks like, wires the Slint
//! callbacks to domain services running on worker threads, and returns home (forgetting
//! everything) when the citizen is done or gone.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, Timer, TimerMode, VecModel};

use super::datetime::{date_text, time_text};
use super::idle::IdleWatch;
use super::poster::Poster;
use super::{AppWindow, Kiosk, Nav, Page, Queue, ServiceEntry, Theme, TicketView};
use crate::clock::Clock;
use crate::config::KioskConfig;
use crate::devices::printing::{PrinterHandle, PrinterHealth};
use crate::domain::queue::Catalogue;
use crate::i18n::Lang;
use crate::store::worker::Worker;

/// What the controller needs from the rest of the firmware.
pub struct Deps {
    pub kiosk: KioskConfig,
    pub queue: crate::config::QueueConfig,
    pub catalogue: Arc<Catalogue>,
    pub worker: Worker,
    /// `None` when the terminal has no printer: tickets are shown on screen only.
    pub printer: Option<PrinterHandle>,
    pub clock: Arc<dyn Clock>,
    pub poster: Poster,
    /// Consultation content, legal-aid rules, rating reasons, institutions.
    pub guidance: crate::domain::content::GuidanceContent,
    /// Seals consented personal data (legal-aid pre-applications) in the outbox.
    pub seal_key: Arc<crate::store::sealed::SealKey>,
    /// Video calls with a lawyer, or why this terminal cannot make them.
    pub video: crate::video::VideoAvailability,
    /// Where tickets come from: this terminal's queue, or its host's.
    pub desk: crate::queue_api::Desk,
}

/// The ticket on screen, whose position follows the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TicketOnScreen {
    pub token: String,
    /// Its row is in this terminal's store (else on the queue host).
    pub local: bool,
    /// Issued from the offline range: no live position.
    pub offline: bool,
}

/// State that results from worker threads consult before touching the screen.
pub(super) struct Shared {
    pub lang: Lang,
    /// Bumped whenever the kiosk returns home: late results of an earlier citizen's
    /// session must not reach the next citizen's screen.
    pub session: u64,
    pub catalogue: Arc<Catalogue>,
    /// The service of the ticket on screen, if any.
    pub current_service: Option<String>,
    /// The ticket on screen, if any.
    pub current_ticket: Option<TicketOnScreen>,
    /// Whether the printer can print right now (false without a printer).
    pub can_print: bool,
}

pub struct KioskController {
    pub(super) me: Weak<KioskController>,
    pub(super) app: slint::Weak<AppWindow>,
    pub(super) deps: Deps,
    pub(super) shared: Arc<Mutex<Shared>>,
    /// The citizen defaults; staff may change them in the maintenance menu.
    pub(super) default_lang: Cell<Lang>,
    pub(super) default_large_text: Cell<bool>,
    /// Told of every touch while the maintenance menu is open (which has its own timeout).
    pub(super) staff_activity: RefCell<Option<Rc<dyn Fn()>>>,
    /// The citizen whose card was read, for this session only.
    pub(super) citizen: std::cell::RefCell<Option<crate::session::Citizen>>,
    /// The citizen's card is still on the reader.
    pub(super) card_present: std::cell::Cell<bool>,
    restart_requested: std::cell::Cell<bool>,
    /// The operations centre's notice for the home screen, with its end.
    home_notice: RefCell<crate::domain::maintenance::settings::HomeNotice>,
    ui_ref: std::cell::OnceCell<super::poster::UiRef<KioskController>>,
    pub(super) idle: IdleWatch,
    clock_timer: Timer,
    /// Told of every touch (the screen-saver restarts its wait).
    activity: RefCell<Vec<Box<dyn Fn()>>>,
    /// Told when the terminal goes out of service or back (the status light).
    pub(super) service_listeners: RefCell<Vec<ServiceListener>>,
    /// The guidance flows of this session (see `guidance`).
    pub(super) consult: std::cell::RefCell<super::consult::ConsultState>,
    pub(super) aid: std::cell::RefCell<super::legal_aid::AidState>,
    pub(super) rating: std::cell::RefCell<super::rating::RatingState>,
    pub(super) video: super::video::VideoUi,
}

/// Told whether the terminal is out of service.
pub(super) type ServiceListener = Box<dyn Fn(bool)>;

impl KioskController {
    /// Connects a controller to `app` and shows the home screen.
    pub fn attach(app: &AppWindow, deps: Deps) -> Rc<Self> {
        let default_lang = Lang::from_code(&deps.kiosk.language).unwrap_or_default();
        let idle = IdleWatch::new(
            deps.kiosk.idle_warning_after(),
            deps.kiosk.idle_timeout() - deps.kiosk.idle_warning_after(),
        );
        let this = Rc::new_cyclic(|me| Self {
            me: me.clone(),
            app: app.as_weak(),
            shared: Arc::new(Mutex::new(Shared {
                lang: default_lang,
                session: 0,
                catalogue: deps.catalogue.clone(),
                current_service: None,
                current_ticket: None,
                can_print: deps.printer.is_some(),
            })),
            video: super::video::VideoUi::new(deps.video.clone()),
            deps,
            default_lang: Cell::new(default_lang),
            default_large_text: Cell::new(false),
            citizen: std::cell::RefCell::new(None),
            card_present: std::cell::Cell::new(false),
            restart_requested: std::cell::Cell::new(false),
            home_notice: RefCell::new(Default::default()),
            ui_ref: std::cell::OnceCell::new(),
            idle,
            staff_activity: RefCell::new(None),
            clock_timer: Timer::default(),
            activity: RefCell::new(Vec::new()),
            service_listeners: RefCell::new(Vec::new()),
            consult: Default::default(),
            aid: Default::default(),
            rating: Default::default(),
        });
        let _ = this.ui_ref.set(super::poster::UiRef::new(&this));
        this.wire(app);
        app.global::<Kiosk>()
            .set_centre_name(this.deps.kiosk.centre_name.clone().into());
        app.global::<Kiosk>()
            .set_printing_available(this.deps.printer.is_some());
        this.end_session();
        this.refresh_clock();
        let me = this.me.clone();
        this.clock_timer
            .start(TimerMode::Repeated, Duration::from_secs(1), move || {
                if let Some(this) = me.upgrade() {
                    this.refresh_clock();
                }
            });
        this
    }

    fn wire(&self, app: &AppWindow) {
        let nav = app.global::<Nav>();
        nav.on_go_home(self.callback(|this| this.go_home()));
        nav.on_finish_session(self.callback(|this| this.end_session()));
        nav.on_go_back(self.callback(|this| this.go_back()));
        nav.on_open_services(self.callback(|this| this.open_services()));

        let kiosk = app.global::<Kiosk>();
        let me = self.me.clone();
        kiosk.on_select_language(move |code| {
            if let (Some(this), Some(lang)) = (me.upgrade(), Lang::from_code(&code)) {
                this.select_language(lang);
            }
        });
        kiosk.on_toggle_large_text(self.callback(|this| {
            if let Some(app) = this.app.upgrade() {
                let theme = app.global::<Theme>();
                theme.set_large_text(!theme.get_large_text());
            }
        }));
        kiosk.on_still_here(self.callback(|this| this.touched()));

        let queue = app.global::<Queue>();
        let me = self.me.clone();
        queue.on_take_ticket(move |service_id| {
            if let Some(this) = me.upgrade() {
                this.take_ticket(service_id.to_string());
            }
        });
        queue.on_finish(self.callback(|this| this.go_home()));

        app.global::<super::Activity>()
            .on_touched(self.callback(|this| this.touched()));
        self.wire_guidance(app);
        self.wire_video(app);
    }

    /// A Slint callback that reaches this controller while it lives.
    fn callback(&self, f: impl Fn(&Rc<Self>) + 'static) -> impl Fn() + 'static {
        let me = self.me.clone();
        move || {
            if let Some(this) = me.upgrade() {
                f(&this);
            }
        }
    }

    pub(super) fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// 首页 / 完成: back to the home screen. A citizen whose ID card is still on the reader
    /// stays greeted (they may want another service); otherwise the session ends.
    pub fn go_home(&self) {
        if self.card_present.get() && self.citizen.borrow().is_some() {
            self.show_home();
        } else {
            self.end_session();
        }
    }

    /// The citizen is done or gone: forget everything about them — identity, the ticket on
    /// screen, the language and text size they chose — and show the home screen.
    pub fn end_session(&self) {
        self.idle.stop();
        self.forget_citizen();
        if let Some(app) = self.app.upgrade() {
            app.global::<Theme>()
                .set_large_text(self.default_large_text.get());
        }
        self.select_language(self.default_lang.get());
        self.show_home();
    }

    fn show_home(&self) {
        self.leave_call();
        {
            // Late results of what was on screen must not reach the home screen.
            let mut shared = self.shared();
            shared.session += 1;
            shared.current_service = None;
            shared.current_ticket = None;
        }
        self.reset_guidance();
        let Some(app) = self.app.upgrade() else {
            return;
        };
        app.global::<Kiosk>().set_idle_warning(false);
        app.global::<Queue>().set_ticket(TicketView::default());
        app.global::<Nav>().set_page(Page::Home);
    }

    fn go_back(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        // The service list, the video call and the guidance flows have pages behind them; a
        // ticket, once issued, is finished with 完成 or 首页.
        let page = app.global::<Nav>().get_page();
        if page == Page::Services {
            self.go_home();
        } else if page == Page::Video {
            self.video_back();
        } else {
            self.guidance_back(page);
        }
    }

    /// Shows the services with fresh waiting counts.
    fn open_services(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        self.push_services(&HashMap::new());
        app.global::<Nav>().set_page(Page::Services);
        let (weak, shared, poster) = (
            self.app.clone(),
            self.shared.clone(),
            self.deps.poster.clone(),
        );
        self.deps.desk.waiting_counts(move |counts| {
            poster.post(move || {
                let Some(app) = weak.upgrade() else { return };
                let shared = shared.lock().unwrap_or_else(|e| e.into_inner());
                app.global::<Queue>().set_services(services_model(
                    &shared.catalogue,
                    shared.lang,
                    &counts,
                ));
            });
        });
    }

    fn push_services(&self, waiting: &HashMap<String, u32>) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let shared = self.shared();
        app.global::<Queue>()
            .set_services(services_model(&shared.catalogue, shared.lang, waiting));
    }

    /// Switches the bundled translation and the data-driven texts to `lang`.
    pub fn select_language(&self, lang: Lang) {
        if let Err(e) = slint::select_bundled_translation(lang.code()) {
            tracing::error!("cannot switch the UI to {}: {e}", lang.code());
            return;
        }
        self.shared().lang = lang;
        if let Some(app) = self.app.upgrade() {
            app.global::<Kiosk>().set_language(lang.code().into());
            // Keep the waiting counts already shown; only the names change language.
            let counts: HashMap<String, u32> = {
                use slint::Model;
                let services = app.global::<Queue>().get_services();
                services
                    .iter()
                    .map(|s| (s.id.to_string(), u32::try_from(s.waiting).unwrap_or(0)))
                    .collect()
            };
            self.push_services(&counts);
            self.refresh_ticket_service_name(&app);
        }
        self.refresh_clock();
    }

    fn refresh_ticket_service_name(&self, app: &AppWindow) {
        let queue = app.global::<Queue>();
        let mut view = queue.get_ticket();
        if view.number.is_empty() {
            return;
        }
        let shared = self.shared();
        let service = (shared.current_service.as_deref()).and_then(|id| shared.catalogue.get(id));
        if let Some(service) = service {
            view.service_name = service.name.text(shared.lang).into();
            queue.set_ticket(view);
        }
    }

    /// Shows the operations centre's home-screen notice (an empty text clears it).
    pub fn show_home_notice(&self, notice: crate::domain::maintenance::settings::HomeNotice) {
        *self.home_notice.borrow_mut() = notice;
        self.refresh_clock();
    }

    pub(super) fn refresh_clock(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let now = self.deps.clock.now();
        let notice = SharedString::from(self.home_notice.borrow().text_at(now));
        if app.global::<Kiosk>().get_home_notice() != notice {
            app.global::<Kiosk>().set_home_notice(notice);
        }
        let lang = self.shared().lang;
        let kiosk = app.global::<Kiosk>();
        let (date, time) = (
            SharedString::from(date_text(now, lang)),
            SharedString::from(time_text(now)),
        );
        // Only set what changed, so an idle home screen is not redrawn every second.
        if kiosk.get_date_text() != date {
            kiosk.set_date_text(date);
        }
        if kiosk.get_time_text() != time {
            kiosk.set_time_text(time);
        }
    }

    /// A citizen touched the screen.
    pub fn touched(&self) {
        if let Some(app) = self.app.upgrade() {
            app.global::<Kiosk>().set_idle_warning(false);
            if app.global::<Nav>().get_page() == Page::Maintenance {
                self.idle.stop();
                let hook = self.staff_activity.borrow().clone();
                if let Some(hook) = hook {
                    hook();
                }
                return;
            }
        }
        let me = self.me.clone();
        let me2 = self.me.clone();
        self.idle.restart(
            move |seconds_left| {
                if let Some(this) = me.upgrade() {
                    this.idle_warning(seconds_left);
                }
            },
            move || {
                if let Some(this) = me2.upgrade() {
                    this.end_session();
                }
            },
        );
        for observer in self.activity.borrow().iter() {
            observer();
        }
    }

    /// Runs `f` on every touch a citizen makes.
    pub fn on_activity(&self, f: impl Fn() + 'static) {
        self.activity.borrow_mut().push(Box::new(f));
    }

    /// The home screen with nothing of a citizen's session to forget: no question on
    /// screen, the default language, normal text size.
    pub fn at_rest(&self) -> bool {
        let Some(app) = self.app.upgrade() else {
            return false;
        };
        app.global::<Nav>().get_page() == Page::Home
            && !app.global::<Kiosk>().get_idle_warning()
            && self.citizen.borrow().is_none()
            && self.shared().lang == self.default_lang.get()
            && app.global::<Theme>().get_large_text() == self.default_large_text.get()
    }

    /// Shows 还在吗？ unless there is nothing to forget.
    fn idle_warning(&self, seconds_left: u32) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        // No time pressure while waiting for or talking with a lawyer.
        if self.video.active() {
            self.idle.stop();
            return;
        }
        if self.at_rest() {
            self.idle.stop();
            return;
        }
        let kiosk = app.global::<Kiosk>();
        kiosk.set_idle_seconds_left(i32::try_from(seconds_left).unwrap_or(i32::MAX));
        kiosk.set_idle_warning(true);
    }

    /// Shows a new catalogue (a newer `catalogue` bundle came into force), without a restart.
    pub fn set_catalogue(&self, catalogue: Arc<Catalogue>) {
        self.shared().catalogue = catalogue;
        let waiting = HashMap::new();
        self.push_services(&waiting);
        if let Some(app) = self.app.upgrade()
            && app.global::<Nav>().get_page() == Page::Services
        {
            self.open_services();
        }
    }

    /// The operations centre asked for a restart: leave the event loop; the service manager
    /// starts the kiosk again.
    pub fn request_restart(&self) {
        tracing::info!("restart requested by the operations centre");
        self.restart_requested.set(true);
        if let Err(e) = slint::quit_event_loop() {
            tracing::error!("cannot leave the event loop: {e}");
        }
    }

    pub fn restart_requested(&self) -> bool {
        self.restart_requested.get()
    }

    /// A handle worker threads can post to.
    pub fn ui_ref(&self) -> super::poster::UiRef<KioskController> {
        self.ui_ref
            .get()
            .cloned()
            .unwrap_or_else(|| unreachable!("set in attach"))
    }

    /// Something the printer thread can call to tell the UI whether tickets can be printed.
    pub fn printer_health_updater(&self) -> PrinterHealthUpdater {
        PrinterHealthUpdater {
            app: self.app.clone(),
            shared: self.shared.clone(),
            poster: self.deps.poster.clone(),
        }
    }
}

/// Tells the UI, from any thread, whether tickets can be printed.
#[derive(Clone)]
pub struct PrinterHealthUpdater {
    app: slint::Weak<AppWindow>,
    shared: Arc<Mutex<Shared>>,
    poster: Poster,
}

impl PrinterHealthUpdater {
    pub fn update(&self, health: &PrinterHealth) {
        let can_print = health.can_print();
        let (app, shared) = (self.app.clone(), self.shared.clone());
        self.poster.post(move || {
            shared.lock().unwrap_or_else(|e| e.into_inner()).can_print = can_print;
            if let Some(app) = app.upgrade() {
                app.global::<Kiosk>().set_printing_available(can_print);
            }
        });
    }
}

/// The services in `lang`, with how many people wait for each.
fn services_model(
    catalogue: &Catalogue,
    lang: Lang,
    waiting: &HashMap<String, u32>,
) -> ModelRc<ServiceEntry> {
    let entries: Vec<ServiceEntry> = catalogue
        .services()
        .iter()
        .map(|s| ServiceEntry {
            id: s.id.clone().into(),
            name: s.name.text(lang).into(),
            description: s.description.text(lang).into(),
            prefix: s.prefix.to_string().into(),
            waiting: i32::try_from(waiting.get(&s.id).copied().unwrap_or(0)).unwrap_or(i32::MAX),
        })
        .collect();
    ModelRc::new(VecModel::from(entries))
}
