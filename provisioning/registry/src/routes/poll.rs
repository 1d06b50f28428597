//! `POST /v1/poll`.

use crate::app::AppState;
use crate::auth::Signed;
use crate::error::{ApiFailure, parse_json};
use axum::Json;
use axum::extract::State;
use provisioning::protocol::{Heartbeat, PollResponse};

/// Records the heartbeat; answers the poll interval, bundle offers and open commands.
pub async fn poll(
    State(state): State<AppState>,
    Signed { caller, body }: Signed,
) -> Result<Json<PollResponse>, ApiFailure> {
    let heartbeat: Heartbeat = parse_json(&body)?;
    if heartbeat
        .last_error
        .as_ref()
        .is_some_and(|e| e.len() > 2000)
        || heartbeat.bundles.len() > 64
        || heartbeat.update.as_ref().is_some_and(|u| {
            u.version.len() > 128 || u.detail.as_ref().is_some_and(|d| d.len() > 500)
        })
    {
        return Err(ApiFailure::bad_request(
            "heartbeat too large: last_error over 2000 bytes, more than 64 streams, or an update report over 500 bytes",
        ));
    }
    let now = chrono::Utc::now();
    let (app_version, report) = (heartbeat.app_version.clone(), heartbeat.update.clone());
    let (offers, open) = state.store.poll(&caller.placement, heartbeat, now).await?;
    let update = state
        .store
        .update_poll(&caller.placement, &app_version, report.as_ref())
        .await?;
    Ok(Json(PollResponse {
        poll_interval_s: state.config.poll_interval_s,
        server_time: now,
        bundles: offers,
        commands: open,
        update,
    }))
}
