//! What terminals report about bookings (issue 20): a check-in (`appointment.checked_in`)
//! or a missed appointment (`appointment.missed`) changes the booking's status from
//! `booked`, once, in the events' transaction. A report for a booking of another platform,
//! or one already changed (cancelled, checked in elsewhere), changes nothing.

use super::StoreError;
use provisioning::protocol::Event;

/// A terminal checked a booking in.
pub const CHECKED_IN: &str = "appointment.checked_in";
/// A booking's check-in window closed without the citizen.
pub const MISSED: &str = "appointment.missed";

const UPDATE: &str =
    "UPDATE bookings SET status = ?1 WHERE code = ?2 AND platform_id = ?3 AND status = 'booked'";

/// The status an event gives a booking, and the booking's code.
fn change(event: &Event) -> Option<(&'static str, String)> {
    let status = match event.kind.as_str() {
        CHECKED_IN => "checked_in",
        MISSED => "missed",
        _ => return None,
    };
    let code = event.payload.get("code")?.as_str()?;
    provisioning::appointments::normalise_code(code).map(|code| (status, code))
}

/// Applies a stored event (SQLite, inside the events' transaction).
pub fn from_event_sqlite(
    tx: &rusqlite::Transaction<'_>,
    platform: &str,
    event: &Event,
) -> Result<(), StoreError> {
    if let Some((status, code)) = change(event) {
        tx.prepare_cached(UPDATE)?
            .execute(rusqlite::params![status, code, platform])?;
    }
    Ok(())
}

/// As [`from_event_sqlite`], on PostgreSQL.
pub async fn from_event_pg(
    tx: &tokio_postgres::Transaction<'_>,
    platform: &str,
    event: &Event,
) -> Result<(), StoreError> {
    if let Some((status, code)) = change(event) {
        tx.execute(
            &super::raw::for_postgres(UPDATE),
            &[&status, &code, &platform],
        )
        .await?;
    }
    Ok(())
}
