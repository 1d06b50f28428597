//! Wrong PINs at the counter PCs (the queue API), counted per key: per source address and
//! per account. Unlike the touchscreen's menu lock (`lockout`, one row for the terminal),
//! a host on the LAN that guesses locks out only itself; an account locks only after more
//! wrong PINs than one source may try, so it takes many hosts to lock a member of staff
//! out of the counter page, and never out of the touchscreen. Attempts are counted before
//! the PIN is hashed: parallel guesses cannot slip past the count. Kept in memory (a
//! restart forgets it, as it forgets the sessions), at most `MAX_KEYS` keys.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::lockout::LockoutPolicy;

/// Keys remembered at most; the oldest idle ones go first.
const MAX_KEYS: usize = 4096;

#[derive(Debug, Clone, Default)]
struct Entry {
    failures: u32,
    in_flight: u32,
    lockouts: u32,
    locked_until: Option<Instant>,
    last: Option<Instant>,
}

/// Failure counts by key.
#[derive(Debug)]
pub struct Guesses {
    policy: LockoutPolicy,
    map: HashMap<String, Entry>,
}

impl Guesses {
    pub fn new(policy: LockoutPolicy) -> Self {
        Self {
            policy,
            map: HashMap::new(),
        }
    }

    /// The policy these counts follow.
    pub fn policy(&self) -> LockoutPolicy {
        self.policy
    }

    /// An attempt for `key` at `now`: `Err(remaining)` while it is locked or while the
    /// attempts already under way would use up its tries; else it counts as under way
    /// until [`Guesses::finish`].
    pub fn begin(&mut self, key: &str, now: Instant) -> Result<(), Duration> {
        self.prune(now);
        let max = self.policy.max_failures.max(1);
        let entry = self.map.entry(key.to_string()).or_default();
        entry.last = Some(now);
        if let Some(until) = entry.locked_until {
            if until > now {
                return Err(until - now);
            }
            entry.locked_until = None;
        }
        if entry.failures + entry.in_flight >= max {
            // Its tries are all under way: wait for their outcome.
            return Err(Duration::from_secs(1));
        }
        entry.in_flight += 1;
        Ok(())
    }

    /// An attempt begun for `key` that did not happen after all (another key was locked).
    pub fn cancel(&mut self, key: &str) {
        if let Some(entry) = self.map.get_mut(key) {
            entry.in_flight = entry.in_flight.saturating_sub(1);
        }
    }

    /// The outcome of an attempt begun for `key`: a good PIN clears the key, a wrong one
    /// counts and may lock it (returns the lock's length then).
    pub fn finish(&mut self, key: &str, good: bool, now: Instant) -> Option<Duration> {
        let entry = self.map.entry(key.to_string()).or_default();
        entry.in_flight = entry.in_flight.saturating_sub(1);
        entry.last = Some(now);
        if good {
            self.map.remove(key);
            return None;
        }
        entry.failures += 1;
        if entry.failures < self.policy.max_failures.max(1) {
            return None;
        }
        let length = self.policy.lock_length(entry.lockouts);
        entry.failures = 0;
        entry.lockouts += 1;
        entry.locked_until = Some(now + length);
        Some(length)
    }

    /// Forgets keys idle for longer than the longest lock, and the oldest beyond `MAX_KEYS`.
    fn prune(&mut self, now: Instant) {
        if self.map.len() < MAX_KEYS {
            return;
        }
        let keep = self.policy.max_lock.max(self.policy.lock);
        self.map.retain(|_, e| {
            e.in_flight > 0
                || e.locked_until.is_some_and(|u| u > now)
                || e.last.is_some_and(|l| now.duration_since(l) < keep)
        });
        while self.map.len() >= MAX_KEYS {
            let oldest = self
                .map
                .iter()
                .filter(|(_, e)| e.in_flight == 0)
                .min_by_key(|(_, e)| e.last)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.map.remove(&k),
                None => break,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_locks_after_its_tries_even_when_they_come_at_once_and_others_stay_open() {
        let mut g = Guesses::new(LockoutPolicy::default());
        let t = Instant::now();
        for _ in 0..5 {
            assert!(g.begin("10.0.0.9", t).is_ok());
        }
        assert!(g.begin("10.0.0.9", t).is_err(), "five under way: no sixth");
        assert!(g.begin("10.0.0.2", t).is_ok(), "another source");
        for _ in 0..4 {
            assert_eq!(g.finish("10.0.0.9", false, t), None);
        }
        assert_eq!(
            g.finish("10.0.0.9", false, t),
            Some(Duration::from_secs(300))
        );
        assert!(g.begin("10.0.0.9", t + Duration::from_secs(299)).is_err());
        assert!(g.begin("10.0.0.9", t + Duration::from_secs(301)).is_ok());
        assert_eq!(g.finish("10.0.0.9", true, t), None);
    }

    #[test]
    fn the_map_stays_bounded() {
        let mut g = Guesses::new(LockoutPolicy::default());
        let t = Instant::now();
        for i in 0..(MAX_KEYS * 2) {
            let key = format!("k{i}");
            g.begin(&key, t).unwrap();
            g.finish(&key, false, t);
        }
        assert!(g.map.len() <= MAX_KEYS);
    }
}
