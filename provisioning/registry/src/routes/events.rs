//! `POST /v1/events`.

use crate::app::AppState;
use crate::auth::Signed;
use crate::error::{ApiFailure, parse_json};
use axum::Json;
use axum::extract::State;
use provisioning::protocol::{Event, EventBatch, EventBatchResponse, limits};
use provisioning::sealing::{PRE_APPLICATION_KIND, SealedPreApplication};

/// Takes out of the batch every legal-aid pre-application that is not sealed to a centre
/// (a terminal with old firmware would send it in clear): it is not stored, not quarantined
/// (quarantine keeps the raw event) and not acknowledged, so it stays on the terminal until
/// its firmware seals it. Returns how many.
fn refuse_unsealed_personal_data(events: &mut Vec<Event>, device_id: &str) -> usize {
    let before = events.len();
    events.retain(|e| {
        let acceptable = e.kind != PRE_APPLICATION_KIND
            || SealedPreApplication::from_payload(&e.payload).is_ok();
        if !acceptable {
            // The payload is never logged: it may be personal data in clear.
            tracing::warn!(
                device = device_id,
                seq = e.seq,
                "legal-aid pre-application not sealed to a legal-aid centre: refused"
            );
        }
        acceptable
    });
    before - events.len()
}

/// Stores a batch durably, then acknowledges every sequence number in it. When too many
/// batches are being written at once the terminal is told to come back later (429) rather
/// than slowing everyone's polls.
pub async fn ingest(
    State(state): State<AppState>,
    Signed { caller, body }: Signed,
) -> Result<Json<EventBatchResponse>, ApiFailure> {
    let mut batch: EventBatch = parse_json(&body)?;
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
    let held = refuse_unsealed_personal_data(&mut batch.events, &placement.device_id);
    if held > 0 && batch.events.is_empty() {
        return Err(ApiFailure::bad_request(format!(
            "{held} legal-aid pre-application(s) not sealed to a legal-aid centre: refused, \
             nothing stored (update the terminal's firmware)"
        )));
    }
    let answer = state.store.ingest(&placement, batch.events).await?;
    Ok(Json(answer))
}
