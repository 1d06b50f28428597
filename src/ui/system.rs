//! The `System` global's controller: the terminal around the citizen's session. After a
//! long quiet spell on the home screen the screen goes dark with a slow attract loop (one
//! message at a time, moved every few seconds: one software-rendered frame per step); a
//! touch or someone walking up (presence sensor) wakes it, and someone walking up to a
//! resting kiosk is greeted. Calls for staff show here and expire here (Slint timers, so
//! headless tests drive them with mock time); the call itself is the staff-call service's.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use slint::{ComponentHandle, Timer, TimerMode};

use super::shell::{Shell, callback, callback_with};
use super::{AppWindow, CallSource, System};
use crate::config::ScreenSaverConfig;
use crate::services::staff_calls::{CallOrigin, StaffCallService};

pub struct SystemController {
    me: Weak<Self>,
    shell: Shell,
    config: ScreenSaverConfig,
    staff_calls: StaffCallService,
    /// How long a call waits for staff before it expires.
    call_expires_after: Duration,
    quiet: Timer,
    attract: Timer,
    greeting: Timer,
    expiry: Timer,
    /// The call the expiry timer runs for.
    expiring: RefCell<Option<String>>,
    someone_there: Cell<bool>,
    /// Told to the software updater: no install while someone uses the terminal.
    citizen_present: Arc<AtomicBool>,
}

impl SystemController {
    pub fn attach(
        app: &AppWindow,
        shell: Shell,
        config: ScreenSaverConfig,
        staff_calls: StaffCallService,
        call_expires_after: Duration,
        citizen_present: Arc<AtomicBool>,
    ) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            me: me.clone(),
            shell: shell.clone(),
            config,
            staff_calls,
            call_expires_after,
            quiet: Timer::default(),
            attract: Timer::default(),
            greeting: Timer::default(),
            expiry: Timer::default(),
            expiring: RefCell::new(None),
            someone_there: Cell::new(false),
            citizen_present,
        });
        let me = this.me.clone();
        let system = app.global::<System>();
        system.on_wake(callback(&me, |this| this.wake()));
        system.on_presence_changed(callback_with(&me, |this, present: bool| {
            this.presence(present)
        }));
        system.on_call_staff(callback_with(&me, |this, source: CallSource| {
            let origin = match source {
                CallSource::Screen => CallOrigin::Screen,
                CallSource::Button => CallOrigin::Button,
            };
            // Shown at once for the citizen who tapped; the event confirms it later.
            if this.staff_calls.raise(origin).is_some() {
                this.staff_call(true);
            }
        }));
        system.on_answer_call(callback(&me, |this| {
            if this.staff_calls.answer().is_some() {
                this.staff_call(false);
            }
        }));
        let m = me.clone();
        shell.on_activity(move || {
            if let Some(this) = m.upgrade() {
                this.activity();
            }
        });
        this.activity();
        this
    }

    super::shell::with_global!(System);

    /// Whether the screen-saver is on.
    pub fn screensaver_on(&self) -> bool {
        self.shell
            .app()
            .is_some_and(|app| app.global::<System>().get_screensaver())
    }

    /// A citizen touched something: the quiet spell starts again.
    fn activity(&self) {
        // Until the quiet spell is over (or, without a screen-saver, while a citizen's
        // session is open), someone may be at the screen.
        let at_rest = self.shell.at_rest() && !self.someone_there.get();
        let Some(after) = self.config.after() else {
            self.citizen_present.store(!at_rest, Ordering::Relaxed);
            return;
        };
        self.citizen_present.store(true, Ordering::Relaxed);
        let me = self.me.clone();
        self.quiet.start(TimerMode::SingleShot, after, move || {
            if let Some(this) = me.upgrade() {
                this.quiet_spell_over();
            }
        });
    }

    /// A touch on the screen-saver: back to the home screen.
    fn wake(&self) {
        if self.screensaver_on() {
            tracing::debug!("screen-saver off");
        }
        self.attract.stop();
        self.with(|s| s.set_screensaver(false));
        self.activity();
    }

    /// The presence sensor saw someone arrive or leave.
    pub fn presence(&self, present: bool) {
        self.someone_there.set(present);
        if !present {
            self.activity();
            return;
        }
        self.wake();
        if self.shell.at_rest() {
            self.greet();
        }
    }

    fn quiet_spell_over(&self) {
        if !self.shell.at_rest() || self.someone_there.get() {
            // Someone is using the kiosk or standing in front of it: wait another spell.
            self.activity();
            return;
        }
        tracing::debug!("screen-saver on");
        self.citizen_present.store(false, Ordering::Relaxed);
        self.with(|s| {
            s.set_attract_step(0);
            s.set_greeting(false);
            s.set_screensaver(true);
        });
        let weak = self.shell.app_weak();
        self.attract
            .start(TimerMode::Repeated, self.config.attract_step(), move || {
                if let Some(app) = weak.upgrade() {
                    let system = app.global::<System>();
                    system.set_attract_step(system.get_attract_step().wrapping_add(1) % 1000);
                }
            });
    }

    fn greet(&self) {
        self.with(|s| s.set_greeting(true));
        let weak = self.shell.app_weak();
        self.greeting
            .start(TimerMode::SingleShot, self.config.greeting(), move || {
                if let Some(app) = weak.upgrade() {
                    app.global::<System>().set_greeting(false);
                }
            });
    }

    /// A staff call started or ended (from the screen, the button or the menu).
    pub fn staff_call(&self, waiting: bool) {
        self.with(|s| s.set_staff_call_active(waiting));
        if !waiting {
            self.expiry.stop();
            self.expiring.borrow_mut().take();
            return;
        }
        let Some(call) = self.staff_calls.waiting() else {
            return;
        };
        if self.expiring.borrow().as_deref() == Some(call.call_id.as_str()) {
            return;
        }
        *self.expiring.borrow_mut() = Some(call.call_id.clone());
        let (me, id) = (self.me.clone(), call.call_id);
        self.expiry
            .start(TimerMode::SingleShot, self.call_expires_after, move || {
                if let Some(this) = me.upgrade()
                    && this.staff_calls.expire(&id).is_some()
                {
                    this.staff_call(false);
                }
            });
    }
}
