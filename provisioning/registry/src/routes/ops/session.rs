//! `POST /v1/ops/login`, `POST /v1/ops/logout`, `GET /v1/ops/me`: an operator's session, a
//! random token in a `Secure; HttpOnly; SameSite=Strict` cookie, kept (hashed) in the
//! database so that a login holds on every registry instance.

use super::{COOKIE, SESSION_LIFETIME_S, Session, record, token_hash};
use crate::app::AppState;
use crate::error::ApiFailure;
use crate::peer::SourceAddr;
use crate::routes::password_login;
use crate::store::operators::Operator;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use provisioning::protocol::ErrorCode;

/// Wrong passwords of operators are counted apart from lawyers' of the same name.
fn failures_key(username: &str) -> String {
    format!("operator:{username}")
}

/// Checks the password (see `password_login`), starts a session, audits the attempt.
pub async fn login(
    State(state): State<AppState>,
    SourceAddr(source): SourceAddr,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiFailure> {
    let form = password_login::read_form(body)?;
    let lookup = state.store.operator_login_info(&form.username);
    let (guard, key) = (&state.operator_logins, failures_key(&form.username));
    let name: String = form.username.chars().take(64).collect();
    let checked = password_login::check(
        &state,
        guard,
        source,
        (&form.username, form.password),
        &key,
        lookup,
    )
    .await;
    let operator = match checked {
        Ok(operator) => operator,
        Err(refusal) => {
            record(&state, &name, source, "login", "", "refused").await;
            return Err(refusal);
        }
    };
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            format!("no randomness for a session: {e}"),
        )
    })?;
    let token = hex::encode(bytes);
    let now = chrono::Utc::now().timestamp();
    state
        .store
        .operator_session_create(
            token_hash(&token),
            operator.username.clone(),
            now + SESSION_LIFETIME_S as i64,
            now,
        )
        .await?;
    record(&state, &operator.username, source, "login", "", "ok").await;
    tracing::info!(user = %operator.username, "operator logged in");
    let mut response = Json(&operator).into_response();
    let cookie = password_login::cookie(COOKIE, &token, SESSION_LIFETIME_S);
    password_login::set_cookie(&mut response, &cookie);
    Ok(response)
}

/// Ends the session of the cookie, if any, and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    SourceAddr(source): SourceAddr,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    if let Some(token) = password_login::cookie_value(&headers, COOKIE) {
        let hash = token_hash(token);
        let now = chrono::Utc::now().timestamp();
        if let Some(op) = state.store.operator_session(hash.clone(), now).await? {
            record(&state, &op.username, source, "logout", "", "ok").await;
        }
        state.store.operator_session_remove(hash).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    password_login::set_cookie(&mut response, &password_login::cookie(COOKIE, "", 0));
    Ok(response)
}

/// The logged-in account: name, role, regions.
pub async fn me(session: Session) -> Json<Operator> {
    Json(session.operator)
}
