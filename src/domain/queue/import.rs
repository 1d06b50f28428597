//! Tickets a client terminal issued from its own number range while its host could not be
//! reached: the client lists them, the host takes them into its queue at the place their
//! time gives them, the client marks them handed over. Taking the same ticket twice is a
//! no-op (by its token).

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::catalogue::Catalogue;
use super::policy::PriorityGroup;
use super::state::TicketState;
use super::tickets::{TicketIdentity, current_series, format_number};
use crate::store::outbox;

/// A ticket issued offline, as the client sends it to the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineTicket {
    pub token: String,
    pub service_id: String,
    pub seq: u32,
    pub number: String,
    /// RFC 3339, the client's local time when it was taken.
    pub issued_at: String,
    pub priority: Option<String>,
    /// The minimised identity, when the citizen used an ID card (for one ticket per person).
    pub identity: Option<TicketIdentity>,
}

/// What the host did with an offline ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    Imported,
    /// Imported before (the client's earlier attempt got lost on the way back).
    AlreadyKnown,
}

/// Why the host refused an offline ticket.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("unknown service {0:?}")]
    UnknownService(String),
    #[error("number {0:?} does not match its service and sequence")]
    BadNumber(String),
    #[error("issued_at {0:?} is not an RFC 3339 time")]
    BadTime(String),
    #[error("unknown priority group {0:?}")]
    BadPriority(String),
    #[error(
        "number {0} is already taken on the host: the client's offline range overlaps numbers \
         the host issued (list it in the host's [queue.clients] reserved_ranges)"
    )]
    NumberTaken(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// Takes `t` into this (host) terminal's queue.
pub fn import_offline(
    conn: &mut Connection,
    catalogue: &Catalogue,
    t: &OfflineTicket,
    now: DateTime<FixedOffset>,
) -> Result<ImportOutcome, ImportError> {
    let service = catalogue
        .get(&t.service_id)
        .ok_or_else(|| ImportError::UnknownService(t.service_id.clone()))?;
    if format_number(service.prefix, t.seq) != t.number {
        return Err(ImportError::BadNumber(t.number.clone()));
    }
    let issued = DateTime::parse_from_rfc3339(&t.issued_at)
        .map_err(|_| ImportError::BadTime(t.issued_at.clone()))?;
    if let Some(p) = &t.priority
        && PriorityGroup::parse(p).is_none()
    {
        return Err(ImportError::BadPriority(p.clone()));
    }
    super::day::ensure_day(conn, now)?;
    let day = issued.date_naive().format("%Y-%m-%d").to_string();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let known = tx
        .query_row("SELECT 1 FROM tickets WHERE token = ?1", [&t.token], |_| {
            Ok(())
        })
        .optional()?;
    if known.is_some() {
        return Ok(ImportOutcome::AlreadyKnown);
    }
    let series = current_series(&tx, &day)?;
    let identity = t.identity.as_ref();
    let inserted = tx.execute(
        "INSERT INTO tickets (token, service_id, service_day, series, seq, number, issued_at,
                              masked_id, id_hash, age_band, priority, queue_service, issued_ms,
                              origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?2, ?12, 'offline')",
        params![
            t.token,
            t.service_id,
            day,
            series,
            t.seq,
            t.number,
            t.issued_at,
            identity.map(|i| &i.masked_id),
            identity.map(|i| &i.id_hash),
            identity.map(|i| &i.age_band),
            t.priority,
            issued.timestamp_millis(),
        ],
    );
    match inserted {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            return Err(ImportError::NumberTaken(t.number.clone()));
        }
        other => {
            other?;
        }
    }
    outbox::append(
        &tx,
        outbox::kind::TICKET_IMPORTED,
        &serde_json::json!({
            "ticket_id": tx.last_insert_rowid(),
            "number": t.number,
            "service_id": t.service_id,
            "service_day": day,
            "issued_at": t.issued_at,
            "priority": t.priority,
            "age_band": identity.map(|i| &i.age_band),
        }),
        now,
    )?;
    tx.commit()?;
    Ok(ImportOutcome::Imported)
}

/// This (client) terminal's offline tickets not yet handed to the host, oldest first.
pub fn pending_offline(conn: &Connection) -> rusqlite::Result<Vec<OfflineTicket>> {
    let mut stmt = conn.prepare_cached(
        "SELECT token, service_id, seq, number, issued_at, priority, masked_id, id_hash, age_band
         FROM tickets WHERE origin = 'offline' AND synced_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let masked: Option<String> = r.get(6)?;
        let hash: Option<String> = r.get(7)?;
        let band: Option<String> = r.get(8)?;
        let priority: Option<String> = r.get(5)?;
        Ok(OfflineTicket {
            token: r.get(0)?,
            service_id: r.get(1)?,
            seq: r.get(2)?,
            number: r.get(3)?,
            issued_at: r.get(4)?,
            identity: match (masked, hash) {
                (Some(masked_id), Some(id_hash)) => Some(TicketIdentity {
                    masked_id,
                    id_hash,
                    age_band: band.unwrap_or_default(),
                    elderly: priority.as_deref() == Some("elderly"),
                }),
                _ => None,
            },
            priority,
        })
    })?;
    rows.collect()
}

/// Marks an offline ticket as handed to the host: from now on the host's queue is where it
/// is called, so it leaves this terminal's queue (`moved_to_host`).
pub fn mark_handed_over(
    conn: &Connection,
    token: &str,
    at: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE tickets SET synced_at = ?2, state = ?3, closed_reason = 'moved_to_host'
         WHERE token = ?1 AND origin = 'offline'",
        params![token, at.to_rfc3339(), TicketState::Cancelled],
    )?;
    Ok(())
}
