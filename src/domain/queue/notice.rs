//! The notice staff set for the hall display (one line, e.g. "午休 12:00-13:30"), kept in
//! the terminal's settings and audited.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};
use thiserror::Error;

use super::calling::action;
use crate::domain::maintenance::audit::{self, Actor, Outcome};

/// The settings key of the notice staff set for the hall display.
pub const NOTICE_KEY: &str = "queue.hall_notice";

/// The longest hall notice, in characters.
pub const MAX_NOTICE_CHARS: usize = 200;

#[derive(Debug, Error)]
pub enum NoticeError {
    #[error("a notice is one line of at most {MAX_NOTICE_CHARS} characters")]
    Bad,
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// The notice staff set for the hall, if any.
pub fn stored_notice(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT value FROM kiosk_settings WHERE key = ?1",
        [NOTICE_KEY],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .map(|v| v.filter(|t| !t.trim().is_empty()))
}

/// Sets the hall's notice to `text` (trimmed; empty clears it), audited as `actor`'s.
pub fn set_notice(
    conn: &mut Connection,
    actor: &Actor,
    text: &str,
    now: DateTime<FixedOffset>,
) -> Result<(), NoticeError> {
    let text = text.trim();
    if text.chars().count() > MAX_NOTICE_CHARS || text.chars().any(char::is_control) {
        return Err(NoticeError::Bad);
    }
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO kiosk_settings (key, value, set_at, set_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET value = ?2, set_at = ?3, set_by = ?4",
        params![NOTICE_KEY, text, now.to_rfc3339(), actor.label()],
    )?;
    audit::record(
        &tx,
        actor,
        action::SET_NOTICE,
        Outcome::Ok,
        serde_json::json!({ "chars": text.chars().count() }),
        now,
    )?;
    tx.commit()?;
    Ok(())
}
