//! `POST /v1/work-orders/status`: a terminal asks, for the citizen at its screen, the
//! status of their work orders by the keyed hash of their ID number (the region's key,
//! from the `appointments` bundle). The answer holds each order's category and status,
//! nothing else: no content, no phone, nobody else's orders (only exact hash matches).

use crate::app::AppState;
use crate::auth::Signed;
use crate::error::{ApiFailure, parse_json};
use crate::store::work_orders::CitizenStatus;
use axum::Json;
use serde::{Deserialize, Serialize};

/// The path.
pub const PATH: &str = crate::work_orders::STATUS_PATH;

/// The request: the citizen's card (its keyed hash) or the receipt printed for one order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// Keyed hash of the citizen's ID number (64 hex characters).
    #[serde(default)]
    pub id_hash: Option<String>,
    /// The receipt's code (the order's event key, 32 hex characters).
    #[serde(default)]
    pub receipt: Option<String>,
}

/// The answer.
#[derive(Debug, Serialize)]
pub struct StatusResponse {
    /// Newest first (at most 50).
    pub work_orders: Vec<CitizenStatus>,
}

/// Answers a terminal's status lookup.
pub async fn status(
    axum::extract::State(state): axum::extract::State<AppState>,
    signed: Signed,
) -> Result<Json<StatusResponse>, ApiFailure> {
    let request: StatusRequest = parse_json(&signed.body)?;
    let work_orders = match (request.id_hash, request.receipt) {
        (Some(hash), None) => {
            if !crate::appointments::is_id_hash(&hash) {
                return Err(ApiFailure::bad_request(
                    "id_hash must be the keyed hash (64 lower-case hex characters), never the number",
                ));
            }
            state.store.work_order_status(&hash).await?
        }
        (None, Some(receipt)) => {
            if !crate::work_orders::is_receipt(&receipt) {
                return Err(ApiFailure::bad_request(
                    "receipt must be 32 lower-case hex characters",
                ));
            }
            state.store.work_order_status_by_receipt(&receipt).await?
        }
        _ => {
            return Err(ApiFailure::bad_request(
                "give either id_hash or receipt, not both",
            ));
        }
    };
    Ok(Json(StatusResponse { work_orders }))
}
