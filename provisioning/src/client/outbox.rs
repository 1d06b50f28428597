//! Outbox delivery: batches in sequence order; rows are deleted only once acknowledged.

use super::error::SyncError;
use super::{SyncClient, blocking};
use crate::protocol::{EventBatch, EventBatchResponse, limits, paths};
use std::collections::HashSet;

/// What one delivery run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Events acknowledged (and deleted locally).
    pub acknowledged: u64,
    /// Of which the registry already had.
    pub duplicates: u64,
    /// Of which it kept aside as malformed.
    pub quarantined: u64,
    /// Batches sent.
    pub batches: u64,
}

impl SyncClient {
    /// Delivers the outbox until it is empty or a request fails. Each batch is the lowest
    /// `seq`s; only the sequence numbers the registry lists as acknowledged are deleted. On
    /// failure the batch's rows get `attempts + 1` and the error, and the error is returned
    /// (the caller backs off; [`SyncError::retry_after`] carries a 429's `Retry-After`).
    pub async fn deliver_outbox(&self) -> Result<DeliveryReport, SyncError> {
        let mut report = DeliveryReport::default();
        let batch_size = self
            .config
            .outbox_batch_size
            .clamp(1, limits::MAX_EVENTS_PER_BATCH);
        loop {
            let outbox = self.outbox.clone();
            let events = blocking(move || outbox.pending_batch(batch_size)).await?;
            if events.is_empty() {
                return Ok(report);
            }
            let sent: Vec<i64> = events.iter().map(|e| e.seq).collect();
            let answer: Result<EventBatchResponse, SyncError> = self
                .http
                .post_json(paths::EVENTS, &EventBatch { events })
                .await;
            let answer = match answer {
                Ok(a) => a,
                Err(e) => {
                    let (outbox, message, seqs) =
                        (self.outbox.clone(), e.to_string(), sent.clone());
                    blocking(move || outbox.record_failure(&seqs, &message)).await?;
                    return Err(e);
                }
            };
            // Only delete what we sent and the registry confirmed.
            let sent_set: HashSet<i64> = sent.iter().copied().collect();
            let acked: Vec<i64> = answer
                .acknowledged
                .iter()
                .copied()
                .filter(|s| sent_set.contains(s))
                .collect();
            if acked.is_empty() {
                return Err(SyncError::BadResponse(
                    "registry acknowledged none of the batch".into(),
                ));
            }
            let (outbox, done) = (self.outbox.clone(), acked.clone());
            blocking(move || outbox.acknowledge(&done)).await?;
            report.acknowledged += acked.len() as u64;
            report.duplicates += u64::from(answer.duplicates);
            report.quarantined += u64::from(answer.quarantined);
            report.batches += 1;
        }
    }
}
