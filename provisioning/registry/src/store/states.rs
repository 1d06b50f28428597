//! Each terminal's changes of state as the registry saw them (conditions, versions, lock,
//! last error): a row when what a terminal reports differs from its last row, written by the
//! alerts' evaluation, not by the terminals' polls. The terminal's page shows them.
//! SQL shared with PostgreSQL (`pg/states.rs`).

use super::StoreError;
use rusqlite::{Connection, params};
use serde::Serialize;

/// One change of state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateChange {
    /// When the registry saw it (RFC 3339).
    pub at: String,
    /// What the terminal reported then (JSON).
    pub state: serde_json::Value,
}

pub(super) const LAST: &str = "SELECT device_id, signature FROM terminal_states
     WHERE id IN (SELECT MAX(id) FROM terminal_states GROUP BY device_id)";
pub(super) const APPEND: &str =
    "INSERT INTO terminal_states (device_id, at, signature, state) VALUES ($1, $2, $3, $4)";
pub(super) const HISTORY: &str = "SELECT at, state FROM terminal_states WHERE device_id = $1
     ORDER BY id DESC LIMIT $2";

/// (device, state) to append, with its signature.
pub type NewState = (String, String, String);

/// The signature of each terminal's last row.
pub fn last(conn: &Connection) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(LAST)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Appends rows (device, signature, state) at `at`, in one transaction.
pub fn append(conn: &mut Connection, rows: &[NewState], at: &str) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    for (device, signature, state) in rows {
        tx.execute(APPEND, params![device, at, signature, state])?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn change(at: String, state: &str) -> StateChange {
    StateChange {
        at,
        state: serde_json::from_str(state).unwrap_or(serde_json::Value::Null),
    }
}

/// A terminal's latest `limit` changes, newest first.
pub fn history(
    conn: &Connection,
    device: &str,
    limit: i64,
) -> Result<Vec<StateChange>, StoreError> {
    let mut stmt = conn.prepare_cached(HISTORY)?;
    let rows = stmt.query_map(params![device, limit], |r| {
        let state: String = r.get(1)?;
        Ok(change(r.get(0)?, &state))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
