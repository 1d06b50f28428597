//! What staff do with the day's queue from the maintenance menu: see it per service, find a
//! ticket by its number (to reprint it), and restart the day's numbering.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::catalogue::Catalogue;
use super::state::TicketState;
use super::tickets::{IssuedTicket, current_series};

/// One service's queue on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDay {
    pub service_id: String,
    /// Tickets issued that day (all numbering series).
    pub issued: u32,
    /// Tickets still waiting to be called.
    pub waiting: u32,
    /// The last number issued in the current series, if any.
    pub last_number: Option<String>,
}

/// A ticket staff asked for by its number.
pub type TicketOfToday = IssuedTicket;

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The day's queue for every service of the catalogue, in catalogue order.
pub fn today_by_service(
    conn: &Connection,
    catalogue: &Catalogue,
    day: NaiveDate,
) -> rusqlite::Result<Vec<ServiceDay>> {
    let day = day_text(day);
    let series = current_series(conn, &day)?;
    let mut counts = conn.prepare_cached(
        "SELECT (SELECT COUNT(*) FROM tickets WHERE service_day = ?1 AND service_id = ?2),
                (SELECT COUNT(*) FROM tickets
                 WHERE service_day = ?1 AND queue_service = ?2 AND state = ?3)",
    )?;
    let mut last = conn.prepare_cached(
        "SELECT number FROM tickets WHERE service_day = ?1 AND service_id = ?2 AND series = ?3
         ORDER BY seq DESC LIMIT 1",
    )?;
    catalogue
        .services()
        .iter()
        .map(|s| {
            let (issued, waiting) = counts
                .query_row(params![day, s.id, TicketState::Waiting], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            let last_number = last
                .query_row(params![day, s.id, series], |r| r.get(0))
                .optional()?;
            Ok(ServiceDay {
                service_id: s.id.clone(),
                issued,
                waiting,
                last_number,
            })
        })
        .collect()
}

/// The ticket of `service_id` numbered `seq` on `day`, in the newest numbering series that
/// has it (after a restart of the numbering, B001 exists twice: the newer one is meant).
/// `people_ahead` is counted now.
pub fn find_ticket(
    conn: &Connection,
    service_id: &str,
    seq: u32,
    day: NaiveDate,
) -> rusqlite::Result<Option<TicketOfToday>> {
    super::tickets::ticket_of_day(
        conn,
        "seq = ?3 ORDER BY series DESC",
        &[&seq],
        service_id,
        day,
    )
}

/// Starts a new numbering series for `day`: the next ticket of every service is 001 again.
/// Tickets already issued keep their numbers and places. Returns the new series. Call it
/// inside the transaction that also records who did it.
pub fn restart_numbering(conn: &Connection, day: NaiveDate) -> rusqlite::Result<i64> {
    let day = day_text(day);
    let next = current_series(conn, &day)? + 1;
    conn.execute(
        "INSERT INTO numbering_series (service_day, series) VALUES (?1, ?2)
         ON CONFLICT (service_day) DO UPDATE SET series = excluded.series",
        params![day, next],
    )?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::queue::issue_ticket;
    use crate::store::Store;
    use chrono::{DateTime, FixedOffset, TimeZone};

    fn at(hour: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 26, hour, 0, 0)
            .unwrap()
    }

    #[test]
    fn after_a_restart_numbers_begin_at_001_and_old_tickets_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&Store::path_in(dir.path())).unwrap();
        let c = Catalogue::built_in();
        for _ in 0..3 {
            issue_ticket(s.conn(), &c, "legal-aid", at(9), None).unwrap();
        }
        let day = at(9).date_naive();
        assert_eq!(restart_numbering(s.conn(), day).unwrap(), 1);
        let next = issue_ticket(s.conn(), &c, "legal-aid", at(10), None).unwrap();
        assert_eq!(next.number, "B001");
        let other = issue_ticket(s.conn(), &c, "notary", at(10), None).unwrap();
        assert_eq!(other.number, "D001");

        // A second restart on the same day, before any ticket of the new series.
        assert_eq!(restart_numbering(s.conn(), day).unwrap(), 2);
        assert_eq!(restart_numbering(s.conn(), day).unwrap(), 3);
        let again = issue_ticket(s.conn(), &c, "legal-aid", at(11), None).unwrap();
        assert_eq!(again.number, "B001");

        let found = find_ticket(s.conn(), "legal-aid", 1, day).unwrap().unwrap();
        assert_eq!(found.id, again.id, "the newest B001 is meant");
        let summary = today_by_service(s.conn(), &c, day).unwrap();
        let legal_aid = summary
            .iter()
            .find(|d| d.service_id == "legal-aid")
            .unwrap();
        assert_eq!(legal_aid.issued, 5);
        assert_eq!(legal_aid.waiting, 5);
        assert_eq!(legal_aid.last_number.as_deref(), Some("B001"));
    }

    #[test]
    fn a_restart_on_one_day_does_not_touch_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&Store::path_in(dir.path())).unwrap();
        restart_numbering(s.conn(), at(9).date_naive()).unwrap();
        let c = Catalogue::built_in();
        let tomorrow = at(9) + chrono::Duration::days(1);
        let t = issue_ticket(s.conn(), &c, "notary", tomorrow, None).unwrap();
        let series: i64 = s
            .conn()
            .query_row("SELECT series FROM tickets WHERE id = ?1", [t.id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(series, 0);
    }

    #[test]
    fn an_unknown_number_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&Store::path_in(dir.path())).unwrap();
        let day = at(9).date_naive();
        let mut s = s;
        assert!(
            find_ticket(s.conn(), "legal-aid", 7, day)
                .unwrap()
                .is_none()
        );
    }
}
