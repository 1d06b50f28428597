//! The outbox: events owed to the operations centre. Each is written inside the transaction
//! of the change it reports, with an idempotency key the registry de-duplicates on; the sync
//! client deletes a row only after the registry acknowledged it.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, params};
use serde::Serialize;

/// Event kinds, as the registry's statistics expect them.
pub mod kind {
    pub const TICKET_ISSUED: &str = "ticket.issued";
    /// Called to a counter (by call-next or by number), with the time it waited.
    pub const TICKET_CALLED: &str = "ticket.called";
    /// Called again at the same counter.
    pub const TICKET_RECALLED: &str = "ticket.recalled";
    /// The citizen reached the counter: service started.
    pub const TICKET_SERVING: &str = "ticket.serving";
    /// Served, with its waiting and service times.
    pub const TICKET_FINISHED: &str = "ticket.finished";
    /// Called and recalled without the citizen coming.
    pub const TICKET_NO_SHOW: &str = "ticket.no_show";
    /// Moved to another service's queue, keeping its place by the time it was taken.
    pub const TICKET_TRANSFERRED: &str = "ticket.transferred";
    /// A client terminal's offline ticket, taken into this (host) terminal's queue.
    pub const TICKET_IMPORTED: &str = "ticket.imported";
    /// Its priority group was set by staff.
    pub const TICKET_PRIORITY: &str = "ticket.priority";
    /// A counter opened, closed, paused or resumed.
    pub const QUEUE_COUNTER: &str = "queue.counter";
    /// A day of the queue closed (daily reset), with its totals per service.
    pub const QUEUE_DAY_CLOSED: &str = "queue.day_closed";
    /// A ticket that did not come out of the printer (its number stays valid).
    pub const TICKET_PRINT_FAILED: &str = "ticket.print_failed";
    /// The printer's health changed: not printing, paper low, or working again.
    pub const PRINTER_HEALTH: &str = "printer.health";
    /// The card reader went down or came (back) up.
    pub const READER_HEALTH: &str = "reader.health";
    /// A staff action or a failed staff login (maintenance menu, staff command line).
    pub const AUDIT: &str = "audit";
    /// A guided consultation reached its outcome (ids only, nothing personal).
    pub const CONSULTATION_COMPLETED: &str = "consultation.completed";
    /// A legal-aid self-check gave its indication (anonymous).
    pub const LEGAL_AID_CHECKED: &str = "legal_aid.checked";
    /// A consented legal-aid pre-application for staff: sealed (see `sealed_outbox`).
    pub const LEGAL_AID_PRE_APPLICATION: &str = "legal_aid.pre_application";
    /// A 好差评 rating of a ticket, consultation or video call.
    pub const RATING_SUBMITTED: &str = "rating.submitted";
    /// A citizen asked for a video call (matter category only).
    pub const VIDEO_CALL_REQUESTED: &str = "video.call_requested";
    /// A lawyer answered (waiting time).
    pub const VIDEO_CALL_ANSWERED: &str = "video.call_answered";
    /// The call ended: duration, who ended it, why, quality summary.
    pub const VIDEO_CALL_ENDED: &str = "video.call_ended";
    /// A citizen called for staff (呼叫工作人员 or the call-staff button).
    pub const STAFF_CALLED: &str = "staff.called";
    /// A staff call was answered or expired.
    pub const STAFF_CALL_ENDED: &str = "staff.call_ended";
}

/// The idempotency key of outbox row `row` (a receipt's code for the citizen).
pub fn key_of(conn: &Connection, row: i64) -> rusqlite::Result<String> {
    conn.query_row(
        "SELECT idempotency_key FROM outbox WHERE seq = ?1",
        [row],
        |r| r.get(0),
    )
}

/// Appends an event; call it with the transaction that makes the change.
pub fn append<P: Serialize>(
    conn: &Connection,
    kind: &str,
    payload: &P,
    at: DateTime<FixedOffset>,
) -> rusqlite::Result<i64> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "INSERT INTO outbox (idempotency_key, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![crate::ids::random_hex(), kind, payload, at.to_rfc3339()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Events not yet acknowledged by the registry.
pub fn depth(conn: &Connection) -> rusqlite::Result<u64> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
