//! Assembling the kiosk: the store and its thread, the devices (real or simulated) and
//! their threads, and the controller on the UI thread. The terminal and the headless tests
//! use this same wiring.

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use anyhow::{Context, Result};
use hardware::printer::sim::{ReceivedJob, SimPrinter, start_desktop};
use hardware::printer::{Printer, PrinterConfig, TransportKind};

use crate::card_reader::{self, CardEvent, CardReader};
use crate::clock::Clock;
use crate::config::{Config, PrinterKind};
use crate::outbox;
use crate::printing::{PrinterHandle, PrinterHealth};
use crate::queue::Catalogue;
use crate::store::Store;
use crate::ui::{AppWindow, Deps, KioskController, Poster};
use crate::worker::Worker;

/// A running kiosk. Dropping it stops the simulated devices.
pub struct Kiosk {
    pub controller: Rc<KioskController>,
    pub worker: Worker,
    pub data_dir: PathBuf,
    /// The simulated printer, when the configuration asks for one.
    pub printer_sim: Option<SimPrinter>,
    /// Tickets the simulated printer received, for the console.
    pub printed: Option<Receiver<ReceivedJob>>,
    /// The ID-card reader (with its simulator, when configured).
    pub card_reader: Option<CardReader>,
}

/// Starts everything the kiosk needs and connects it to `app`.
pub fn assemble(
    config: &Config,
    app: &AppWindow,
    clock: Arc<dyn Clock>,
    poster: Poster,
) -> Result<Kiosk> {
    let data_dir = config.data_dir();
    let store = Store::open(&Store::path_in(&data_dir))?;
    tracing::info!(data = %data_dir.display(), "store opened");
    let worker = Worker::spawn(store).context("cannot start the store thread")?;

    let (printer, printer_sim, printed) = open_printer(config, &data_dir)?;
    let (health_tx, health_rx) = mpsc::channel::<PrinterHealth>();
    let printer = match printer {
        Some(printer) => Some(
            PrinterHandle::spawn(
                printer,
                Duration::from_secs(config.printer.status_poll_secs),
                move |health| {
                    let _ = health_tx.send(health.clone());
                },
            )
            .context("cannot start the printer thread")?,
        ),
        None => None,
    };

    let controller = KioskController::attach(
        app,
        Deps {
            kiosk: config.kiosk.clone(),
            queue: config.queue.clone(),
            catalogue: Arc::new(Catalogue::built_in()),
            worker: worker.clone(),
            printer,
            clock: clock.clone(),
            poster: poster.clone(),
            video: crate::video::prepare(&config.video, &data_dir),
        },
    );
    forward_printer_health(health_rx, &controller, &worker, clock.clone())?;
    let card_reader = start_card_reader(config, &data_dir, &controller, &worker, clock, poster)?;
    Ok(Kiosk {
        controller,
        worker,
        data_dir,
        printer_sim,
        printed,
        card_reader,
    })
}

/// Card events reach the session on the UI thread; reader faults also reach the outbox.
fn start_card_reader(
    config: &Config,
    data_dir: &std::path::Path,
    controller: &KioskController,
    worker: &Worker,
    clock: Arc<dyn Clock>,
    poster: Poster,
) -> Result<Option<CardReader>> {
    let ui = controller.ui_ref();
    let worker = worker.clone();
    let outbox_clock = clock.clone();
    card_reader::start(config, data_dir, clock, move |event| {
        let health = match &event {
            CardEvent::ReaderDown { reason } => {
                Some(serde_json::json!({ "state": "down", "reason": reason }))
            }
            CardEvent::ReaderUp => Some(serde_json::json!({ "state": "ready" })),
            _ => None,
        };
        if let Some(health) = health {
            let at = outbox_clock.now();
            worker.submit(move |store| {
                if let Err(e) =
                    outbox::append(store.conn(), outbox::kind::READER_HEALTH, &health, at)
                {
                    tracing::error!("cannot record the card reader's health: {e}");
                }
            });
        }
        poster.post_to(&ui, move |controller| controller.on_card(event));
    })
}

type OpenedPrinter = (
    Option<Printer>,
    Option<SimPrinter>,
    Option<Receiver<ReceivedJob>>,
);

fn open_printer(config: &Config, data_dir: &std::path::Path) -> Result<OpenedPrinter> {
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

/// Each change of the printer's health reaches the home screen and the operations centre.
fn forward_printer_health(
    health: Receiver<PrinterHealth>,
    controller: &KioskController,
    worker: &Worker,
    clock: Arc<dyn Clock>,
) -> Result<()> {
    let updater = controller.printer_health_updater();
    let worker = worker.clone();
    std::thread::Builder::new()
        .name("printer-health".into())
        .spawn(move || {
            for h in health {
                match &h {
                    PrinterHealth::NotPrinting { reason } => {
                        tracing::warn!("printer cannot print: {reason}")
                    }
                    PrinterHealth::PaperNearEnd => tracing::warn!("printer paper is running low"),
                    PrinterHealth::Ready | PrinterHealth::Blind => {
                        tracing::info!("printer ready")
                    }
                }
                updater.update(&h);
                let at = clock.now();
                worker.submit(move |store| {
                    if let Err(e) =
                        outbox::append(store.conn(), outbox::kind::PRINTER_HEALTH, &h, at)
                    {
                        tracing::error!("cannot record the printer's health: {e}");
                    }
                });
            }
        })
        .context("cannot start the printer health thread")?;
    Ok(())
}
