//! The pages the terminal serves: plain HTML, CSS and JavaScript in `web/`, compiled into
//! the binary (no build step, nothing fetched from elsewhere).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A page: its title and its `<body>` (in `web/`), served under the head all pages share.
pub struct Html {
    title: &'static str,
    body: &'static str,
}

/// The counter page for the staff PC at each window.
pub const COUNTER: Html = Html {
    title: "窗口叫号",
    body: include_str!("web/counter.html"),
};
/// The hall display for a TV.
pub const HALL: Html = Html {
    title: "叫号显示",
    body: include_str!("web/hall.html"),
};
/// A ticket's live position (the ticket's QR code).
pub const TICKET: Html = Html {
    title: "排队进度",
    body: include_str!("web/ticket.html"),
};

/// The whole document: the shared head (language, viewport, style sheet), then the body.
fn document(html: &Html) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"/assets/common.css\">\n\
         </head>\n{}</html>\n",
        html.title, html.body
    )
}

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
pub fn page(html: &Html) -> Response {
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
        document(html),
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
