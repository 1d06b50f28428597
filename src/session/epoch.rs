//! One guard against stale results. Work started for a citizen's session (a ticket being
//! issued, a slip printing), for a staff member's time in the menu or for one video call
//! finishes on another thread, maybe after that session ended; its result must then be
//! dropped, not shown to the next person. Whatever can end counts its endings in an
//! [`Epoch`]; work takes a [`Guard`] when it starts and checks it when it finishes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts how often something ended; cheap to clone and to share across threads.
#[derive(Debug, Clone, Default)]
pub struct Epoch(Arc<AtomicU64>);

impl Epoch {
    pub fn new() -> Self {
        Self::default()
    }

    /// What was going on has ended: guards taken before now no longer hold.
    pub fn advance(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// A guard for work starting now.
    pub fn guard(&self) -> Guard {
        Guard {
            epoch: self.clone(),
            at: self.0.load(Ordering::SeqCst),
        }
    }
}

/// Taken when work starts; holds until its epoch advances.
#[derive(Debug, Clone)]
pub struct Guard {
    epoch: Epoch,
    at: u64,
}

impl Guard {
    /// Whether what the work was started for is still going on.
    pub fn holds(&self) -> bool {
        self.epoch.0.load(Ordering::SeqCst) == self.at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guard_holds_until_its_epoch_advances() {
        let epoch = Epoch::new();
        let guard = epoch.guard();
        assert!(guard.holds());
        epoch.advance();
        assert!(!guard.holds(), "the session it was taken in has ended");
        assert!(
            epoch.guard().holds(),
            "a new guard belongs to the new session"
        );
    }

    #[test]
    fn clones_share_one_count_across_threads() {
        let epoch = Epoch::new();
        let guard = epoch.guard();
        let other = epoch.clone();
        std::thread::spawn(move || other.advance()).join().unwrap();
        assert!(!guard.holds());
    }
}
