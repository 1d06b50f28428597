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

use crate::clock::Clock;
use crate::config::{Config, PrinterKind};
use crate::devices::card_reader::{self, CardEvent, CardReader};
use crate::devices::printing::{PrinterHandle, PrinterHealth};
use crate::domain::content::GuidanceContent;
use crate::domain::maintenance::Authenticator;
use crate::queue_api::{Desk, HostLink, QueueServer, QueueShared};
use crate::store::Store;
use crate::store::outbox;
use crate::store::sealed::SealKey;
use crate::store::worker::Worker;
use crate::sync::commands::{CommandContext, execute, reload_catalogue};
use crate::sync::{SyncControl, catalogue_in_force};
use crate::system::{self, System, TerminalStatus};
use crate::ui::{
    AppWindow, Deps, KioskController, MaintenanceController, MaintenanceDeps,
    MaintenancePrinterUpdater, Poster,
};
use provisioning::client::store::HealthSnapshot;
use provisioning::protocol::{DeviceState, PaperLevel};
use std::sync::Mutex;

/// A running kiosk. Dropping it stops the simulated devices.
pub struct Kiosk {
    pub controller: Rc<KioskController>,
    /// The staff maintenance menu (the GPIO key switch calls `pin_pad_opener()`).
    pub maintenance: Rc<MaintenanceController>,
    pub worker: Worker,
    pub data_dir: PathBuf,
    /// The simulated printer, when the configuration asks for one.
    pub printer_sim: Option<SimPrinter>,
    /// Tickets the simulated printer received, for the console.
    pub printed: Option<Receiver<ReceivedJob>>,
    /// The terminal around the session: status light, staff calls, screen-saver, GPIO.
    pub system: System,
    /// The ID-card reader (with its simulator, when configured).
    pub card_reader: Option<CardReader>,
    /// The link to the operations centre (running once enrolled).
    pub sync: Arc<SyncControl>,
    /// The centre's queue: catalogue and policy in force, change signal.
    pub queue: Arc<QueueShared>,
    /// The local API for counters and the hall display (not on a client terminal, nor
    /// when its address is taken: the kiosk still issues tickets then).
    pub queue_server: Option<QueueServer>,
    /// Where the touchscreen's tickets come from (this terminal's queue or its host's).
    pub desk: Desk,
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
    let catalogue = Arc::new(
        worker
            .call(|store| catalogue_in_force(store.conn()))
            .context("the store thread stopped")?,
    );
    let (queue, desk, queue_server) = start_queue(config, &data_dir, &worker, &catalogue, &clock)?;
    let guidance = worker
        .call(|store| GuidanceContent::in_force(store.conn()))
        .context("the store thread stopped")??;
    let seal_key = Arc::new(SealKey::load_or_create(&SealKey::path_in(&data_dir))?);
    // What the heartbeat tells the operations centre about the devices.
    let health = Arc::new(Mutex::new(HealthSnapshot::default()));

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
            catalogue: catalogue.clone(),
            worker: worker.clone(),
            printer: printer.clone(),
            clock: clock.clone(),
            poster: poster.clone(),
            guidance,
            seal_key,
            desk: desk.clone(),
            video: crate::video::prepare(config, &data_dir),
        },
    );
    follow_queue(&desk, &controller, &poster);
    let commands = CommandContext {
        worker: worker.clone(),
        poster: poster.clone(),
        ui: controller.ui_ref(),
        service: controller.service_state_updater(),
        clock: clock.clone(),
        logs: crate::domain::maintenance::logs::ring().clone(),
    };
    let bundle_ctx = commands.clone();
    let bundle_queue = queue.clone();
    let sync = Arc::new(SyncControl::new(
        config.clone(),
        health.clone(),
        Arc::new(move |stream: &str| {
            if stream == "catalogue" {
                reload_catalogue(&bundle_ctx);
            }
            if stream == "catalogue" || stream == "settings" {
                bundle_queue.reload();
            }
        }),
        Arc::new(move |command: &provisioning::command::CommandBody| execute(&commands, command)),
    ));
    let maintenance = MaintenanceController::attach(
        app,
        controller.clone(),
        MaintenanceDeps {
            sync: sync.clone(),
            config: config.maintenance.clone(),
            kiosk: config.kiosk.clone(),
            catalogue: catalogue.clone(),
            worker: worker.clone(),
            printer,
            clock: clock.clone(),
            poster: poster.clone(),
            data_dir: data_dir.clone(),
            logs: crate::domain::maintenance::logs::ring().clone(),
        },
    )
    .context("cannot start the maintenance menu")?;
    let system = system::start(
        config,
        &data_dir,
        app,
        &controller,
        &worker,
        clock.clone(),
        poster.clone(),
    )?;
    let staff_view = maintenance.printer_health_updater();
    forward_printer_health(
        health_rx,
        &controller,
        staff_view,
        &worker,
        clock.clone(),
        DeviceHealth {
            snapshot: health.clone(),
            light: system.status.clone(),
        },
    )?;
    let card_reader = start_card_reader(
        config,
        &data_dir,
        &controller,
        &worker,
        clock,
        poster.clone(),
        DeviceHealth {
            snapshot: health.clone(),
            light: system.status.clone(),
        },
    )?;
    if let Some(notice) =
        worker.call(|store| crate::domain::maintenance::settings::home_notice(store.conn()))
    {
        match notice {
            Ok(notice) => controller.show_home_notice(notice),
            Err(e) => tracing::error!("cannot read the home notice: {e}"),
        }
    }
    sync.start()?;
    watch_link(
        &sync,
        config.registry.offline_alert(),
        system.status.clone(),
    )?;
    Ok(Kiosk {
        controller,
        maintenance,
        worker,
        data_dir,
        printer_sim,
        printed,
        system,
        card_reader,
        sync,
        queue,
        queue_server,
        desk,
    })
}

/// Where a device's health goes besides the screen: the heartbeat's snapshot for the
/// operations centre and the terminal's status light.
struct DeviceHealth {
    snapshot: Arc<Mutex<HealthSnapshot>>,
    light: TerminalStatus,
}

/// Card events reach the session on the UI thread; reader faults also reach the outbox.
fn start_card_reader(
    config: &Config,
    data_dir: &std::path::Path,
    controller: &KioskController,
    worker: &Worker,
    clock: Arc<dyn Clock>,
    poster: Poster,
    health: DeviceHealth,
) -> Result<Option<CardReader>> {
    let DeviceHealth {
        snapshot,
        light: status,
    } = health;
    let ui = controller.ui_ref();
    let worker = worker.clone();
    let outbox_clock = clock.clone();
    card_reader::start(config, data_dir, clock, move |event| {
        if let Ok(mut s) = snapshot.lock() {
            match &event {
                CardEvent::ReaderDown { reason } => {
                    s.reader = DeviceState::Fault;
                    s.last_error = Some(format!("card reader: {reason}"));
                }
                CardEvent::ReaderUp => s.reader = DeviceState::Ok,
                _ => {}
            }
        }
        match &event {
            CardEvent::ReaderDown { reason } => status.set_reader_fault(Some(reason.clone())),
            CardEvent::ReaderUp => status.set_reader_fault(None),
            _ => {}
        }
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

/// An enrolled terminal that has not reached its registry for `limit` (since its last
/// contact, or since start when it has had none) needs staff: the status light says so.
fn watch_link(sync: &Arc<SyncControl>, limit: Duration, status: TerminalStatus) -> Result<()> {
    let sync = Arc::downgrade(sync);
    let started = std::time::Instant::now();
    std::thread::Builder::new()
        .name("link-watch".into())
        .spawn(move || {
            loop {
                let Some(sync) = sync.upgrade() else { return };
                let state = sync.state();
                drop(sync);
                let silent_for = match state.status.as_ref().and_then(|s| s.last_contact) {
                    Some(at) => (chrono::Utc::now() - at).to_std().unwrap_or_default(),
                    None => started.elapsed(),
                };
                status.set_offline_too_long(state.device_id.is_some() && silent_for > limit);
                std::thread::sleep(Duration::from_secs(30));
            }
        })
        .context("cannot start the link watch")?;
    Ok(())
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

/// Each change of the printer's health reaches the home screen, the status light and the
/// operations centre.
fn forward_printer_health(
    health: Receiver<PrinterHealth>,
    controller: &KioskController,
    staff_view: MaintenancePrinterUpdater,
    worker: &Worker,
    clock: Arc<dyn Clock>,
    device_health: DeviceHealth,
) -> Result<()> {
    let DeviceHealth {
        snapshot,
        light: status,
    } = device_health;
    let updater = controller.printer_health_updater();
    let worker = worker.clone();
    std::thread::Builder::new()
        .name("printer-health".into())
        .spawn(move || {
            for h in health {
                match &h {
                    PrinterHealth::NotPrinting { reason, .. } => {
                        tracing::warn!("printer cannot print: {reason}")
                    }
                    PrinterHealth::PaperNearEnd => tracing::warn!("printer paper is running low"),
                    PrinterHealth::Ready | PrinterHealth::Blind => {
                        tracing::info!("printer ready")
                    }
                }
                if let Ok(mut s) = snapshot.lock() {
                    let (state, paper) = match &h {
                        PrinterHealth::Ready | PrinterHealth::Blind => {
                            (DeviceState::Ok, PaperLevel::Ok)
                        }
                        PrinterHealth::PaperNearEnd => (DeviceState::Ok, PaperLevel::NearEnd),
                        PrinterHealth::NotPrinting { reason, paper_out } => {
                            s.last_error = Some(format!("printer: {reason}"));
                            let paper = if *paper_out {
                                PaperLevel::Out
                            } else {
                                PaperLevel::Unknown
                            };
                            (DeviceState::Fault, paper)
                        }
                    };
                    s.printer = state;
                    s.paper = paper;
                }
                updater.update(&h);
                status.set_printer(&h);
                staff_view.update(&h);
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

/// The queue: shared state, the desk the kiosk issues through, and — unless this terminal
/// is a client of another's queue — the local API for counters and the hall display.
fn start_queue(
    config: &Config,
    data_dir: &std::path::Path,
    worker: &Worker,
    catalogue: &Arc<crate::domain::queue::Catalogue>,
    clock: &Arc<dyn Clock>,
) -> Result<(Arc<QueueShared>, Desk, Option<QueueServer>)> {
    let reader = QueueShared::open_reader(&Store::path_in(data_dir))
        .context("cannot open the queue's reading connection")?;
    let queue = QueueShared::new(
        worker.clone(),
        reader,
        clock.clone(),
        config.kiosk.centre_name.clone(),
        config.kiosk.ticket_url_base.clone(),
        config.queue.clients.reserved(),
        config.queue.policy.clone(),
        catalogue.clone(),
    );
    if let Some(host) = &config.queue.host {
        let link = HostLink::start(host, worker.clone(), clock.clone(), queue.events.clone())
            .context("cannot start the link to the queue host")?;
        tracing::info!(host = %host.url, "issuing tickets through the queue host");
        return Ok((queue.clone(), Desk::remote(queue, link), None));
    }
    let server = if config.queue.server.enabled {
        let login =
            Authenticator::spawn(worker.clone(), clock.clone(), config.maintenance.lockout())
                .context("cannot start the counter login thread")?;
        match crate::queue_api::start(
            queue.clone(),
            &config.queue.server,
            &config.queue.clients,
            login,
        ) {
            Ok(server) => Some(server),
            Err(e) => {
                // Counters cannot call, but citizens still get numbers: say so loudly.
                tracing::error!("the counter and hall pages are not available: {e}");
                None
            }
        }
    } else {
        None
    };
    Ok((queue.clone(), Desk::local(queue), server))
}

/// The ticket on screen follows the queue; a client terminal shows whether its host is up.
fn follow_queue(desk: &Desk, controller: &KioskController, poster: &Poster) {
    let (ui, p) = (controller.ui_ref(), poster.clone());
    desk.events().on_change(move || {
        p.post_to(&ui, |c| c.refresh_ticket_position());
    });
    if let Some(link) = desk.host() {
        let offline = link.offline_range.is_some();
        let (ui, p) = (controller.ui_ref(), poster.clone());
        link.on_status(move |up| {
            p.post_to(&ui, move |c| c.set_host_reachable(up, offline));
        });
    }
}
