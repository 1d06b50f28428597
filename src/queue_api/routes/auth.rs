//! Who is asking: staff with a session (login, logout, me) and client terminals with their
//! token. The sessions themselves are [`crate::queue_api::auth`].

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::error::ApiError;
use crate::domain::maintenance::audit::{self, Outcome};
use crate::domain::maintenance::{LoginError, Pin};
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

#[derive(Deserialize)]
pub(super) struct LoginBody {
    pin: String,
}

pub(super) async fn login(State(st): State<AppState>, Json(body): Json<LoginBody>) -> Response {
    let pin = match Pin::parse(&body.pin) {
        Ok(pin) => pin,
        Err(e) => {
            return ApiError::new(StatusCode::BAD_REQUEST, "bad_pin", e.to_string())
                .into_response();
        }
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    st.login.login(pin, move |result| {
        let _ = tx.send(result);
    });
    let Ok(result) = rx.await else {
        return ApiError::unavailable().into_response();
    };
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
        Err(LoginError::Locked { remaining }) => {
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "locked",
                format!(
                    "too many wrong PINs: try again in {} minutes",
                    remaining.as_secs().div_ceil(60)
                ),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&remaining.as_secs().to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        Err(e @ (LoginError::WrongPin { .. } | LoginError::NoAccounts)) => {
            ApiError::new(StatusCode::UNAUTHORIZED, "wrong_pin", e.to_string()).into_response()
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
    if let Ok(v) = HeaderValue::from_str(&sessions::clear_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

pub(super) async fn me(staff: Staff) -> Json<serde_json::Value> {
    Json(json!({ "name": staff.login.name, "role": staff.login.role.as_str() }))
}
