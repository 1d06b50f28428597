//! systemd and the UI thread: `READY=1` once the first frame is on the screen, `WATCHDOG=1` from the UI
//! event loop so that a hung UI gets the kiosk restarted, and `STATUS=` with the status
//! light's state for `systemctl status`. Off systemd (no `NOTIFY_SOCKET`) all of it does
//! nothing.
//!
//! The first frame: the software renderer has no rendering notifier. On linuxkms every
//! event-loop turn runs the timers, then the callbacks posted with
//! `invoke_from_event_loop`, then renders the window if it changed. So a callback posted
//! before `run()` runs in the first turn, *before* that turn's render; the callback it
//! posts in turn runs in the second turn, after the first frame was drawn and handed to
//! KMS. That second callback sends `READY=1`. (On winit the order within a turn differs;
//! there it only matters for tests.)
//!
//! The watchdog: pings go out from a Slint timer every third of `WatchdogSec=`, so they
//! stop when the UI thread stops turning. For installers and the watchdog test,
//! `LEGAL_KIOSK_STALL_UI_AFTER_SECS=N` deliberately hangs the UI thread N seconds after
//! the first frame: systemd must then restart the kiosk.
//!
//! `STATUS=` (the status light's state) is sent by the terminal's status as it changes
//! (`system::notify`).

use std::time::Duration;

use sd_notify::NotifyState;
use slint::{Timer, TimerMode};

use crate::system::notify::send;

/// The environment variable that makes the UI thread hang on purpose (for the watchdog
/// test and for checking a terminal's unit).
pub const STALL_UI_ENV: &str = "LEGAL_KIOSK_STALL_UI_AFTER_SECS";

/// Keeps the watchdog pings going while it lives; create it on the UI thread before
/// `run()`.
pub struct Notifier {
    _watchdog: Timer,
}

impl Notifier {
    /// Schedules `READY=1` for after the first frame (then `first_frame` runs) and starts
    /// watchdog pings when systemd asked for them (`WATCHDOG_USEC`).
    pub fn start(first_frame: impl FnOnce() + Send + 'static) -> Self {
        let watchdog = Timer::default();
        if let Some(period) = sd_notify::watchdog_enabled() {
            let every = ping_interval(period);
            tracing::info!("systemd watchdog: {period:?}, pinging every {every:?}");
            watchdog.start(TimerMode::Repeated, every, || {
                send(&[NotifyState::Watchdog]);
            });
        }
        let stall_after = std::env::var(STALL_UI_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let posted = slint::invoke_from_event_loop(move || {
            // First turn, before its render: wait one more turn.
            if let Err(e) = slint::invoke_from_event_loop(move || {
                tracing::info!("first frame shown");
                send(&[NotifyState::Ready]);
                first_frame();
                if let Some(after) = stall_after {
                    tracing::warn!("{STALL_UI_ENV}: the UI will hang on purpose in {after:?}");
                    Timer::single_shot(after, stall_forever);
                }
            }) {
                tracing::error!("cannot tell systemd the kiosk is ready: {e}");
            }
        });
        if let Err(e) = posted {
            tracing::error!("cannot tell systemd the kiosk is ready: {e}");
        }
        Self {
            _watchdog: watchdog,
        }
    }
}

/// Three pings per watchdog period, so one late turn of the loop is not fatal.
fn ping_interval(period: Duration) -> Duration {
    (period / 3).max(Duration::from_millis(10))
}

fn stall_forever() {
    tracing::warn!("the UI thread hangs now on purpose ({STALL_UI_ENV})");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
