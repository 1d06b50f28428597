//! The Rust side of the UI: one controller per Slint global (as Slint's own demos do), each
//! owning its state, calling the application services and mapping their results to the
//! view. Controllers never import each other: what they share — the window, the citizen's
//! session, navigation, requests between areas — is the [`shell`]. Events from below
//! (devices, the operations centre, the queue) arrive on the event bus and are routed here.

// The generated view types (AppWindow, the globals, their structs and enums).
pub use kiosk_ui::*;

pub mod booking;
pub mod check_in;
pub mod consult;
mod datetime;
pub mod find_service;
mod guidance_shots;
pub mod home;
pub mod legal_aid;
pub mod maintenance;
pub mod map_panel;
pub mod queue;
pub mod rating;
pub mod requests;
pub mod screenshot;
pub mod shell;
pub mod system;
pub mod systemd;
pub mod video;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use crate::config::Config;
use crate::events::{Events, KioskEvent};
use crate::i18n::Lang;
use crate::services::Services;
use crate::session::Session;
use crate::video::VideoAvailability;

use self::booking::{BookingController, BookingDeps};
use self::check_in::CheckInController;
use self::consult::{ConsultController, ConsultDeps};
use self::find_service::FindServiceController;
use self::home::HomeController;
use self::legal_aid::{LegalAidController, LegalAidDeps};
use self::queue::QueueController;
use self::rating::RatingController;
use self::requests::{RequestsController, RequestsDeps};
use self::shell::poster::UiRef;
use self::shell::{IdleTiming, Shell};
use self::system::SystemController;
use self::video::VideoController;
use crate::devices::camera::ReceiptReader;

pub use maintenance::{MaintenanceController, MaintenanceDeps, PinPadOpener};
pub use shell::poster::{ManualQueue, Poster};

/// What the UI needs from the rest of the firmware.
pub struct UiDeps {
    pub services: Services,
    pub video: VideoAvailability,
    pub sync: Arc<crate::sync::SyncControl>,
    pub events: Events,
    pub poster: Poster,
    pub clock: Arc<dyn crate::clock::Clock>,
}

/// Every controller of the window.
pub struct Ui {
    pub shell: Shell,
    pub home: Rc<HomeController>,
    pub queue: Rc<QueueController>,
    pub consult: Rc<ConsultController>,
    pub legal_aid: Rc<LegalAidController>,
    pub rating: Rc<RatingController>,
    pub find_service: Rc<FindServiceController>,
    pub check_in: Rc<CheckInController>,
    pub requests: Rc<RequestsController>,
    pub booking: Rc<BookingController>,
    pub video: Rc<VideoController>,
    pub system: Rc<SystemController>,
    pub maintenance: Rc<MaintenanceController>,
    /// The operations centre asked for a restart (the event loop has been left).
    restart_requested: Cell<bool>,
}

impl Ui {
    /// Attaches every controller to `app` and shows the home screen.
    pub fn attach(app: &AppWindow, config: &Config, deps: UiDeps) -> Rc<Self> {
        let kiosk = &config.kiosk;
        let lang = Lang::from_code(&kiosk.language).unwrap_or_default();
        let shell = Shell::attach(
            app,
            deps.poster.clone(),
            deps.clock.clone(),
            Session::new(lang, false),
            IdleTiming {
                warn_after: kiosk.idle_warning_after(),
                warn_for: kiosk.idle_timeout() - kiosk.idle_warning_after(),
            },
        );
        let services = deps.services;
        let home = HomeController::attach(
            app,
            shell.clone(),
            &kiosk.centre_name,
            services.printing.configured(),
        );
        let queue = QueueController::attach(
            app,
            shell.clone(),
            services.tickets.clone(),
            services.printing.clone(),
            config.queue.one_ticket_per_person,
        );
        let consult = ConsultController::attach(
            app,
            shell.clone(),
            ConsultDeps {
                content: services.content.clone(),
                consult: services.consult.clone(),
                printing: services.printing.clone(),
                directory: services.directory.clone(),
                online_service_url: kiosk.online_service_url.clone(),
            },
        );
        let legal_aid = LegalAidController::attach(
            app,
            shell.clone(),
            LegalAidDeps {
                content: services.content.clone(),
                legal_aid: services.legal_aid.clone(),
                printing: services.printing.clone(),
                directory: services.directory.clone(),
                online_service_url: kiosk.online_service_url.clone(),
            },
        );
        let find_service = FindServiceController::attach(
            app,
            shell.clone(),
            services.directory.clone(),
            services.printing.clone(),
            {
                let data_dir = config.data_dir();
                Box::new(move || crate::sync::map_in_force(&data_dir))
            },
        );
        let check_in = CheckInController::attach(app, shell.clone(), services.appointments.clone());
        let requests = RequestsController::attach(
            app,
            shell.clone(),
            RequestsDeps {
                work_orders: services.work_orders.clone(),
                printing: services.printing.clone(),
                receipts: ReceiptReader::new(config.video.media.clone()),
            },
        );
        let tickets = services.tickets.clone();
        let booking = BookingController::attach(
            app,
            shell.clone(),
            BookingDeps {
                appointments: services.appointments.clone(),
                printing: services.printing.clone(),
                sync: deps.sync.clone(),
                catalogue: Box::new(move || tickets.shared().catalogue()),
            },
        );
        let tickets = services.tickets.clone();
        let rating =
            RatingController::attach(app, shell.clone(), services.rating.clone(), move || {
                tickets.shared().catalogue()
            });
        let video = VideoController::attach(app, shell.clone(), deps.video, services.video.clone());
        let system = SystemController::attach(
            app,
            shell.clone(),
            config.screensaver.clone(),
            services.staff_calls.clone(),
            config.staff_call.expire_after(),
            deps.sync.update_signals().citizen_present,
        );
        let tickets = services.tickets.clone();
        let maintenance = MaintenanceController::attach(
            app,
            shell.clone(),
            MaintenanceDeps {
                staff: services.staff.clone(),
                settings: services.settings.clone(),
                sync: deps.sync,
                kiosk: kiosk.clone(),
                catalogue: Box::new(move || tickets.shared().catalogue()),
                printing: services.printing.clone(),
                content: services.content.clone(),
            },
        );
        let ui = Rc::new(Self {
            shell: shell.clone(),
            home,
            queue,
            consult,
            legal_aid,
            rating,
            find_service,
            check_in,
            requests,
            booking,
            video,
            system,
            maintenance,
            restart_requested: Cell::new(false),
        });
        // Events from any thread reach the controllers on the UI thread.
        let (poster, target) = (deps.poster, UiRef::new(&ui));
        deps.events.subscribe(move |event| {
            let event = event.clone();
            poster.post_to(&target, move |ui: &Ui| ui.on_event(event));
        });
        shell.end_session();
        ui
    }

    /// Routes an event to the controllers that show it.
    fn on_event(&self, event: KioskEvent) {
        match event {
            KioskEvent::Printer(health) => {
                self.home.on_printer(&health);
                self.maintenance.printer_changed();
            }
            KioskEvent::ReaderFault(_) => {}
            KioskEvent::ServiceState(state) => self.home.on_service_state(&state),
            KioskEvent::HomeNotice(notice) => self.home.on_notice(notice),
            KioskEvent::ContentChanged { stream } => {
                if stream == "catalogue" || stream == "settings" {
                    self.queue.catalogue_changed();
                }
            }
            KioskEvent::QueueChanged => self.queue.queue_changed(),
            KioskEvent::QueueHost {
                reachable,
                offline_issuing,
            } => self.queue.host_reachable(reachable, offline_issuing),
            KioskEvent::RestartRequested => self.request_restart(),
            KioskEvent::StaffCall { waiting } => self.system.staff_call(waiting),
            KioskEvent::Presence(present) => self.system.presence(present),
        }
    }

    /// Whether a citizen's identity is held now.
    pub fn has_identity(&self) -> bool {
        self.shell.session().has_identity()
    }

    /// The operations centre asked for a restart: leave the event loop; the caller exits
    /// so that the service manager starts the kiosk again.
    fn request_restart(&self) {
        tracing::info!("restart requested by the operations centre");
        self.restart_requested.set(true);
        if let Err(e) = slint::quit_event_loop() {
            tracing::error!("cannot leave the event loop: {e}");
        }
    }

    pub fn restart_requested(&self) -> bool {
        self.restart_requested.get()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn push_sources(dir: &Path, text: &mut String) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                push_sources(&path, text);
            } else if path.extension().is_some_and(|e| e == "rs") {
                text.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    /// Every character the pages can show — their translations and the texts the
    /// controllers write (notices, labels, quick picks) — is in the kiosk's embedded font.
    #[test]
    fn every_character_the_screen_shows_is_in_the_embedded_font() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let data = std::fs::read(root.join("ui/fonts/NotoSansCJKsc-Regular-kiosk.otf")).unwrap();
        let face = ttf_parser::Face::parse(&data, 0).unwrap();
        let mut text = String::new();
        for file in [
            "ui/lang/zh_CN/LC_MESSAGES/kiosk-ui.po",
            "ui/lang/ko_KR/LC_MESSAGES/kiosk-ui.po",
        ] {
            text.push_str(&std::fs::read_to_string(root.join(file)).unwrap());
        }
        push_sources(&root.join("src/ui"), &mut text);
        let missing: BTreeSet<char> = text
            .chars()
            .filter(|c| !c.is_ascii() && !c.is_control() && face.glyph_index(*c).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "characters not in the kiosk font: {missing:?}"
        );
    }
}
