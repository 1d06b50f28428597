//! Received events: de-duplicated by (device, idempotency key), queryable for statistics.

use super::{StoreError, now_text};
use provisioning::protocol::{Event, EventBatchResponse, limits};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

/// Why an event is kept aside instead of counted.
pub(crate) fn defect(event: &Event) -> Option<String> {
    if event.idempotency_key.is_empty()
        || event.idempotency_key.len() > limits::MAX_IDEMPOTENCY_KEY_BYTES
    {
        return Some("idempotency_key is empty or too long".into());
    }
    if event.kind.is_empty() || event.kind.len() > limits::MAX_EVENT_KIND_BYTES {
        return Some("kind is empty or too long".into());
    }
    if !event.payload.is_object() {
        return Some("payload is not a JSON object".into());
    }
    if chrono::DateTime::parse_from_rfc3339(&event.created_at).is_err() {
        return Some("created_at is not RFC 3339".into());
    }
    if event.kind == crate::work_orders::EVENT_KIND {
        return crate::work_orders::defect(&event.payload);
    }
    None
}

/// Stores a batch in one transaction and lists every sequence number as acknowledged: new
/// events are stored, repeats are recognised by their idempotency key, malformed ones are kept
/// in quarantine (never dropped, never counted).
pub fn ingest(
    conn: &mut Connection,
    device_id: &str,
    platform_id: &str,
    events: &[Event],
) -> Result<EventBatchResponse, StoreError> {
    let received_at = now_text();
    let tx = conn.transaction()?;
    let mut answer = EventBatchResponse {
        acknowledged: Vec::with_capacity(events.len()),
        stored: 0,
        duplicates: 0,
        quarantined: 0,
    };
    // What the stored events add to the statistics, written in this transaction: the
    // rollups never count an event the registry did not keep, nor miss one it did.
    let mut rollup = super::stats::Rollup::default();
    // The platform's region now (the regions' rollups; `?` for a platform since removed).
    let region: String = tx
        .query_row(
            "SELECT region FROM platforms WHERE id = ?1",
            [platform_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| "?".into());
    {
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO events (device_id, platform_id, seq, idempotency_key, kind, payload, created_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut quarantine = tx.prepare_cached(
            "INSERT OR IGNORE INTO events_quarantine (device_id, seq, idempotency_key, raw, reason, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for event in events {
            if let Some(reason) = defect(event) {
                let raw = serde_json::to_string(event).unwrap_or_default();
                quarantine.execute(params![
                    device_id,
                    event.seq,
                    event.idempotency_key,
                    raw,
                    reason,
                    received_at
                ])?;
                answer.quarantined += 1;
            } else {
                let payload = event.payload.to_string();
                let n = insert.execute(params![
                    device_id,
                    platform_id,
                    event.seq,
                    event.idempotency_key,
                    event.kind,
                    payload,
                    event.created_at,
                    received_at
                ])?;
                // A work order is made once per event (its own unique key), in this transaction.
                super::work_orders::from_event_sqlite(&tx, device_id, platform_id, event)?;
                // A check-in or missed appointment changes its booking (idempotent).
                super::booking_events::from_event_sqlite(&tx, platform_id, event)?;
                if n == 1 {
                    answer.stored += 1;
                    rollup.add(
                        device_id,
                        platform_id,
                        &region,
                        &event.kind,
                        &event.payload,
                        &event.created_at,
                    );
                } else {
                    answer.duplicates += 1;
                }
            }
            answer.acknowledged.push(event.seq);
        }
    }
    if !rollup.is_empty() && super::stats::at_ingest() {
        rollup.write(&tx)?;
    }
    tx.commit()?;
    Ok(answer)
}

/// One row of an export.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    /// When the registry stored it.
    pub received_at: String,
    /// Terminal.
    pub device_id: String,
    /// Its platform at the time.
    pub platform_id: String,
    /// Per-device sequence number.
    pub seq: i64,
    /// Idempotency key.
    pub idempotency_key: String,
    /// Kind.
    pub kind: String,
    /// When the terminal wrote it.
    pub created_at: String,
    /// Payload JSON.
    pub payload: String,
}

provisioning::row_reader!(
    EventRow: received_at, device_id, platform_id, seq, idempotency_key, kind, created_at,
    payload
);

/// Filters for exports and counts.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this platform.
    pub platform: Option<String>,
    /// Only this terminal.
    pub device: Option<String>,
    /// Received at or after (RFC 3339).
    pub since: Option<String>,
}

/// Calls `each` for every matching event in the order received.
pub fn export(
    conn: &Connection,
    filter: &EventFilter,
    mut each: impl FnMut(EventRow) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM events
         WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR platform_id = ?2) AND (?3 IS NULL OR device_id = ?3)
           AND (?4 IS NULL OR received_at >= ?4)
         ORDER BY id",
        EventRow::COLUMNS
    ))?;
    let mut rows = stmt.query(params![
        filter.kind,
        filter.platform,
        filter.device,
        filter.since
    ])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        each(EventRow::from_row(r)?)?;
        n += 1;
    }
    Ok(n)
}

/// Tickets issued per platform, service day and service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketCount {
    /// Platform.
    pub platform_id: String,
    /// The terminal's local day of issue (YYYY-MM-DD; the ticket's service day).
    pub service_day: String,
    /// `service_id` from the payload.
    pub service_id: String,
    /// Tickets.
    pub tickets: u64,
}

/// Events stored for a device (tests and ops checks).
pub fn count_for_device(conn: &Connection, device_id: &str) -> Result<u64, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM events WHERE device_id = ?1",
        [device_id],
        |r| r.get::<_, i64>(0),
    )? as u64)
}
