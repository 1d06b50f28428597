//! The hall display's view, for anyone: numbers, counters and waiting counts only.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use super::sse::event_stream;
use crate::domain::queue::day::day_text;
use crate::domain::queue::notice::stored_notice;
use crate::domain::queue::view;
use crate::services::QueueShared;

/// Computes the hall view as JSON.
pub(super) async fn hall_json(shared: &Arc<QueueShared>) -> Result<String, ApiError> {
    let (catalogue, policy) = (shared.catalogue(), shared.policy());
    let centre = shared.centre_name.clone();
    let day = day_text(shared.clock.now().date_naive());
    read_json("the hall view", shared, move |conn| {
        let notice = stored_notice(conn)?;
        view::hall(conn, &catalogue, &policy, &centre, notice, &day)
    })
    .await
}

/// Reads `view` on the queue's reading connection, as JSON text.
pub(super) async fn read_json<T: serde::Serialize>(
    what: &'static str,
    shared: &Arc<QueueShared>,
    view: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
) -> Result<String, ApiError> {
    shared
        .read(move |s| view(s.conn()).map(|v| serde_json::to_string(&v).unwrap_or_default()))
        .await
        .map_err(|_| ApiError::unavailable())?
        .map_err(|e| {
            tracing::error!("cannot read {what}: {e}");
            ApiError::unavailable()
        })
}

pub(super) fn json_text(text: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], text).into_response()
}

pub(super) async fn hall_state(State(st): State<AppState>) -> Result<Response, ApiError> {
    Ok(json_text(hall_json(&st.shared).await?))
}

pub(super) async fn hall_stream(State(st): State<AppState>) -> Result<Response, ApiError> {
    let rx = st.streams.subscribe(&st.streams.hall, st.max_streams)?;
    let first = hall_json(&st.shared).await?;
    Ok(event_stream("hall", first, rx, || true, None).into_response())
}
