use super::*;
use crate::store::Store;

fn at(minute: i64) -> DateTime<FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-26T09:00:00+08:00").unwrap()
        + chrono::Duration::minutes(minute)
}

#[test]
fn the_right_pin_names_its_account_and_wrong_ones_lock_then_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&Store::path_in(dir.path())).unwrap();
    let me = Actor::Console("root".into());
    let pin = |p: &str| Pin::parse(p).unwrap();
    accounts::add(s.conn(), "王芳", Role::Staff, &pin("739152"), &me, at(0)).unwrap();
    let policy = LockoutPolicy::default();

    let ok = login(s.conn(), &pin("739152"), &policy, at(0)).unwrap();
    assert_eq!((ok.name.as_str(), ok.role), ("王芳", Role::Staff));

    for _ in 0..4 {
        let e = login(s.conn(), &pin("111222"), &policy, at(1)).unwrap_err();
        assert!(matches!(e, LoginError::WrongPin { .. }), "{e}");
    }
    let e = login(s.conn(), &pin("111222"), &policy, at(1)).unwrap_err();
    assert_eq!(
        e,
        LoginError::WrongPin {
            after: AfterFailure::Locked(Duration::from_secs(300))
        }
    );
    let e = login(s.conn(), &pin("739152"), &policy, at(2)).unwrap_err();
    assert!(
        matches!(e, LoginError::Locked { .. }),
        "even the right PIN waits"
    );
    assert!(login(s.conn(), &pin("739152"), &policy, at(6)).is_ok());

    let rows = audit::recent(s.conn(), 20).unwrap();
    let failed = rows
        .iter()
        .filter(|r| r.action == "login" && r.outcome == "refused")
        .count();
    assert_eq!(failed, 6, "five wrong PINs and one try while locked");
    assert!(rows.iter().any(|r| r.action == "login.lockout"));
    assert_eq!(rows[0].actor, "王芳");
}

#[test]
fn without_accounts_every_pin_is_refused_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&Store::path_in(dir.path())).unwrap();
    let e = login(
        s.conn(),
        &Pin::parse("739152").unwrap(),
        &LockoutPolicy::default(),
        at(0),
    )
    .unwrap_err();
    assert_eq!(e, LoginError::NoAccounts);
    assert_eq!(lockout::load(s.conn()).unwrap().failures, 1);
}
