//! The pages the terminal serves: plain HTML, CSS and JavaScript in `web/`, compiled into
//! the binary (no build step, nothing fetched from elsewhere).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The counter page for the staff PC at each window.
pub const COUNTER: &str = include_str!("web/counter.html");
/// The hall display for a TV.
pub const HALL: &str = include_str!("web/hall.html");
/// A ticket's live position (the ticket's QR code).
pub const TICKET: &str = include_str!("web/ticket.html");

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "common.css",
        "text/css; charset=utf-8",
        include_str!("web/common.css"),
    ),
    (
        "common.js",
        "text/javascript; charset=utf-8",
        include_str!("web/common.js"),
    ),
    (
        "counter.js",
        "text/javascript; charset=utf-8",
        include_str!("web/counter.js"),
    ),
    (
        "hall.js",
        "text/javascript; charset=utf-8",
        include_str!("web/hall.js"),
    ),
    (
        "ticket.js",
        "text/javascript; charset=utf-8",
        include_str!("web/ticket.js"),
    ),
];

/// An HTML page, not to be framed by other sites and with scripts only from here.
pub fn page(html: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// A script or style sheet by file name.
pub fn asset(name: &str) -> Option<(&'static str, &'static str)> {
    ASSETS
        .iter()
        .find(|(file, _, _)| *file == name)
        .map(|(_, mime, body)| (*mime, *body))
}
