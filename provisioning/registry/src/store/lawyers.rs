//! Lawyers' accounts for the video-call console: a user name, a display name, the regions
//! served and an Argon2id password hash (the password itself is never stored).

use super::{StoreError, now_text};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

/// A lawyer's account, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lawyer {
    /// Login name.
    pub username: String,
    /// Shown on the console.
    pub display_name: String,
    /// Region codes served (`330000` covers every `3301xx`).
    pub regions: Vec<String>,
    /// `active` or `disabled`.
    pub status: String,
}

/// Adds an account or replaces its name, regions and password hash.
pub fn upsert(conn: &Connection, lawyer: &Lawyer, password_hash: &str) -> Result<(), StoreError> {
    let regions =
        serde_json::to_string(&lawyer.regions).map_err(|e| StoreError::Invalid(e.to_string()))?;
    conn.execute(
        "INSERT INTO lawyers (username, display_name, regions, password_hash, status, created_at)
         VALUES (?1, ?2, ?3, ?4, 'active', ?5)
         ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name,
           regions = excluded.regions, password_hash = excluded.password_hash, status = 'active'",
        params![
            lawyer.username,
            lawyer.display_name,
            regions,
            password_hash,
            now_text()
        ],
    )?;
    Ok(())
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Lawyer, String)> {
    let regions: String = r.get(2)?;
    Ok((
        Lawyer {
            username: r.get(0)?,
            display_name: r.get(1)?,
            regions: serde_json::from_str(&regions).unwrap_or_default(),
            status: r.get(4)?,
        },
        r.get(3)?,
    ))
}

/// An account and its password hash.
pub fn get(conn: &Connection, username: &str) -> Result<Option<(Lawyer, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT username, display_name, regions, password_hash, status FROM lawyers
             WHERE username = ?1",
            [username],
            from_row,
        )
        .optional()?)
}

/// Every account by user name.
pub fn list(conn: &Connection) -> Result<Vec<Lawyer>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT username, display_name, regions, password_hash, status FROM lawyers
         ORDER BY username",
    )?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.map(|r| r.map(|(l, _)| l)).collect::<Result<_, _>>()?)
}

/// Disables an account: it can no longer log in, and a running registry ends its sessions,
/// consoles and call within seconds.
pub fn disable(conn: &Connection, username: &str) -> Result<(), StoreError> {
    let n = conn.execute(
        "UPDATE lawyers SET status = 'disabled' WHERE username = ?1",
        [username],
    )?;
    StoreError::unless_touched(n, || format!("no lawyer {username}"))
}

/// Of `usernames`, those no longer allowed in: disabled or removed (for ending the sessions
/// of accounts disabled by another process).
pub fn not_active_among(
    conn: &Connection,
    usernames: &[String],
) -> Result<Vec<String>, StoreError> {
    super::not_active(
        conn,
        "SELECT status FROM lawyers WHERE username = ?1",
        usernames,
    )
}
