//! The maintenance menu's work: logging in, what the status pages show, the queue page
//! (today per service, restarting the numbering), the printer (test page, 补打 reprints),
//! the reader's test read, exporting logs to a USB stick and the screen's brightness. Every
//! staff action is audited in the transaction of its change (or alone when it changes
//! nothing else). Store work runs on the store thread; file and device work on a
//! background thread of its own, so neither the UI nor the store waits on it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hardware::printer::PrinterStatus;

use super::printing::{PrintResult, PrintService};
use super::{ServiceError, StoreAccess};
use crate::devices::printing::test_page::test_page;
use crate::devices::printing::{PaperTicket, ticket_document};
use crate::domain::maintenance::audit::{self, Actor, Outcome, action};
use crate::domain::maintenance::background::Background;
use crate::domain::maintenance::backlight::Backlight;
use crate::domain::maintenance::logs::{self, LogRing};
use crate::domain::maintenance::reader::{ReaderDiagnostics, TestRead};
use crate::domain::maintenance::{
    Authenticator, LoginError, MaintenanceConfig, Pin, StaffSession, lockout, system, usb,
};
use crate::domain::queue::{self, Catalogue};

/// How long a test read waits for a card.
const TEST_READ_WAIT: Duration = Duration::from_secs(10);

/// What the menu needs besides the store.
pub struct StaffDeps {
    pub config: MaintenanceConfig,
    pub printing: PrintService,
    /// Ticket QR codes hold this followed by the token (for reprints).
    pub ticket_url_base: String,
    /// The data folder, whose disk's free space the status page shows.
    pub data_dir: PathBuf,
    pub logs: LogRing,
}

#[derive(Clone)]
pub struct StaffService {
    store: StoreAccess,
    deps: Arc<StaffDeps>,
    auth: Authenticator,
    background: Background,
    backlight: Option<Backlight>,
    started: Instant,
}

/// The machine as the status page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineFacts {
    /// `free / total` of the data folder's disk (`?` when unknown).
    pub disk_free: String,
    /// How long the kiosk (and the system) have been up.
    pub uptime: String,
}

/// Today's tickets of one service, for the queue page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceToday {
    pub service_id: String,
    pub issued: u32,
    pub waiting: u32,
    pub last_number: Option<String>,
}

/// How a reprint ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reprint {
    /// On paper; the number printed.
    Printed(String),
    /// No ticket of today has that number.
    NotFound,
    /// The printer could not print it.
    Failed(String),
}

/// How a log export ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogExport {
    /// Written to this file.
    Written(PathBuf),
    /// No USB stick is mounted.
    NoStick,
    Failed(String),
}

impl StaffService {
    pub fn new(store: StoreAccess, deps: StaffDeps) -> std::io::Result<Self> {
        let auth = Authenticator::spawn(
            store.worker.clone(),
            store.clock.clone(),
            deps.config.lockout(),
        )?;
        Ok(Self {
            backlight: Backlight::find(&deps.config.backlight_dir),
            background: Background::spawn("maintenance")?,
            auth,
            store,
            deps: Arc::new(deps),
            started: Instant::now(),
        })
    }

    pub fn config(&self) -> &MaintenanceConfig {
        &self.deps.config
    }

    pub fn logs(&self) -> &LogRing {
        &self.deps.logs
    }

    pub fn has_backlight(&self) -> bool {
        self.backlight.is_some()
    }

    /// Checks a PIN (slowly, on the login thread); counts failures towards the lockout.
    pub fn login(
        &self,
        pin: Pin,
        reply: impl FnOnce(Result<StaffSession, LoginError>) + Send + 'static,
    ) {
        self.auth.login(pin, reply);
    }

    /// How long the menu stays locked after wrong PINs, if it is locked now.
    pub fn locked_for(&self, reply: impl FnOnce(Option<Duration>) + Send + 'static) {
        self.store.run(
            |store, now| Ok::<_, ServiceError>(lockout::load(store.conn())?.remaining(now)),
            |result| match result {
                Ok(remaining) => reply(remaining),
                Err(e) => tracing::error!("cannot read the lockout: {e}"),
            },
        );
    }

    /// Records a staff action that changed nothing else (opening a page, a refusal).
    pub fn audit(&self, actor: &Actor, what: &str, outcome: Outcome, detail: serde_json::Value) {
        let (actor, what) = (actor.clone(), what.to_owned());
        self.store.run(
            move |store, at| {
                audit::record_alone(store.conn(), &actor, &what, outcome, detail, at);
                Ok::<_, ServiceError>(())
            },
            |_| {},
        );
    }

    /// Events still owed to the operations centre.
    pub fn outbox_depth(&self, reply: impl FnOnce(u64) + Send + 'static) {
        self.store.run(
            |store, _| Ok::<_, ServiceError>(crate::store::outbox::depth(store.conn())?),
            |r| reply(r.unwrap_or(0)),
        );
    }

    /// The bundles in force, as `stream vN, …` (empty: none yet).
    pub fn bundle_versions(&self, reply: impl FnOnce(String) + Send + 'static) {
        self.store.run(
            |store, _| {
                Ok::<_, ServiceError>(
                    crate::store::bundles::versions(store.conn())?
                        .into_iter()
                        .map(|(stream, version)| format!("{stream} v{version}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            },
            |r| reply(r.unwrap_or_else(|e| format!("? ({e})"))),
        );
    }

    /// The data folder's disk space and how long the kiosk has been up.
    pub fn machine(&self, reply: impl FnOnce(MachineFacts) + Send + 'static) {
        let (dir, started) = (self.deps.data_dir.clone(), self.started);
        self.background.submit(move || {
            let disk_free = system::disk_space(&dir).map_or_else(
                || "?".to_string(),
                |d| {
                    format!(
                        "{} / {}",
                        system::format_bytes(d.free_bytes),
                        system::format_bytes(d.total_bytes)
                    )
                },
            );
            let app_up = system::format_duration(started.elapsed());
            let uptime = match system::system_uptime() {
                Some(sys) => format!("{app_up} ({})", system::format_duration(sys)),
                None => app_up,
            };
            reply(MachineFacts { disk_free, uptime });
        });
    }

    /// Today's tickets per service.
    pub fn queue_today(
        &self,
        catalogue: Arc<Catalogue>,
        reply: impl FnOnce(Result<Vec<ServiceToday>, ServiceError>) + Send + 'static,
    ) {
        self.store.run(
            move |store, now| {
                Ok(
                    queue::today_by_service(store.conn(), &catalogue, now.date_naive())?
                        .into_iter()
                        .map(|d| ServiceToday {
                            service_id: d.service_id,
                            issued: d.issued,
                            waiting: d.waiting,
                            last_number: d.last_number,
                        })
                        .collect(),
                )
            },
            reply,
        );
    }

    /// Restarts today's numbering (after staff confirmed twice), audited with it.
    pub fn restart_numbering(
        &self,
        actor: Actor,
        reply: impl FnOnce(Result<(), ServiceError>) + Send + 'static,
    ) {
        self.store.run(
            move |store, now| {
                let day = now.date_naive();
                let result = store.conn().transaction().and_then(|tx| {
                    let series = queue::restart_numbering(&tx, day)?;
                    audit::record(
                        &tx,
                        &actor,
                        action::QUEUE_RESET_NUMBERING,
                        Outcome::Ok,
                        serde_json::json!({ "day": day.to_string(), "series": series }),
                        now,
                    )?;
                    tx.commit()
                });
                match result {
                    Ok(()) => {
                        tracing::warn!("today's ticket numbering was restarted by staff");
                        Ok(())
                    }
                    Err(e) => {
                        tracing::error!("cannot restart the numbering: {e}");
                        audit::record_alone(
                            store.conn(),
                            &actor,
                            action::QUEUE_RESET_NUMBERING,
                            Outcome::Failed,
                            serde_json::json!({}),
                            now,
                        );
                        Err(e.into())
                    }
                }
            },
            reply,
        );
    }

    /// The printer's status now (blind printer, no answer, unplugged: the reason).
    pub fn printer_status(
        &self,
        reply: impl FnOnce(Option<Result<PrinterStatus, String>>) + Send + 'static,
    ) {
        match self.deps.printing.printer() {
            Some(printer) => printer.query_status(move |reading| reply(Some(reading))),
            None => reply(None),
        }
    }

    /// Prints the test page (Chinese, a QR code, the cut), audited.
    pub fn test_print(&self, actor: Actor, reply: impl FnOnce(PrintResult) + Send + 'static) {
        let Some(printer) = self.deps.printing.printer() else {
            reply(PrintResult::Unavailable);
            return;
        };
        let doc = test_page(self.deps.printing.centre_name(), self.store.clock.now());
        let this = self.clone();
        printer.print_document(doc, move |outcome| {
            let printed = PrintResult::from(outcome);
            let (kind, reason) = match &printed {
                PrintResult::Printed => (Outcome::Ok, String::new()),
                PrintResult::Failed(r) => (Outcome::Failed, r.clone()),
                PrintResult::Unavailable => (Outcome::Failed, String::new()),
            };
            this.audit(
                &actor,
                action::PRINTER_TEST_PRINT,
                kind,
                serde_json::json!({ "reason": reason }),
            );
            reply(printed);
        });
    }

    /// 补打: prints today's ticket `seq` of `service_id` (typed as `typed`) again, marked as a
    /// reprint.
    pub fn reprint(
        &self,
        typed: String,
        service_id: String,
        seq: u32,
        catalogue: Arc<Catalogue>,
        actor: Actor,
        reply: impl FnOnce(Reprint) + Send + 'static,
    ) {
        let Some(printer) = self.deps.printing.printer().cloned() else {
            reply(Reprint::Failed("no printer".into()));
            return;
        };
        let this = self.clone();
        self.store.run(
            move |store, now| {
                let found = queue::find_ticket(store.conn(), &service_id, seq, now.date_naive());
                if let Err(e) = &found {
                    tracing::error!("cannot look a ticket up: {e}");
                }
                Ok::<_, ServiceError>(found.ok().flatten())
            },
            move |found| {
                let Some(ticket) = found.ok().flatten() else {
                    this.audit(
                        &actor,
                        action::PRINTER_REPRINT,
                        Outcome::Refused,
                        serde_json::json!({ "number": typed, "reason": "not_found" }),
                    );
                    reply(Reprint::NotFound);
                    return;
                };
                let paper = PaperTicket {
                    number: ticket.number.clone(),
                    service_id: ticket.service_id.clone(),
                    people_ahead: ticket.people_ahead,
                    estimate: None,
                    issued_at: ticket.issued_at.naive_local(),
                    url: format!("{}{}", this.deps.ticket_url_base, ticket.token),
                    offline: false,
                    reprint: true,
                    notice: None,
                };
                let doc = ticket_document(&paper, &catalogue, this.deps.printing.centre_name());
                let number = ticket.number.clone();
                printer.print_document(doc, move |outcome| {
                    let (result, kind, reason) = match PrintResult::from(outcome) {
                        PrintResult::Printed => {
                            (Reprint::Printed(number.clone()), Outcome::Ok, String::new())
                        }
                        PrintResult::Failed(r) => (Reprint::Failed(r.clone()), Outcome::Failed, r),
                        PrintResult::Unavailable => (
                            Reprint::Failed(String::new()),
                            Outcome::Failed,
                            String::new(),
                        ),
                    };
                    this.audit(
                        &actor,
                        action::PRINTER_REPRINT,
                        kind,
                        serde_json::json!({ "number": number, "reason": reason }),
                    );
                    reply(result);
                });
            },
        );
    }

    /// Waits for a card on the reader and reads it; audited with the card's type only.
    pub fn test_read(
        &self,
        reader: Arc<dyn ReaderDiagnostics>,
        actor: Actor,
        reply: impl FnOnce(Result<Option<TestRead>, String>) + Send + 'static,
    ) {
        let this = self.clone();
        self.background.submit(move || {
            let today = this.store.clock.now().date_naive();
            let result = reader.test_read(TEST_READ_WAIT, today);
            // The audit says a card was read and of which type, never whose.
            let (outcome, detail) = match &result {
                Ok(Some(read)) => (
                    Outcome::Ok,
                    serde_json::json!({ "card_read": true, "card_type": read.card_type }),
                ),
                Ok(None) => (Outcome::Failed, serde_json::json!({ "reason": "no_card" })),
                Err(e) => (Outcome::Failed, serde_json::json!({ "reason": e })),
            };
            this.audit(&actor, action::READER_TEST_READ, outcome, detail);
            reply(result);
        });
    }

    /// Writes the recent log lines to the first USB stick found, audited.
    pub fn export_logs(&self, actor: Actor, reply: impl FnOnce(LogExport) + Send + 'static) {
        let this = self.clone();
        self.background.submit(move || {
            let at = this.store.clock.now();
            let lines = this.deps.logs.lines();
            let sticks = usb::mounted_sticks(&this.deps.config.usb_mount_roots);
            let result = match sticks.first() {
                None => LogExport::NoStick,
                Some(dir) => match logs::export(&lines, dir, at) {
                    Ok(path) => LogExport::Written(path),
                    Err(e) => LogExport::Failed(e.to_string()),
                },
            };
            let (outcome, detail) = match &result {
                LogExport::Written(path) => (
                    Outcome::Ok,
                    serde_json::json!({ "file": path.display().to_string() }),
                ),
                LogExport::NoStick => (
                    Outcome::Failed,
                    serde_json::json!({ "reason": "no_usb_stick" }),
                ),
                LogExport::Failed(e) => (Outcome::Failed, serde_json::json!({ "reason": e })),
            };
            this.audit(&actor, action::LOGS_EXPORT, outcome, detail);
            reply(result);
        });
    }

    /// The screen's brightness in percent (`None` without a backlight or when unreadable).
    pub fn brightness(&self, reply: impl FnOnce(Option<u32>) + Send + 'static) {
        let Some(backlight) = self.backlight.clone() else {
            reply(None);
            return;
        };
        self.background
            .submit(move || reply(backlight.percent().ok()));
    }

    /// Sets the brightness (10–100 %), audited; replies with the brightness now.
    pub fn set_brightness(
        &self,
        percent: u32,
        actor: Actor,
        reply: impl FnOnce(Option<u32>) + Send + 'static,
    ) {
        let Some(backlight) = self.backlight.clone() else {
            reply(None);
            return;
        };
        let this = self.clone();
        self.background.submit(move || {
            let result = backlight.set_percent(percent);
            let (outcome, now) = match result {
                Ok(p) => (Outcome::Ok, Some(p)),
                Err(e) => {
                    tracing::error!("cannot set the screen brightness: {e}");
                    (Outcome::Failed, backlight.percent().ok())
                }
            };
            this.audit(
                &actor,
                action::KIOSK_BRIGHTNESS,
                outcome,
                serde_json::json!({ "percent": percent }),
            );
            reply(now);
        });
    }
}
