//! The daily reset. Numbers already start at 001 each local day (a ticket's number belongs to
//! its day); what remains is closing the earlier days: tickets left waiting or called are
//! cancelled (`day_end`), one being served is finished, the counters are closed, and the
//! operations centre gets each closed day's counts. It runs at local midnight and on the
//! first queue action of a day (after a power cut over midnight), at most once per day:
//! running it again changes nothing. Tickets are kept for statistics, but only with their
//! service and age band: the masked ID number and the keyed hash (one ticket per person)
//! serve the day only and are cleared when it closes.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::state::TicketState;
use crate::store::outbox;

/// The local day as stored: `YYYY-MM-DD`.
pub fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// One service's totals on a closed day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceTotals {
    pub service_id: String,
    pub issued: u32,
    pub done: u32,
    pub no_show: u32,
    /// Cancelled by staff or at the end of the day.
    pub cancelled: u32,
    /// Of those, still waiting or called when the day closed.
    pub left_at_close: u32,
}

/// The `queue.day_closed` outbox payload.
#[derive(Debug, Serialize)]
struct DayClosed<'a> {
    service_day: &'a str,
    closed_at: String,
    services: &'a [ServiceTotals],
}

/// Opens `now`'s day if it is not open yet, closing every earlier day first. Returns the
/// days it closed (empty when the day was already open, or nothing was left to close).
pub fn ensure_day(
    conn: &mut Connection,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<Vec<String>> {
    let today = day_text(now.date_naive());
    if is_open(conn, &today)? {
        return Ok(Vec::new());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if is_open(&tx, &today)? {
        return Ok(Vec::new());
    }
    let days: Vec<String> = {
        let mut stmt = tx.prepare(
            "SELECT DISTINCT service_day FROM tickets WHERE service_day < ?1
             AND service_day NOT IN (SELECT service_day FROM queue_days WHERE closed_at IS NOT NULL)
             ORDER BY service_day",
        )?;
        stmt.query_map([&today], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let at = now.to_rfc3339();
    for day in &days {
        let totals = close_day(&tx, day, &at)?;
        outbox::append(
            &tx,
            outbox::kind::QUEUE_DAY_CLOSED,
            &DayClosed {
                service_day: day,
                closed_at: at.clone(),
                services: &totals,
            },
            now,
        )?;
        tx.execute(
            "INSERT INTO queue_days (service_day, closed_at) VALUES (?1, ?2)
             ON CONFLICT (service_day) DO UPDATE SET closed_at = excluded.closed_at",
            params![day, at],
        )?;
    }
    // The counters start each day closed: staff open them again when they log in.
    tx.execute(
        "UPDATE queue_counters SET open = 0, paused = 0, staff = NULL, last_priority = 0,
                updated_at = ?1",
        [&at],
    )?;
    tx.execute(
        "INSERT INTO queue_days (service_day, opened_at) VALUES (?1, ?2)
         ON CONFLICT (service_day) DO UPDATE SET opened_at = excluded.opened_at",
        params![today, at],
    )?;
    tx.commit()?;
    if !days.is_empty() {
        tracing::info!(days = days.len(), "earlier queue days closed");
    }
    Ok(days)
}

fn is_open(conn: &Connection, day: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM queue_days WHERE service_day = ?1 AND opened_at IS NOT NULL",
            [day],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Ends what `day` left open and returns its totals per service.
fn close_day(conn: &Connection, day: &str, at: &str) -> rusqlite::Result<Vec<ServiceTotals>> {
    use TicketState::{Cancelled, Done, NoShow, Serving};
    let [waiting, called] = TicketState::UNSERVED;
    let left_at_close: Vec<(String, u32)> = {
        let mut stmt = conn.prepare(
            "SELECT queue_service, COUNT(*) FROM tickets
             WHERE service_day = ?1 AND state IN (?2, ?3) GROUP BY queue_service",
        )?;
        stmt.query_map(params![day, waiting, called], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    conn.execute(
        "UPDATE tickets SET state = ?3, finished_at = ?2
         WHERE service_day = ?1 AND state = ?4",
        params![day, at, Done, Serving],
    )?;
    conn.execute(
        "UPDATE tickets SET state = ?2, closed_reason = 'day_end'
         WHERE service_day = ?1 AND state IN (?3, ?4)",
        params![day, Cancelled, waiting, called],
    )?;
    conn.execute(
        "UPDATE tickets SET masked_id = NULL, id_hash = NULL
         WHERE service_day = ?1 AND (masked_id IS NOT NULL OR id_hash IS NOT NULL)",
        [day],
    )?;
    let mut stmt = conn.prepare(
        "SELECT queue_service, COUNT(*), SUM(state = ?2), SUM(state = ?3), SUM(state = ?4)
         FROM tickets WHERE service_day = ?1 GROUP BY queue_service ORDER BY queue_service",
    )?;
    let rows = stmt.query_map(params![day, Done, NoShow, Cancelled], |r| {
        let service_id: String = r.get(0)?;
        Ok(ServiceTotals {
            left_at_close: left_at_close
                .iter()
                .find(|(s, _)| *s == service_id)
                .map_or(0, |(_, n)| *n),
            service_id,
            issued: r.get(1)?,
            done: r.get(2)?,
            no_show: r.get(3)?,
            cancelled: r.get(4)?,
        })
    })?;
    rows.collect()
}
