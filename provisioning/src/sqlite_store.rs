//! A reference implementation of the client's store traits over one SQLite file (feature
//! `sqlite-store`). Its `outbox`, bundle and command tables are the firmware's — one
//! definition in `sql/`, which the firmware's migrations include — and show one way to meet
//! the traits' atomicity and idempotency rules. Used by
//! the registry's tests, benchmarks and the `kiosk-sim` simulated terminal.

use crate::bundle::{Payload, VerifiedBundle};
use crate::client::store::{
    BundleStore, CommandOutcome, CommandSink, HealthSnapshot, HealthSource, OutboxStore, StoreError,
};
use crate::command::{CommandAction, CommandBody};
use crate::protocol::{CommandState, Event};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The terminal's outbox table, as the firmware's migrations create it.
pub const OUTBOX_SCHEMA: &str = include_str!("../sql/outbox.sql");
/// The bundles in force and the commands carried out, as the firmware's migrations create them.
pub const BUNDLES_SCHEMA: &str = include_str!("../sql/bundles.sql");
/// What only this reference store keeps: the state commands set on a simulated terminal.
const SIMULATOR_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS kiosk_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
";

/// Reads a struct from a row whose columns are its fields, in the order named:
/// `row_reader!(AuditRow: at, actor, action)` gives `AuditRow::COLUMNS` (`"at, actor,
/// action"`, for the `SELECT`) and `AuditRow::from_row`, so that the columns asked for and
/// the fields read from them cannot drift apart.
#[macro_export]
macro_rules! row_reader {
    ($ty:ident: $first:ident $(, $field:ident)* $(,)?) => {
        impl $ty {
            /// The columns [`Self::from_row`] reads, in its order.
            pub const COLUMNS: &'static str =
                concat!(stringify!($first) $(, ", ", stringify!($field))*);

            /// Reads a row of [`Self::COLUMNS`].
            pub fn from_row(r: &::rusqlite::Row<'_>) -> ::rusqlite::Result<Self> {
                let mut column = 0usize;
                let mut next = || {
                    column += 1;
                    column - 1
                };
                Ok(Self {
                    $first: r.get(next())?,
                    $($field: r.get(next())?,)*
                })
            }
        }
    };
}

/// One connection shared by a store's threads, each use under its lock; a poisoned lock is
/// an error for the caller, not a panic. The firmware's sync store keeps its connection so too.
pub struct SharedConnection(Mutex<Connection>);

impl SharedConnection {
    /// Shares `conn`.
    pub fn new(conn: Connection) -> Self {
        Self(Mutex::new(conn))
    }

    /// The connection, for as long as the guard lives.
    pub fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.0
            .lock()
            .map_err(|_| StoreError::msg("store lock poisoned"))
    }

    /// Runs `f` on the connection.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock()?;
        f(&mut conn).map_err(err)
    }
}

/// The store.
pub struct SqliteStore {
    conn: SharedConnection,
    health: Mutex<HealthSnapshot>,
    apply_pause: Mutex<Duration>,
}

fn err(e: rusqlite::Error) -> StoreError {
    StoreError::new(e)
}

impl SqliteStore {
    /// Opens (or creates) the file: WAL, `synchronous=FULL` (a kiosk loses power without
    /// warning), the schema above.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(err)?;
        for schema in [OUTBOX_SCHEMA, BUNDLES_SCHEMA, SIMULATOR_SCHEMA] {
            conn.execute_batch(schema).map_err(err)?;
        }
        Ok(Self {
            conn: SharedConnection::new(conn),
            health: Mutex::new(HealthSnapshot::default()),
            apply_pause: Mutex::new(Duration::ZERO),
        })
    }

    /// Writes an event as the firmware does: a fresh idempotency key, now as `created_at`.
    /// Returns its `seq`.
    pub fn enqueue(&self, kind: &str, payload: &serde_json::Value) -> Result<i64, StoreError> {
        let mut key = [0u8; 16];
        getrandom::fill(&mut key).map_err(|e| StoreError::msg(e.to_string()))?;
        let key = hex::encode(key);
        let created_at = chrono::Local::now().to_rfc3339();
        self.conn.with(|c| {
            c.execute(
                "INSERT INTO outbox (idempotency_key, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![key, kind, payload.to_string(), created_at],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    /// Writes many events in one transaction (fast fixture set-up).
    pub fn enqueue_many(&self, events: &[(String, serde_json::Value)]) -> Result<(), StoreError> {
        let created_at = chrono::Local::now().to_rfc3339();
        let keys = events
            .iter()
            .map(|_| {
                let mut key = [0u8; 16];
                getrandom::fill(&mut key)
                    .map(|_| hex::encode(key))
                    .map_err(|e| StoreError::msg(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.conn.with(|c| {
            let tx = c.transaction()?;
            {
                let mut stmt = tx.prepare("INSERT INTO outbox (idempotency_key, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4)")?;
                for ((kind, payload), key) in events.iter().zip(&keys) {
                    stmt.execute(params![key, kind, payload.to_string(), created_at])?;
                }
            }
            tx.commit()
        })
    }

    /// Every outbox row's idempotency key (tests compare them with the registry's).
    pub fn outbox_keys(&self) -> Result<Vec<String>, StoreError> {
        self.conn.with(|c| {
            c.prepare("SELECT idempotency_key FROM outbox ORDER BY seq")?
                .query_map([], |r| r.get(0))?
                .collect()
        })
    }

    /// The files of the bundle in force for `stream`.
    pub fn bundle_files(&self, stream: &str) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
        self.conn.with(|c| {
            c.prepare("SELECT name, content FROM bundle_files WHERE stream = ?1")?
                .query_map([stream], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
    }

    /// How many times a command id was carried out (0 if never, else 1: a redelivered id is
    /// answered from the record).
    pub fn executions(&self, command_id: &str) -> Result<u32, StoreError> {
        self.conn.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM commands_done WHERE command_id = ?1",
                [command_id],
                |r| r.get(0),
            )
        })
    }

    /// A kiosk state value set by commands (`lock`, `notice`).
    pub fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn.with(|c| {
            c.query_row("SELECT value FROM kiosk_state WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    /// Sets the health reported in heartbeats.
    pub fn set_health(&self, health: HealthSnapshot) {
        if let Ok(mut h) = self.health.lock() {
            *h = health;
        }
    }

    /// Sleeps this long after writing each file while applying a bundle, inside the
    /// transaction: lets crash tests kill the process in the middle of an apply.
    pub fn set_apply_pause(&self, pause: Duration) {
        if let Ok(mut p) = self.apply_pause.lock() {
            *p = pause;
        }
    }

    fn record_command(&self, command: &CommandBody) -> rusqlite::Result<CommandOutcome> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| rusqlite::Error::InvalidQuery)?;
        let tx = conn.transaction()?;
        let done: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT state, detail FROM commands_done WHERE command_id = ?1",
                [&command.command_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((state, detail)) = done {
            // Seen before: report the recorded outcome without acting again.
            let state = if state == "succeeded" {
                CommandState::Succeeded
            } else {
                CommandState::Failed
            };
            return Ok(CommandOutcome {
                state,
                detail,
                logs: None,
            });
        }
        let mut logs = None;
        match &command.action {
            CommandAction::Lock { notice } => {
                tx.execute(
                    "INSERT OR REPLACE INTO kiosk_state (key, value) VALUES ('lock', ?1)",
                    [notice],
                )?;
            }
            CommandAction::Unlock => {
                tx.execute("DELETE FROM kiosk_state WHERE key = 'lock'", [])?;
            }
            CommandAction::Notice { text, .. } => {
                tx.execute(
                    "INSERT OR REPLACE INTO kiosk_state (key, value) VALUES ('notice', ?1)",
                    [text],
                )?;
            }
            CommandAction::UploadLogs { .. } => {
                logs = Some("simulated terminal log: all devices ok\n".to_string())
            }
            CommandAction::Reload { .. } | CommandAction::Restart => {}
        }
        tx.execute(
            "INSERT INTO commands_done (command_id, action, state, detail, executed_at) VALUES (?1, ?2, 'succeeded', NULL, ?3)",
            params![command.command_id, command.action.name(), chrono::Utc::now().to_rfc3339()],
        )?;
        tx.commit()?;
        Ok(CommandOutcome {
            state: CommandState::Succeeded,
            detail: None,
            logs,
        })
    }
}

impl OutboxStore for SqliteStore {
    fn pending_batch(&self, max: usize) -> Result<Vec<Event>, StoreError> {
        self.conn.with(|c| outbox_pending(c, max))
    }

    fn acknowledge(&self, seqs: &[i64]) -> Result<(), StoreError> {
        self.conn.with(|c| outbox_acknowledge(c, seqs))
    }

    fn record_failure(&self, seqs: &[i64], error: &str) -> Result<(), StoreError> {
        self.conn.with(|c| outbox_record_failure(c, seqs, error))
    }

    fn depth(&self) -> Result<u64, StoreError> {
        self.conn.with(|c| outbox_depth(c))
    }
}

impl BundleStore for SqliteStore {
    fn current_versions(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        self.conn.with(|c| bundle_versions(c))
    }

    fn apply(&self, bundle: &VerifiedBundle) -> Result<(), StoreError> {
        let pause = self.apply_pause.lock().map(|p| *p).unwrap_or_default();
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::msg("store lock poisoned"))?;
        apply_bundle(&mut conn, bundle, pause)
    }
}

// The SQL behind the traits, on any connection to a file with the `outbox`, `bundles` and
// `bundle_files` tables: this store's and the firmware's. Writes take the write lock at
// once (IMMEDIATE), since the firmware writes the same file from other connections.

/// Up to `max` outbox rows, lowest `seq` first; a payload that does not parse goes as a
/// JSON string (the registry sets it aside) rather than blocking the queue.
pub fn outbox_pending(conn: &Connection, max: usize) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, idempotency_key, kind, payload, created_at FROM outbox ORDER BY seq LIMIT ?1",
    )?;
    stmt.query_map([max as i64], |r| {
        let text: String = r.get(3)?;
        let payload = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        Ok(Event {
            seq: r.get(0)?,
            idempotency_key: r.get(1)?,
            kind: r.get(2)?,
            payload,
            created_at: r.get(4)?,
        })
    })?
    .collect()
}

/// Deletes acknowledged rows.
pub fn outbox_acknowledge(conn: &mut Connection, seqs: &[i64]) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    outbox_delete(&tx, seqs)?;
    tx.commit()
}

/// Deletes acknowledged rows inside the caller's transaction (for stores that drop more
/// with each row).
pub fn outbox_delete(conn: &Connection, seqs: &[i64]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?;
    for seq in seqs {
        stmt.execute([seq])?;
    }
    Ok(())
}

/// Counts a failed attempt on these rows.
pub fn outbox_record_failure(
    conn: &mut Connection,
    seqs: &[i64],
    error: &str,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut stmt = tx.prepare_cached(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1",
        )?;
        for seq in seqs {
            stmt.execute(params![seq, error])?;
        }
    }
    tx.commit()
}

/// Rows waiting.
pub fn outbox_depth(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}

/// Version in force per stream.
pub fn bundle_versions(conn: &Connection) -> rusqlite::Result<BTreeMap<String, u64>> {
    conn.prepare_cached("SELECT stream, version FROM bundles")?
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?
        .collect()
}

/// Puts `bundle` in force in one transaction, refusing a version not above the one in force
/// (checked inside the transaction). `pause` after each file lets crash tests kill the
/// process mid-apply.
pub fn apply_bundle(
    conn: &mut Connection,
    bundle: &VerifiedBundle,
    pause: Duration,
) -> Result<(), StoreError> {
    let manifest = &bundle.manifest;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    let current: Option<i64> = tx
        .query_row(
            "SELECT version FROM bundles WHERE stream = ?1",
            [&manifest.stream],
            |r| r.get(0),
        )
        .optional()
        .map_err(err)?;
    if current.is_some_and(|v| v as u64 >= manifest.version) {
        return Err(StoreError::msg(format!(
            "{} v{} is not newer than the version in force",
            manifest.stream, manifest.version
        )));
    }
    tx.execute(
        "DELETE FROM bundle_files WHERE stream = ?1",
        [&manifest.stream],
    )
    .map_err(err)?;
    write_files(&tx, &manifest.stream, &bundle.payload, pause).map_err(err)?;
    tx.execute(
        "INSERT OR REPLACE INTO bundles (stream, version, manifest, applied_at) VALUES (?1, ?2, ?3, ?4)",
        params![manifest.stream, manifest.version as i64, bundle.manifest_text, chrono::Utc::now().to_rfc3339()],
    )
    .map_err(err)?;
    tx.commit().map_err(err)
}

fn write_files(
    tx: &rusqlite::Transaction<'_>,
    stream: &str,
    payload: &Payload,
    pause: Duration,
) -> rusqlite::Result<()> {
    let mut stmt =
        tx.prepare("INSERT INTO bundle_files (stream, name, content) VALUES (?1, ?2, ?3)")?;
    for (name, content) in &payload.files {
        stmt.execute(params![stream, name, content])?;
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
    Ok(())
}

impl CommandSink for SqliteStore {
    fn execute(&self, command: &CommandBody) -> CommandOutcome {
        self.record_command(command)
            .unwrap_or_else(|e| CommandOutcome {
                state: CommandState::Failed,
                detail: Some(format!("store error: {e}")),
                logs: None,
            })
    }
}

impl HealthSource for SqliteStore {
    fn snapshot(&self) -> HealthSnapshot {
        let mut health = self.health.lock().map(|h| h.clone()).unwrap_or_default();
        health.locked = self.state("lock").ok().flatten().is_some();
        health
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_rows_leave_only_when_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("k.db")).unwrap();
        for n in 0..5 {
            store
                .enqueue("ticket.issued", &serde_json::json!({ "number": n }))
                .unwrap();
        }
        let batch = store.pending_batch(3).unwrap();
        assert_eq!(
            batch.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        store.record_failure(&[1, 2, 3], "down").unwrap();
        assert_eq!(store.depth().unwrap(), 5);
        store.acknowledge(&[1, 2]).unwrap();
        assert_eq!(store.pending_batch(10).unwrap()[0].seq, 3);
        assert_eq!(store.depth().unwrap(), 3);
    }

    #[test]
    fn a_command_is_carried_out_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("k.db")).unwrap();
        let now = chrono::Utc::now();
        let body = CommandBody {
            command_id: "c-9".into(),
            device_id: "kt-1".into(),
            action: CommandAction::Lock {
                notice: "维护中".into(),
            },
            issued_at: now,
            not_after: now + chrono::Duration::hours(1),
        };
        assert_eq!(store.execute(&body).state, CommandState::Succeeded);
        store.execute(&CommandBody {
            action: CommandAction::Unlock,
            ..body.clone()
        });
        assert_eq!(store.executions("c-9").unwrap(), 1);
        // The second delivery of the id did not unlock.
        assert_eq!(store.state("lock").unwrap().as_deref(), Some("维护中"));
    }
}
