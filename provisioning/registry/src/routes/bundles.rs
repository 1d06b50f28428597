//! `GET /v1/bundles/{stream}/{version}`.

use crate::app::AppState;
use crate::auth::SignedGet;
use crate::error::ApiFailure;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;

/// The signed bundle, if it exists and is for this terminal.
pub async fn download(
    State(state): State<AppState>,
    SignedGet(caller): SignedGet,
    Path((stream, version)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiFailure> {
    let version: u64 = version
        .parse()
        .map_err(|_| ApiFailure::bad_request("bundle version must be a whole number"))?;
    let body = state
        .store
        .bundle_body(&stream, version, &caller.placement)
        .await?;
    let body = body.ok_or_else(|| {
        ApiFailure::not_found(format!("no bundle {stream} v{version} for this terminal"))
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body))
}
