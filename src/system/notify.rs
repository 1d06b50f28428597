//! Telling systemd about the terminal: `STATUS=` with the status light's state (for
//! `systemctl status`); readiness and the watchdog come from the UI thread (`ui::systemd`).
//! Off systemd (no `NOTIFY_SOCKET`) nothing is sent.

use sd_notify::NotifyState;

/// Tells systemd what the status light shows (`systemctl status legal-kiosk`).
pub fn status(text: &str) {
    send(&[NotifyState::Status(text)]);
}

/// Sends `states` to systemd; a failure is logged, never fatal.
pub fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("cannot notify systemd: {e}");
    }
}
