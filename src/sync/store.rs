//! The sync client's view of the terminal's store: the outbox it drains, the bundles it puts
//! in force, the commands it hands over, the health it reports. A second SQLite connection
//! to the same file (WAL lets it run beside the store thread).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use provisioning::bundle::VerifiedBundle;
use provisioning::client::store::{
    BundleStore, CommandOutcome, CommandSink, HealthSnapshot, HealthSource, OutboxStore, StoreError,
};
use provisioning::command::{CommandAction, CommandBody};
use provisioning::protocol::{CommandState, Event};
use provisioning::sqlite_store as sql;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::domain::queue::Catalogue;
use crate::store::Store;
use crate::store::sealed::{SealKey, delete_sealed, open_sealed};

type BundleApplied = Box<dyn Fn(&str) + Send + Sync>;
type Executor = Box<dyn Fn(&CommandBody) -> CommandOutcome + Send + Sync>;

pub struct KioskSyncStore {
    conn: Mutex<Connection>,
    /// Opens sealed (consented personal) payloads at delivery.
    seal_key: SealKey,
    health: Arc<Mutex<HealthSnapshot>>,
    on_bundle: BundleApplied,
    executor: Executor,
}

fn sql(e: rusqlite::Error) -> StoreError {
    StoreError::new(e)
}

impl KioskSyncStore {
    /// Opens the terminal's database at `path`. `on_bundle(stream)` runs after a bundle was
    /// put in force; `executor` carries out a command the first time its id is seen.
    pub fn open(
        path: &Path,
        health: Arc<Mutex<HealthSnapshot>>,
        on_bundle: impl Fn(&str) + Send + Sync + 'static,
        executor: impl Fn(&CommandBody) -> CommandOutcome + Send + Sync + 'static,
    ) -> Result<Self, StoreError> {
        let store = Store::open(path).map_err(StoreError::new)?;
        let data_dir = path.parent().unwrap_or(Path::new("."));
        let seal_key =
            SealKey::load_or_create(&SealKey::path_in(data_dir)).map_err(StoreError::new)?;
        let conn = store.into_connection();
        // Deleted sealed payloads are overwritten, not just unlinked from the b-tree.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(StoreError::new)?;
        Ok(Self {
            conn: Mutex::new(conn),
            seal_key,
            health,
            on_bundle: Box::new(on_bundle),
            executor: Box::new(executor),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::msg("store lock poisoned"))?;
        f(&mut conn).map_err(sql)
    }
}

impl OutboxStore for KioskSyncStore {
    fn pending_batch(&self, max: usize) -> Result<Vec<Event>, StoreError> {
        self.with(|c| {
            let mut events = sql::outbox_pending(c, max)?;
            for event in &mut events {
                // A sealed event goes with its real payload; one that cannot be opened goes
                // as its anonymous stub rather than blocking the queue.
                match open_sealed(c, &self.seal_key, event.seq) {
                    Ok(Some(payload)) => event.payload = payload,
                    Ok(None) => {}
                    Err(e) => tracing::error!("outbox event {}: {e}", event.seq),
                }
            }
            Ok(events)
        })
    }

    fn acknowledge(&self, seqs: &[i64]) -> Result<(), StoreError> {
        self.with(|c| {
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
        self.with(|c| sql::outbox_record_failure(c, seqs, error))
    }

    fn depth(&self) -> Result<u64, StoreError> {
        self.with(|c| sql::outbox_depth(c))
    }
}

impl BundleStore for KioskSyncStore {
    fn current_versions(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        self.with(|c| sql::bundle_versions(c))
    }

    fn apply(&self, bundle: &VerifiedBundle) -> Result<(), StoreError> {
        let stream = bundle.manifest.stream.clone();
        if stream == "catalogue" {
            // Refuse a catalogue the kiosk could not show; the old one stays in force.
            let services = bundle
                .payload
                .files
                .get("services.toml")
                .ok_or_else(|| StoreError::msg("catalogue bundle has no services.toml"))?;
            let text = std::str::from_utf8(services)
                .map_err(|_| StoreError::msg("services.toml is not UTF-8"))?;
            Catalogue::parse(text).map_err(StoreError::new)?;
        }
        if stream == "settings"
            && let Some(policy) = bundle
                .payload
                .files
                .get(crate::domain::queue::policy::POLICY_FILE)
        {
            // Refuse a queue policy the kiosk could not apply; the old one stays in force.
            let text = std::str::from_utf8(policy)
                .map_err(|_| StoreError::msg("queue-policy.toml is not UTF-8"))?;
            crate::domain::queue::Policy::parse(text).map_err(StoreError::new)?;
        }
        {
            let mut conn = self
                .conn
                .lock()
                .map_err(|_| StoreError::msg("store lock poisoned"))?;
            sql::apply_bundle(&mut conn, bundle, std::time::Duration::ZERO)?;
        }
        tracing::info!(stream = %stream, version = bundle.manifest.version, "bundle in force");
        (self.on_bundle)(&stream);
        Ok(())
    }
}

impl CommandSink for KioskSyncStore {
    fn execute(&self, command: &CommandBody) -> CommandOutcome {
        let recorded = self.with(|c| {
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
        let outcome = (self.executor)(command);
        let state = serde_json::to_value(outcome.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "failed".into());
        let action = action_name(&command.action);
        let saved = self.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO commands_done (command_id, action, state, detail, executed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![command.command_id, action, state, outcome.detail, Utc::now().to_rfc3339()],
            )
        });
        if let Err(e) = saved {
            tracing::error!("cannot record command {}: {e}", command.command_id);
        }
        outcome
    }
}

fn action_name(action: &CommandAction) -> &'static str {
    match action {
        CommandAction::Lock { .. } => "lock",
        CommandAction::Unlock => "unlock",
        CommandAction::Notice { .. } => "notice",
        CommandAction::Reload { .. } => "reload",
        CommandAction::UploadLogs { .. } => "upload-logs",
        CommandAction::Restart => "restart",
    }
}

impl HealthSource for KioskSyncStore {
    fn snapshot(&self) -> HealthSnapshot {
        self.health.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

/// The catalogue in force: the newest valid `catalogue` bundle, else the one shipped with the
/// firmware (version 0).
pub fn catalogue_in_force(conn: &Connection) -> Catalogue {
    let services: Option<Vec<u8>> = conn
        .query_row(
            "SELECT content FROM bundle_files WHERE stream = 'catalogue' AND name = 'services.toml'",
            [],
            |r| r.get(0),
        )
        .optional()
        .unwrap_or_else(|e| {
            tracing::error!("cannot read the catalogue bundle: {e}");
            None
        });
    let parsed = services.map(|bytes| {
        std::str::from_utf8(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|text| Catalogue::parse(text).map_err(|e| e.to_string()))
    });
    match parsed {
        Some(Ok(catalogue)) => catalogue,
        Some(Err(e)) => {
            tracing::error!(
                "the catalogue bundle in force is not usable ({e}); using the built-in one"
            );
            Catalogue::built_in()
        }
        None => Catalogue::built_in(),
    }
}
