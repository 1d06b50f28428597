//! Issuing numbered tickets: one number per service per local day (A001, A002, …), reset at
//! local midnight, never a duplicate even after a crash. A ticket and its `ticket.issued`
//! outbox event are committed in one transaction.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use thiserror::Error;

use super::catalogue::Catalogue;
use super::policy::{Policy, PriorityGroup};
use super::state::TicketState;
use crate::store::outbox;

#[derive(Debug, Error)]
pub enum QueueError {
    #[error("unknown service {0:?}")]
    UnknownService(String),
    #[error("the offline number range {0} is used up for today")]
    RangeExhausted(SeqRange),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

// The identity a ticket may carry is the session's (it never holds a full number).
pub use crate::session::identity::TicketIdentity;

/// A ticket just issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTicket {
    pub id: i64,
    pub token: String,
    pub service_id: String,
    pub number: String,
    pub seq: u32,
    pub service_day: NaiveDate,
    pub issued_at: DateTime<FixedOffset>,
    /// Tickets of the same service and day issued earlier and not yet called.
    pub people_ahead: u32,
}

/// The `ticket.issued` outbox payload: what the operations centre needs for statistics.
/// Not the ticket's token (whoever holds it follows the ticket's page) and not the
/// identity: only the age band, for statistics.
#[derive(Debug, Serialize)]
struct TicketIssuedEvent<'a> {
    ticket_id: i64,
    service_id: &'a str,
    number: &'a str,
    service_day: String,
    issued_at: String,
    people_ahead: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age_band: Option<&'a str>,
}

/// Formats a ticket number: the prefix and at least three digits.
pub fn format_number(prefix: char, seq: u32) -> String {
    format!("{prefix}{seq:03}")
}

/// Issues the next ticket of `service_id` at time `now` (local), with its outbox event, by
/// the default queue policy (see [`issue`] for the policy in force and priority groups).
pub fn issue_ticket(
    conn: &mut Connection,
    catalogue: &Catalogue,
    service_id: &str,
    now: DateTime<FixedOffset>,
    identity: Option<&TicketIdentity>,
) -> Result<IssuedTicket, QueueError> {
    issue(
        conn,
        catalogue,
        &Policy::default(),
        &IssueRequest {
            identity,
            ..IssueRequest::new(service_id, now)
        },
    )
}

/// A range of sequence numbers (e.g. 800–899) a client terminal keeps for the times its
/// host cannot be reached; the host never issues them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqRange {
    pub first: u32,
    pub last: u32,
}

impl SeqRange {
    /// Parses `800-899`.
    pub fn parse(text: &str) -> Option<Self> {
        let (a, b) = text.split_once('-')?;
        let (first, last) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        (first >= 1 && first <= last).then_some(Self { first, last })
    }

    pub fn contains(&self, seq: u32) -> bool {
        (self.first..=self.last).contains(&seq)
    }
}

impl std::fmt::Display for SeqRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// How a new ticket gets its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering<'a> {
    /// The next number of the day, skipping the ranges client terminals keep.
    Next { reserved: &'a [SeqRange] },
    /// The next number of this terminal's own range (a client whose host is unreachable).
    Offline(SeqRange),
}

/// What to issue.
#[derive(Debug, Clone, Copy)]
pub struct IssueRequest<'a> {
    pub service_id: &'a str,
    pub now: DateTime<FixedOffset>,
    /// From the citizen's ID card session (elderly is a priority group).
    pub identity: Option<&'a TicketIdentity>,
    /// A priority group given by staff or a client terminal; the one with the higher weight
    /// wins over elderly from the card.
    pub priority: Option<PriorityGroup>,
    pub numbering: Numbering<'a>,
    /// `None` for this terminal's own tickets, `client` for a client terminal's.
    pub origin: Option<&'a str>,
}

impl<'a> IssueRequest<'a> {
    /// A plain request: no identity, no priority, the next number, this terminal's own.
    pub fn new(service_id: &'a str, now: DateTime<FixedOffset>) -> Self {
        Self {
            service_id,
            now,
            identity: None,
            priority: None,
            numbering: Numbering::Next { reserved: &[] },
            origin: None,
        }
    }
}

/// Issues a ticket by `policy` (people ahead as call-next would take them), with its
/// `ticket.issued` outbox event; the first ticket of a day also closes the earlier days.
pub fn issue(
    conn: &mut Connection,
    catalogue: &Catalogue,
    policy: &Policy,
    req: &IssueRequest<'_>,
) -> Result<IssuedTicket, QueueError> {
    let service_id = req.service_id;
    let service = catalogue
        .get(service_id)
        .ok_or_else(|| QueueError::UnknownService(service_id.to_string()))?;
    let now = req.now;
    super::day::ensure_day(conn, now)?;
    let day = now.date_naive();
    let day_text = day.format("%Y-%m-%d").to_string();
    // IMMEDIATE takes the write lock before reading the last number, so two writers can
    // never compute the same next number.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let series = current_series(&tx, &day_text)?;
    let seq = next_seq(&tx, &day_text, service_id, series, req.numbering)?;
    let number = format_number(service.prefix, seq);
    let token = crate::ids::random_hex();
    let issued_at = now.to_rfc3339();
    let elderly = req
        .identity
        .filter(|i| i.elderly)
        .map(|_| PriorityGroup::Elderly);
    let priority = match (req.priority, elderly) {
        (Some(given), Some(old))
            if policy.weight(Some(old.as_str())) > policy.weight(Some(given.as_str())) =>
        {
            Some(old)
        }
        (Some(given), _) => Some(given),
        (None, old) => old,
    };
    let origin = match req.numbering {
        Numbering::Offline(_) => Some("offline"),
        Numbering::Next { .. } => req.origin,
    };
    let identity = req.identity;
    tx.execute(
        "INSERT INTO tickets (token, service_id, service_day, series, seq, number, issued_at,
                              masked_id, id_hash, age_band, priority, queue_service, issued_ms,
                              origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?2, ?12, ?13)",
        params![
            token,
            service_id,
            day_text,
            series,
            seq,
            number,
            issued_at,
            identity.map(|i| &i.masked_id),
            identity.map(|i| &i.id_hash),
            identity.map(|i| &i.age_band),
            priority.map(PriorityGroup::as_str),
            now.timestamp_millis(),
            origin,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let waiting = super::position::service_candidates(&tx, policy, service_id, &day_text)?;
    let people_ahead = super::policy::people_ahead(policy, &waiting, false, id).unwrap_or(0);
    outbox::append(
        &tx,
        outbox::kind::TICKET_ISSUED,
        &TicketIssuedEvent {
            ticket_id: id,
            service_id,
            number: &number,
            service_day: day_text.clone(),
            issued_at: issued_at.clone(),
            people_ahead,
            priority: priority.map(PriorityGroup::as_str),
            origin,
            age_band: identity.map(|i| i.age_band.as_str()),
        },
        now,
    )?;
    tx.commit()?;
    Ok(IssuedTicket {
        id,
        token,
        service_id: service_id.to_string(),
        number,
        seq,
        service_day: day,
        issued_at: now,
        people_ahead,
    })
}

/// The sequence number a new ticket gets.
fn next_seq(
    conn: &Connection,
    day: &str,
    service_id: &str,
    series: i64,
    numbering: Numbering<'_>,
) -> Result<u32, QueueError> {
    match numbering {
        Numbering::Next { reserved } => {
            // Tickets a client issued offline (imported later) do not move the sequence on.
            let last: Option<u32> = conn.query_row(
                "SELECT MAX(seq) FROM tickets WHERE service_day = ?1 AND service_id = ?2
                 AND series = ?3 AND origin IS NOT 'offline'",
                params![day, service_id, series],
                |r| r.get(0),
            )?;
            let mut seq = last.unwrap_or(0) + 1;
            while let Some(r) = reserved.iter().find(|r| r.contains(seq)) {
                seq = r.last + 1;
            }
            Ok(seq)
        }
        Numbering::Offline(range) => {
            let last: Option<u32> = conn.query_row(
                "SELECT MAX(seq) FROM tickets WHERE service_day = ?1 AND service_id = ?2
                 AND series = ?3 AND seq BETWEEN ?4 AND ?5",
                params![day, service_id, series, range.first, range.last],
                |r| r.get(0),
            )?;
            let seq = last.map_or(range.first, |l| l + 1);
            if seq > range.last {
                return Err(QueueError::RangeExhausted(range));
            }
            Ok(seq)
        }
    }
}

/// A stored `issued_at` (RFC 3339), read from result column `column`.
fn parse_issued_at(text: &str, column: usize) -> rusqlite::Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Tickets still waiting in `queue_service` on `day_text` that were taken before `issued_at`.
fn waiting_ahead(
    conn: &Connection,
    day_text: &str,
    queue_service: &str,
    issued_at: &DateTime<FixedOffset>,
) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT COUNT(*) FROM tickets
         WHERE service_day = ?1 AND queue_service = ?2 AND state = ?4 AND issued_ms < ?3",
        params![
            day_text,
            queue_service,
            issued_at.timestamp_millis(),
            TicketState::Waiting
        ],
        |r| r.get(0),
    )
}

/// The ticket a person (by the keyed hash of their ID number) already holds for a service
/// on `day` and that is not finished yet: one active ticket per person per service per day.
pub fn active_ticket_of(
    conn: &Connection,
    id_hash: &str,
    service_id: &str,
    day: NaiveDate,
) -> rusqlite::Result<Option<IssuedTicket>> {
    let [waiting, called, serving] = TicketState::ACTIVE;
    ticket_of_day(
        conn,
        "id_hash = ?3 AND state IN (?4, ?5, ?6) ORDER BY id DESC",
        &[&id_hash, &waiting, &called, &serving],
        service_id,
        day,
    )
}

/// The newest ticket of `service_id` on `day` that matches `filter` (SQL from ?3 on, with
/// `more` bound from ?3), with the people still waiting ahead of it now.
pub(super) fn ticket_of_day(
    conn: &Connection,
    filter: &str,
    more: &[&dyn rusqlite::ToSql],
    service_id: &str,
    day: NaiveDate,
) -> rusqlite::Result<Option<IssuedTicket>> {
    let day_text = day.format("%Y-%m-%d").to_string();
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![&day_text, &service_id];
    values.extend_from_slice(more);
    let found = conn
        .query_row(
            &format!(
                "SELECT id, token, number, seq, issued_at FROM tickets
                 WHERE service_day = ?1 AND service_id = ?2 AND {filter} LIMIT 1"
            ),
            values.as_slice(),
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((id, token, number, seq, issued_at)) = found else {
        return Ok(None);
    };
    let issued_at = parse_issued_at(&issued_at, 4)?;
    let people_ahead = waiting_ahead(conn, &day_text, service_id, &issued_at)?;
    Ok(Some(IssuedTicket {
        id,
        token,
        service_id: service_id.to_string(),
        number,
        seq,
        service_day: day,
        issued_at,
        people_ahead,
    }))
}

/// The numbering series in use on `day` (0 unless staff restarted the day's numbering,
/// see [`super::admin::restart_numbering`]).
pub(super) fn current_series(conn: &Connection, day: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT MAX(COALESCE((SELECT MAX(series) FROM tickets WHERE service_day = ?1), 0),
                    COALESCE((SELECT series FROM numbering_series WHERE service_day = ?1), 0))",
        params![day],
        |r| r.get(0),
    )
}

/// How many tickets of each service are waiting on `day`.
pub fn waiting_counts(
    conn: &Connection,
    day: NaiveDate,
) -> rusqlite::Result<std::collections::HashMap<String, u32>> {
    let mut stmt = conn.prepare_cached(
        "SELECT queue_service, COUNT(*) FROM tickets
         WHERE service_day = ?1 AND state = ?2 GROUP BY queue_service",
    )?;
    let day = day.format("%Y-%m-%d").to_string();
    let rows = stmt.query_map(params![day, TicketState::Waiting], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
    })?;
    rows.collect()
}

/// How a ticket's printing ended, kept with the ticket for staff (reprints, statistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintState {
    Printed,
    Failed,
    ScreenOnly,
}

impl PrintState {
    fn as_str(self) -> &'static str {
        match self {
            PrintState::Printed => "printed",
            PrintState::Failed => "failed",
            PrintState::ScreenOnly => "screen_only",
        }
    }
}

/// Records how printing the ticket ended; a failure is also owed to the operations centre.
pub fn record_print(
    conn: &mut Connection,
    ticket_id: i64,
    state: PrintState,
    error: Option<&str>,
    at: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let number: Option<String> = tx
        .query_row(
            "UPDATE tickets SET print_state = ?2, print_error = ?3 WHERE id = ?1 RETURNING number",
            params![ticket_id, state.as_str(), error],
            |r| r.get(0),
        )
        .optional()?;
    if state == PrintState::Failed {
        outbox::append(
            &tx,
            outbox::kind::TICKET_PRINT_FAILED,
            &serde_json::json!({
                "ticket_id": ticket_id,
                "number": number,
                "reason": error,
            }),
            at,
        )?;
    }
    tx.commit()
}

#[cfg(test)]
mod tests;
