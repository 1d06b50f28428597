//! The console's map: `GET /v1/ops/map` (whether the centre provided tiles, and their
//! bounds and zooms) and `GET /ops/tiles/{z}/{x}/{y}` from its MBTiles file (MBTiles 1.3:
//! SQLite, TMS rows, so the row is flipped), read-only, no network, with the reader the
//! kiosk uses (`provisioning::map::mbtiles`). Tiles need a session:
//! the registry is not a public tile server.

use super::Session;
use crate::app::AppState;
use crate::error::ApiFailure;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use provisioning::map::mbtiles::{metadata_rows, open_read_only, tile_data};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashMap;

/// What the page needs to draw the map.
#[derive(Debug, Serialize)]
pub struct MapInfo {
    /// Whether tiles are served (false: the page lists platforms instead).
    pub tiles: bool,
    /// `metadata` of the MBTiles file (bounds, center, minzoom, maxzoom, format, name…).
    pub metadata: HashMap<String, String>,
}

fn open(state: &AppState) -> Result<Option<Connection>, ApiFailure> {
    let Some(path) = &state.config.map_tiles else {
        return Ok(None);
    };
    open_read_only(path).map(Some).map_err(|e| {
        tracing::warn!("map tiles {}: {e}", path.display());
        ApiFailure::not_found("the map tiles cannot be read")
    })
}

fn unreadable(e: impl std::fmt::Display) -> ApiFailure {
    tracing::warn!("map tiles: {e}");
    ApiFailure::not_found("the map tiles cannot be read")
}

/// `GET /v1/ops/map`.
pub async fn info(
    State(state): State<AppState>,
    _session: Session,
) -> Result<Json<MapInfo>, ApiFailure> {
    let found = tokio::task::spawn_blocking(move || -> Result<MapInfo, ApiFailure> {
        let Some(conn) = open(&state)? else {
            return Ok(MapInfo {
                tiles: false,
                metadata: HashMap::new(),
            });
        };
        Ok(MapInfo {
            tiles: true,
            metadata: metadata_rows(&conn).map_err(unreadable)?,
        })
    })
    .await
    .map_err(unreadable)??;
    Ok(Json(found))
}

/// `GET /ops/tiles/{z}/{x}/{y}`: one tile (XYZ numbering), or 404.
pub async fn tile(
    State(state): State<AppState>,
    _session: Session,
    Path((z, x, y)): Path<(u32, u32, String)>,
) -> Result<Response, ApiFailure> {
    // Leaflet asks for `{y}` as given; an extension (`7.png`) is accepted too.
    let y: u32 = y
        .split('.')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ApiFailure::bad_request("tile row must be a number"))?;
    let z = u8::try_from(z).map_err(|_| ApiFailure::not_found("no such tile"))?;
    let found =
        tokio::task::spawn_blocking(move || -> Result<Option<(Vec<u8>, String)>, ApiFailure> {
            let Some(conn) = open(&state)? else {
                return Ok(None);
            };
            let format = metadata_rows(&conn)
                .map_err(unreadable)?
                .remove("format")
                .unwrap_or_default();
            // Out-of-grid addresses are `None` (404) in the shared reader.
            let data = tile_data(&conn, z, x, y).map_err(unreadable)?;
            Ok(data.map(|d| (d, format)))
        })
        .await
        .map_err(unreadable)??;
    let Some((data, format)) = found else {
        return Err(ApiFailure::not_found("no such tile"));
    };
    let content_type = match format.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        _ => "image/png",
    };
    let mut response = data.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    Ok(response)
}
