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
mod tests;
