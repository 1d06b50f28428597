//! Terminals: keys, status, heartbeats and health.

use super::{StoreError, now_text};
use chrono::{DateTime, Utc};
use provisioning::protocol::Heartbeat;
use provisioning::scope::TerminalPlacement;
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

/// What the authentication layer needs about a terminal.
#[derive(Debug, Clone)]
pub struct TerminalAuth {
    /// Public key, base64.
    pub public_key: String,
    /// `active` or `revoked`.
    pub status: String,
    /// Where it stands (for bundle scopes).
    pub placement: TerminalPlacement,
}

/// Looks a terminal up by device id.
pub fn auth_info(conn: &Connection, device_id: &str) -> Result<Option<TerminalAuth>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT t.public_key, t.status, t.platform_id, p.region FROM terminals t JOIN platforms p ON p.id = t.platform_id
             WHERE t.device_id = ?1",
            [device_id],
            |r| {
                Ok(TerminalAuth {
                    public_key: r.get(0)?,
                    status: r.get(1)?,
                    placement: TerminalPlacement { device_id: device_id.to_string(), platform_id: r.get(2)?, region: r.get(3)? },
                })
            },
        )
        .optional()?)
}

/// Records a heartbeat.
pub fn record_heartbeat(
    conn: &Connection,
    device_id: &str,
    heartbeat: &Heartbeat,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(heartbeat).map_err(|e| StoreError::Invalid(e.to_string()))?;
    conn.prepare_cached("UPDATE terminals SET last_seen = ?2, app_version = ?3, heartbeat = ?4 WHERE device_id = ?1")?
        .execute(params![device_id, now_text(), heartbeat.app_version, json])?;
    Ok(())
}

/// Revokes a terminal: its requests are refused from now on, its key cannot re-enrol, and a
/// running registry closes its signalling connection (and call) within seconds.
pub fn revoke(conn: &Connection, device_id: &str) -> Result<(), StoreError> {
    let n = conn.execute(
        "UPDATE terminals SET status = 'revoked', revoked_at = ?2 WHERE device_id = ?1",
        params![device_id, now_text()],
    )?;
    StoreError::unless_touched(n, || format!("no terminal {device_id}"))
}

/// A terminal's health as the ops staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct TerminalHealth {
    /// Device id.
    pub device_id: String,
    /// Platform.
    pub platform_id: String,
    /// Region.
    pub region: String,
    /// `active` or `revoked`.
    pub status: String,
    /// Board serial.
    pub hardware_serial: String,
    /// Last poll.
    pub last_seen: Option<String>,
    /// No poll for more than the allowed number of intervals.
    pub overdue: bool,
    /// Firmware version.
    pub app_version: Option<String>,
    /// The last heartbeat.
    pub heartbeat: Option<Heartbeat>,
}

/// All terminals (optionally of one platform) with their health; `overdue` when the last poll
/// is older than `overdue_after` (never polled counts as overdue once enrolled that long).
pub fn list_health(
    conn: &Connection,
    platform: Option<&str>,
    now: DateTime<Utc>,
    overdue_after: chrono::Duration,
) -> Result<Vec<TerminalHealth>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT t.device_id, t.platform_id, p.region, t.status, t.hardware_serial, t.last_seen, t.app_version, t.heartbeat, t.enrolled_at
         FROM terminals t JOIN platforms p ON p.id = t.platform_id
         WHERE ?1 IS NULL OR t.platform_id = ?1 ORDER BY t.platform_id, t.device_id",
    )?;
    let rows = stmt.query_map([platform], |r| {
        let last_seen: Option<String> = r.get(5)?;
        let enrolled_at: String = r.get(8)?;
        let heartbeat: Option<String> = r.get(7)?;
        Ok((
            TerminalHealth {
                device_id: r.get(0)?,
                platform_id: r.get(1)?,
                region: r.get(2)?,
                status: r.get(3)?,
                hardware_serial: r.get(4)?,
                last_seen: last_seen.clone(),
                overdue: false,
                app_version: r.get(6)?,
                heartbeat: heartbeat.and_then(|h| serde_json::from_str(&h).ok()),
            },
            last_seen.unwrap_or(enrolled_at),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (mut health, reference) = row?;
        let seen = DateTime::parse_from_rfc3339(&reference)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        health.overdue = health.status == "active" && now - seen > overdue_after;
        out.push(health);
    }
    Ok(out)
}

/// Of `device_ids`, those no longer allowed in: revoked or unknown (for ending the live
/// sessions of terminals revoked by another process).
pub fn not_active_among(
    conn: &Connection,
    device_ids: &[String],
) -> Result<Vec<String>, StoreError> {
    super::not_active(
        conn,
        "SELECT status FROM terminals WHERE device_id = ?1",
        device_ids,
    )
}
