//! The idle watch: after a quiet spell it asks 还在吗？ with a countdown, and when the
//! countdown ends the kiosk goes home. Built on Slint timers, so it runs on the UI thread
//! and follows mock time in headless tests.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use slint::{Timer, TimerMode};

pub struct IdleWatch(Rc<Inner>);

struct Inner {
    quiet: Timer,
    countdown: Timer,
    warn_after: Cell<Duration>,
    warn_for_secs: Cell<u32>,
    seconds_left: Cell<u32>,
}

impl IdleWatch {
    /// `warn_after` of quiet, then a countdown of `warn_for` before timing out.
    pub fn new(warn_after: Duration, warn_for: Duration) -> Self {
        Self(Rc::new(Inner {
            quiet: Timer::default(),
            countdown: Timer::default(),
            warn_after: Cell::new(warn_after),
            warn_for_secs: Cell::new(u32::try_from(warn_for.as_secs()).unwrap_or(u32::MAX)),
            seconds_left: Cell::new(0),
        }))
    }

    /// Changes the timing from the next quiet spell on (staff changed the idle timeout).
    pub fn set_timing(&self, warn_after: Duration, warn_for: Duration) {
        self.0.warn_after.set(warn_after);
        self.0
            .warn_for_secs
            .set(u32::try_from(warn_for.as_secs()).unwrap_or(u32::MAX));
    }

    /// Starts the quiet spell again. `on_warn(seconds_left)` runs when the question appears
    /// and every second after; `on_timeout` when the countdown ends.
    pub fn restart(&self, on_warn: impl Fn(u32) + 'static, on_timeout: impl Fn() + 'static) {
        self.0.countdown.stop();
        let inner = Rc::downgrade(&self.0);
        let on_warn = Rc::new(on_warn);
        let on_timeout = Rc::new(on_timeout);
        self.0
            .quiet
            .start(TimerMode::SingleShot, self.0.warn_after.get(), move || {
                let Some(this) = inner.upgrade() else { return };
                this.seconds_left.set(this.warn_for_secs.get());
                let tick = Rc::downgrade(&this);
                let first_warn = on_warn.clone();
                let (on_warn, on_timeout) = (on_warn.clone(), on_timeout.clone());
                this.countdown
                    .start(TimerMode::Repeated, Duration::from_secs(1), move || {
                        let Some(this) = tick.upgrade() else { return };
                        let left = this.seconds_left.get().saturating_sub(1);
                        this.seconds_left.set(left);
                        if left == 0 {
                            this.countdown.stop();
                            on_timeout();
                        } else {
                            on_warn(left);
                        }
                    });
                // After the countdown started, so that `on_warn` may stop it.
                first_warn(this.warn_for_secs.get());
            });
    }

    pub fn stop(&self) {
        self.0.quiet.stop();
        self.0.countdown.stop();
    }
}
