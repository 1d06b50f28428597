//! Debouncing: a new level counts only once it has held for the whole period. A button's
//! contacts bounce for a few milliseconds, and a long cable in a public hall picks up
//! spikes; neither may call staff. Done here rather than by the kernel (uAPI v2 can
//! debounce too) so that it behaves the same on every board and in the simulator.

use std::time::{Duration, Instant};

/// The settled level of one input line.
#[derive(Debug, Clone)]
pub struct Debouncer {
    period: Duration,
    stable: bool,
    pending: Option<(bool, Instant)>,
}

impl Debouncer {
    /// Starts settled at `level` (the line's level when it was opened).
    pub fn new(level: bool, period: Duration) -> Self {
        Self {
            period,
            stable: level,
            pending: None,
        }
    }

    /// The line changed to `level` at `at`; every change restarts the wait.
    pub fn edge(&mut self, level: bool, at: Instant) {
        self.pending = Some((level, at));
    }

    /// When the last change will have held long enough, if one is waiting.
    pub fn deadline(&self) -> Option<Instant> {
        self.pending.map(|(_, at)| at + self.period)
    }

    /// Settles a change that held until `now`. Returns the new level if the settled level
    /// changed (a spike that went back to the old level returns nothing).
    pub fn poll(&mut self, now: Instant) -> Option<bool> {
        let (level, at) = self.pending?;
        if now < at + self.period {
            return None;
        }
        self.pending = None;
        if level == self.stable {
            return None;
        }
        self.stable = level;
        Some(level)
    }

    /// The settled level.
    pub fn level(&self) -> bool {
        self.stable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_bouncing_press_counts_once_after_it_held() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(false, 30 * MS);
        for (i, level) in [true, false, true, false, true].into_iter().enumerate() {
            d.edge(level, t0 + (i as u32) * 2 * MS);
            assert_eq!(d.poll(t0 + (i as u32) * 2 * MS), None);
        }
        assert_eq!(d.deadline(), Some(t0 + 38 * MS));
        assert_eq!(d.poll(t0 + 37 * MS), None, "not yet held for 30 ms");
        assert_eq!(d.poll(t0 + 38 * MS), Some(true));
        assert_eq!(d.poll(t0 + 100 * MS), None, "reported once");
        assert!(d.level());
    }

    #[test]
    fn a_spike_shorter_than_the_period_is_ignored() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(false, 30 * MS);
        d.edge(true, t0);
        d.edge(false, t0 + 5 * MS);
        assert_eq!(d.poll(t0 + 100 * MS), None);
        assert!(!d.level());
        assert_eq!(d.deadline(), None, "nothing waits after settling");
    }

    #[test]
    fn release_settles_like_a_press() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(true, 30 * MS);
        d.edge(false, t0);
        assert_eq!(d.poll(t0 + 30 * MS), Some(false));
    }
}
