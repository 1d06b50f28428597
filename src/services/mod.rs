//! Application services: one call per user action. Each service runs its work on the store
//! thread, commits the change and its outbox row in one transaction, and answers with a
//! typed result. The touchscreen's controllers, the queue API, the command line and the
//! operations centre's commands all call the same methods (see ARCHITECTURE.md).
//!
//! A service method takes a `reply` that runs on whichever thread finished the work (the
//! store thread, a network task): the UI wraps it so that it reaches the UI thread, the CLI
//! waits for it with [`wait`], the queue API awaits it with [`answer`].

pub mod appointments;
pub mod consult;
pub mod content;
pub mod counter;
pub mod devices;
pub mod directory;
pub mod legal_aid;
pub mod printing;
pub mod queue;
pub mod rating;
pub mod settings;
pub mod staff;
pub mod staff_calls;
pub mod tickets;
pub mod video;
pub mod work_orders;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset};
use thiserror::Error;

use crate::clock::Clock;
use crate::store::Store;
use crate::store::outbox;
use crate::store::worker::Worker;

pub use appointments::AppointmentService;
pub use consult::ConsultService;
pub use content::ContentService;
pub use counter::CounterService;
pub use devices::DeviceHealthService;
pub use directory::DirectoryService;
pub use legal_aid::LegalAidService;
pub use printing::PrintService;
pub use queue::QueueShared;
pub use rating::RatingService;
pub use settings::SettingsService;
pub use staff::StaffService;
pub use staff_calls::StaffCallService;
pub use tickets::{Ticket, TicketError, TicketRequest, TicketService};
pub use video::VideoService;
pub use work_orders::WorkOrderService;

/// What a service calls once with its result.
pub type Reply<T> = Box<dyn FnOnce(T) + Send>;

/// Taken by whichever side gets to it first.
type Shared<T> = Arc<Mutex<Option<T>>>;

/// Why a service could not do what it was asked.
#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("the store thread has stopped")]
    StoreGone,
    #[error("database error: {0}")]
    Store(#[from] rusqlite::Error),
}

/// Every application service of the kiosk; cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub tickets: TicketService,
    pub appointments: AppointmentService,
    pub consult: ConsultService,
    pub content: ContentService,
    pub directory: DirectoryService,
    pub legal_aid: LegalAidService,
    pub rating: RatingService,
    pub video: VideoService,
    pub printing: PrintService,
    pub settings: SettingsService,
    pub staff: StaffService,
    pub staff_calls: StaffCallService,
    pub devices: DeviceHealthService,
    pub work_orders: work_orders::WorkOrderService,
}

/// The store thread and the clock: what a service needs to commit a change.
#[derive(Clone)]
pub struct StoreAccess {
    pub worker: Worker,
    pub clock: Arc<dyn Clock>,
}

impl StoreAccess {
    pub fn new(worker: Worker, clock: Arc<dyn Clock>) -> Self {
        Self { worker, clock }
    }

    /// Runs `job` on the store thread with the time of the request, and replies with its
    /// result (or `StoreGone` when the store thread has stopped, only at shutdown).
    pub fn run<T: Send + 'static, E: From<ServiceError> + Send + 'static>(
        &self,
        job: impl FnOnce(&mut Store, DateTime<FixedOffset>) -> Result<T, E> + Send + 'static,
        reply: impl FnOnce(Result<T, E>) + Send + 'static,
    ) {
        let at = self.clock.now();
        // Shared so that a job the store thread never runs still gets its answer.
        let reply: Shared<Reply<Result<T, E>>> = Arc::new(Mutex::new(Some(Box::new(reply))));
        let on_store = reply.clone();
        let submitted = self.worker.submit(move |store| {
            let result = job(store, at);
            if let Some(reply) = on_store.lock().ok().and_then(|mut r| r.take()) {
                reply(result);
            }
        });
        if !submitted && let Some(reply) = reply.lock().ok().and_then(|mut r| r.take()) {
            reply(Err(ServiceError::StoreGone.into()));
        }
    }

    /// Appends one event owed to the operations centre (a change of its own: the record is
    /// the change). Failures are logged here; `reply` hears them too.
    pub fn record(
        &self,
        kind: &'static str,
        payload: serde_json::Value,
        reply: impl FnOnce(Result<(), ServiceError>) + Send + 'static,
    ) {
        self.run(
            move |store, at| {
                outbox::append(store.conn(), kind, &payload, at)?;
                Ok(())
            },
            move |result| {
                if let Err(e) = &result {
                    tracing::error!("cannot record {kind}: {e}");
                }
                reply(result);
            },
        );
    }
}

/// A reply for results nobody waits for (the service has logged any failure).
pub fn ignore<T>(_: T) {}

/// Runs `start` with a reply and waits on this thread for the answer; `None` when the service
/// could not answer (its thread has stopped). For the command line and background threads:
/// never call it on the UI thread.
pub fn wait<T: Send + 'static>(start: impl FnOnce(Reply<T>)) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    start(Box::new(move |value| {
        let _ = tx.send(value);
    }));
    rx.recv().ok()
}

/// Runs `start` with a reply and awaits the answer without blocking the async runtime.
pub async fn answer<T: Send + 'static>(start: impl FnOnce(Reply<T>)) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    start(Box::new(move |value| {
        let _ = tx.send(value);
    }));
    rx.await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_from_another_thread_is_waited_for() {
        let got = wait(|reply: Reply<u32>| {
            std::thread::spawn(move || reply(7));
        });
        assert_eq!(got, Some(7));
    }

    #[test]
    fn a_service_that_drops_its_reply_answers_none() {
        let got = wait(|reply: Reply<u32>| drop(reply));
        assert_eq!(got, None);
    }
}
