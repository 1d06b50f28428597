//! One thread for the maintenance menu's slow work that is not SQL (file writes to a USB
//! stick or sysfs, waiting for a test card), so the UI thread and the store thread never
//! wait on it. Jobs run in order.

use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

/// A handle to the thread; cheap to clone.
#[derive(Clone)]
pub struct Background {
    tx: mpsc::Sender<Job>,
}

impl Background {
    /// Starts the thread; it ends when every handle is dropped.
    pub fn spawn(name: &str) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                for job in rx {
                    job();
                }
            })?;
        Ok(Self { tx })
    }

    /// Queues a job. Returns false if the thread has ended.
    pub fn submit(&self, job: impl FnOnce() + Send + 'static) -> bool {
        self.tx.send(Box::new(job)).is_ok()
    }
}
