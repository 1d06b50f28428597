//! Telling everyone who shows the queue that it changed: the hall and counter streams (async)
//! and the kiosk's ticket page (a plain callback). Changes are coalesced: a listener that is
//! busy sees the latest version once, not every step.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;

type Listener = Box<dyn Fn() + Send + Sync>;

/// A handle to the change signal; cheap to clone.
#[derive(Clone)]
pub struct QueueEvents {
    version: Arc<watch::Sender<u64>>,
    listeners: Arc<Mutex<Vec<Listener>>>,
}

impl Default for QueueEvents {
    fn default() -> Self {
        Self::new()
    }
}

impl QueueEvents {
    pub fn new() -> Self {
        let (tx, _) = watch::channel(0);
        Self {
            version: Arc::new(tx),
            listeners: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The queue changed (a ticket issued, called, finished…).
    pub fn notify(&self) {
        self.version.send_modify(|v| *v += 1);
        let listeners = self.listeners.lock().unwrap_or_else(|e| e.into_inner());
        for listener in listeners.iter() {
            listener();
        }
    }

    /// An async receiver of change versions.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// Calls `f` (on the notifying thread; keep it short) after each change.
    pub fn on_change(&self, f: impl Fn() + Send + Sync + 'static) {
        self.listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Box::new(f));
    }
}
