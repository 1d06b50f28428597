//! Commands: created signed by the ops tool, relayed at polls until closed or expired.

use super::{StoreError, now_text, time_text};
use chrono::{DateTime, Utc};
use provisioning::command::{CommandBody, SignedCommand};
use provisioning::protocol::CommandAck;
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

/// A command may go only to a known terminal that is not revoked.
pub(crate) fn check_target(status: Option<&str>, device_id: &str) -> Result<(), StoreError> {
    match status {
        None => Err(StoreError::NotFound(format!("no terminal {device_id}"))),
        Some("revoked") => Err(StoreError::Invalid(format!(
            "terminal {device_id} is revoked"
        ))),
        Some(_) => Ok(()),
    }
}

/// Whether a state is final.
pub(crate) fn is_final(state: &str) -> bool {
    matches!(state, "succeeded" | "failed" | "rejected")
}

/// The state shown in listings: `expired` when open past `not_after`.
pub(crate) fn shown_state(state: String, not_after: &str, now: &str) -> String {
    if !is_final(&state) && not_after <= now {
        "expired".into()
    } else {
        state
    }
}

/// Stores a signed command for its terminal.
pub fn create(
    conn: &Connection,
    command: &SignedCommand,
    body: &CommandBody,
) -> Result<(), StoreError> {
    let status: Option<String> = conn
        .query_row(
            "SELECT status FROM terminals WHERE device_id = ?1",
            [&body.device_id],
            |r| r.get(0),
        )
        .optional()?;
    check_target(status.as_deref(), &body.device_id)?;
    let json = serde_json::to_string(command).map_err(|e| StoreError::Invalid(e.to_string()))?;
    conn.execute(
        "INSERT INTO commands (command_id, device_id, action, body, issued_at, not_after, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![body.command_id, body.device_id, body.action.name(), json, time_text(body.issued_at), time_text(body.not_after), now_text()],
    )?;
    Ok(())
}

/// Open, unexpired commands for a terminal (oldest first); marks `pending` ones `delivered`.
pub fn take_open(
    conn: &Connection,
    device_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<SignedCommand>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT body FROM commands WHERE device_id = ?1 AND state IN ('pending', 'delivered', 'received', 'proceeding')
         AND not_after > ?2 ORDER BY issued_at, command_id",
    )?;
    let bodies: Vec<String> = stmt
        .query_map(params![device_id, time_text(now)], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if !bodies.is_empty() {
        conn.prepare_cached("UPDATE commands SET state = 'delivered', updated_at = ?2 WHERE device_id = ?1 AND state = 'pending'")?
            .execute(params![device_id, now_text()])?;
    }
    Ok(bodies
        .into_iter()
        .filter_map(|b| serde_json::from_str(&b).ok())
        .collect())
}

/// Records an acknowledgement. A command already closed keeps its first final state (a
/// repeated acknowledgement is answered with it).
pub fn acknowledge(
    conn: &Connection,
    device_id: &str,
    command_id: &str,
    ack: &CommandAck,
) -> Result<String, StoreError> {
    let state: Option<String> = conn
        .query_row(
            "SELECT state FROM commands WHERE command_id = ?1 AND device_id = ?2",
            params![command_id, device_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(state) = state else {
        return Err(StoreError::NotFound(format!(
            "no command {command_id} for this terminal"
        )));
    };
    if is_final(&state) {
        return Ok(state);
    }
    let detail = ack
        .detail
        .as_deref()
        .map(|d| d.chars().take(1000).collect::<String>());
    conn.execute(
        "UPDATE commands SET state = ?3, detail = ?4, updated_at = ?5 WHERE command_id = ?1 AND device_id = ?2",
        params![command_id, device_id, ack.state.as_str(), detail, now_text()],
    )?;
    Ok(ack.state.as_str().to_string())
}

/// Stores uploaded logs for an `upload-logs` command.
pub fn store_logs(
    conn: &Connection,
    device_id: &str,
    command_id: &str,
    logs: &str,
) -> Result<(), StoreError> {
    let n = conn.execute(
        "UPDATE commands SET logs = ?3, updated_at = ?4 WHERE command_id = ?1 AND device_id = ?2 AND action = 'upload-logs'",
        params![command_id, device_id, logs, now_text()],
    )?;
    StoreError::unless_touched(n, || {
        format!("no upload-logs command {command_id} for this terminal")
    })
}

/// A command for listings.
#[derive(Debug, Clone, Serialize)]
pub struct CommandRow {
    /// Id.
    pub command_id: String,
    /// Terminal.
    pub device_id: String,
    /// Action name.
    pub action: String,
    /// State; `expired` when past `not_after` without a final acknowledgement.
    pub state: String,
    /// The terminal's explanation.
    pub detail: Option<String>,
    /// Issued.
    pub issued_at: String,
    /// Expiry.
    pub not_after: String,
    /// Whether logs were uploaded.
    pub has_logs: bool,
}

/// Commands, newest first, optionally for one terminal.
pub fn list(
    conn: &Connection,
    device_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<CommandRow>, StoreError> {
    let now = time_text(now);
    let mut stmt = conn.prepare(
        "SELECT command_id, device_id, action, state, detail, issued_at, not_after, logs IS NOT NULL FROM commands
         WHERE ?1 IS NULL OR device_id = ?1 ORDER BY issued_at DESC",
    )?;
    let rows = stmt.query_map([device_id], |r| {
        let state: String = r.get(3)?;
        let not_after: String = r.get(6)?;
        Ok(CommandRow {
            command_id: r.get(0)?,
            device_id: r.get(1)?,
            action: r.get(2)?,
            state: shown_state(state, &not_after, &now),
            detail: r.get(4)?,
            issued_at: r.get(5)?,
            not_after,
            has_logs: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The uploaded logs of a command.
pub fn logs(conn: &Connection, command_id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT logs FROM commands WHERE command_id = ?1",
            [command_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}
