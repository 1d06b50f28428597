//! Legal-aid pre-applications and the centres they are sealed to. A pre-application is an
//! event of kind `legal_aid.pre_application` whose payload holds routing fields and a box
//! only the centre's private key opens; once a centre marks it handled, or after the
//! retention period, the box is deleted and the routing fields stay (so a re-delivery is
//! still recognised as a duplicate).

use super::{StoreError, now_text, time_text};
use chrono::{DateTime, Utc};
use provisioning::sealing::{PRE_APPLICATION_KIND, Recipient};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

/// A centre's key as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisteredRecipient {
    /// The published entry.
    #[serde(flatten)]
    pub recipient: Recipient,
    /// When it was registered.
    pub added_at: String,
    /// When it was retired (no longer published).
    pub retired_at: Option<String>,
}

/// Registers a centre's public key (checked first).
pub fn add_recipient(conn: &Connection, recipient: &Recipient) -> Result<(), StoreError> {
    recipient
        .validate()
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    conn.execute(
        "INSERT INTO legal_aid_recipients (key_id, region, centre, public_key, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (key_id) DO UPDATE SET region = excluded.region, centre = excluded.centre,
           retired_at = NULL",
        params![
            recipient.key_id,
            recipient.region,
            recipient.centre,
            recipient.public_key,
            now_text()
        ],
    )?;
    Ok(())
}

/// Retires a key: the next published directory leaves it out.
pub fn retire_recipient(conn: &Connection, key_id: &str) -> Result<(), StoreError> {
    let n = conn.execute(
        "UPDATE legal_aid_recipients SET retired_at = ?2 WHERE key_id = ?1 AND retired_at IS NULL",
        params![key_id, now_text()],
    )?;
    StoreError::unless_touched(n, || format!("no registered key {key_id} in use"))
}

/// Every registered key, by region.
pub fn recipients(conn: &Connection) -> Result<Vec<RegisteredRecipient>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT key_id, region, centre, public_key, added_at, retired_at
         FROM legal_aid_recipients ORDER BY region, added_at",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RegisteredRecipient {
            recipient: Recipient {
                key_id: r.get(0)?,
                region: r.get(1)?,
                centre: r.get(2)?,
                public_key: r.get(3)?,
            },
            added_at: r.get(4)?,
            retired_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A stored pre-application (the payload is routing fields and ciphertext, or, once
/// deleted, routing fields and when and why).
#[derive(Debug, Clone, Serialize)]
pub struct StoredApplication {
    /// The event's row id: the application's number at the registry.
    pub id: i64,
    /// When the registry stored it.
    pub received_at: String,
    /// The terminal.
    pub device_id: String,
    /// Its platform.
    pub platform_id: String,
    /// The payload (JSON).
    pub payload: serde_json::Value,
}

fn application_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredApplication> {
    let text: String = r.get(4)?;
    Ok(StoredApplication {
        id: r.get(0)?,
        received_at: r.get(1)?,
        device_id: r.get(2)?,
        platform_id: r.get(3)?,
        payload: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    })
}

/// Every pre-application, oldest first.
pub fn applications(conn: &Connection) -> Result<Vec<StoredApplication>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, received_at, device_id, platform_id, payload FROM events
         WHERE kind = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([PRE_APPLICATION_KIND], application_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One pre-application by id.
pub fn application(conn: &Connection, id: i64) -> Result<Option<StoredApplication>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, received_at, device_id, platform_id, payload FROM events
             WHERE kind = ?1 AND id = ?2",
            params![PRE_APPLICATION_KIND, id],
            application_from_row,
        )
        .optional()?)
}

/// Deletes the sealed box of pre-application `id` (handled by the centre), keeping its
/// routing fields with when and why. Overwritten in the file, not just unlinked.
pub fn mark_handled(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    conn.pragma_update(None, "secure_delete", "ON")?;
    let n = conn.execute(
        "UPDATE events SET payload = json_set(json_remove(payload, '$.sealed'),
           '$.deleted_at', ?3, '$.deleted_because', 'handled')
         WHERE kind = ?1 AND id = ?2 AND json_extract(payload, '$.deleted_at') IS NULL",
        params![PRE_APPLICATION_KIND, id, time_text(now)],
    )?;
    StoreError::unless_touched(n, || {
        format!("no pre-application {id} still held (unknown, or already deleted)")
    })
}

/// Deletes the sealed boxes of pre-applications received before `cutoff` (the retention
/// period ran out); returns how many.
pub fn delete_expired(
    conn: &Connection,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(conn.execute(
        "UPDATE events SET payload = json_set(json_remove(payload, '$.sealed'),
           '$.deleted_at', ?3, '$.deleted_because', 'retention period over')
         WHERE kind = ?1 AND received_at < ?2 AND json_extract(payload, '$.deleted_at') IS NULL",
        params![PRE_APPLICATION_KIND, time_text(cutoff), time_text(now)],
    )?)
}
