//! Where a ticket stands: how many people call-next would take before it in its service's
//! queue (by the policy, if nobody else arrived), and the waiting estimate for that. What the
//! kiosk shows, the ticket prints and the ticket's QR page shows; no personal data.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::day::day_text;
use super::estimate::{self, WaitEstimate};
use super::policy::{self, Candidate, Policy};
use super::state::TicketState;

/// A ticket's place in its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub people_ahead: u32,
    /// `None` when no counter serves the service.
    pub estimate: Option<WaitEstimate>,
}

/// The waiting tickets of `service_id` on `day`, as the calling rule sees them.
pub fn service_candidates(
    conn: &Connection,
    policy: &Policy,
    service_id: &str,
    day: &str,
) -> rusqlite::Result<Vec<Candidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, priority, issued_ms, passed_by FROM tickets
         WHERE service_day = ?1 AND state = ?3 AND queue_service = ?2",
    )?;
    let rows = stmt.query_map(params![day, service_id, TicketState::Waiting], |r| {
        Ok(Candidate {
            id: r.get(0)?,
            weight: policy.weight(r.get::<_, Option<String>>(1)?.as_deref()),
            issued_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
            passed_by: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// The position of waiting ticket `ticket_id`; `None` if it is not waiting (called, done…)
/// or does not exist.
pub fn position(
    conn: &Connection,
    policy: &Policy,
    ticket_id: i64,
) -> rusqlite::Result<Option<Position>> {
    let found: Option<(String, String)> = conn
        .query_row(
            "SELECT queue_service, service_day FROM tickets WHERE id = ?1 AND state = ?2",
            params![ticket_id, TicketState::Waiting],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((service, day)) = found else {
        return Ok(None);
    };
    let waiting = service_candidates(conn, policy, &service, &day)?;
    let Some(ahead) = policy::people_ahead(policy, &waiting, false, ticket_id) else {
        return Ok(None);
    };
    Ok(Some(Position {
        people_ahead: ahead,
        estimate: estimate_for(conn, policy, &service, &day, ahead)?,
    }))
}

/// The waiting estimate for someone with `people_ahead` in `service_id`'s queue on `day`.
pub fn estimate_for(
    conn: &Connection,
    policy: &Policy,
    service_id: &str,
    day: &str,
    people_ahead: u32,
) -> rusqlite::Result<Option<WaitEstimate>> {
    let times = estimate::service_times(conn, policy, service_id)?;
    let capacity = estimate::capacity(conn, policy, service_id, day)?;
    Ok(estimate::estimate(people_ahead, times, capacity))
}

/// The estimate for a newcomer to `service_id` today (everyone waiting is ahead).
pub fn estimate_for_newcomer(
    conn: &Connection,
    policy: &Policy,
    service_id: &str,
    day: chrono::NaiveDate,
) -> rusqlite::Result<Option<WaitEstimate>> {
    let day = day_text(day);
    let waiting: u32 = conn.query_row(
        "SELECT COUNT(*) FROM tickets WHERE service_day = ?1 AND state = ?3 AND queue_service = ?2",
        params![day, service_id, TicketState::Waiting],
        |r| r.get(0),
    )?;
    estimate_for(conn, policy, service_id, &day, waiting)
}
