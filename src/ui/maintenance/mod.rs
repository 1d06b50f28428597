//! The staff maintenance menu on the touchscreen: the hidden gesture, the PIN pad, the
//! staff session with its idle timeout, and the pages. The domain (accounts, login,
//! lockout, audit, settings) is `crate::domain::maintenance`; this module only connects it to the
//! `Maintenance` global. Nothing here runs SQL, hashing or file I/O on the UI thread: that
//! goes to the store thread, the login thread or the maintenance background thread, and
//! results come back through the [`Poster`], dropped if the menu was closed meanwhile.

mod citizen;
mod pages;
mod printer;
mod queue;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, Timer, TimerMode};
use zeroize::Zeroizing;

use super::controller::KioskController;
use super::poster::Poster;
use super::{AppWindow, MaintScreen, Maintenance, Nav, Page, PinMessage};
use crate::clock::Clock;
use crate::config::KioskConfig;
use crate::devices::printing::PrinterHandle;
use crate::domain::maintenance::audit::{self, Actor, Outcome, action};
use crate::domain::maintenance::background::Background;
use crate::domain::maintenance::backlight::Backlight;
use crate::domain::maintenance::gesture::{Corner, GestureDetector, Step};
use crate::domain::maintenance::logs::LogRing;
use crate::domain::maintenance::reader::ReaderDiagnostics;
use crate::domain::maintenance::{
    Authenticator, LoginError, MaintenanceConfig, Pin, PinError, Role, StaffSession, lockout, pin,
};
use crate::domain::queue::Catalogue;
use crate::store::worker::Worker;

pub use citizen::ServiceStateUpdater;
pub use printer::MaintenancePrinterUpdater;

/// What the maintenance menu needs from the rest of the firmware.
pub struct MaintenanceDeps {
    pub config: MaintenanceConfig,
    /// The link to the operations centre: enrolment and its state.
    pub sync: std::sync::Arc<crate::sync::SyncControl>,
    /// For reprints: centre name and ticket URL.
    pub kiosk: KioskConfig,
    pub catalogue: Arc<Catalogue>,
    pub worker: Worker,
    /// `None` when the terminal has no printer.
    pub printer: Option<PrinterHandle>,
    pub clock: Arc<dyn Clock>,
    pub poster: Poster,
    /// The data folder (its disk's free space is shown).
    pub data_dir: PathBuf,
    /// The recent log lines.
    pub logs: LogRing,
}

/// What a page may need of the logged-in account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    AnyStaff,
    Installer,
}

/// The maintenance menu's controller. Lives on the UI thread, next to the kiosk controller.
pub struct MaintenanceController {
    /// Finds this controller again for results posted from other threads.
    id: u64,
    me: Weak<MaintenanceController>,
    app: slint::Weak<AppWindow>,
    kiosk: Rc<KioskController>,
    deps: MaintenanceDeps,
    auth: Authenticator,
    background: Background,
    gesture: RefCell<GestureDetector>,
    hold_timer: Timer,
    idle_timer: Timer,
    /// The digits typed so far; never in a Slint property.
    pin: RefCell<Zeroizing<String>>,
    session: RefCell<Option<StaffSession>>,
    /// Changes each time the menu opens or closes: results for an earlier opening are dropped.
    epoch: Arc<AtomicU64>,
    reader: RefCell<Option<Arc<dyn ReaderDiagnostics>>>,
    backlight: Option<Backlight>,
    /// The printer's state as last seen, shared with the printer's health updates.
    printer_view: Arc<Mutex<super::PrinterView>>,
    started: Instant,
}

impl MaintenanceController {
    /// Connects the menu to `app`; `kiosk` is the citizen side it hands the screen back to.
    pub fn attach(
        app: &AppWindow,
        kiosk: Rc<KioskController>,
        deps: MaintenanceDeps,
    ) -> std::io::Result<Rc<Self>> {
        let auth = Authenticator::spawn(
            deps.worker.clone(),
            deps.clock.clone(),
            deps.config.lockout(),
        )?;
        let background = Background::spawn("maintenance")?;
        let backlight = Backlight::find(&deps.config.backlight_dir);
        let printer_view = super::PrinterView {
            configured: deps.printer.is_some(),
            ..Default::default()
        };
        let this = Rc::new_cyclic(|me| Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            me: me.clone(),
            app: app.as_weak(),
            kiosk,
            gesture: RefCell::new(GestureDetector::new(deps.config.gesture())),
            deps,
            auth,
            background,
            hold_timer: Timer::default(),
            idle_timer: Timer::default(),
            pin: RefCell::new(Zeroizing::new(String::new())),
            session: RefCell::new(None),
            epoch: Arc::new(AtomicU64::new(0)),
            reader: RefCell::new(None),
            backlight,
            printer_view: Arc::new(Mutex::new(printer_view)),
            started: Instant::now(),
        });
        this.register();
        this.wire(app);
        let me = this.me.clone();
        let hook: Rc<dyn Fn()> = Rc::new(move || {
            if let Some(this) = me.upgrade() {
                this.restart_idle();
            }
        });
        *this.kiosk.staff_activity.borrow_mut() = Some(hook);
        this.load_at_start();
        Ok(this)
    }

    fn wire(&self, app: &AppWindow) {
        let m = app.global::<Maintenance>();
        let corner = self.deps.config.corner;
        m.set_corner_right(matches!(corner, Corner::TopRight | Corner::BottomRight));
        m.set_corner_bottom(matches!(corner, Corner::BottomLeft | Corner::BottomRight));
        m.set_printer(
            self.printer_view
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        );
        m.set_version(crate::domain::maintenance::system::VERSION.into());
        m.set_licence(crate::domain::maintenance::system::LICENCE.into());
        m.set_source_url(crate::domain::maintenance::system::SOURCE_URL.into());
        m.set_service_prefixes(slint::ModelRc::new(slint::VecModel::from(
            self.deps
                .catalogue
                .services()
                .iter()
                .map(|s| slint::SharedString::from(s.prefix.to_string()))
                .collect::<Vec<_>>(),
        )));

        m.on_corner_pressed(self.callback(|this| this.corner_pressed()));
        m.on_corner_released(self.callback(|this| this.corner_released()));
        let me = self.me.clone();
        m.on_pin_digit(move |d| {
            if let Some(this) = me.upgrade() {
                this.pin_digit(d);
            }
        });
        m.on_pin_delete(self.callback(|this| this.pin_delete()));
        m.on_pin_submit(self.callback(|this| this.pin_submit()));
        m.on_cancel(self.callback(|this| this.close("cancel")));
        m.on_log_out(self.callback(|this| this.close("log_out")));
        let me = self.me.clone();
        m.on_open(move |screen| {
            if let Some(this) = me.upgrade() {
                this.open_screen(screen);
            }
        });
        m.on_back(self.callback(|this| this.open_screen(MaintScreen::Menu)));
        self.wire_pages(&m);
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

    /// Lets the GPIO key switch (or anything else on the UI thread) open the PIN pad.
    pub fn open_pin_pad(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        if self.session.borrow().is_some() {
            return;
        }
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.pin.borrow_mut().clear();
        // Forget any citizen's session before the screen changes hands.
        self.kiosk.go_home();
        let m = app.global::<Maintenance>();
        m.set_pin_length(0);
        m.set_pin_message(PinMessage::Enter);
        m.set_screen(MaintScreen::PinPad);
        app.global::<Nav>().set_page(Page::Maintenance);
        self.restart_idle();
        self.show_lock_state();
    }

    /// A handle that opens the PIN pad from any thread (the GPIO key switch's thread).
    pub fn pin_pad_opener(&self) -> PinPadOpener {
        PinPadOpener {
            id: self.id,
            poster: self.deps.poster.clone(),
        }
    }

    /// The firmware's reader integration hands the menu its diagnostics here.
    pub fn set_reader(&self, reader: Arc<dyn ReaderDiagnostics>) {
        *self.reader.borrow_mut() = Some(reader);
    }

    /// Whether a staff member is logged in (for tests and the GPIO wiring).
    pub fn logged_in(&self) -> Option<(String, Role)> {
        self.session
            .borrow()
            .as_ref()
            .map(|s| (s.name.clone(), s.role))
    }

    fn corner_pressed(&self) {
        let step = self.gesture.borrow_mut().press();
        self.gesture_step(step);
    }

    fn corner_released(&self) {
        let step = self.gesture.borrow_mut().release(Instant::now());
        self.gesture_step(step);
    }

    fn gesture_step(&self, step: Step) {
        match step {
            Step::Nothing => {}
            Step::StartHoldTimer(hold) => {
                let me = self.me.clone();
                self.hold_timer.start(TimerMode::SingleShot, hold, move || {
                    if let Some(this) = me.upgrade() {
                        let step = this.gesture.borrow_mut().hold_elapsed();
                        this.gesture_step(step);
                    }
                });
            }
            Step::CancelHoldTimer => self.hold_timer.stop(),
            Step::Open => self.open_pin_pad(),
        }
    }

    /// The menu (or the PIN pad) closes itself after a quiet spell.
    fn restart_idle(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        if app.global::<Nav>().get_page() != Page::Maintenance {
            return;
        }
        let secs = if self.session.borrow().is_some() {
            self.deps.config.menu_idle_secs
        } else {
            self.deps.config.pin_pad_idle_secs
        };
        let me = self.me.clone();
        self.idle_timer.start(
            TimerMode::SingleShot,
            Duration::from_secs(secs),
            move || {
                if let Some(this) = me.upgrade() {
                    this.close("idle");
                }
            },
        );
    }

    /// Ends the staff session (audited) and gives the screen back to citizens.
    fn close(&self, reason: &'static str) {
        self.idle_timer.stop();
        self.hold_timer.stop();
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.pin.borrow_mut().clear();
        if let Some(session) = self.session.borrow_mut().take() {
            self.audit(
                &session.actor(),
                action::LOGOUT,
                Outcome::Ok,
                serde_json::json!({ "reason": reason }),
            );
            tracing::info!(reason, "maintenance menu closed");
        }
        if let Some(app) = self.app.upgrade() {
            let m = app.global::<Maintenance>();
            m.set_staff_name("".into());
            m.set_installer(false);
            m.set_pin_length(0);
            m.set_screen(MaintScreen::PinPad);
        }
        self.kiosk.go_home();
    }

    fn pin_digit(&self, digit: i32) {
        let Ok(digit) = u8::try_from(digit) else {
            return;
        };
        if digit > 9 {
            return;
        }
        let len = {
            let mut pin = self.pin.borrow_mut();
            if pin.len() < pin::MAX_LEN {
                pin.push(char::from(b'0' + digit));
            }
            pin.len()
        };
        self.show_pin_typed(len);
    }

    fn pin_delete(&self) {
        let len = {
            let mut pin = self.pin.borrow_mut();
            pin.pop();
            pin.len()
        };
        self.show_pin_typed(len);
    }

    fn show_pin_typed(&self, len: usize) {
        if let Some(app) = self.app.upgrade() {
            let m = app.global::<Maintenance>();
            m.set_pin_length(i32::try_from(len).unwrap_or(0));
            if m.get_pin_message() != PinMessage::Locked {
                m.set_pin_message(PinMessage::Enter);
            }
        }
    }

    fn pin_submit(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let m = app.global::<Maintenance>();
        if matches!(
            m.get_pin_message(),
            PinMessage::Checking | PinMessage::Locked
        ) {
            return;
        }
        let typed = std::mem::replace(&mut *self.pin.borrow_mut(), Zeroizing::new(String::new()));
        m.set_pin_length(0);
        let pin = match Pin::parse(&typed) {
            Ok(pin) => pin,
            Err(
                PinError::TooShort
                | PinError::Empty
                | PinError::NotDigits
                | PinError::TooLong
                | PinError::TooSimple,
            ) => {
                m.set_pin_message(PinMessage::TooShort);
                return;
            }
        };
        m.set_pin_message(PinMessage::Checking);
        let post = self.post_ui();
        self.auth.login(pin, move |result| {
            post(task(move |this, app| this.login_done(app, result)));
        });
    }

    fn login_done(&self, app: &AppWindow, result: Result<StaffSession, LoginError>) {
        let m = app.global::<Maintenance>();
        match result {
            Ok(session) => {
                tracing::info!(role = session.role.as_str(), "staff logged in");
                m.set_staff_name(session.name.clone().into());
                m.set_installer(session.role == Role::Installer);
                *self.session.borrow_mut() = Some(session);
                m.set_pin_message(PinMessage::Enter);
                self.open_screen(MaintScreen::Menu);
                self.restart_idle();
            }
            Err(LoginError::WrongPin {
                after: lockout::AfterFailure::TriesLeft(n),
            }) => {
                m.set_tries_left(i32::try_from(n).unwrap_or(0));
                m.set_pin_message(PinMessage::Wrong);
            }
            Err(
                LoginError::WrongPin {
                    after: lockout::AfterFailure::Locked(remaining),
                }
                | LoginError::Locked { remaining },
            ) => show_locked(&m, remaining),
            Err(LoginError::NoAccounts) => m.set_pin_message(PinMessage::NoAccounts),
            Err(LoginError::Store(e)) => {
                tracing::error!("cannot check a staff PIN: {e}");
                m.set_pin_message(PinMessage::Failed);
            }
        }
    }

    /// Shows the lock on the PIN pad if the menu is locked now.
    fn show_lock_state(&self) {
        let now = self.deps.clock.now();
        let post = self.post_ui();
        self.deps.worker.submit(move |store| {
            let remaining = match lockout::load(store.conn()) {
                Ok(state) => state.remaining(now),
                Err(e) => {
                    tracing::error!("cannot read the lockout: {e}");
                    return;
                }
            };
            post(task(move |_, app| {
                let m = app.global::<Maintenance>();
                match remaining {
                    Some(remaining) => show_locked(&m, remaining),
                    None if m.get_pin_message() == PinMessage::Locked => {
                        m.set_pin_message(PinMessage::Enter)
                    }
                    None => {}
                }
            }));
        });
    }

    /// The logged-in session if it may do what `need` asks; otherwise the PIN pad (no
    /// session) or an audited refusal (wrong role), and `None`.
    fn require(&self, need: Need, what: &str) -> Option<StaffSession> {
        let session = self.session.borrow().clone();
        let Some(session) = session else {
            self.open_pin_pad();
            return None;
        };
        if need == Need::Installer && session.role != Role::Installer {
            self.audit(
                &session.actor(),
                what,
                Outcome::Refused,
                serde_json::json!({ "reason": "installer_only" }),
            );
            return None;
        }
        Some(session)
    }

    /// Writes an audit entry on the store thread.
    fn audit(&self, actor: &Actor, action: &str, outcome: Outcome, detail: serde_json::Value) {
        let (actor, action, at) = (actor.clone(), action.to_string(), self.deps.clock.now());
        self.deps.worker.submit(move |store| {
            audit::record_alone(store.conn(), &actor, &action, outcome, detail, at);
        });
    }

    /// A sender for results from other threads: runs on the UI thread, with this controller,
    /// unless the menu was closed or reopened meanwhile.
    fn post_ui(&self) -> impl Fn(UiTask) + Send + Clone + 'static {
        self.post_ui_from(Some(self.epoch.load(Ordering::SeqCst)))
    }

    /// Like [`Self::post_ui`], for results that matter whether or not the menu is open.
    fn post_ui_always(&self) -> impl Fn(UiTask) + Send + Clone + 'static {
        self.post_ui_from(None)
    }

    fn post_ui_from(&self, at_epoch: Option<u64>) -> impl Fn(UiTask) + Send + Clone + 'static {
        let (weak, epoch, poster, id) = (
            self.app.clone(),
            self.epoch.clone(),
            self.deps.poster.clone(),
            self.id,
        );
        move |task: UiTask| {
            let (weak, epoch) = (weak.clone(), epoch.clone());
            poster.post(move || {
                if at_epoch.is_some_and(|e| e != epoch.load(Ordering::SeqCst)) {
                    return;
                }
                let Some(app) = weak.upgrade() else { return };
                with_controller(id, |this| task(this, &app));
            });
        }
    }
}

/// Work for the UI thread, posted from another thread.
type UiTask = Box<dyn FnOnce(&MaintenanceController, &AppWindow) + Send>;

/// Boxes a closure as a [`UiTask`] (the bound lets the closure's argument types be inferred).
fn task(f: impl FnOnce(&MaintenanceController, &AppWindow) + Send + 'static) -> UiTask {
    Box::new(f)
}

thread_local! {
    /// The controllers of this UI thread by id, for results posted from other threads (an
    /// `Rc` cannot cross threads; the task finds its controller again here).
    static CONTROLLERS: RefCell<HashMap<u64, Weak<MaintenanceController>>> =
        RefCell::new(HashMap::new());
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Runs `f` with controller `id` if it still lives on this thread.
fn with_controller(id: u64, f: impl FnOnce(&MaintenanceController)) {
    let this = CONTROLLERS.with(|c| c.borrow().get(&id).and_then(Weak::upgrade));
    if let Some(this) = this {
        f(&this);
    }
}

impl MaintenanceController {
    /// Registers this controller as one of the UI thread's (done by `attach`).
    fn register(self: &Rc<Self>) {
        CONTROLLERS.with(|c| c.borrow_mut().insert(self.id, Rc::downgrade(self)));
    }
}

impl Drop for MaintenanceController {
    fn drop(&mut self) {
        let _ = CONTROLLERS.try_with(|c| c.borrow_mut().remove(&self.id));
    }
}

fn show_locked(m: &Maintenance<'_>, remaining: Duration) {
    let minutes = remaining.as_secs().div_ceil(60).max(1);
    m.set_locked_minutes(i32::try_from(minutes).unwrap_or(i32::MAX));
    m.set_pin_message(PinMessage::Locked);
}

/// Opens the PIN pad from any thread (a GPIO key switch).
#[derive(Clone)]
pub struct PinPadOpener {
    id: u64,
    poster: Poster,
}

impl PinPadOpener {
    /// Opens the PIN pad (posted to the UI thread); nothing happens while staff are logged in.
    pub fn open(&self) {
        let id = self.id;
        self.poster
            .post(move || with_controller(id, |this| this.open_pin_pad()));
    }
}
