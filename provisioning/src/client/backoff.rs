//! Exponential backoff with jitter.

use rand::Rng as _;
use std::time::Duration;

/// Delays that double after each failure up to a cap, each drawn at random from the upper
/// half of the current step so that a fleet coming back online does not retry in lockstep.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    /// Starts at `initial`, never above `max`.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            failures: 0,
        }
    }

    /// The delay after one more failure; at least `retry_after` when the server gave one.
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Duration {
        let step = self
            .initial
            .saturating_mul(1u32.checked_shl(self.failures.min(20)).unwrap_or(u32::MAX))
            .min(self.max);
        self.failures = self.failures.saturating_add(1);
        let half = step / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis().max(1) as u64);
        let delay = half + Duration::from_millis(jitter);
        retry_after.map_or(delay, |r| delay.max(r))
    }

    /// Back to the first step after a success.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// `interval` ± 10 %, so terminals spread their polls.
pub fn jittered(interval: Duration) -> Duration {
    let tenth = (interval.as_millis() / 10) as i64;
    let offset = rand::rng().random_range(-tenth..=tenth);
    Duration::from_millis((interval.as_millis() as i64 + offset).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_stay_capped_and_honour_retry_after() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let first = b.next_delay(None);
        assert!(first >= Duration::from_millis(500) && first <= Duration::from_secs(1));
        for _ in 0..30 {
            assert!(b.next_delay(None) <= Duration::from_secs(60));
        }
        let late = b.next_delay(None);
        assert!(late >= Duration::from_secs(30));
        assert!(b.next_delay(Some(Duration::from_secs(600))) >= Duration::from_secs(600));
        b.reset();
        assert!(b.next_delay(None) <= Duration::from_secs(1));
    }
}
