//! A headless kiosk for UI tests: the real controller, store and worker threads, Slint's
//! testing backend with mock time, and a manual queue for what workers post to the UI.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use legal_kiosk::clock::{Clock, FixedClock};
use legal_kiosk::config::KioskConfig;
use legal_kiosk::printing::PrinterHandle;
use legal_kiosk::queue::Catalogue;
use legal_kiosk::store::Store;
use legal_kiosk::ui::{AppWindow, Deps, KioskController, ManualQueue, Poster};
use legal_kiosk::worker::Worker;
use slint::platform::PointerEventButton;

pub struct Kiosk {
    pub app: AppWindow,
    pub controller: std::rc::Rc<KioskController>,
    pub ui_queue: Arc<ManualQueue>,
    pub worker: Worker,
    pub clock: Arc<FixedClock>,
    pub data_dir: tempfile::TempDir,
}

pub fn beijing(day: u32, hour: u32, minute: u32) -> chrono::DateTime<chrono::FixedOffset> {
    use chrono::TimeZone;
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .unwrap()
}

impl Kiosk {
    /// A kiosk on the testing backend; `printer` as the terminal would have it.
    pub fn start(printer: Option<PrinterHandle>) -> Self {
        Self::start_with(KioskConfig::default(), printer)
    }

    pub fn start_with(config: KioskConfig, printer: Option<PrinterHandle>) -> Self {
        i_slint_backend_testing::init_no_event_loop();
        let data_dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Store::path_in(data_dir.path())).unwrap();
        let worker = Worker::spawn(store).unwrap();
        let clock = Arc::new(FixedClock::new(beijing(26, 9, 30)));
        let (poster, ui_queue) = Poster::manual();
        let app = AppWindow::new().unwrap();
        let controller = KioskController::attach(
            &app,
            Deps {
                kiosk: config,
                catalogue: Arc::new(Catalogue::built_in()),
                worker: worker.clone(),
                printer,
                clock: clock.clone() as Arc<dyn Clock>,
                poster,
            },
        );
        Self {
            app,
            controller,
            ui_queue,
            worker,
            clock,
            data_dir,
        }
    }

    /// Elements a screen reader (and a test) finds by their label.
    pub fn find(&self, label: &str) -> Vec<ElementHandle> {
        ElementHandle::find_by_accessible_label(&self.app, label).collect()
    }

    pub fn shows(&self, label: &str) -> bool {
        !self.find(label).is_empty()
    }

    /// Taps the element labelled `label`, as a finger would.
    pub fn tap(&self, label: &str) {
        let found: Vec<ElementHandle> = self
            .find(label)
            .into_iter()
            .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one {label:?} button on screen, found {}",
            found.len()
        );
        found[0].mock_single_click(PointerEventButton::Left);
    }

    /// Runs what worker threads posted until `done` holds (at most 10 s).
    pub fn settle(&self, what: &str, mut done: impl FnMut(&Self) -> bool) {
        let ok = self
            .ui_queue
            .run_until(Duration::from_secs(10), || done(self));
        assert!(ok, "timed out waiting for: {what}");
    }

    /// The number on the ticket page, if one is shown.
    pub fn ticket_number(&self) -> Option<String> {
        let found = self.find("ticket-number");
        found
            .first()
            .and_then(|e| e.accessible_value())
            .map(|v| v.to_string())
            .filter(|v| !v.is_empty())
    }

    /// Lets `secs` seconds of (mock) time pass, one second at a time so repeating timers
    /// fire as they would.
    pub fn wait_idle(&self, secs: u64) {
        for _ in 0..secs {
            i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
        }
    }

    /// Runs SQL on the store thread.
    pub fn query<R: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> R + Send + 'static,
    ) -> R {
        self.worker.call(move |s| f(s.conn())).unwrap()
    }
}
