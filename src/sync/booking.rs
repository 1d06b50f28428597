//! Booking at the kiosk, the registry's side of it (issue 20): the terminal booking API
//! (`provisioning::booking`) over the terminal's signed link, on the network runtime. What
//! comes back is a plain answer or a [`Refusal`] the booking screen can explain.

use std::sync::Arc;
use std::time::Duration;

use provisioning::booking::{
    BOOK_PATH, BookAnswer, BookRequest, SLOTS_PATH, SlotsAnswer, SlotsRequest,
};
use provisioning::client::{SyncClient, SyncError};
use provisioning::protocol::ErrorCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::booking::Refusal;

/// A citizen waits at the screen: past this, the registry counts as unreachable.
const CITIZEN_WAIT: Duration = super::control::ASK_TIMEOUT;

/// The terminal's booking requests to its registry; cheap to clone.
#[derive(Clone)]
pub struct BookingLink {
    client: Arc<SyncClient>,
}

impl BookingLink {
    pub fn new(client: Arc<SyncClient>) -> Self {
        Self { client }
    }

    /// The bookable services of this terminal's platform (or `service` only) and their
    /// next `days` days.
    pub async fn slots(&self, service: Option<String>, days: u32) -> Result<SlotsAnswer, Refusal> {
        let request = SlotsRequest {
            service,
            from: None,
            days,
        };
        self.post(SLOTS_PATH, &request).await
    }

    /// Books a slot for the citizen at the screen.
    pub async fn book(&self, request: BookRequest) -> Result<BookAnswer, Refusal> {
        self.post(BOOK_PATH, &request).await
    }

    async fn post<T: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &T,
    ) -> Result<R, Refusal> {
        match tokio::time::timeout(CITIZEN_WAIT, self.client.http().post_json(path, body)).await {
            Ok(answer) => answer.map_err(refusal),
            Err(_) => {
                tracing::warn!("booking: no answer from the registry in {CITIZEN_WAIT:?}");
                Err(Refusal::Offline)
            }
        }
    }
}

/// The refusal a citizen can act on; the registry's own words go to the log (they hold no
/// personal data: the terminal sent none).
fn refusal(e: SyncError) -> Refusal {
    match e {
        SyncError::Network(m) => {
            tracing::warn!("booking: registry unreachable: {m}");
            Refusal::Offline
        }
        SyncError::RateLimited { .. } => Refusal::Offline,
        SyncError::Refused { code, message, .. } => {
            tracing::info!("booking refused ({code:?}): {message}");
            match code {
                ErrorCode::SlotFull => Refusal::SlotFull,
                ErrorCode::PastTime => Refusal::PastTime,
                ErrorCode::DuplicateBooking => Refusal::Duplicate,
                ErrorCode::UnknownService | ErrorCode::NotASlot | ErrorCode::TooFarAhead => {
                    Refusal::NotOffered
                }
                _ => Refusal::Failed(message),
            }
        }
        other => {
            tracing::error!("booking: {other}");
            Refusal::Failed(other.to_string())
        }
    }
}
