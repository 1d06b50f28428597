//! The sync client's view of the terminal's store: the outbox it drains, the bundles it puts
//! in force, the commands it hands over, the health it reports. A second SQLite connection
//! to the same file (WAL lets it run beside the store thread).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use provisioning::bundle::{BundleError, VerifiedBundle};
use provisioning::client::store::{
    BundleStore, CommandOutcome, CommandSink, HealthSnapshot, HealthSource, OutboxStore, StoreError,
};
use provisioning::command::CommandBody;
use provisioning::protocol::{CommandState, Event};
use provisioning::sqlite_store::{self as sql, SharedConnection};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::commands::Executed;
use super::control::Executor;
use super::health::KioskHealth;
use crate::domain::legal_aid::recipients::recipient_for_region;
use crate::store::Store;
use crate::store::sealed::{SealKey, delete_sealed, open_sealed_bytes};
use crate::sync::setup::SyncPaths;
use provisioning::client::Enrolment;
use provisioning::sealing::{RECIPIENTS_STREAM, Recipient, SealedPreApplication};
use std::time::{Duration, Instant};

type BundleApplied = Box<dyn Fn(&str) + Send + Sync>;

pub struct KioskSyncStore {
    conn: SharedConnection,
    /// Opens sealed (consented personal) payloads at delivery, to seal them again for the
    /// legal-aid centre.
    seal_key: SealKey,
    /// The terminal's region from its enrolment: which centre's key a pre-application is
    /// sealed to (none before enrolment).
    region: Option<String>,
    /// Why pre-applications are waiting on the terminal, for the heartbeat and the log.
    held: Mutex<Option<HeldNotice>>,
    health: KioskHealth,
    on_bundle: BundleApplied,
    /// Carries out commands (the kiosk); `None` in a command-line tool, which leaves them
    /// open for the kiosk.
    executor: Option<Executor>,
}

impl KioskSyncStore {
    /// Opens the terminal's database at `path`. `on_bundle(stream)` runs after a bundle was
    /// put in force; `executor` carries out a command the first time its id is seen
    /// (without one, commands stay open for the kiosk).
    pub fn open(
        path: &Path,
        health: KioskHealth,
        on_bundle: impl Fn(&str) + Send + Sync + 'static,
        executor: Option<Executor>,
    ) -> Result<Self, StoreError> {
        let store = Store::open(path).map_err(StoreError::new)?;
        let data_dir = path.parent().unwrap_or(Path::new("."));
        let seal_key =
            SealKey::load_or_create(&SealKey::path_in(data_dir)).map_err(StoreError::new)?;
        let conn = store.into_connection();
        // Deleted sealed payloads are overwritten, not just unlinked from the b-tree.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(StoreError::new)?;
        let region = Enrolment::load(&SyncPaths::in_data_dir(data_dir).enrolment)
            .ok()
            .flatten()
            .map(|e| e.region);
        Ok(Self {
            conn: SharedConnection::new(conn),
            seal_key,
            region,
            held: Mutex::new(None),
            health,
            on_bundle: Box::new(on_bundle),
            executor,
        })
    }
}

/// Pre-applications kept on the terminal because no legal-aid centre's key serves its region.
struct HeldNotice {
    text: String,
    logged: Instant,
}

/// How often the log repeats that pre-applications are held.
const HELD_LOG_EVERY: Duration = Duration::from_secs(600);

impl KioskSyncStore {
    fn legal_aid_recipient(&self, c: &Connection) -> rusqlite::Result<Option<Recipient>> {
        match &self.region {
            Some(region) => recipient_for_region(c, region),
            None => Ok(None),
        }
    }

    /// What goes to the registry for sealed outbox event `event`: sealed again to the
    /// centre, or a notice that the terminal lost it; `None` keeps it on the terminal.
    fn for_the_centre(
        &self,
        c: &Connection,
        event: &Event,
        recipient: Option<&Recipient>,
    ) -> Option<serde_json::Value> {
        let check_id = event
            .payload
            .get("check_id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let region = self.region.clone().unwrap_or_default();
        let delivered = match open_sealed_bytes(c, &self.seal_key, event.seq) {
            Ok(Some(plaintext)) => {
                let recipient = recipient?;
                SealedPreApplication::seal(&check_id, &region, recipient, &plaintext)
            }
            Ok(None) => return None,
            Err(e) => {
                // Damaged key or row: nothing personal can be recovered; the centre learns
                // an application was lost, and the row can go.
                tracing::error!("outbox event {}: {e}", event.seq);
                Ok(SealedPreApplication {
                    event_type: provisioning::sealing::PRE_APPLICATION_TYPE.to_string(),
                    check_id,
                    region,
                    sealed: None,
                    unreadable: Some("the terminal could not open its encrypted copy".into()),
                })
            }
        };
        match delivered.map(|p| serde_json::to_value(&p)) {
            Ok(Ok(value)) => Some(value),
            Ok(Err(e)) => {
                tracing::error!("outbox event {}: {e}", event.seq);
                None
            }
            Err(e) => {
                tracing::error!(
                    "outbox event {}: cannot seal for the centre: {e}",
                    event.seq
                );
                None
            }
        }
    }

    fn note_held(&self, held: usize) {
        let mut notice = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held == 0 {
            *notice = None;
            return;
        }
        let text = format!(
            "{held} legal-aid pre-application(s) held on this terminal: no legal-aid centre's \
             key for region {} is in force (bundle {RECIPIENTS_STREAM})",
            self.region.as_deref().unwrap_or("?")
        );
        let due = notice
            .as_ref()
            .is_none_or(|n| n.text != text || n.logged.elapsed() >= HELD_LOG_EVERY);
        if due {
            tracing::warn!("{text}");
            *notice = Some(HeldNotice {
                text,
                logged: Instant::now(),
            });
        }
    }
}

impl OutboxStore for KioskSyncStore {
    /// The lowest `seq`s. A sealed pre-application is opened and sealed again to the
    /// legal-aid centre of the terminal's region, so only that centre can read it; while no
    /// centre's key serves the region it stays on the terminal, and the rest of the outbox
    /// goes on without it.
    fn pending_batch(&self, max: usize) -> Result<Vec<Event>, StoreError> {
        let (events, held) = self.conn.with(|c| {
            let sealed: i64 =
                c.query_row("SELECT COUNT(*) FROM outbox_sealed", [], |r| r.get(0))?;
            if sealed == 0 {
                return Ok((sql::outbox_pending(c, max)?, 0));
            }
            let recipient = self.legal_aid_recipient(c)?;
            // Room for the rows that may have to stay behind.
            let candidates = sql::outbox_pending(c, max + usize::try_from(sealed).unwrap_or(0))?;
            let mut events = Vec::with_capacity(max);
            let mut held = 0;
            for mut event in candidates {
                if events.len() == max {
                    break;
                }
                let is_sealed = c
                    .query_row(
                        "SELECT 1 FROM outbox_sealed WHERE seq = ?1",
                        [event.seq],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some();
                if !is_sealed {
                    events.push(event);
                    continue;
                }
                match self.for_the_centre(c, &event, recipient.as_ref()) {
                    Some(payload) => {
                        event.payload = payload;
                        events.push(event);
                    }
                    None => held += 1,
                }
            }
            Ok((events, held))
        })?;
        self.note_held(held);
        Ok(events)
    }

    fn acknowledge(&self, seqs: &[i64]) -> Result<(), StoreError> {
        self.conn.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for seq in seqs {
                // Personal data the centre now holds leaves the terminal at once.
                delete_sealed(&tx, *seq)?;
            }
            sql::outbox_delete(&tx, seqs)?;
            tx.commit()
        })
    }

    fn record_failure(&self, seqs: &[i64], error: &str) -> Result<(), StoreError> {
        self.conn
            .with(|c| sql::outbox_record_failure(c, seqs, error))
    }

    fn depth(&self) -> Result<u64, StoreError> {
        self.conn.with(|c| sql::outbox_depth(c))
    }
}

impl BundleStore for KioskSyncStore {
    fn current_versions(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        self.conn.with(|c| sql::bundle_versions(c))
    }

    fn check(&self, bundle: &VerifiedBundle) -> Result<(), BundleError> {
        let (stream, version) = (&bundle.manifest.stream, bundle.manifest.version);
        // Content the kiosk could not use is refused whole; what is in force stays.
        let Err(e) = crate::domain::bundle_check::check_bundle(stream, &bundle.payload.files)
        else {
            return Ok(());
        };
        let reason = e.to_string();
        tracing::error!(stream = %stream, version, "bundle refused: {reason}");
        let at = chrono::Local::now().fixed_offset();
        if let Err(e) = self
            .conn
            .with(|c| crate::domain::bundle_check::record_refusal(c, stream, version, &reason, at))
        {
            tracing::error!("cannot report the refused bundle: {e}");
        }
        Err(BundleError::Unusable(reason))
    }

    fn apply(&self, bundle: &VerifiedBundle) -> Result<(), StoreError> {
        let stream = bundle.manifest.stream.clone();
        {
            let mut conn = self.conn.lock()?;
            sql::apply_bundle(&mut conn, bundle, std::time::Duration::ZERO)?;
        }
        tracing::info!(stream = %stream, version = bundle.manifest.version, "bundle in force");
        (self.on_bundle)(&stream);
        Ok(())
    }
}

impl CommandSink for KioskSyncStore {
    fn carries_out_commands(&self) -> bool {
        self.executor.is_some()
    }

    fn execute(&self, command: &CommandBody) -> CommandOutcome {
        let Some(executor) = &self.executor else {
            // Not reached: the client leaves commands open when there is no executor.
            return CommandOutcome {
                state: CommandState::Received,
                detail: Some("left for the kiosk".into()),
                logs: None,
            };
        };
        let recorded = self.conn.with(|c| {
            c.query_row(
                "SELECT state, detail FROM commands_done WHERE command_id = ?1",
                [&command.command_id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .optional()
        });
        if let Ok(Some((state, detail))) = recorded {
            // Carried out before: answer from the record, act no more.
            return CommandOutcome {
                state: serde_json::from_value(serde_json::Value::String(state))
                    .unwrap_or(CommandState::Succeeded),
                detail,
                logs: None,
            };
        }
        let Executed { outcome, then } = executor(command);
        let state = serde_json::to_value(outcome.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "failed".into());
        let action = command.action.name();
        let saved = self.conn.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO commands_done (command_id, action, state, detail, executed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![command.command_id, action, state, outcome.detail, Utc::now().to_rfc3339()],
            )
        });
        match (saved, then) {
            // Only now, with the command recorded as done: a restart must never run twice.
            (Ok(_), Some(then)) => then(),
            (Ok(_), None) => {}
            (Err(e), then) => {
                tracing::error!("cannot record command {}: {e}", command.command_id);
                if then.is_some() {
                    // Unrecorded, it would run again at every poll: not at all, then.
                    return CommandOutcome {
                        state: CommandState::Failed,
                        detail: Some(format!("cannot record the command, so not acting: {e}")),
                        logs: None,
                    };
                }
            }
        }
        outcome
    }
}

/// When the last `restart` command was recorded as done (`None`: never).
pub fn last_restart_recorded(conn: &Connection) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let at: Option<String> = conn.query_row(
        "SELECT MAX(executed_at) FROM commands_done WHERE action = 'restart'",
        [],
        |r| r.get(0),
    )?;
    Ok(at
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc)))
}

impl HealthSource for KioskSyncStore {
    fn snapshot(&self) -> HealthSnapshot {
        let mut snapshot = match self.conn.lock() {
            Ok(conn) => self.health.snapshot(&conn),
            Err(_) => HealthSnapshot {
                last_error: Some("store lock poisoned".into()),
                ..HealthSnapshot::default()
            },
        };
        // The operations centre sees held pre-applications in `terminal list`.
        if snapshot.last_error.is_none()
            && let Ok(held) = self.held.lock()
            && let Some(notice) = held.as_ref()
        {
            snapshot.last_error = Some(notice.text.clone());
        }
        snapshot
    }
}
