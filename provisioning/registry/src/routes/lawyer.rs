//! `POST /v1/lawyer/login` and `POST /v1/lawyer/logout`: the lawyer's console session.

use super::body_bytes;
use crate::app::AppState;
use crate::error::{ApiFailure, parse_json};
use crate::login_guard::Refusal;
use crate::peer::SourceAddr;
use crate::store::Store;
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

fn not_checked(refusal: Refusal) -> ApiFailure {
    match refusal.retry_after() {
        Some(seconds) => ApiFailure::rate_limited(refusal.to_string(), seconds),
        None => {
            tracing::error!("lawyer login: {refusal}");
            ApiFailure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "the password could not be checked; try again later",
            )
        }
    }
}

/// Checks the password and sets the session cookie. The attempt is counted (per source
/// address and per account name) before anything else; Argon2id runs on the login guard's
/// own threads, for unknown names too (against a dummy hash).
pub async fn login(
    State(state): State<AppState>,
    SourceAddr(source): SourceAddr,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiFailure> {
    let body = body_bytes(body)?;
    let form: LoginRequest = parse_json(&body)?;
    if form.username.len() > 64 || form.password.len() > 256 {
        return Err(refused());
    }
    // With several instances on PostgreSQL, an account's wrong passwords count on all.
    let shared = match &state.store {
        Store::Postgres(pg) => Some(pg.clone()),
        Store::Sqlite(_) => None,
    };
    let lockout_s = state.config.login.account_lockout.as_secs() as i64;
    if let Some(pg) = &shared {
        let max = state.config.login.account_failures;
        let now = chrono::Utc::now().timestamp();
        if let Some(retry_after_s) = pg
            .account_locked(&form.username, max, lockout_s, now)
            .await?
        {
            return Err(not_checked(Refusal::AccountLocked { retry_after_s }));
        }
    }
    let admission = state
        .lawyer_logins
        .admit(source, &form.username)
        .map_err(not_checked)?;
    let account = state.store.lawyer_login_info(&form.username).await?;
    let matched = admission
        .check_password(
            form.password,
            account.as_ref().map(|(_, hash)| hash.clone()),
        )
        .await
        .map_err(not_checked)?;
    // Checked for a disabled account too, so timing does not tell them apart.
    let Some((lawyer, _)) = account.filter(|(lawyer, _)| matched && lawyer.status == "active")
    else {
        tracing::warn!(user = %form.username, %source, "lawyer login refused");
        if let Some(pg) = &shared {
            let now = chrono::Utc::now().timestamp();
            pg.record_login(&form.username, false, lockout_s, now)
                .await?;
        }
        return Err(refused());
    };
    if let Some(pg) = &shared {
        let now = chrono::Utc::now().timestamp();
        pg.record_login(&lawyer.username, true, lockout_s, now)
            .await?;
    }
    admission.succeeded();
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
        state.lawyer_sessions.remove(token).await;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let clear = format!("{LAWYER_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
