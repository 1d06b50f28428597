//! `legal-kiosk run`: the kiosk itself.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use slint::ComponentHandle;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::ui::{AppWindow, Poster};

pub fn run(config_path: Option<&Path>) -> Result<()> {
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
    let _systemd = crate::ui::systemd::Notifier::start();
    app.run().context("the kiosk window failed")?;
    drop(kiosk);
    Ok(())
}
