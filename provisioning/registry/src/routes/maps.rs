//! `GET /v1/maps/{sha256}`: a published map file (MBTiles), streamed from the store and
//! resumable with `Range`, like a release's package. Any enrolled, active terminal may fetch
//! it: a map is public information, and the terminal installs only the file whose SHA-256 a
//! signed `map` bundle names.

use super::releases::ranged;
use crate::app::AppState;
use crate::auth::authenticate;
use crate::error::ApiFailure;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use provisioning::map::is_sha256_hex;

/// Streams the file (or the requested range of it).
pub async fn file(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(sha256): Path<String>,
) -> Result<Response, ApiFailure> {
    authenticate(&state, &method, uri.path(), &headers, &[]).await?;
    if !is_sha256_hex(&sha256) {
        return Err(ApiFailure::not_found("no such map"));
    }
    let info = state
        .store
        .map_file_info(&sha256)
        .await?
        .ok_or_else(|| ApiFailure::not_found(format!("no map {sha256}")))?;
    let store = state.store.clone();
    Ok(ranged(
        &headers,
        &info,
        "application/vnd.sqlite3",
        move |index| {
            let (store, sha256) = (store.clone(), sha256.clone());
            async move { store.map_file_chunk(&sha256, index).await }
        },
    ))
}
