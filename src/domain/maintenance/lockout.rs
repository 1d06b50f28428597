//! Wrong PINs lock the menu: after `max_failures` wrong PINs in a row it stays locked for
//! `lock`, twice as long after each further lock (up to `max_lock`) until someone logs in.
//! The state is in the store, so a restart (or pulling the plug) does not reset it.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, params};

/// How wrong PINs are punished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Wrong PINs in a row that lock the menu.
    pub max_failures: u32,
    /// How long the first lock lasts.
    pub lock: Duration,
    /// The longest a lock can grow to.
    pub max_lock: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock: Duration::from_secs(5 * 60),
            max_lock: Duration::from_secs(60 * 60),
        }
    }
}

impl LockoutPolicy {
    /// The length of the lock that follows `previous` locks: doubling, capped.
    pub fn lock_length(&self, previous: u32) -> Duration {
        let factor = 1u32.checked_shl(previous.min(16)).unwrap_or(u32::MAX);
        self.lock
            .saturating_mul(factor)
            .min(self.max_lock.max(self.lock))
    }
}

/// The stored state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LockState {
    /// Wrong PINs since the last lock or good login.
    pub failures: u32,
    /// Locks since the last good login.
    pub lockouts: u32,
    pub locked_at: Option<DateTime<FixedOffset>>,
    pub locked_until: Option<DateTime<FixedOffset>>,
}

impl LockState {
    /// How much longer the menu stays locked at `now`, if it is. A clock set back after the
    /// lock began cannot make it last longer than it was set for.
    pub fn remaining(&self, now: DateTime<FixedOffset>) -> Option<Duration> {
        let until = self.locked_until?;
        let left = (until - now).to_std().ok().filter(|d| !d.is_zero())?;
        let length = self
            .locked_at
            .and_then(|at| (until - at).to_std().ok())
            .unwrap_or(left);
        Some(left.min(length))
    }
}

fn parse_time(text: Option<String>) -> Option<DateTime<FixedOffset>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
}

/// Reads the state.
pub fn load(conn: &Connection) -> rusqlite::Result<LockState> {
    conn.query_row(
        "SELECT failures, lockouts, locked_at, locked_until FROM staff_lockout WHERE id = 1",
        [],
        |r| {
            Ok(LockState {
                failures: r.get(0)?,
                lockouts: r.get(1)?,
                locked_at: parse_time(r.get(2)?),
                locked_until: parse_time(r.get(3)?),
            })
        },
    )
}

/// What a wrong PIN led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// This many more wrong PINs before the menu locks.
    TriesLeft(u32),
    /// The menu is now locked for this long.
    Locked(Duration),
}

/// Counts a wrong PIN at `now`; locks when it was one too many. Call it in the
/// transaction that also audits the attempt.
pub fn record_failure(
    conn: &Connection,
    policy: &LockoutPolicy,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<AfterFailure> {
    let state = load(conn)?;
    let failures = state.failures + 1;
    if failures < policy.max_failures.max(1) {
        conn.execute(
            "UPDATE staff_lockout SET failures = ?1 WHERE id = 1",
            [failures],
        )?;
        return Ok(AfterFailure::TriesLeft(policy.max_failures - failures));
    }
    let length = policy.lock_length(state.lockouts);
    let until = now + chrono::Duration::from_std(length).unwrap_or(chrono::Duration::MAX);
    conn.execute(
        "UPDATE staff_lockout SET failures = 0, lockouts = lockouts + 1, locked_at = ?1,
                locked_until = ?2 WHERE id = 1",
        params![now.to_rfc3339(), until.to_rfc3339()],
    )?;
    Ok(AfterFailure::Locked(length))
}

/// A good login clears the count and the growth of future locks.
pub fn record_success(conn: &Connection) -> rusqlite::Result<()> {
    clear(conn)
}

/// Clears everything (a good login, or an installer's `staff unlock`).
pub fn clear(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE staff_lockout SET failures = 0, lockouts = 0, locked_at = NULL,
                locked_until = NULL WHERE id = 1",
        [],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
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
}
