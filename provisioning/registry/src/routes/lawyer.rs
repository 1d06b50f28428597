//! `POST /v1/lawyer/login` and `POST /v1/lawyer/logout`: the lawyer's console session.

use super::body_bytes;
use crate::admin::lawyers::verify_password;
use crate::app::AppState;
use crate::error::{ApiFailure, parse_json};
use crate::store::lawyers;
use crate::video::LawyerInfo;
use crate::video::sessions::{SESSION_LIFETIME, token_from_cookie};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
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

fn refused() -> ApiFailure {
    // The same answer for an unknown name, a wrong password and a disabled account.
    ApiFailure::unauthenticated("wrong user name or password")
}

/// Checks the password (Argon2id, off the async threads) and sets the session cookie.
pub async fn login(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiFailure> {
    let body = body_bytes(body)?;
    let form: LoginRequest = parse_json(&body)?;
    if form.username.len() > 64 || form.password.len() > 256 {
        return Err(refused());
    }
    if let Some(seconds) = state.lawyer_sessions.locked_for(&form.username) {
        return Err(ApiFailure::rate_limited(
            "too many wrong passwords; try again later",
            seconds,
        ));
    }
    let username = form.username.clone();
    let account = state
        .store
        .call(move |c| lawyers::get(c, &username))
        .await?;
    let password = form.password;
    let verified = tokio::task::spawn_blocking(move || {
        account.filter(|(lawyer, hash)| {
            // Verify even for a disabled account so timing does not tell them apart.
            verify_password(&password, hash) && lawyer.status == "active"
        })
    })
    .await
    .map_err(|e| {
        tracing::error!("password check failed: {e}");
        refused()
    })?;
    let Some((lawyer, _)) = verified else {
        state.lawyer_sessions.failed(&form.username);
        tracing::warn!(user = %form.username, "lawyer login refused");
        return Err(refused());
    };
    state.lawyer_sessions.succeeded(&lawyer.username);
    let token = state
        .lawyer_sessions
        .create(LawyerInfo {
            username: lawyer.username.clone(),
            display_name: lawyer.display_name.clone(),
            regions: lawyer.regions.clone(),
        })
        .map_err(|e| {
            ApiFailure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                format!("no randomness for a session: {e}"),
            )
        })?;
    tracing::info!(user = %lawyer.username, "lawyer logged in");
    let cookie = format!(
        "{LAWYER_COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        SESSION_LIFETIME.as_secs()
    );
    let mut response = Json(LoginResponse {
        display_name: lawyer.display_name,
        regions: lawyer.regions,
    })
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
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
        state.lawyer_sessions.remove(token);
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let clear = format!("{LAWYER_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
