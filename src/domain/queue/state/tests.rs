use super::*;
use crate::store::Store;

#[test]
fn the_store_accepts_exactly_these_states() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&Store::path_in(dir.path())).unwrap();
    let insert = |c: &rusqlite::Connection, seq: u32, state: &dyn ToSql| {
        c.execute(
            "INSERT INTO tickets (token, service_id, service_day, seq, number, issued_at, state)
             VALUES (?1, 'notary', '2026-11-26', ?2, 'D001', '2026-11-26T09:00:00+08:00', ?3)",
            rusqlite::params![format!("t{seq}"), seq, state],
        )
    };
    for (seq, state) in (1..).zip(TicketState::ALL) {
        insert(s.conn(), seq, &state).unwrap();
        let back: TicketState = s
            .conn()
            .query_row("SELECT state FROM tickets WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(back, state);
    }
    assert!(
        insert(s.conn(), 99, &"lost").is_err(),
        "the schema refuses a state the enum does not name"
    );
}

#[test]
fn states_read_and_print_as_their_stored_words() {
    for state in TicketState::ALL {
        assert_eq!(TicketState::parse(state.as_str()), Some(state));
        assert_eq!(
            serde_json::to_value(state).unwrap(),
            serde_json::Value::from(state.as_str())
        );
    }
    assert_eq!(TicketState::parse("Waiting"), None);
}
