//! Tickets as counters and displays see them, the queries that find them, and the outbox
//! event every change of a ticket reports (numbers, services and times: never personal
//! data).

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::policy::{Candidate, CounterDef, Policy};
use super::state::TicketState;
use crate::store::outbox;

/// A ticket as counters and displays see it: numbers and times, never personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketRow {
    pub id: i64,
    pub number: String,
    /// The service that numbered it.
    pub service_id: String,
    /// The service whose queue it is in (differs after a transfer).
    pub queue_service: String,
    pub state: TicketState,
    pub priority: Option<String>,
    pub counter_id: Option<String>,
    pub recalls: u32,
    pub passed_by: u32,
    pub issued_at: String,
    pub first_called_at: Option<String>,
    pub called_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub transferred_from: Option<String>,
}

/// Columns of [`TicketRow`], for `SELECT {TICKET_COLUMNS} FROM tickets`.
pub const TICKET_COLUMNS: &str = "id, number, service_id, queue_service, state, priority, counter_id, \
     recalls, passed_by, issued_at, first_called_at, called_at, started_at, finished_at, transferred_from";

impl TicketRow {
    /// Reads a row selected with [`TICKET_COLUMNS`].
    pub fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            number: r.get(1)?,
            service_id: r.get(2)?,
            queue_service: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            state: r.get(4)?,
            priority: r.get(5)?,
            counter_id: r.get(6)?,
            recalls: r.get(7)?,
            passed_by: r.get(8)?,
            issued_at: r.get(9)?,
            first_called_at: r.get(10)?,
            called_at: r.get(11)?,
            started_at: r.get(12)?,
            finished_at: r.get(13)?,
            transferred_from: r.get(14)?,
        })
    }
}

/// The ticket called or being served at counter `counter_id` on `day`, if any.
pub fn current_ticket(
    conn: &Connection,
    counter_id: &str,
    day: &str,
) -> rusqlite::Result<Option<TicketRow>> {
    let [called, serving] = TicketState::AT_COUNTER;
    conn.prepare_cached(&format!(
        "SELECT {TICKET_COLUMNS} FROM tickets
         WHERE service_day = ?1 AND state IN (?3, ?4) AND counter_id = ?2
         ORDER BY called_at DESC LIMIT 1"
    ))?
    .query_row(
        params![day, counter_id, called, serving],
        TicketRow::from_row,
    )
    .optional()
}

pub(super) fn ticket_by_id(conn: &Connection, id: i64) -> rusqlite::Result<TicketRow> {
    conn.prepare_cached(&format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"
    ))?
    .query_row([id], TicketRow::from_row)
}

/// Today's ticket numbered `number` (e.g. `a012` or `A012`), newest numbering series first.
pub fn ticket_by_number(
    conn: &Connection,
    number: &str,
    day: &str,
) -> rusqlite::Result<Option<TicketRow>> {
    let number = number.trim().to_uppercase();
    conn.query_row(
        &format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE service_day = ?1 AND number = ?2
             ORDER BY series DESC LIMIT 1"
        ),
        params![day, number],
        TicketRow::from_row,
    )
    .optional()
}

/// The waiting tickets counter `counter` may call on `day`, as the calling rule sees them.
pub fn candidates(
    conn: &Connection,
    policy: &Policy,
    counter: &CounterDef,
    day: &str,
) -> rusqlite::Result<Vec<Candidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, priority, issued_ms, passed_by, queue_service FROM tickets
         WHERE service_day = ?1 AND state = ?2",
    )?;
    let rows = stmt.query_map(params![day, TicketState::Waiting], |r| {
        Ok((
            Candidate {
                id: r.get(0)?,
                weight: policy.weight(r.get::<_, Option<String>>(1)?.as_deref()),
                issued_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                passed_by: r.get(3)?,
            },
            r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (candidate, service) = row?;
        if counter.serves(&service) {
            out.push(candidate);
        }
    }
    Ok(out)
}

/// Outbox payload of every ticket event: numbers, services and times only.
#[derive(Debug, Serialize)]
struct TicketEvent<'a> {
    ticket_id: i64,
    number: &'a str,
    service_id: &'a str,
    queue_service: &'a str,
    service_day: &'a str,
    counter_id: Option<&'a str>,
    priority: Option<&'a str>,
    state: TicketState,
    issued_at: &'a str,
    first_called_at: Option<&'a str>,
    called_at: Option<&'a str>,
    started_at: Option<&'a str>,
    finished_at: Option<&'a str>,
    recalls: u32,
    /// Taken to first call, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    waited_secs: Option<i64>,
    /// First call to finish, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    service_secs: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transferred_from: Option<&'a str>,
    /// `next` or `number` for a call.
    #[serde(skip_serializing_if = "Option::is_none")]
    how: Option<&'a str>,
}

fn secs_between(from: Option<&str>, to: Option<&str>) -> Option<i64> {
    let from = DateTime::parse_from_rfc3339(from?).ok()?;
    let to = DateTime::parse_from_rfc3339(to?).ok()?;
    Some((to - from).num_seconds())
}

/// Appends the outbox event `kind` reporting `t` as it is now.
pub(super) fn emit(
    conn: &Connection,
    kind: &str,
    t: &TicketRow,
    day: &str,
    how: Option<&str>,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    outbox::append(
        conn,
        kind,
        &TicketEvent {
            ticket_id: t.id,
            number: &t.number,
            service_id: &t.service_id,
            queue_service: &t.queue_service,
            service_day: day,
            counter_id: t.counter_id.as_deref(),
            priority: t.priority.as_deref(),
            state: t.state,
            issued_at: &t.issued_at,
            first_called_at: t.first_called_at.as_deref(),
            called_at: t.called_at.as_deref(),
            started_at: t.started_at.as_deref(),
            finished_at: t.finished_at.as_deref(),
            recalls: t.recalls,
            waited_secs: secs_between(Some(&t.issued_at), t.first_called_at.as_deref()),
            service_secs: secs_between(t.first_called_at.as_deref(), t.finished_at.as_deref()),
            transferred_from: t.transferred_from.as_deref(),
            how,
        },
        now,
    )?;
    Ok(())
}
