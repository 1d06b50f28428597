use base64::Engine as _;
use chrono::{NaiveDate, TimeZone as _};
use provisioning::appointments::{AppointmentsFile, BundledBooking, HashKey, id_hash};

use super::*;
use crate::store::Store;

const KEY: &[u8] = b"region-220104-key-for-the-tests";
const ID: &str = "11010519491231002X";

fn booking(code: &str, start: &str, id: &str) -> BundledBooking {
    BundledBooking {
        code: code.into(),
        service_id: "legal-consultation".into(),
        start: start.into(),
        masked_name: "张*".into(),
        id_hash: id_hash(KEY, id),
    }
}

fn file(bookings: Vec<BundledBooking>) -> Vec<u8> {
    serde_json::to_vec(&AppointmentsFile {
        format: 1,
        platform_id: "cc-chaoyang".into(),
        region: "220104".into(),
        generated_at: "2026-11-26T00:00:00Z".into(),
        days: vec!["2026-11-26".into(), "2026-11-27".into()],
        id_hash: HashKey {
            algorithm: "HMAC-SHA256".into(),
            input: "the ID number".into(),
            key: base64::engine::general_purpose::STANDARD.encode(KEY),
        },
        bookings,
    })
    .unwrap()
}

fn at(h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

fn beijing(h: u32, m: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .from_local_datetime(&at(h, m))
        .unwrap()
}

fn sample() -> Appointments {
    Appointments::parse(&file(vec![
        booking("ABCD2345", "2026-11-26T10:00", ID),
        booking("EFGH6789", "2026-11-27T09:00", ID),
        booking("JKMN2345", "2026-11-26T09:00", "110105194912310029"),
    ]))
    .unwrap()
}

#[test]
fn a_card_finds_its_bookings_of_the_day_through_the_keyed_hash_only() {
    let a = sample();
    let today = at(0, 0).date();
    // The card's number, with a lower-case check character as some readers give it.
    let found = a.by_card("11010519491231002x", today);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "ABCD2345");
    assert_eq!(found[0].slot(), "2026-11-26T10:00");
    assert!(
        a.by_card("110105194912310021", today).is_empty(),
        "a bad check digit"
    );
    // Another region's key gives another hash: the same card finds nothing.
    let mut other = file(vec![booking("ABCD2345", "2026-11-26T10:00", ID)]);
    let text = String::from_utf8(other.clone()).unwrap().replace(
        &base64::engine::general_purpose::STANDARD.encode(KEY),
        &base64::engine::general_purpose::STANDARD.encode(b"another-region-key-0123456789"),
    );
    other = text.into_bytes();
    assert!(
        Appointments::parse(&other)
            .unwrap()
            .by_card(ID, today)
            .is_empty()
    );
}

#[test]
fn a_code_is_found_however_it_is_typed() {
    let a = sample();
    assert_eq!(
        a.by_code("abcd-2345").map(|b| b.code.as_str()),
        Some("ABCD2345")
    );
    assert!(a.by_code("ABCD234").is_none());
    assert!(a.by_code("ZZZZ2345").is_none());
}

#[test]
fn the_window_opens_early_closes_late_and_other_days_are_refused() {
    let a = sample();
    let b = a.by_code("ABCD2345").unwrap();
    let w = Window::default();
    assert_eq!(w.arrival(b, at(9, 29)), Arrival::Early { opens: at(9, 30) });
    assert_eq!(w.arrival(b, at(9, 30)), Arrival::InWindow);
    assert_eq!(w.arrival(b, at(10, 15)), Arrival::InWindow);
    assert_eq!(w.arrival(b, at(10, 16)), Arrival::Late);
    let tomorrow = a.by_code("EFGH6789").unwrap();
    assert_eq!(w.arrival(tomorrow, at(9, 0)), Arrival::OtherDay);
}

#[test]
fn a_booking_checks_in_once_and_the_missed_ones_are_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&Store::path_in(dir.path())).unwrap();
    let conn = store.conn();
    let a = sample();
    let b = a.by_code("ABCD2345").unwrap();
    assert!(record_check_in(conn, b, "Y001", false, beijing(9, 50)).unwrap());
    assert!(!record_check_in(conn, b, "Y002", false, beijing(9, 51)).unwrap());
    assert_eq!(
        checked_in(conn, "ABCD2345").unwrap().as_deref(),
        Some("Y001")
    );
    let w = Window::default();
    // 09:00's window closed at 09:15; 10:00's booking checked in.
    assert_eq!(record_missed(conn, &a, &w, beijing(9, 10)).unwrap(), 0);
    assert_eq!(record_missed(conn, &a, &w, beijing(11, 0)).unwrap(), 1);
    assert_eq!(
        record_missed(conn, &a, &w, beijing(12, 0)).unwrap(),
        0,
        "once"
    );
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM outbox ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kinds, [CHECKED_IN_EVENT, MISSED_EVENT]);
    let payloads: String = conn
        .prepare("SELECT payload FROM outbox")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        !payloads.contains("张") && !payloads.contains(ID),
        "{payloads}"
    );
}

#[test]
fn a_tampered_file_is_refused() {
    assert!(Appointments::parse(b"{}").is_err());
    let bad = String::from_utf8(file(vec![booking("ABCD2345", "26 Nov", ID)])).unwrap();
    assert!(Appointments::parse(bad.as_bytes()).is_err());
    let twice = file(vec![
        booking("ABCD2345", "2026-11-26T10:00", ID),
        booking("ABCD2345", "2026-11-26T11:00", ID),
    ]);
    assert!(Appointments::parse(&twice).is_err());
}
