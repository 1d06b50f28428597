//! `legal-kiosk run`: the kiosk itself.
//!
//! A restart asked for by the operations centre ends the process with
//! [`RESTART_EXIT_STATUS`]; the packaged systemd unit lists that status in
//! `RestartForceExitStatus=` (the service manager starts the kiosk again whatever
//! `Restart=` says) and in `SuccessExitStatus=` (a restart on request is not a failure).

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use slint::ComponentHandle;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::ui::{AppWindow, Poster};

/// The exit status of a restart on request: `EX_TEMPFAIL` of sysexits.h ("try again"),
/// distinct from a failure (1), a panic (101) and a clean stop (0).
pub const RESTART_EXIT_STATUS: u8 = 75;

/// Longest a restart waits for its command's acknowledgement to reach the centre.
const ACK_BEFORE_RESTART: std::time::Duration = std::time::Duration::from_secs(5);

/// How the kiosk ended, when it ended by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The window closed (a developer's desktop).
    Closed,
    /// The operations centre asked for a restart: exit with [`RESTART_EXIT_STATUS`].
    RestartRequested,
}

pub fn run(config_path: Option<&Path>) -> Result<Ended> {
    let config = Config::load(config_path)?;
    let app = AppWindow::new().context("cannot open the kiosk window")?;
    if config.kiosk.fullscreen {
        app.window().set_fullscreen(true);
    }
    let mut kiosk =
        crate::app::assemble(&config, &app, Arc::new(SystemClock), Poster::event_loop())?;
    if let Some(printed) = kiosk.printed.take() {
        // A developer without a printer sees each ticket on the console, as on paper.
        std::thread::Builder::new()
            .name("printer-console".into())
            .spawn(move || {
                for job in printed {
                    println!(
                        "\n── simulated printer ──\n{}\n───────────────────────",
                        job.to_text()
                    );
                }
            })
            .context("cannot start the console printer")?;
    }
    // On a desktop without devices, the console drives the simulators.
    let reader_sim = kiosk.card_reader.as_mut().and_then(|r| r.sim.take());
    let printer_sim = kiosk.printer_sim.as_ref().map(|s| s.handle());
    if reader_sim.is_some() || printer_sim.is_some() {
        std::thread::Builder::new()
            .name("console".into())
            .spawn(move || super::console::run(reader_sim, printer_sim))
            .context("cannot start the console")?;
    }
    // READY=1 after the first frame, watchdog pings from this (the UI) thread.
    // The first frame is also part of a new version's health confirmation.
    let ui_up = kiosk.sync.update_signals().ui_up;
    let _systemd = crate::ui::systemd::Notifier::start(move || {
        ui_up.store(true, std::sync::atomic::Ordering::Relaxed)
    });
    app.run().context("the kiosk window failed")?;
    // The command is recorded as done (before the event loop was asked to end): the kiosk
    // that starts next answers it from that record and never restarts for it again.
    let restart = kiosk.ui.restart_requested();
    if restart {
        // Let the poll that carried the command acknowledge it, so that the centre hears
        // from this kiosk that it restarts (else the next kiosk answers from the record).
        let recorded = kiosk
            .worker
            .call(|store| crate::sync::store::last_restart_recorded(store.conn()))
            .and_then(Result::ok)
            .flatten();
        if let Some(at) = recorded
            && !kiosk.sync.wait_for_poll_after(at, ACK_BEFORE_RESTART)
        {
            tracing::warn!("restarting before the centre heard the restart command was done");
        }
    }
    drop(kiosk);
    if restart {
        tracing::info!(
            "exiting with status {RESTART_EXIT_STATUS}: the service manager starts the kiosk again"
        );
        return Ok(Ended::RestartRequested);
    }
    Ok(Ended::Closed)
}
