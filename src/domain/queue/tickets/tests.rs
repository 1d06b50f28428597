use super::*;
use crate::domain::queue::tests::{at, store};

#[test]
fn numbers_are_sequential_per_service_with_its_prefix() {
    let (_d, mut s) = store();
    let c = Catalogue::built_in();
    let numbers: Vec<String> = ["legal-aid", "legal-aid", "notary", "legal-aid"]
        .iter()
        .map(|id| {
            issue_ticket(s.conn(), &c, id, at(26, 9, 0), None)
                .unwrap()
                .number
        })
        .collect();
    assert_eq!(numbers, ["B001", "B002", "D001", "B003"]);
}

#[test]
fn people_ahead_counts_earlier_waiting_tickets_of_the_same_service() {
    let (_d, mut s) = store();
    let c = Catalogue::built_in();
    let first = issue_ticket(s.conn(), &c, "mediation", at(26, 9, 0), None).unwrap();
    issue_ticket(s.conn(), &c, "notary", at(26, 9, 1), None).unwrap();
    let second = issue_ticket(s.conn(), &c, "mediation", at(26, 9, 2), None).unwrap();
    assert_eq!(first.people_ahead, 0);
    assert_eq!(second.people_ahead, 1);
    s.conn()
        .execute(
            "UPDATE tickets SET state = ?2 WHERE id = ?1",
            params![first.id, TicketState::Called],
        )
        .unwrap();
    let third = issue_ticket(s.conn(), &c, "mediation", at(26, 9, 3), None).unwrap();
    assert_eq!(
        third.people_ahead, 1,
        "the called ticket is no longer ahead"
    );
    let counts = waiting_counts(s.conn(), third.service_day).unwrap();
    assert_eq!(counts.get("mediation"), Some(&2));
    assert_eq!(counts.get("notary"), Some(&1));
}

#[test]
fn numbering_restarts_at_local_midnight() {
    let (_d, mut s) = store();
    let c = Catalogue::built_in();
    issue_ticket(s.conn(), &c, "legal-aid", at(26, 23, 58), None).unwrap();
    let late = issue_ticket(s.conn(), &c, "legal-aid", at(26, 23, 59), None).unwrap();
    let next_day = issue_ticket(s.conn(), &c, "legal-aid", at(27, 0, 0), None).unwrap();
    assert_eq!(late.number, "B002");
    assert_eq!(next_day.number, "B001");
    assert_eq!(next_day.people_ahead, 0, "yesterday's queue is not ahead");
}

#[test]
fn the_local_day_decides_not_utc() {
    let (_d, mut s) = store();
    let c = Catalogue::built_in();
    // 07:30 in Beijing is 23:30 UTC the day before: still the same local day as 09:00.
    issue_ticket(s.conn(), &c, "notary", at(26, 7, 30), None).unwrap();
    let t = issue_ticket(s.conn(), &c, "notary", at(26, 9, 0), None).unwrap();
    assert_eq!(t.number, "D002");
}

#[test]
fn every_ticket_writes_exactly_one_outbox_event_with_its_number() {
    let (_d, mut s) = store();
    let c = Catalogue::built_in();
    let t = issue_ticket(s.conn(), &c, "arbitration", at(26, 10, 0), None).unwrap();
    assert_eq!(outbox::depth(s.conn()).unwrap(), 1);
    let (kind, payload): (String, String) = s
        .conn()
        .query_row("SELECT kind, payload FROM outbox", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(kind, "ticket.issued");
    let v: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(v["number"], "G001");
    assert_eq!(v["service_id"], "arbitration");
    assert_eq!(v["service_day"], "2026-11-26");
    assert_eq!(v["ticket_id"], t.id);
}

#[test]
fn an_unknown_service_issues_nothing() {
    let (_d, mut s) = store();
    let c = Catalogue::built_in();
    let err = issue_ticket(s.conn(), &c, "tax", at(26, 10, 0), None).unwrap_err();
    assert!(matches!(err, QueueError::UnknownService(_)));
    assert_eq!(outbox::depth(s.conn()).unwrap(), 0);
}

#[test]
fn a_person_holds_one_active_ticket_per_service_per_day() {
    let (_d, mut s) = store();
    let c = Catalogue::built_in();
    let person = TicketIdentity {
        masked_id: "110***********0019".into(),
        id_hash: "h1".into(),
        age_band: "60-69".into(),
        elderly: true,
    };
    let t = issue_ticket(s.conn(), &c, "notary", at(26, 9, 0), Some(&person)).unwrap();
    let day = t.service_day;
    let again = active_ticket_of(s.conn(), "h1", "notary", day)
        .unwrap()
        .unwrap();
    assert_eq!(again.number, t.number);
    assert!(
        active_ticket_of(s.conn(), "h1", "mediation", day)
            .unwrap()
            .is_none()
    );
    assert!(
        active_ticket_of(s.conn(), "h2", "notary", day)
            .unwrap()
            .is_none()
    );
    let tomorrow = day.succ_opt().unwrap();
    assert!(
        active_ticket_of(s.conn(), "h1", "notary", tomorrow)
            .unwrap()
            .is_none()
    );
    s.conn()
        .execute(
            "UPDATE tickets SET state = ?2 WHERE id = ?1",
            params![t.id, TicketState::Done],
        )
        .unwrap();
    assert!(
        active_ticket_of(s.conn(), "h1", "notary", day)
            .unwrap()
            .is_none()
    );
    let priority: Option<String> = s
        .conn()
        .query_row("SELECT priority FROM tickets WHERE id = ?1", [t.id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(priority.as_deref(), Some("elderly"));
}

#[test]
fn numbers_go_past_999_without_colliding() {
    assert_eq!(format_number('A', 7), "A007");
    assert_eq!(format_number('A', 999), "A999");
    assert_eq!(format_number('A', 1000), "A1000");
}
