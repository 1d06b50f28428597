//! Staff accounts: creation, PINs, roles and removal, against a real store.

use super::*;
use crate::store::Store;

fn at() -> DateTime<FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-26T09:30:00+08:00").unwrap()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Store::path_in(dir.path())).unwrap();
    (dir, store)
}

fn pin(p: &str) -> Pin {
    Pin::new_for_account(p).unwrap()
}

#[test]
fn accounts_are_added_listed_and_their_pin_changed_with_audit() {
    let (_d, mut s) = store();
    let me = Actor::Console("root".into());
    add(
        s.conn(),
        "安装员",
        Role::Installer,
        &pin("482916"),
        &me,
        at(),
    )
    .unwrap();
    add(s.conn(), "王芳", Role::Staff, &pin("739152"), &me, at()).unwrap();
    let names: Vec<(String, Role)> = list(s.conn())
        .unwrap()
        .into_iter()
        .map(|a| (a.name, a.role))
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&("王芳".into(), Role::Staff)));

    let creds = credentials(s.conn()).unwrap();
    assert_eq!(match_pin(&creds, &pin("739152")).unwrap().name, "王芳");
    set_pin(s.conn(), "王芳", &pin("159263"), &me, at()).unwrap();
    let creds = credentials(s.conn()).unwrap();
    assert!(
        match_pin(&creds, &pin("739152")).is_none(),
        "the old PIN is gone"
    );
    assert_eq!(match_pin(&creds, &pin("159263")).unwrap().name, "王芳");

    let actions: Vec<String> = audit::recent(s.conn(), 10)
        .unwrap()
        .into_iter()
        .map(|r| format!("{} {} {}", r.actor, r.action, r.outcome))
        .collect();
    assert_eq!(
        actions,
        [
            "console:root staff.set_pin ok",
            "console:root staff.add ok",
            "console:root staff.add ok"
        ]
    );
}

#[test]
fn duplicates_shared_pins_and_the_last_installer_are_refused_and_audited() {
    let (_d, mut s) = store();
    let me = Actor::Console("root".into());
    add(
        s.conn(),
        "安装员",
        Role::Installer,
        &pin("482916"),
        &me,
        at(),
    )
    .unwrap();
    let err = add(s.conn(), " 安装员 ", Role::Staff, &pin("739152"), &me, at()).unwrap_err();
    assert!(matches!(err, AccountError::Exists(_)), "{err}");
    let err = add(s.conn(), "王芳", Role::Staff, &pin("482916"), &me, at()).unwrap_err();
    assert!(matches!(err, AccountError::PinInUse), "{err}");
    let err = remove(s.conn(), "安装员", &me, at()).unwrap_err();
    assert!(err.to_string().contains("last installer"), "{err}");
    let err = remove(s.conn(), "nobody", &me, at()).unwrap_err();
    assert!(matches!(err, AccountError::NotFound(_)));
    let err = add(s.conn(), "", Role::Staff, &pin("739152"), &me, at()).unwrap_err();
    assert!(matches!(err, AccountError::InvalidName(_)));
    assert_eq!(count(s.conn()).unwrap(), 1);
    let refused = audit::recent(s.conn(), 10)
        .unwrap()
        .into_iter()
        .filter(|r| r.outcome == "refused")
        .count();
    assert_eq!(refused, 5);
}

#[test]
fn a_staff_account_can_be_removed() {
    let (_d, mut s) = store();
    let me = Actor::Console("root".into());
    add(
        s.conn(),
        "安装员",
        Role::Installer,
        &pin("482916"),
        &me,
        at(),
    )
    .unwrap();
    add(s.conn(), "王芳", Role::Staff, &pin("739152"), &me, at()).unwrap();
    remove(s.conn(), "王芳", &me, at()).unwrap();
    assert_eq!(count(s.conn()).unwrap(), 1);
}

#[test]
fn no_pin_and_no_hash_reaches_the_audit_or_the_outbox() {
    let (_d, mut s) = store();
    let me = Actor::Console("root".into());
    add(
        s.conn(),
        "安装员",
        Role::Installer,
        &pin("482916"),
        &me,
        at(),
    )
    .unwrap();
    set_pin(s.conn(), "安装员", &pin("582017"), &me, at()).unwrap();
    let _ = add(s.conn(), "x", Role::Staff, &pin("582017"), &me, at());
    let text: String = s
        .conn()
        .query_row(
            "SELECT group_concat(detail, ' ') || (SELECT group_concat(payload, ' ') FROM outbox)
             FROM audit_log",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for secret in ["482916", "582017", "argon2"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}
