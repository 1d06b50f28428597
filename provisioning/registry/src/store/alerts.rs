//! Alerts of the operations centre's console: raised when a terminal's condition appears
//! (overdue, paper out, a device fault, a deep outbox, a refused bundle), acknowledged by an
//! operator, cleared when the condition is gone. At most one open alert per terminal and
//! kind (a partial unique index), so instances evaluating together raise it once.
//! SQL shared with PostgreSQL (`pg/alerts.rs`), parameters numbered in order of appearance.

use super::StoreError;
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// Id (for acknowledging).
    pub id: i64,
    /// The terminal.
    pub device_id: String,
    /// `overdue`, `paper_out`, `printer_fault`, `reader_fault`, `outbox_growing`,
    /// `bundle_refused`.
    pub kind: String,
    /// More about it (the refused bundle, the outbox depth), or empty.
    pub detail: String,
    /// When it was raised (RFC 3339).
    pub raised_at: String,
    /// When an operator acknowledged it.
    pub acknowledged_at: Option<String>,
    /// Who.
    pub acknowledged_by: Option<String>,
    /// When its condition was gone.
    pub cleared_at: Option<String>,
}

const COLUMNS: &str =
    "id, device_id, kind, detail, raised_at, acknowledged_at, acknowledged_by, cleared_at";

pub(super) fn open_sql() -> String {
    format!("SELECT {COLUMNS} FROM alerts WHERE cleared_at IS NULL ORDER BY id")
}
pub(super) fn one_sql() -> String {
    format!("SELECT {COLUMNS} FROM alerts WHERE id = $1")
}
pub(super) const RAISE: &str = "INSERT INTO alerts (device_id, kind, detail, raised_at)
     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
pub(super) const CLEAR: &str =
    "UPDATE alerts SET cleared_at = $1 WHERE id = $2 AND cleared_at IS NULL";
pub(super) const ACK: &str = "UPDATE alerts SET acknowledged_at = $1, acknowledged_by = $2
     WHERE id = $3 AND acknowledged_at IS NULL";
/// Refused bundles reported by terminals (few rows; the `kind` index finds them).
pub(super) const REFUSALS: &str =
    "SELECT device_id, payload FROM events WHERE kind = 'bundle.refused'";

/// A change to the open alerts: raise (device, kind, detail) or clear an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A condition appeared.
    Raise(String, String, String),
    /// A condition is gone.
    Clear(i64),
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: r.get(0)?,
        device_id: r.get(1)?,
        kind: r.get(2)?,
        detail: r.get(3)?,
        raised_at: r.get(4)?,
        acknowledged_at: r.get(5)?,
        acknowledged_by: r.get(6)?,
        cleared_at: r.get(7)?,
    })
}

/// The open alerts, oldest first.
pub fn open(conn: &Connection) -> Result<Vec<Alert>, StoreError> {
    let mut stmt = conn.prepare_cached(&open_sql())?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One alert.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Alert>, StoreError> {
    Ok(conn.query_row(&one_sql(), [id], from_row).optional()?)
}

/// Applies changes in one transaction, at `now`.
pub fn apply(conn: &mut Connection, changes: &[Change], now: &str) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    for change in changes {
        match change {
            Change::Raise(device, kind, detail) => {
                tx.execute(RAISE, params![device, kind, detail, now])?;
            }
            Change::Clear(id) => {
                tx.execute(CLEAR, params![now, id])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Marks an alert acknowledged by `by` (once; later calls change nothing); false if no
/// such alert.
pub fn acknowledge(conn: &Connection, id: i64, by: &str, now: &str) -> Result<bool, StoreError> {
    conn.execute(ACK, params![now, by, id])?;
    Ok(get(conn, id)?.is_some())
}

/// (device, payload) of every refused-bundle report.
pub fn refusals(conn: &Connection) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(REFUSALS)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
