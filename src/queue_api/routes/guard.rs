//! What every request passes before its route: it must be for one of this terminal's names
//! and, if it says where it comes from, come from this terminal's own pages (see
//! [`crate::queue_api::origin`]). And, in the background, sessions of removed accounts end.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use super::AppState;
use super::error::ApiError;
use crate::domain::maintenance::counter_login::account_exists;
use crate::net::spawn_until;
use crate::queue_api::origin::same_origin;

/// Refuses requests for another name (DNS rebinding) or from another site's page.
pub(super) async fn for_this_terminal(
    State(st): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    let Some(host) = host.filter(|h| st.hosts.allows(h)) else {
        return ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "wrong_host",
            "this terminal answers only to its own address",
        )
        .into_response();
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        let same = origin.to_str().is_ok_and(|o| same_origin(o, &host));
        if !same {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "wrong_origin",
                "requests from other sites' pages are refused",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Every two seconds, ends the sessions (and with them the streams) of accounts that no
/// longer exist: an account removed on the touchscreen or at the command line.
pub(super) fn spawn_session_sweep(st: &AppState, runtime: &Handle, stop: &CancellationToken) {
    let st = st.clone();
    spawn_until(runtime, stop, async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            let names = st.sessions.names();
            if names.is_empty() {
                continue;
            }
            let gone = st
                .shared
                .read(move |s| {
                    names
                        .into_iter()
                        .filter(|n| matches!(account_exists(s.conn(), n), Ok(false)))
                        .collect::<Vec<_>>()
                })
                .await
                .unwrap_or_default();
            for name in gone {
                let n = st.sessions.end_account(&name);
                tracing::info!(sessions = n, "counter sessions of a removed account ended");
            }
        }
    });
}
