//! `POST /v1/events`.

use super::body_bytes;
use crate::app::AppState;
use crate::auth::authenticate;
use crate::error::{ApiFailure, parse_json};
use crate::store::events;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method};
use provisioning::protocol::{EventBatch, EventBatchResponse, limits};

/// Stores a batch durably, then acknowledges every sequence number in it. When too many
/// batches are being written at once the terminal is told to come back later (429) rather
/// than slowing everyone's polls.
pub async fn ingest(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<EventBatchResponse>, ApiFailure> {
    let body = body_bytes(body)?;
    let caller = authenticate(&state, &method, uri.path(), &headers, &body).await?;
    let batch: EventBatch = parse_json(&body)?;
    if batch.events.len() > limits::MAX_EVENTS_PER_BATCH {
        return Err(ApiFailure::bad_request(format!(
            "{} events in one batch; at most {} are accepted",
            batch.events.len(),
            limits::MAX_EVENTS_PER_BATCH
        )));
    }
    let Ok(_slot) = state.ingest_slots.clone().try_acquire_owned() else {
        return Err(ApiFailure::rate_limited(
            "the registry is busy storing events; retry later",
            2,
        ));
    };
    let placement = caller.placement;
    let answer = state
        .store
        .call(move |c| {
            events::ingest(
                c,
                &placement.device_id,
                &placement.platform_id,
                &batch.events,
            )
        })
        .await?;
    Ok(Json(answer))
}
