//! Assembling the kiosk: the store and its thread, the event bus, the devices (real or
//! simulated), the queue, the application services, the link to the operations centre,
//! the terminal around the session, and the UI's controllers on the UI thread. The
//! terminal and the headless tests use this same wiring.

mod devices;
mod queue;

pub use queue::{OpenedQueue, open_queue};

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use hardware::printer::sim::{ReceivedJob, SimPrinter};
use provisioning::client::store::HealthSnapshot;
use provisioning::protocol::{DeviceState, PaperLevel};

use crate::clock::Clock;
use crate::config::Config;
use crate::devices::card_reader::CardReader;
use crate::devices::printing::PrinterHealth;
use crate::domain::content::GuidanceContent;
use crate::domain::queue::catalogue::catalogue_in_force;
use crate::events::{Events, KioskEvent};
use crate::net::Network;
use crate::queue_api::QueueServer;
use crate::services::staff::StaffDeps;
use crate::services::tickets::QueueHost;
use crate::services::{
    AppointmentService, ConsultService, ContentService, DeviceHealthService, DirectoryService,
    LegalAidService, PrintService, QueueShared, RatingService, Services, SettingsService,
    StaffCallService, StaffService, StoreAccess, TicketService, VideoService, WorkOrderService,
};
use crate::store::Store;
use crate::store::sealed::SealKey;
use crate::store::worker::Worker;
use crate::sync::commands::{CommandContext, execute};
use crate::sync::link::RegistryLink;
use crate::sync::{KioskHealth, SyncControl, SyncPaths};
use crate::system::{self, System, TerminalStatus};
use crate::ui::shell::poster::UiRef;
use crate::ui::{AppWindow, Poster, Ui, UiDeps};

/// A running kiosk. Dropping it stops the simulated devices.
pub struct Kiosk {
    /// The controllers of the window.
    pub ui: Rc<Ui>,
    /// What the touchscreen, the API, the CLI and the operations centre's commands call.
    pub services: Services,
    pub events: Events,
    pub worker: Worker,
    pub data_dir: PathBuf,
    /// The simulated printer, when the configuration asks for one.
    pub printer_sim: Option<SimPrinter>,
    /// Tickets the simulated printer received, for the console.
    pub printed: Option<Receiver<ReceivedJob>>,
    /// The terminal around the session: status light, GPIO.
    pub system: System,
    /// The ID-card reader (with its simulator, when configured).
    pub card_reader: Option<CardReader>,
    /// The link to the operations centre (running once enrolled).
    pub sync: Arc<SyncControl>,
    /// The centre's queue: catalogue and policy in force, change signal.
    pub queue: Arc<QueueShared>,
    /// The local API for counters and the hall display.
    pub queue_server: Option<QueueServer>,
    /// The network runtime everything above runs its network work on; dropped last.
    pub network: Network,
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
    let network = Network::start().context("cannot start the network runtime")?;
    let events = Events::new();
    let catalogue = Arc::new(
        worker
            .call(|store| catalogue_in_force(store.conn()))
            .context("the store thread stopped")?,
    );
    let queue = open_queue(
        config,
        &data_dir,
        &worker,
        &catalogue,
        &clock,
        &events,
        &network.handle(),
    )?;
    let queue_server = queue::serve_queue(
        config,
        &data_dir,
        &worker,
        &clock,
        &queue,
        &network.handle(),
    )?;
    let content = ContentService::new(
        worker
            .call(|store| GuidanceContent::in_force(store.conn()))
            .context("the store thread stopped")??,
        worker.clone(),
    );
    let printing = devices::start_printer(config, &data_dir, &events)?;
    let link = LinkSlot::default();
    let services = services(
        config,
        &data_dir,
        &worker,
        &clock,
        &events,
        &queue,
        &content,
        printing.handle.clone(),
        link.clone(),
    )?;
    // What the heartbeat tells the operations centre about the devices; the kiosk's
    // uptime counts from here.
    let health = Arc::new(Mutex::new(HealthSnapshot::default()));
    follow_devices(&events, &services, &health);
    let health = KioskHealth::running(health);
    let sync = Arc::new(start_sync(
        config,
        &network,
        &services,
        &events,
        &queue.shared,
        &health,
        &clock,
    ));
    let _ = link.set(Arc::downgrade(&sync));
    let ui = Ui::attach(
        app,
        config,
        UiDeps {
            services: services.clone(),
            video: crate::video::prepare(
                &config.video,
                RegistryLink::resolve(config, &SyncPaths::in_data_dir(&data_dir))
                    .map_err(|e| format!("{e:#}")),
                network.handle(),
            ),
            sync: sync.clone(),
            events: events.clone(),
            poster: poster.clone(),
            clock: clock.clone(),
        },
    );
    let system = system::start(config, &data_dir, &events, &services.staff_calls)?;
    if let Some(link) = &queue.host {
        link.follow(worker.clone(), clock.clone());
    }
    let card_reader = devices::start_card_reader(
        config,
        &data_dir,
        clock,
        &events,
        poster,
        UiRef::new(&ui.home),
    )?;
    // A link that cannot start (a broken enrolment, a missing CA) must not stop citizens
    // being served: staff see it in the maintenance menu and the log says why.
    if let Err(e) = sync.start() {
        tracing::error!("the link to the operations centre cannot start: {e:#}");
    }
    watch_link(
        &sync,
        config.registry.offline_alert(),
        system.status.clone(),
    )?;
    sweep_missed_appointments(&network, &services);
    Ok(Kiosk {
        ui,
        services,
        events,
        worker,
        data_dir,
        printer_sim: printing.sim,
        printed: printing.printed,
        system,
        card_reader,
        sync,
        queue: queue.shared,
        queue_server,
        network,
    })
}

/// Every minute, the appointments whose check-in window closed without the citizen are
/// recorded for the operations centre (nobody needs to be at the kiosk for that).
fn sweep_missed_appointments(network: &Network, services: &Services) {
    let appointments = services.appointments.clone();
    network.handle().spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            appointments.sweep_missed();
        }
    });
}

/// The application services over this kiosk's store, devices and queue.
#[allow(clippy::too_many_arguments)]
fn services(
    config: &Config,
    data_dir: &std::path::Path,
    worker: &Worker,
    clock: &Arc<dyn Clock>,
    events: &Events,
    queue: &OpenedQueue,
    content: &ContentService,
    printer: Option<crate::devices::printing::PrinterHandle>,
    link: LinkSlot,
) -> Result<Services> {
    let store = StoreAccess::new(worker.clone(), clock.clone());
    let printing = PrintService::new(printer, config.kiosk.centre_name.clone(), clock.clone());
    let seal_key = Arc::new(SealKey::load_or_create(&SealKey::path_in(data_dir))?);
    let tickets = TicketService::new(
        queue.shared.clone(),
        queue.host.clone().map(|link| link as Arc<dyn QueueHost>),
        printing.printer().cloned(),
        config.kiosk.centre_name.clone(),
    );
    Ok(Services {
        appointments: AppointmentService::new(
            store.clone(),
            tickets.clone(),
            config.queue.appointments.window(),
        ),
        tickets,
        consult: ConsultService::new(store.clone()),
        legal_aid: LegalAidService::new(store.clone(), seal_key, region_of(data_dir)),
        rating: RatingService::new(store.clone(), content.clone()),
        content: content.clone(),
        directory: DirectoryService::new(
            content.clone(),
            clock.clone(),
            here_of(data_dir),
            printing.clone(),
        ),
        video: VideoService::new(store.clone()),
        settings: SettingsService::new(store.clone(), events.clone()),
        staff: StaffService::new(
            store.clone(),
            StaffDeps {
                config: config.maintenance.clone(),
                printing: printing.clone(),
                ticket_url_base: config.kiosk.ticket_url_base.clone(),
                data_dir: data_dir.to_path_buf(),
                logs: crate::domain::maintenance::logs::ring().clone(),
            },
        )
        .context("cannot start the maintenance menu's threads")?,
        staff_calls: StaffCallService::new(store.clone(), events.clone()),
        work_orders: WorkOrderService::new(store.clone(), ask_status(link)),
        devices: DeviceHealthService::new(store),
        printing,
    })
}

/// The link to the operations centre, once it exists (services are made before it).
type LinkSlot = Arc<std::sync::OnceLock<std::sync::Weak<SyncControl>>>;

/// Asks the operations centre for a citizen's work orders over the link in `slot`.
fn ask_status(slot: LinkSlot) -> crate::services::work_orders::AskStatus {
    Arc::new(
        move |query, reply| match slot.get().and_then(std::sync::Weak::upgrade) {
            Some(sync) => sync.ask(crate::domain::work_orders::STATUS_PATH, query, reply),
            None => reply(Err("the link to the operations centre is not set up".into())),
        },
    )
}

/// The terminal's region, read from its enrolment when asked (enrolling from the menu
/// changes it without a restart).
fn region_of(data_dir: &std::path::Path) -> crate::services::legal_aid::RegionOf {
    let here = here_of(data_dir);
    Arc::new(move || here().region)
}

/// Where the terminal stands (platform and region), read from its enrolment when asked.
fn here_of(data_dir: &std::path::Path) -> crate::services::directory::HereOf {
    let enrolment = crate::sync::SyncPaths::in_data_dir(data_dir).enrolment;
    Arc::new(move || {
        provisioning::client::Enrolment::load(&enrolment)
            .ok()
            .flatten()
            .map(|e| crate::domain::institutions::Here {
                platform: Some(e.platform_id),
                region: Some(e.region),
            })
            .unwrap_or_default()
    })
}

/// Each change of a device's health reaches the outbox, the printing service and the
/// heartbeat's snapshot (the screen and the status light subscribe on their own). The
/// snapshot's `last_error` names the faults there are now: a device that works again
/// leaves it.
fn follow_devices(events: &Events, services: &Services, health: &Arc<Mutex<HealthSnapshot>>) {
    let (services, snapshot) = (services.clone(), health.clone());
    // The printer's fault and the reader's, as they are now.
    let faults: Mutex<[Option<String>; 2]> = Mutex::new([None, None]);
    events.subscribe(move |event| {
        match event {
            KioskEvent::Printer(h) => {
                services.printing.health_changed(h);
                services.devices.printer(h);
            }
            KioskEvent::ReaderFault(fault) => services.devices.reader(fault.as_deref()),
            _ => return,
        }
        let mut faults = faults.lock().unwrap_or_else(|e| e.into_inner());
        let Ok(mut s) = snapshot.lock() else { return };
        match event {
            KioskEvent::Printer(h) => {
                (s.printer, s.paper, faults[0]) = match h {
                    PrinterHealth::Ready | PrinterHealth::Blind => {
                        (DeviceState::Ok, PaperLevel::Ok, None)
                    }
                    PrinterHealth::PaperNearEnd => (DeviceState::Ok, PaperLevel::NearEnd, None),
                    PrinterHealth::NotPrinting { reason, paper_out } => (
                        DeviceState::Fault,
                        if *paper_out {
                            PaperLevel::Out
                        } else {
                            PaperLevel::Unknown
                        },
                        Some(format!("printer: {reason}")),
                    ),
                };
            }
            KioskEvent::ReaderFault(fault) => {
                s.reader = match fault {
                    Some(_) => DeviceState::Fault,
                    None => DeviceState::Ok,
                };
                faults[1] = fault
                    .as_ref()
                    .map(|reason| format!("card reader: {reason}"));
            }
            _ => return,
        }
        let now: Vec<&str> = faults.iter().flatten().map(String::as_str).collect();
        s.last_error = (!now.is_empty()).then(|| now.join("; "));
    });
}

/// The link to the operations centre: a bundle in force reloads what it feeds and is
/// announced; commands go to the same services staff use.
fn start_sync(
    config: &Config,
    network: &Network,
    services: &Services,
    events: &Events,
    queue: &Arc<QueueShared>,
    health: &KioskHealth,
    clock: &Arc<dyn Clock>,
) -> SyncControl {
    let commands = CommandContext {
        settings: services.settings.clone(),
        events: events.clone(),
        clock: clock.clone(),
        logs: crate::domain::maintenance::logs::ring().clone(),
    };
    let (announce, queue, content) = (events.clone(), queue.clone(), services.content.clone());
    SyncControl::new(
        config.clone(),
        network.handle(),
        health.clone(),
        Arc::new(move |stream: &str| {
            if stream == "catalogue" || stream == "settings" {
                // On the sync client's blocking thread: reading the store here keeps the
                // UI thread free.
                queue.reload();
            }
            // The same for the guidance: the next citizen gets the corrected content.
            content.reload_if_guidance(stream);
            announce.publish(KioskEvent::ContentChanged {
                stream: stream.to_owned(),
            });
        }),
        Arc::new(move |command: &provisioning::command::CommandBody| execute(&commands, command)),
    )
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
