//! The background loop: poll at the registry's interval with jitter, deliver the outbox
//! whenever it has rows, back off with jitter after failures.

use super::SyncClient;
use super::backoff::{Backoff, jittered};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// After a poll that carried commands, poll again this soon (the ops staff are waiting).
const FAST_POLL_AFTER_COMMAND: Duration = Duration::from_secs(5);

/// What the maintenance page and `legal-kiosk status` show about sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// Last successful poll.
    pub last_contact: Option<DateTime<Utc>>,
    /// Last successful outbox delivery.
    pub last_delivery: Option<DateTime<Utc>>,
    /// The most recent failure, cleared by the next success of the same step.
    pub last_error: Option<String>,
    /// Failed polls since the last good one.
    pub poll_failures: u32,
    /// Failed deliveries since the last good one.
    pub delivery_failures: u32,
    /// The software update the registry offered at the last successful poll.
    pub update: Option<crate::protocol::UpdateOffer>,
}

/// Controls a running sync loop.
#[derive(Clone)]
pub struct SyncHandle {
    wake: Arc<Notify>,
    now: Arc<Notify>,
    stop: Arc<Notify>,
    status: watch::Receiver<SyncStatus>,
}

impl SyncHandle {
    /// An event was written to the outbox: deliver soon (unless backing off).
    pub fn outbox_written(&self) {
        self.wake.notify_one();
    }

    /// Staff asked for "sync now": poll and deliver at once, ignoring backoff.
    pub fn sync_now(&self) {
        self.now.notify_one();
    }

    /// Stops the loop after the current step.
    pub fn stop(&self) {
        self.stop.notify_one();
    }

    /// The latest status.
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every status change (for the UI).
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }
}

impl SyncClient {
    /// Spawns the sync loop on the current tokio runtime.
    pub fn spawn(self: Arc<Self>) -> SyncHandle {
        let (tx, rx) = watch::channel(SyncStatus::default());
        let handle = SyncHandle {
            wake: Arc::new(Notify::new()),
            now: Arc::new(Notify::new()),
            stop: Arc::new(Notify::new()),
            status: rx,
        };
        let loop_handle = handle.clone();
        tokio::spawn(async move { self.run(loop_handle, tx).await });
        handle
    }

    async fn run(self: Arc<Self>, handle: SyncHandle, status_tx: watch::Sender<SyncStatus>) {
        let mut poll_backoff = Backoff::new(self.config.retry_initial, self.config.retry_max);
        let mut outbox_backoff = Backoff::new(self.config.retry_initial, self.config.retry_max);
        let mut status = SyncStatus::default();
        let mut next_poll = Instant::now();
        let mut next_delivery = Instant::now();
        loop {
            if Instant::now() >= next_poll {
                match self.poll_once().await {
                    Ok(report) => {
                        poll_backoff.reset();
                        status.last_contact = Some(Utc::now());
                        status.poll_failures = 0;
                        status.last_error = None;
                        status.update = report.update;
                        let wait = if report.commands.is_empty() {
                            jittered(report.next_poll)
                        } else {
                            FAST_POLL_AFTER_COMMAND
                        };
                        next_poll = Instant::now() + wait;
                        if outbox_backoff.failures() == 0 {
                            next_delivery = Instant::now();
                        }
                    }
                    Err(e) => {
                        tracing::warn!("poll failed: {e}");
                        status.poll_failures = poll_backoff.failures() + 1;
                        status.last_error = Some(e.to_string());
                        next_poll = Instant::now() + poll_backoff.next_delay(e.retry_after());
                    }
                }
            }
            if Instant::now() >= next_delivery {
                match self.deliver_outbox().await {
                    Ok(report) => {
                        outbox_backoff.reset();
                        status.delivery_failures = 0;
                        if report.acknowledged > 0 {
                            status.last_delivery = Some(Utc::now());
                        }
                        // Nothing left: wait for a wake-up, or try again with the next poll.
                        next_delivery = next_poll;
                    }
                    Err(e) => {
                        tracing::warn!("outbox delivery failed: {e}");
                        status.delivery_failures = outbox_backoff.failures() + 1;
                        status.last_error = Some(e.to_string());
                        next_delivery = Instant::now() + outbox_backoff.next_delay(e.retry_after());
                    }
                }
            }
            status_tx.send_replace(status.clone());
            tokio::select! {
                _ = tokio::time::sleep_until(next_poll.min(next_delivery)) => {}
                _ = handle.wake.notified() => {
                    if outbox_backoff.failures() == 0 { next_delivery = Instant::now(); }
                }
                _ = handle.now.notified() => {
                    poll_backoff.reset();
                    outbox_backoff.reset();
                    next_poll = Instant::now();
                    next_delivery = Instant::now();
                }
                _ = handle.stop.notified() => return,
            }
        }
    }
}
