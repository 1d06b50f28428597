//! Tickets a client terminal issued from its own number range while its host could not be
//! reached: the client lists them, the host takes them into its queue at the place their
//! time gives them, the client marks them handed over. Taking the same ticket twice is a
//! no-op (by its token). The host takes only what the client could have issued: a time of
//! the host's service day (not ahead of its clock), a number from the client's reserved
//! range, and a priority group the policy in force grants (elderly only with an ID card of
//! that age).

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::catalogue::Catalogue;
use super::policy::{Policy, PriorityGroup};
use super::state::TicketState;
use super::tickets::{SeqRange, TicketIdentity, current_series, format_number};
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
        "issued_at {issued_at} is not in today's service day ({today}): offline tickets are \
         handed over on the day they were taken"
    )]
    NotToday { issued_at: String, today: String },
    #[error("issued_at {0} is later than the host's clock: check the client terminal's time")]
    InTheFuture(String),
    #[error(
        "number {number} (sequence {seq}) is outside this client's reserved range {ranges}: \
         offline numbers come only from the range the host keeps for the client"
    )]
    OutsideRange {
        number: String,
        seq: u32,
        ranges: String,
    },
    #[error(
        "priority group {0:?} is not one that may be granted here (staff may grant only the \
         groups the queue policy in force gives a weight; elderly comes from an ID card)"
    )]
    PriorityNotGranted(String),
    #[error(
        "number {0} is already taken on the host: the client's offline range overlaps numbers \
         the host issued (list it in the host's [queue.clients] reserved_ranges)"
    )]
    NumberTaken(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

impl ImportError {
    /// A short code for the refusal, as the queue API sends it.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::UnknownService(_) => "unknown_service",
            ImportError::BadNumber(_) => "bad_number",
            ImportError::BadTime(_) => "bad_time",
            ImportError::BadPriority(_) => "bad_priority",
            ImportError::NotToday { .. } => "not_today",
            ImportError::InTheFuture(_) => "in_the_future",
            ImportError::OutsideRange { .. } => "outside_range",
            ImportError::PriorityNotGranted(_) => "priority_not_granted",
            ImportError::NumberTaken(_) => "number_taken",
            ImportError::Sql(_) => "store_error",
        }
    }
}

/// What one client terminal may hand over.
#[derive(Debug, Clone, Copy)]
pub struct ImportRules<'a> {
    /// The client's reserved ranges (its own, or every reserved range when the host does
    /// not know which one is the client's).
    pub ranges: &'a [SeqRange],
    /// The queue policy in force: the groups with a weight are the ones staff may grant.
    pub policy: &'a Policy,
}

/// A client's clock may be this far ahead of the host's.
const CLOCK_SKEW_SECS: i64 = 120;

impl ImportRules<'_> {
    /// Checks `t` against the rules at `now`; returns its time in the host's zone.
    fn check(
        &self,
        t: &OfflineTicket,
        now: DateTime<FixedOffset>,
    ) -> Result<DateTime<FixedOffset>, ImportError> {
        let issued = DateTime::parse_from_rfc3339(&t.issued_at)
            .map_err(|_| ImportError::BadTime(t.issued_at.clone()))?
            .with_timezone(now.offset());
        if issued.date_naive() != now.date_naive() {
            return Err(ImportError::NotToday {
                issued_at: t.issued_at.clone(),
                today: now.date_naive().format("%Y-%m-%d").to_string(),
            });
        }
        if issued > now + chrono::Duration::seconds(CLOCK_SKEW_SECS) {
            return Err(ImportError::InTheFuture(t.issued_at.clone()));
        }
        if !self.ranges.iter().any(|r| r.contains(t.seq)) {
            let ranges: Vec<String> = self.ranges.iter().map(|r| r.to_string()).collect();
            return Err(ImportError::OutsideRange {
                number: t.number.clone(),
                seq: t.seq,
                ranges: if ranges.is_empty() {
                    "(none configured)".into()
                } else {
                    ranges.join(", ")
                },
            });
        }
        if let Some(p) = &t.priority {
            let group =
                PriorityGroup::parse(p).ok_or_else(|| ImportError::BadPriority(p.clone()))?;
            let from_card = t.identity.as_ref().is_some_and(|i| i.elderly);
            let granted = self.policy.weight(Some(group.as_str())) > 0
                && (group != PriorityGroup::Elderly || from_card);
            if !granted {
                return Err(ImportError::PriorityNotGranted(p.clone()));
            }
        }
        Ok(issued)
    }
}

/// Takes `t` into this (host) terminal's queue, if `rules` allow it.
pub fn import_offline(
    conn: &mut Connection,
    catalogue: &Catalogue,
    rules: &ImportRules<'_>,
    t: &OfflineTicket,
    now: DateTime<FixedOffset>,
) -> Result<ImportOutcome, ImportError> {
    let service = catalogue
        .get(&t.service_id)
        .ok_or_else(|| ImportError::UnknownService(t.service_id.clone()))?;
    if format_number(service.prefix, t.seq) != t.number {
        return Err(ImportError::BadNumber(t.number.clone()));
    }
    let issued = rules.check(t, now)?;
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
