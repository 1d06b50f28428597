use super::*;
use crate::store::Store;

fn at(minute: i64) -> DateTime<FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-26T09:00:00+08:00").unwrap()
        + chrono::Duration::minutes(minute)
}

#[test]
fn five_wrong_pins_lock_for_five_minutes_and_the_lock_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = Store::path_in(dir.path());
    let policy = LockoutPolicy::default();
    {
        let mut s = Store::open(&path).unwrap();
        for left in [4, 3, 2, 1] {
            let r = record_failure(s.conn(), &policy, at(0)).unwrap();
            assert_eq!(r, AfterFailure::TriesLeft(left));
        }
        let r = record_failure(s.conn(), &policy, at(0)).unwrap();
        assert_eq!(r, AfterFailure::Locked(Duration::from_secs(300)));
    }
    let mut s = Store::open(&path).unwrap();
    let state = load(s.conn()).unwrap();
    assert_eq!(state.remaining(at(1)), Some(Duration::from_secs(240)));
    assert_eq!(state.remaining(at(5)), None, "over after five minutes");
    assert_eq!(state.failures, 0, "five fresh tries after the lock");
}

#[test]
fn each_further_lock_is_twice_as_long_up_to_the_cap_and_a_login_resets_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&Store::path_in(dir.path())).unwrap();
    let policy = LockoutPolicy::default();
    let mut lengths = Vec::new();
    for round in 0..6 {
        for _ in 0..5 {
            if let AfterFailure::Locked(d) =
                record_failure(s.conn(), &policy, at(round * 100)).unwrap()
            {
                lengths.push(d.as_secs() / 60);
            }
        }
    }
    assert_eq!(lengths, [5, 10, 20, 40, 60, 60]);
    record_success(s.conn()).unwrap();
    assert_eq!(load(s.conn()).unwrap(), LockState::default());
    for _ in 0..4 {
        record_failure(s.conn(), &policy, at(1000)).unwrap();
    }
    assert_eq!(
        record_failure(s.conn(), &policy, at(1000)).unwrap(),
        AfterFailure::Locked(Duration::from_secs(300))
    );
}

#[test]
fn a_clock_set_back_does_not_lengthen_the_lock() {
    let state = LockState {
        failures: 0,
        lockouts: 1,
        locked_at: Some(at(0)),
        locked_until: Some(at(5)),
    };
    assert_eq!(state.remaining(at(-600)), Some(Duration::from_secs(300)));
}
