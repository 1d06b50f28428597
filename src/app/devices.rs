//! The devices in the assembled kiosk: the printer (real, simulated or none) on its thread,
//! and the ID-card reader. What they report goes out on the event bus; card events reach
//! the citizen's session on the UI thread.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use anyhow::{Context, Result};
use hardware::printer::sim::{ReceivedJob, SimPrinter, start_desktop};
use hardware::printer::{Printer, PrinterConfig, TransportKind};

use crate::clock::Clock;
use crate::config::{Config, PrinterKind};
use crate::devices::card_reader::{self, CardEvent, CardReader};
use crate::devices::printing::PrinterHandle;
use crate::events::{Events, KioskEvent};
use crate::ui::Poster;
use crate::ui::home::HomeController;
use crate::ui::shell::poster::UiRef;

/// The printer as configured.
pub struct Printing {
    pub handle: Option<PrinterHandle>,
    /// The simulated printer, when the configuration asks for one.
    pub sim: Option<SimPrinter>,
    /// Tickets the simulated printer received, for the console.
    pub printed: Option<Receiver<ReceivedJob>>,
}

/// Opens the printer and starts its thread; each change of its health is published.
pub fn start_printer(config: &Config, data_dir: &Path, events: &Events) -> Result<Printing> {
    let (printer, sim, printed) = open_printer(config, data_dir)?;
    let handle = match printer {
        Some(printer) => {
            let events = events.clone();
            Some(
                PrinterHandle::spawn(
                    printer,
                    Duration::from_secs(config.printer.status_poll_secs),
                    move |health| {
                        use crate::devices::printing::PrinterHealth;
                        match health {
                            PrinterHealth::NotPrinting { reason, .. } => {
                                tracing::warn!("printer cannot print: {reason}")
                            }
                            PrinterHealth::PaperNearEnd => {
                                tracing::warn!("printer paper is running low")
                            }
                            PrinterHealth::Ready | PrinterHealth::Blind => {
                                tracing::info!("printer ready")
                            }
                        }
                        events.publish(KioskEvent::Printer(health.clone()));
                    },
                )
                .context("cannot start the printer thread")?,
            )
        }
        None => None,
    };
    Ok(Printing {
        handle,
        sim,
        printed,
    })
}

/// The printer driver, its simulator and the simulator's received jobs, as configured.
type OpenedPrinter = (
    Option<Printer>,
    Option<SimPrinter>,
    Option<Receiver<ReceivedJob>>,
);

fn open_printer(config: &Config, data_dir: &Path) -> Result<OpenedPrinter> {
    match config.printer.kind {
        PrinterKind::None => Ok((None, None, None)),
        PrinterKind::Device => Ok((
            Some(Printer::new(config.printer.driver.clone())),
            None,
            None,
        )),
        PrinterKind::Simulator => {
            let dir = data_dir.join("devices");
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let link = dir.join("printer");
            let (sim, jobs) = start_desktop(&link, config.printer.driver.paper)
                .context("cannot start the simulated printer")?;
            let driver = PrinterConfig {
                transport: TransportKind::Serial,
                device: link.to_string_lossy().into_owned(),
                ..config.printer.driver.clone()
            };
            tracing::info!(device = %link.display(), "simulated printer started");
            Ok((Some(Printer::new(driver)), Some(sim), Some(jobs)))
        }
    }
}

/// Starts the reader: card events reach the home screen's controller on the UI thread;
/// the reader's faults go out on the event bus.
pub fn start_card_reader(
    config: &Config,
    data_dir: &Path,
    clock: Arc<dyn Clock>,
    events: &Events,
    poster: Poster,
    home: UiRef<HomeController>,
) -> Result<Option<CardReader>> {
    let events = events.clone();
    card_reader::start(config, data_dir, clock, move |event| {
        match &event {
            CardEvent::ReaderDown { reason } => {
                events.publish(KioskEvent::ReaderFault(Some(reason.clone())))
            }
            CardEvent::ReaderUp => events.publish(KioskEvent::ReaderFault(None)),
            _ => {}
        }
        poster.post_to(&home, move |home| home.on_card(event));
    })
}
