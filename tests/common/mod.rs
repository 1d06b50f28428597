//! A headless kiosk for UI tests: the real controller, store and worker threads, Slint's
//! testing backend with mock time, and a manual queue for what workers post to the UI.
#![allow(dead_code)]

pub mod privacy;
pub mod queue_http;
pub mod registry;

use std::sync::Arc;
use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use legal_kiosk::clock::{Clock, FixedClock};
use legal_kiosk::config::{Config, PrinterKind};
use legal_kiosk::ui::{AppWindow, ManualQueue, Poster};
use slint::platform::PointerEventButton;

pub struct Kiosk {
    pub app: AppWindow,
    pub kiosk: legal_kiosk::app::Kiosk,
    pub ui_queue: Arc<ManualQueue>,
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

/// The testing backend, once per test thread (a test may start a second kiosk).
fn init_testing_backend() {
    thread_local!(static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if !DONE.with(|d| d.replace(true)) {
        i_slint_backend_testing::init_no_event_loop();
    }
}

/// Every log line of this test process, at every level, from every thread.
static CAPTURED_LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct CaptureWriter;

impl std::io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = CAPTURED_LOGS.lock() {
            logs.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the kiosks of this test process have logged so far, at every level (for privacy
/// scans: nothing personal may ever be in it).
#[allow(dead_code)]
pub fn captured_logs() -> Vec<u8> {
    install_logging();
    CAPTURED_LOGS.lock().map(|l| l.clone()).unwrap_or_default()
}

/// Feeds the maintenance menu's ring of recent log lines, as the binary does at start, and
/// captures every line at every level for `captured_logs`. One global subscriber serves
/// all the tests of a binary, whichever starts first.
fn install_logging() {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::filter::LevelFilter;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::registry()
            .with(
                legal_kiosk::domain::maintenance::logs::ring()
                    .layer()
                    .with_filter(LevelFilter::INFO),
            )
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(|| CaptureWriter)
                    .with_filter(LevelFilter::TRACE),
            )
            .try_init();
    });
}

impl Kiosk {
    /// The default kiosk (simulated printer) on the testing backend.
    pub fn start() -> Self {
        Self::start_with(Config::default())
    }

    /// A kiosk without a printer.
    pub fn without_printer() -> Self {
        let mut config = Config::default();
        config.printer.kind = PrinterKind::None;
        Self::start_with(config)
    }

    /// A kiosk with `config`, its data in a fresh temporary folder.
    pub fn start_with(config: Config) -> Self {
        Self::start_in(config, tempfile::tempdir().unwrap(), beijing(26, 9, 30))
    }

    /// A kiosk with `config` on the data in `data_dir`, its clock showing `now`.
    pub fn start_in(
        mut config: Config,
        data_dir: tempfile::TempDir,
        now: chrono::DateTime<chrono::FixedOffset>,
    ) -> Self {
        init_testing_backend();
        install_logging();
        if config.storage.data_dir.is_none() {
            config.storage.data_dir = Some(data_dir.path().to_path_buf());
        }
        // Tests run kiosks side by side: each queue API on a free port of its own.
        if config.queue.server.listen == legal_kiosk::queue_api::ServerConfig::default().listen {
            config.queue.server.listen.set_port(0);
        }
        let clock = Arc::new(FixedClock::new(now));
        let (poster, ui_queue) = Poster::manual();
        let app = AppWindow::new().unwrap();
        let kiosk =
            legal_kiosk::app::assemble(&config, &app, clock.clone() as Arc<dyn Clock>, poster)
                .unwrap();
        let this = Self {
            app,
            kiosk,
            ui_queue,
            clock,
            data_dir,
        };
        // The printer thread's first status check reaches the UI before any test step.
        if config.printer.kind != PrinterKind::None {
            this.settle("the printer's first status", |k| {
                k.query(|c| {
                    c.query_row(
                        "SELECT COUNT(*) FROM outbox WHERE kind = 'printer.health'",
                        [],
                        |r| r.get::<_, i64>(0),
                    )
                    .unwrap()
                }) > 0
            });
            this.ui_queue.run_pending();
        }
        // The window is up: on a terminal `cli::run` says so after the first frame (the
        // update helper waits for it, among others, before committing a new version).
        this.kiosk
            .sync
            .update_signals()
            .ui_up
            .store(true, std::sync::atomic::Ordering::Relaxed);
        this
    }

    pub fn reader(&self) -> &hardware::idcard::sim::Simulator {
        self.kiosk
            .card_reader
            .as_ref()
            .and_then(|r| r.sim.as_ref())
            .expect("a simulated card reader")
    }

    /// Lays a sample card on the reader and waits until the kiosk greets its holder.
    pub fn place_card(&self, sample: &str, greeting: &str) {
        self.reader().place_sample(sample).unwrap();
        let expected = format!("{greeting}，您好");
        self.settle(&format!("the greeting {expected}"), |k| k.shows(&expected));
    }

    pub fn printer(&self) -> &hardware::printer::sim::SimPrinter {
        self.kiosk
            .printer_sim
            .as_ref()
            .expect("a simulated printer")
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

    /// The kiosk's clock now.
    pub fn clock_now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        use legal_kiosk::clock::Clock;
        self.clock.now()
    }

    /// Runs SQL on the store thread.
    pub fn query<R: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> R + Send + 'static,
    ) -> R {
        self.kiosk.worker.call(move |s| f(s.conn())).unwrap()
    }
}
