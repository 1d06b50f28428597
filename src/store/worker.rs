//! The store worker: one thread owns the database connection and runs jobs in order, so the
//! UI thread never waits on SQLite and writes never race each other.

use std::sync::mpsc;
use std::thread;

use crate::store::Store;

type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// A handle to the store thread; cheap to clone.
#[derive(Clone)]
pub struct Worker {
    tx: mpsc::Sender<Job>,
}

impl Worker {
    /// Starts the thread; it ends when every handle is dropped.
    pub fn spawn(mut store: Store) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        thread::Builder::new().name("store".into()).spawn(move || {
            for job in rx {
                job(&mut store);
            }
        })?;
        Ok(Self { tx })
    }

    /// Queues a job. Returns false if the store thread has ended (it only ends at exit).
    pub fn submit(&self, job: impl FnOnce(&mut Store) + Send + 'static) -> bool {
        self.tx.send(Box::new(job)).is_ok()
    }

    /// Runs a job and waits for its result. For command-line tools and other threads; never
    /// call it from the UI thread.
    pub fn call<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Store) -> R + Send + 'static,
    ) -> Option<R> {
        let (tx, rx) = mpsc::sync_channel(1);
        if !self.submit(move |store| {
            let _ = tx.send(job(store));
        }) {
            return None;
        }
        rx.recv().ok()
    }
}
