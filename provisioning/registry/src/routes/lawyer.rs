//! `POST /v1/lawyer/login` and `POST /v1/lawyer/logout`: the lawyer's console session.

use super::password_login;
use crate::app::AppState;
use crate::error::ApiFailure;
use crate::peer::SourceAddr;
use crate::video::LawyerInfo;
use crate::video::sessions::{SESSION_LIFETIME, token_from_cookie};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use provisioning::protocol::ErrorCode;
use provisioning::signalling::LAWYER_COOKIE;
use serde::{Deserialize, Serialize};

/// The login form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Account name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Who logged in.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginResponse {
    /// Display name.
    pub display_name: String,
    /// Regions served.
    pub regions: Vec<String>,
}

/// Checks the password and sets the session cookie (the checks: `password_login`).
pub async fn login(
    State(state): State<AppState>,
    SourceAddr(source): SourceAddr,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiFailure> {
    let form = password_login::read_form(body)?;
    let lookup = state.store.lawyer_login_info(&form.username);
    let (guard, key) = (&state.lawyer_logins, form.username.clone());
    let lawyer = password_login::check(
        &state,
        guard,
        source,
        (&form.username, form.password),
        &key,
        lookup,
    )
    .await?;
    let token = state
        .lawyer_sessions
        .create(LawyerInfo {
            username: lawyer.username.clone(),
            display_name: lawyer.display_name.clone(),
            regions: lawyer.regions.clone(),
        })
        .await
        .map_err(|e| ApiFailure::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, e))?;
    tracing::info!(user = %lawyer.username, "lawyer logged in");
    let mut response = Json(LoginResponse {
        display_name: lawyer.display_name,
        regions: lawyer.regions,
    })
    .into_response();
    let cookie = password_login::cookie(LAWYER_COOKIE, &token, SESSION_LIFETIME.as_secs());
    password_login::set_cookie(&mut response, &cookie);
    Ok(response)
}

/// Ends the session of the cookie, if any, and clears the cookie.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(token_from_cookie)
    {
        state.lawyer_sessions.remove(token).await;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    password_login::set_cookie(&mut response, &password_login::cookie(LAWYER_COOKIE, "", 0));
    response
}
