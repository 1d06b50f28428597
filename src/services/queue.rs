//! What the queue's services and its network side share at run time: the store threads, the
//! clock, the event bus its changes go out on, and the catalogue and policy in force
//! (replaced when a newer bundle arrives, without a restart).

use std::sync::{Arc, RwLock};

use crate::clock::Clock;
use crate::domain::queue::catalogue::catalogue_in_force;
use crate::domain::queue::{Catalogue, Policy, SeqRange, policy_in_force};
use crate::events::{Events, KioskEvent};
use crate::store::Store;
use crate::store::worker::Worker;

/// The store thread is gone (only at shutdown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the store cannot be reached")]
pub struct StoreGone;

/// The reading connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot start the queue's reading thread: {0}")]
    Thread(std::io::Error),
}

/// The queue's shared run-time state.
pub struct QueueShared {
    /// The store thread: every write, in order.
    pub worker: Worker,
    /// A second connection for the displays' reads, so that building a view never delays a
    /// call (WAL lets it read beside the writer).
    pub reader: Worker,
    pub clock: Arc<dyn Clock>,
    /// Where the queue's changes go out ([`KioskEvent::QueueChanged`]).
    pub events: Events,
    /// Shown on the hall display.
    pub centre_name: String,
    /// Ticket QR codes hold this followed by the token.
    pub ticket_url_base: String,
    /// Number ranges client terminals keep; this terminal never issues them.
    pub reserved: Vec<SeqRange>,
    configured_policy: Policy,
    catalogue: RwLock<Arc<Catalogue>>,
    policy: RwLock<Arc<Policy>>,
}

impl QueueShared {
    /// Builds the shared state; `reader` is a worker on a second connection to the store.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        worker: Worker,
        reader: Worker,
        clock: Arc<dyn Clock>,
        events: Events,
        centre_name: String,
        ticket_url_base: String,
        reserved: Vec<SeqRange>,
        configured_policy: Policy,
        catalogue: Arc<Catalogue>,
    ) -> Arc<Self> {
        let policy = Arc::new(
            worker
                .call({
                    let p = configured_policy.clone();
                    move |s| policy_in_force(s.conn(), &p)
                })
                .unwrap_or_else(|| configured_policy.clone()),
        );
        Arc::new(Self {
            worker,
            reader,
            clock,
            events,
            centre_name,
            ticket_url_base,
            reserved,
            configured_policy,
            catalogue: RwLock::new(catalogue),
            policy: RwLock::new(policy),
        })
    }

    /// Opens the second connection for [`QueueShared::reader`].
    pub fn open_reader(path: &std::path::Path) -> Result<Worker, ReaderError> {
        let store = Store::open(path)?;
        Worker::spawn(store).map_err(ReaderError::Thread)
    }

    pub fn catalogue(&self) -> Arc<Catalogue> {
        self.catalogue
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn policy(&self) -> Arc<Policy> {
        self.policy
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reads the catalogue and policy in force again (a bundle arrived). Blocks on the store
    /// thread: not for the UI thread.
    pub fn reload(&self) {
        let fallback = self.configured_policy.clone();
        let Some((catalogue, policy)) = self.worker.call(move |s| {
            (
                catalogue_in_force(s.conn()),
                policy_in_force(s.conn(), &fallback),
            )
        }) else {
            return;
        };
        *self.catalogue.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(catalogue);
        *self.policy.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(policy);
        tracing::info!("queue catalogue and policy reloaded");
        self.changed();
    }

    /// Tells everyone who shows the queue that it changed (a ticket issued, called…).
    pub fn changed(&self) {
        self.events.publish(KioskEvent::QueueChanged);
    }

    /// Runs `f` on the store thread and waits for it without blocking the async runtime.
    pub async fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> R + Send + 'static,
    ) -> Result<R, StoreGone> {
        run_on(&self.worker, f).await
    }

    /// Runs `f` on the reading connection.
    pub async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> R + Send + 'static,
    ) -> Result<R, StoreGone> {
        run_on(&self.reader, f).await
    }

    /// The ticket QR URL of `token`.
    pub fn ticket_url(&self, token: &str) -> String {
        format!("{}{token}", self.ticket_url_base)
    }
}

async fn run_on<R: Send + 'static>(
    worker: &Worker,
    f: impl FnOnce(&mut Store) -> R + Send + 'static,
) -> Result<R, StoreGone> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    if !worker.submit(move |store| {
        let _ = tx.send(f(store));
    }) {
        return Err(StoreGone);
    }
    rx.await.map_err(|_| StoreGone)
}
