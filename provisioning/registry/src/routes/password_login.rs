//! The checks every password login goes through (lawyers' and operators' consoles): the
//! attempt is counted (per source address and per account name, on PostgreSQL also across
//! instances) before anything else; Argon2id runs on the login guard's own threads, for
//! unknown names too (against a dummy hash), so the answer and its timing are the same for
//! an unknown name, a wrong password and a disabled account.

use crate::app::AppState;
use crate::error::ApiFailure;
use crate::login_guard::{LoginGuard, Refusal};
use crate::routes::lawyer::LoginRequest;
use crate::store::{Store, StoreError};
use axum::http::StatusCode;
use provisioning::protocol::ErrorCode;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

/// The one answer for every refused login.
pub fn refused() -> ApiFailure {
    ApiFailure::unauthenticated("wrong user name or password")
}

fn not_checked(refusal: Refusal) -> ApiFailure {
    match refusal.retry_after() {
        Some(seconds) => ApiFailure::rate_limited(refusal.to_string(), seconds),
        None => {
            tracing::error!("login: {refusal}");
            ApiFailure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "the password could not be checked; try again later",
            )
        }
    }
}

/// An account that may be logged in to.
pub trait Account {
    /// Whether it may log in now (not disabled).
    fn is_active(&self) -> bool;
}

impl Account for crate::store::lawyers::Lawyer {
    fn is_active(&self) -> bool {
        self.status == "active"
    }
}

impl Account for crate::store::operators::Operator {
    fn is_active(&self) -> bool {
        self.status == "active"
    }
}

/// The login form of a request body (400 when malformed).
pub fn read_form(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<LoginRequest, ApiFailure> {
    crate::error::parse_json(&super::body_bytes(body)?)
}

/// Checks `password` for `username`: `failures_key` names the account in the shared
/// counter of wrong passwords (PostgreSQL), `lookup` finds it with its PHC hash (run only
/// once the attempt is admitted). Returns the account, or the refusal to send.
pub async fn check<A: Account>(
    state: &AppState,
    guard: &Arc<LoginGuard>,
    source: IpAddr,
    (username, password): (&str, String),
    failures_key: &str,
    lookup: impl Future<Output = Result<Option<(A, String)>, StoreError>>,
) -> Result<A, ApiFailure> {
    if username.len() > 64 || password.len() > 256 {
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
        if let Some(retry_after_s) = pg.account_locked(failures_key, max, lockout_s, now).await? {
            return Err(not_checked(Refusal::AccountLocked { retry_after_s }));
        }
    }
    let admission = guard.admit(source, username).map_err(not_checked)?;
    let account = lookup.await?;
    let matched = admission
        .check_password(password, account.as_ref().map(|(_, hash)| hash.clone()))
        .await
        .map_err(not_checked)?;
    // Checked for a disabled account too, so timing does not tell them apart.
    let accepted = account.filter(|(account, _)| matched && account.is_active());
    if let Some(pg) = &shared {
        let now = chrono::Utc::now().timestamp();
        pg.record_login(failures_key, accepted.is_some(), lockout_s, now)
            .await?;
    }
    match accepted {
        Some((account, _)) => {
            admission.succeeded();
            Ok(account)
        }
        None => {
            tracing::warn!(user = %username, %source, "login refused");
            Err(refused())
        }
    }
}

/// A `Set-Cookie` value for a session cookie (empty token and zero age: cleared).
pub fn cookie(name: &str, token: &str, max_age_s: u64) -> String {
    format!("{name}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age_s}")
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|h| h.split(';'))
        .find_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            (n == name && !v.is_empty()).then_some(v)
        })
}

/// Adds a `Set-Cookie` header.
pub fn set_cookie(response: &mut axum::response::Response, value: &str) {
    if let Ok(value) = axum::http::HeaderValue::from_str(value) {
        response
            .headers_mut()
            .insert(axum::http::header::SET_COOKIE, value);
    }
}
