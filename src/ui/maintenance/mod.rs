//! The staff maintenance menu on the touchscreen: the hidden gesture, the PIN pad, the
//! staff session with its idle timeout, and the pages. The domain (accounts, login,
//! lockout, audit, settings) is `crate::domain::maintenance`; this module only connects it to the
//! `Maintenance` global. Nothing here runs SQL, hashing or file I/O on the UI thread: that
//! goes to the store thread, the login thread or the maintenance background thread, and
//! results come back through the [`Poster`], dropped if the menu was closed meanwhile.

mod about;
mod citizen;
mod pages;
mod printer;
mod queue;
mod update;

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, Timer, TimerMode};
use zeroize::Zeroizing;

use super::shell::poster::{Poster, UiRef};
use super::shell::{Intent, Shell};
use super::{AppWindow, MaintScreen, Maintenance, Page, PinMessage};
use crate::config::KioskConfig;
use crate::domain::maintenance::audit::{Actor, Outcome, action};
use crate::domain::maintenance::gesture::{Corner, GestureDetector, Step};
use crate::domain::maintenance::reader::ReaderDiagnostics;
use crate::domain::maintenance::{LoginError, Pin, PinError, Role, StaffSession, lockout, pin};
use crate::domain::queue::Catalogue;
use crate::services::printing::PrintService;
use crate::services::settings::SettingsService;
use crate::services::staff::StaffService;
use crate::session::{Epoch, Guard};

pub use citizen::apply_defaults;

/// What the maintenance menu needs from the rest of the firmware.
pub struct MaintenanceDeps {
    pub staff: StaffService,
    pub settings: SettingsService,
    /// The link to the operations centre: enrolment and its state.
    pub sync: std::sync::Arc<crate::sync::SyncControl>,
    pub kiosk: KioskConfig,
    /// The services in force (for reprints and the queue page).
    pub catalogue: Box<dyn Fn() -> Arc<Catalogue>>,
    pub printing: PrintService,
    /// The content in force: the About page shows its legal-aid rules (unverified items marked).
    pub content: crate::services::ContentService,
}

/// What a page may need of the logged-in account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    AnyStaff,
    Installer,
}

/// The maintenance menu's controller (the `Maintenance` global).
pub struct MaintenanceController {
    me: Weak<MaintenanceController>,
    ui: UiRef<MaintenanceController>,
    shell: Shell,
    deps: MaintenanceDeps,
    gesture: RefCell<GestureDetector>,
    hold_timer: Timer,
    idle_timer: Timer,
    /// The digits typed so far; never in a Slint property.
    pin: RefCell<Zeroizing<String>>,
    session: RefCell<Option<StaffSession>>,
    /// Advances each time the menu opens or closes: results for an earlier opening are
    /// dropped.
    opening: Epoch,
    reader: RefCell<Option<Arc<dyn ReaderDiagnostics>>>,
    /// The printer's state as last seen.
    printer_view: Arc<Mutex<super::PrinterView>>,
}

impl MaintenanceController {
    /// Connects the menu to `app`; going home hands the screen back to citizens.
    pub fn attach(app: &AppWindow, shell: Shell, deps: MaintenanceDeps) -> Rc<Self> {
        let printer_view = super::PrinterView {
            configured: deps.printing.configured(),
            ..Default::default()
        };
        let this = Rc::new_cyclic(|me| Self {
            me: me.clone(),
            ui: UiRef::from_weak(me),
            shell: shell.clone(),
            gesture: RefCell::new(GestureDetector::new(deps.staff.config().gesture())),
            deps,
            hold_timer: Timer::default(),
            idle_timer: Timer::default(),
            pin: RefCell::new(Zeroizing::new(String::new())),
            session: RefCell::new(None),
            opening: Epoch::new(),
            reader: RefCell::new(None),
            printer_view: Arc::new(Mutex::new(printer_view)),
        });
        this.wire(app);
        let me = this.me.clone();
        shell.on_staff_activity(move || {
            if let Some(this) = me.upgrade() {
                this.restart_idle();
            }
        });
        let me = this.me.clone();
        shell.on_intent(move |intent| match (me.upgrade(), intent) {
            (Some(this), Intent::OpenPinPad) => {
                this.open_pin_pad();
                true
            }
            _ => false,
        });
        this.load_at_start();
        this
    }

    fn wire(&self, app: &AppWindow) {
        let m = app.global::<Maintenance>();
        let corner = self.deps.staff.config().corner;
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
            (self.deps.catalogue)()
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
        super::shell::callback(&self.me, f)
    }

    fn app(&self) -> Option<AppWindow> {
        self.shell.app()
    }

    /// Lets the GPIO key switch (or anything else on the UI thread) open the PIN pad.
    pub fn open_pin_pad(&self) {
        let Some(app) = self.app() else {
            return;
        };
        if self.session.borrow().is_some() {
            return;
        }
        self.opening.advance();
        self.pin.borrow_mut().clear();
        // Forget any citizen's session before the screen changes hands.
        self.shell.go_home();
        let m = app.global::<Maintenance>();
        m.set_pin_length(0);
        m.set_pin_message(PinMessage::Enter);
        m.set_screen(MaintScreen::PinPad);
        self.shell.show(Page::Maintenance);
        self.restart_idle();
        self.show_lock_state();
    }

    /// A handle that opens the PIN pad from any thread (the GPIO key switch's thread).
    pub fn pin_pad_opener(&self) -> PinPadOpener {
        PinPadOpener {
            ui: self.ui.clone(),
            poster: self.shell.poster().clone(),
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
        if self.shell.page() != Page::Maintenance {
            return;
        }
        let secs = if self.session.borrow().is_some() {
            self.deps.staff.config().menu_idle_secs
        } else {
            self.deps.staff.config().pin_pad_idle_secs
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
        self.opening.advance();
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
        if let Some(app) = self.app() {
            let m = app.global::<Maintenance>();
            m.set_staff_name("".into());
            m.set_installer(false);
            m.set_pin_length(0);
            m.set_screen(MaintScreen::PinPad);
        }
        self.shell.go_home();
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
        if let Some(app) = self.app() {
            let m = app.global::<Maintenance>();
            m.set_pin_length(i32::try_from(len).unwrap_or(0));
            if m.get_pin_message() != PinMessage::Locked {
                m.set_pin_message(PinMessage::Enter);
            }
        }
    }

    fn pin_submit(&self) {
        let Some(app) = self.app() else {
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
        self.deps.staff.login(pin, move |result| {
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
        let post = self.post_ui();
        self.deps.staff.locked_for(move |remaining| {
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

    /// Records a staff action (on the store thread).
    fn audit(&self, actor: &Actor, action: &str, outcome: Outcome, detail: serde_json::Value) {
        self.deps.staff.audit(actor, action, outcome, detail);
    }

    /// A sender for results from other threads: runs on the UI thread, with this controller,
    /// unless the menu was closed or reopened meanwhile.
    fn post_ui(&self) -> impl Fn(UiTask) + Send + Clone + 'static {
        self.post_ui_while(Some(self.opening.guard()))
    }

    /// Like [`Self::post_ui`], for results that matter whether or not the menu is open.
    fn post_ui_always(&self) -> impl Fn(UiTask) + Send + Clone + 'static {
        self.post_ui_while(None)
    }

    fn post_ui_while(&self, guard: Option<Guard>) -> impl Fn(UiTask) + Send + Clone + 'static {
        let (poster, ui) = (self.shell.poster().clone(), self.ui.clone());
        move |task: UiTask| {
            let guard = guard.clone();
            poster.post_to(&ui, move |this: &MaintenanceController| {
                if guard.as_ref().is_some_and(|g| !g.holds()) {
                    return;
                }
                if let Some(app) = this.app() {
                    task(this, &app);
                }
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

fn show_locked(m: &Maintenance<'_>, remaining: Duration) {
    let minutes = remaining.as_secs().div_ceil(60).max(1);
    m.set_locked_minutes(i32::try_from(minutes).unwrap_or(i32::MAX));
    m.set_pin_message(PinMessage::Locked);
}

/// Opens the PIN pad from any thread (a GPIO key switch).
#[derive(Clone)]
pub struct PinPadOpener {
    ui: UiRef<MaintenanceController>,
    poster: Poster,
}

impl PinPadOpener {
    /// Opens the PIN pad (posted to the UI thread); nothing happens while staff are logged in.
    pub fn open(&self) {
        self.poster.post_to(&self.ui, |this| this.open_pin_pad());
    }
}
