//! HTTP handlers, one module per job.

pub mod bundles;
pub mod channel;
pub mod commands;
pub mod console;
pub mod enrol;
pub mod events;
pub mod health;
pub mod lawyer;
pub mod maps;
pub mod ops;
pub mod password_login;
pub mod poll;
pub mod releases;
pub mod signalling;
pub mod terminal_booking;
pub mod work_order_status;

use crate::error::ApiFailure;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use provisioning::protocol::ErrorCode;

/// The body, or a clear 413/400.
pub fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiFailure> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiFailure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "request body is larger than this endpoint accepts",
            )
        } else {
            ApiFailure::bad_request(format!(
                "request body could not be read: {}",
                rejection.body_text()
            ))
        }
    })
}
