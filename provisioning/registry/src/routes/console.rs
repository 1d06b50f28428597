//! `GET /console`: the lawyer's console, plain HTML and JavaScript built into the binary (no
//! build step), served with a strict content security policy.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("../../console/index.html");
const SCRIPT: &str = include_str!("../../console/console.js");
const STYLE: &str = include_str!("../../console/console.css");

/// Scripts and styles only from this registry; media from the call; no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   media-src 'self' blob: mediastream:; img-src 'self' data:; font-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub(crate) fn page(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The page.
pub async fn index() -> Response {
    page(INDEX, "text/html; charset=utf-8")
}

/// Its script.
pub async fn script() -> Response {
    page(SCRIPT, "text/javascript; charset=utf-8")
}

/// Its style sheet.
pub async fn style() -> Response {
    page(STYLE, "text/css; charset=utf-8")
}
