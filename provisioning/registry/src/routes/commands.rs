//! `POST /v1/commands/{command_id}/ack` and `/logs`.

use crate::app::AppState;
use crate::auth::Signed;
use crate::error::{ApiFailure, parse_json};
use axum::Json;
use axum::extract::{Path, State};
use provisioning::protocol::CommandAck;
use serde_json::{Value, json};

/// Records the terminal's acknowledgement.
pub async fn ack(
    State(state): State<AppState>,
    Path(command_id): Path<String>,
    Signed { caller, body }: Signed,
) -> Result<Json<Value>, ApiFailure> {
    let ack: CommandAck = parse_json(&body)?;
    let state_now = state
        .store
        .acknowledge(&caller.placement.device_id, &command_id, ack)
        .await?;
    Ok(Json(
        json!({ "command_id": command_id, "state": state_now }),
    ))
}

/// Stores logs uploaded for an `upload-logs` command.
pub async fn logs(
    State(state): State<AppState>,
    Path(command_id): Path<String>,
    Signed { caller, body }: Signed,
) -> Result<Json<Value>, ApiFailure> {
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiFailure::bad_request("logs must be UTF-8 text"))?;
    let bytes = text.len();
    state
        .store
        .store_logs(&caller.placement.device_id, &command_id, text)
        .await?;
    Ok(Json(json!({ "command_id": command_id, "bytes": bytes })))
}
