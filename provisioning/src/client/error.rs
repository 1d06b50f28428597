//! Errors of the sync client.

use super::store::StoreError;
use crate::protocol::ErrorCode;
use std::time::Duration;

/// A sync step failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The configuration is unusable (URL, CA file, pinned keys).
    #[error("sync configuration: {0}")]
    Config(String),
    /// The registry could not be reached or the connection broke.
    #[error("registry unreachable: {0}")]
    Network(String),
    /// The registry asked us to slow down (HTTP 429 or 503).
    #[error("registry is busy; retry after {retry_after:?}")]
    RateLimited {
        /// From `Retry-After`, if given.
        retry_after: Option<Duration>,
    },
    /// The registry refused the request (4xx) with a reason.
    #[error("registry refused the request ({status}, {code:?}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Machine-readable reason.
        code: ErrorCode,
        /// The registry's message.
        message: String,
    },
    /// The registry failed (5xx).
    #[error("registry error {status}: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The registry's message, if any.
        message: String,
    },
    /// The answer was not what the contract says (malformed, oversized).
    #[error("unexpected answer from the registry: {0}")]
    BadResponse(String),
    /// The registry refused a request and its clock differs from the terminal's by more than
    /// 24 h, which the client does not adopt without an installer's confirmation.
    #[error(
        "the registry's clock is {} this terminal's (more than 24 h): not adopted without an \
         installer's confirmation; check the time, then run `legal-kiosk sync --once \
         --accept-registry-clock` on the terminal",
        super::clock::describe(*offset_s)
    )]
    ClockUnconfirmed {
        /// Registry time minus terminal time, seconds.
        offset_s: i64,
    },
    /// The terminal's own store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// The server-requested wait, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// Whether retrying later can help (network, busy, server errors).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Network(_) | Self::RateLimited { .. } | Self::Server { .. }
        )
    }
}
