//! `POST /v1/commands/{command_id}/ack` and `/logs`.

use super::body_bytes;
use crate::app::AppState;
use crate::auth::authenticate;
use crate::error::{ApiFailure, parse_json};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Method};
use provisioning::protocol::CommandAck;
use serde_json::{Value, json};

/// Records the terminal's acknowledgement.
pub async fn ack(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(command_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiFailure> {
    let body = body_bytes(body)?;
    let caller = authenticate(&state, &method, uri.path(), &headers, &body).await?;
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
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(command_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiFailure> {
    let body = body_bytes(body)?;
    let caller = authenticate(&state, &method, uri.path(), &headers, &body).await?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiFailure::bad_request("logs must be UTF-8 text"))?;
    let bytes = text.len();
    state
        .store
        .store_logs(&caller.placement.device_id, &command_id, text)
        .await?;
    Ok(Json(json!({ "command_id": command_id, "bytes": bytes })))
}
