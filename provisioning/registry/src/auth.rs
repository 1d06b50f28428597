//! Server side of request authentication (see `provisioning::auth` for the scheme).

use crate::app::AppState;
use crate::error::ApiFailure;
use crate::store::Store;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use provisioning::auth::{
    self, AuthError, AuthHeaders, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP,
};
use provisioning::protocol::ErrorCode;
use provisioning::scope::TerminalPlacement;

/// An authenticated terminal.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Where it stands.
    pub placement: TerminalPlacement,
}

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, AuthError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .ok_or(AuthError::MissingHeader(name))
}

pub(crate) fn read_headers(headers: &HeaderMap) -> Result<AuthHeaders, AuthError> {
    Ok(AuthHeaders {
        device_id: header(headers, HEADER_DEVICE)?.to_string(),
        timestamp: header(headers, HEADER_TIMESTAMP)?
            .parse()
            .map_err(|_| AuthError::MissingHeader(HEADER_TIMESTAMP))?,
        nonce: header(headers, HEADER_NONCE)?.to_string(),
        signature: header(headers, HEADER_SIGNATURE)?.to_string(),
    })
}

/// Authenticates a request: known, active device; signature by its enrolled key over this
/// method, path and body; fresh timestamp; unused nonce.
pub async fn authenticate(
    state: &AppState,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Caller, ApiFailure> {
    let refused = |e: AuthError| ApiFailure::unauthenticated(e.to_string());
    let h = read_headers(headers).map_err(refused)?;
    let info = state.store.auth_info(&h.device_id).await?;
    let Some(info) = info else {
        return Err(ApiFailure::unauthenticated(format!(
            "terminal {} is not enrolled with this registry",
            h.device_id
        )));
    };
    if info.status != "active" {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            ErrorCode::TerminalRevoked,
            format!(
                "terminal {} has been revoked by the operations centre",
                h.device_id
            ),
        ));
    }
    let key = provisioning::keys::public_key_from_base64(&info.public_key).map_err(|_| {
        ApiFailure::unauthenticated("the enrolled key of this terminal is unusable; re-enrol it")
    })?;
    let now = chrono::Utc::now().timestamp();
    auth::verify_request(&key, &h, method.as_str(), path_and_query, body, now).map_err(refused)?;
    match &state.store {
        // Several instances share one database: a nonce used on any of them is refused on
        // all (kept as long as its timestamp is in the window, so no start-time rule).
        Store::Postgres(pg) => {
            if !pg.record_nonce(&h.device_id, &h.nonce, h.timestamp).await? {
                return Err(refused(AuthError::Replayed));
            }
        }
        Store::Sqlite(_) => state
            .replay
            .lock()
            .map_err(|_| ApiFailure::unauthenticated("replay guard unavailable"))?
            .check_and_record(&h, now)
            .map_err(refused)?,
    }
    Ok(Caller {
        placement: info.placement,
    })
}

/// A terminal's signed request without a body (a download, a WebSocket upgrade): the
/// extractor authenticates it before the handler runs.
pub struct SignedGet(pub Caller);

impl FromRequestParts<AppState> for SignedGet {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiFailure> {
        let path = original_path(parts, state).await;
        let caller = authenticate(state, &parts.method, &path, &parts.headers, b"").await?;
        Ok(Self(caller))
    }
}

/// A terminal's signed request and its body, authenticated over that body.
pub struct Signed {
    /// Who signed it.
    pub caller: Caller,
    /// The body the signature covers.
    pub body: Bytes,
}

impl FromRequest<AppState> for Signed {
    type Rejection = ApiFailure;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiFailure> {
        let (mut parts, body) = req.into_parts();
        let path = original_path(&mut parts, state).await;
        let (method, headers) = (parts.method.clone(), parts.headers.clone());
        let body = Bytes::from_request(Request::from_parts(parts, body), state).await;
        let body = crate::routes::body_bytes(body)?;
        let caller = authenticate(state, &method, &path, &headers, &body).await?;
        Ok(Self { caller, body })
    }
}

/// The path the terminal signed: the one it asked for, before any nesting rewrote it.
async fn original_path(parts: &mut Parts, state: &AppState) -> String {
    match OriginalUri::from_request_parts(parts, state).await {
        Ok(OriginalUri(uri)) => uri.path().to_string(),
        Err(never) => match never {},
    }
}
