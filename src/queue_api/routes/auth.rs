//! Who is asking: staff with a session (login, logout, me) and client terminals with their
//! token. The sessions themselves are [`crate::queue_api::auth`]. Counter staff log in with
//! their name and PIN; wrong PINs are counted per source address and per account (never
//! towards the touchscreen's lock), before the PIN is hashed.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::error::ApiError;
use crate::domain::maintenance::audit::{self, Outcome};
use crate::domain::maintenance::counter_login::account_exists;
use crate::domain::maintenance::guesses::Guesses;
use crate::domain::maintenance::{LockoutPolicy, LoginError, Pin};
use crate::queue_api::auth::{self as sessions, StaffLogin};

/// A member of staff with a live session (and, for a change, the request header).
pub(super) struct Staff {
    pub(super) login: StaffLogin,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(&parts.headers).ok_or_else(ApiError::login_required)?;
        let login = state
            .sessions
            .touch(&token)
            .ok_or_else(ApiError::login_required)?;
        // A removed account's sessions end (the account may go from another process, the
        // command line; the sweep ends its streams).
        let name = login.name.clone();
        let exists = state
            .shared
            .read(move |s| account_exists(s.conn(), &name))
            .await
            .map_err(|_| ApiError::unavailable())?
            .map_err(|_| ApiError::unavailable())?;
        if !exists {
            state.sessions.end_account(&login.name);
            return Err(ApiError::login_required());
        }
        if parts.method != Method::GET && !parts.headers.contains_key(sessions::REQUEST_HEADER) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "missing_header",
                format!(
                    "changing requests must carry the {} header",
                    sessions::REQUEST_HEADER
                ),
            ));
        }
        Ok(Staff { login })
    }
}

pub(super) fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(sessions::token_from_cookies)
        .map(str::to_string)
}

/// A client terminal presenting its token.
pub(super) struct Terminal(pub(super) sessions::KnownClient);

impl FromRequestParts<AppState> for Terminal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match token.and_then(|t| state.terminals.find(t.trim())) {
            Some(client) => Ok(Terminal(client)),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "terminal_token_required",
                "this terminal's token is not listed in the host's [queue.clients]",
            )),
        }
    }
}

/// Wrong PINs by source address and by account. An account locks only after more wrong
/// PINs than one address may try, so one host on the LAN cannot lock anybody out.
pub(super) struct LoginGuesses {
    sources: Mutex<Guesses>,
    accounts: Mutex<Guesses>,
}

/// Wrong PINs an account takes, against one source address's.
const ACCOUNT_FACTOR: u32 = 4;

impl LoginGuesses {
    pub(super) fn new(policy: LockoutPolicy) -> Self {
        let account = LockoutPolicy {
            max_failures: policy.max_failures.max(1).saturating_mul(ACCOUNT_FACTOR),
            ..policy
        };
        Self {
            sources: Mutex::new(Guesses::new(policy)),
            accounts: Mutex::new(Guesses::new(account)),
        }
    }

    fn lock(g: &Mutex<Guesses>) -> std::sync::MutexGuard<'_, Guesses> {
        g.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts an attempt from `source` for `account` as under way, or says who is locked.
    fn begin(&self, source: &str, account: &str) -> Result<(), (&'static str, Duration)> {
        let now = Instant::now();
        Self::lock(&self.sources)
            .begin(source, now)
            .map_err(|d| ("source_locked", d))?;
        if let Err(d) = Self::lock(&self.accounts).begin(account, now) {
            Self::lock(&self.sources).cancel(source);
            return Err(("account_locked", d));
        }
        Ok(())
    }

    fn finish(&self, source: &str, account: &str, good: bool) {
        let now = Instant::now();
        if let Some(lock) = Self::lock(&self.sources).finish(source, good, now) {
            tracing::warn!(
                lock_secs = lock.as_secs(),
                "counter logins from one address locked after wrong PINs"
            );
        }
        if let Some(lock) = Self::lock(&self.accounts).finish(account, good, now) {
            tracing::warn!(
                lock_secs = lock.as_secs(),
                "counter logins of one account locked after wrong PINs"
            );
        }
    }
}

/// The address a request came from (the accept loop puts it on each request).
pub(super) struct Peer(pub(super) Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

#[derive(Deserialize)]
pub(super) struct LoginBody {
    name: String,
    pin: String,
}

fn locked(code: &'static str, remaining: Duration) -> Response {
    let whom = if code == "account_locked" {
        "this account"
    } else {
        "this computer"
    };
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        code,
        format!(
            "too many wrong PINs from {whom}: try again in {} minutes",
            remaining.as_secs().div_ceil(60).max(1)
        ),
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&remaining.as_secs().max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

pub(super) async fn login(
    State(st): State<AppState>,
    Peer(peer): Peer,
    Json(body): Json<LoginBody>,
) -> Response {
    let pin = match Pin::parse(&body.pin) {
        Ok(pin) => pin,
        Err(e) => {
            return ApiError::new(StatusCode::BAD_REQUEST, "bad_pin", e.to_string())
                .into_response();
        }
    };
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 64 {
        return ApiError::new(StatusCode::BAD_REQUEST, "bad_name", "give your staff name")
            .into_response();
    }
    let source = peer.map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    if let Err((code, remaining)) = st.guesses.begin(&source, &name) {
        return locked(code, remaining);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    st.login.login_account(name.clone(), pin, move |result| {
        let _ = tx.send(result);
    });
    let Ok(result) = rx.await else {
        st.guesses.finish(&source, &name, false);
        return ApiError::unavailable().into_response();
    };
    st.guesses.finish(&source, &name, result.is_ok());
    match result {
        Ok(session) => {
            let login = StaffLogin {
                name: session.name.clone(),
                role: session.role,
            };
            let token = st.sessions.create(login);
            let mut response = Json(json!({
                "name": session.name,
                "role": session.role.as_str(),
            }))
            .into_response();
            if let Ok(cookie) = HeaderValue::from_str(&st.sessions.cookie(&token)) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(LoginError::Locked { remaining }) => locked("locked", remaining),
        Err(LoginError::WrongPin { .. } | LoginError::NoAccounts) => {
            ApiError::new(StatusCode::UNAUTHORIZED, "wrong_pin", "wrong name or PIN")
                .into_response()
        }
        Err(LoginError::Store(e)) => {
            tracing::error!("staff login failed: {e}");
            ApiError::unavailable().into_response()
        }
    }
}

pub(super) async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session_token(&headers)
        && let Some(login) = st.sessions.end(&token)
    {
        let (actor, now) = (login.actor(), st.shared.clock.now());
        let _ = st
            .shared
            .write(move |s| {
                let detail = json!({ "via": "counter_page" });
                audit::record_alone(
                    s.conn(),
                    &actor,
                    audit::action::LOGOUT,
                    Outcome::Ok,
                    detail,
                    now,
                )
            })
            .await;
    }
    let mut response = Json(json!({ "ok": true })).into_response();
    if let Ok(v) = HeaderValue::from_str(&st.sessions.clear_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

pub(super) async fn me(staff: Staff) -> Json<serde_json::Value> {
    Json(json!({ "name": staff.login.name, "role": staff.login.role.as_str() }))
}
