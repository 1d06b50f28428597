//! The screen-saver and the greeting. After a long quiet spell on the home screen the
//! screen goes dark with a slow attract loop (one message at a time, moved every few
//! seconds: one software-rendered frame per step, nothing animated in between). A touch
//! or someone walking up (presence sensor) wakes it; someone walking up to a resting kiosk
//! is greeted. Built on Slint timers on the UI thread, so headless tests drive it with mock
//! time.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use slint::{ComponentHandle, Timer, TimerMode};

use crate::config::ScreenSaverConfig;
use crate::ui::{AppWindow, KioskController, System};

/// The screen-saver of one kiosk window.
pub struct ScreenSaver {
    me: Weak<ScreenSaver>,
    app: slint::Weak<AppWindow>,
    controller: Weak<KioskController>,
    config: ScreenSaverConfig,
    quiet: Timer,
    attract: Timer,
    greeting: Timer,
    someone_there: Cell<bool>,
}

impl ScreenSaver {
    /// Connects the screen-saver to `app` (touch on the saver, presence) and to the
    /// controller's activity, and starts waiting for a quiet spell.
    pub fn attach(
        app: &AppWindow,
        controller: &Rc<KioskController>,
        config: &ScreenSaverConfig,
    ) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            me: me.clone(),
            app: app.as_weak(),
            controller: Rc::downgrade(controller),
            config: config.clone(),
            quiet: Timer::default(),
            attract: Timer::default(),
            greeting: Timer::default(),
            someone_there: Cell::new(false),
        });
        let system = app.global::<System>();
        let me = this.me.clone();
        system.on_wake(move || {
            if let Some(this) = me.upgrade() {
                this.wake();
            }
        });
        let me = this.me.clone();
        system.on_presence_changed(move |present| {
            if let Some(this) = me.upgrade() {
                this.presence(present);
            }
        });
        let me = this.me.clone();
        controller.on_activity(move || {
            if let Some(this) = me.upgrade() {
                this.activity();
            }
        });
        this.activity();
        this
    }

    /// Whether the screen-saver is on.
    pub fn is_on(&self) -> bool {
        self.app
            .upgrade()
            .is_some_and(|app| app.global::<System>().get_screensaver())
    }

    /// A citizen touched something: the quiet spell starts again.
    pub fn activity(&self) {
        let Some(after) = self.config.after() else {
            return;
        };
        let me = self.me.clone();
        self.quiet.start(TimerMode::SingleShot, after, move || {
            if let Some(this) = me.upgrade() {
                this.quiet_spell_over();
            }
        });
    }

    /// A touch on the screen-saver: back to the home screen.
    pub fn wake(&self) {
        if self.is_on() {
            tracing::debug!("screen-saver off");
        }
        self.attract.stop();
        if let Some(app) = self.app.upgrade() {
            app.global::<System>().set_screensaver(false);
        }
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
        let at_rest = self.controller.upgrade().is_some_and(|c| c.at_rest());
        if at_rest {
            self.greet();
        }
    }

    fn quiet_spell_over(&self) {
        let at_rest = self.controller.upgrade().is_some_and(|c| c.at_rest());
        if !at_rest || self.someone_there.get() {
            // Someone is using the kiosk or standing in front of it: wait another spell.
            self.activity();
            return;
        }
        let Some(app) = self.app.upgrade() else {
            return;
        };
        tracing::debug!("screen-saver on");
        let system = app.global::<System>();
        system.set_attract_step(0);
        system.set_greeting(false);
        system.set_screensaver(true);
        let weak = self.app.clone();
        self.attract
            .start(TimerMode::Repeated, self.config.attract_step(), move || {
                if let Some(app) = weak.upgrade() {
                    let system = app.global::<System>();
                    system.set_attract_step(system.get_attract_step().wrapping_add(1) % 1000);
                }
            });
    }

    fn greet(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        app.global::<System>().set_greeting(true);
        let weak = self.app.clone();
        self.greeting
            .start(TimerMode::SingleShot, self.config.greeting(), move || {
                if let Some(app) = weak.upgrade() {
                    app.global::<System>().set_greeting(false);
                }
            });
    }
}
