//! `GET /healthz` (the process answers) and `GET /readyz` (and can serve: its database
//! answers and has the schema this build expects).

use crate::app::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Liveness, no authentication.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// Readiness, no authentication: 503 with the reason while the database is unreachable or
/// its schema is not current (the reason names no host or credential).
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let checked = tokio::time::timeout(std::time::Duration::from_secs(5), state.store.readiness())
        .await
        .unwrap_or_else(|_| Err("the database did not answer within 5 s".into()));
    match checked {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "version": env!("CARGO_PKG_VERSION") })),
        ),
        Err(reason) => {
            tracing::warn!("not ready: {reason}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "not ready",
                    "version": env!("CARGO_PKG_VERSION"),
                    "reason": reason,
                })),
            )
        }
    }
}
