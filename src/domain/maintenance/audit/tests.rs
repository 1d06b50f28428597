use super::*;
use crate::store::Store;

#[test]
fn an_entry_is_a_row_and_an_outbox_event_with_the_actor() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&Store::path_in(dir.path())).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T09:30:00+08:00").unwrap();
    let actor = Actor::Staff("王芳".into());
    record_alone(
        store.conn(),
        &actor,
        action::PRINTER_TEST_PRINT,
        Outcome::Ok,
        serde_json::json!({"printed": true}),
        at,
    );
    let rows = recent(store.conn(), 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor, "王芳");
    assert_eq!(rows[0].action, "printer.test_print");
    let (kind, payload): (String, String) = store
        .conn()
        .query_row("SELECT kind, payload FROM outbox", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(kind, "audit");
    let v: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(v["actor"], "王芳");
    assert_eq!(v["action"], "printer.test_print");
    assert_eq!(v["outcome"], "ok");
    assert_eq!(v["detail"]["printed"], true);
}

#[test]
fn console_actors_are_marked_as_such() {
    assert_eq!(Actor::Console("root".into()).label(), "console:root");
    assert_eq!(Actor::Unknown.label(), "unknown");
}
