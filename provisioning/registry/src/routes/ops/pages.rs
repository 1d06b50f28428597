//! `GET /ops`, `/ops/ops.js`, `/ops/ops.css`: the operations centre's console, plain HTML and
//! JavaScript built into the binary (no build step), served like the lawyers' console.

use super::paths;
use crate::routes::console::page;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse as _, Response};

const INDEX: &str = include_str!("../../../ops-console/index.html");
const SCRIPT: &str = include_str!("../../../ops-console/ops.js");
const STYLE: &str = include_str!("../../../ops-console/ops.css");
/// Leaflet 1.9.4, vendored unchanged (`ops-console/vendor`, BSD-2-Clause).
const LEAFLET_JS: &str = include_str!("../../../ops-console/vendor/leaflet-1.9.4/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../../../ops-console/vendor/leaflet-1.9.4/leaflet.css");
/// Apache ECharts 6.1.0, vendored unchanged (`ops-console/vendor`, Apache-2.0): the
/// statistics tab's charts.
const ECHARTS_JS: &str = include_str!("../../../ops-console/vendor/echarts-6.1.0/echarts.min.js");
/// The kiosk's own subset of Noto Sans CJK SC (GB 2312 and every Hangul syllable): the
/// console shows 汉字 and 한글 on any workstation, with or without CJK fonts installed.
const FONT: &[u8] = include_bytes!("../../../../../ui/fonts/NotoSansCJKsc-Regular-kiosk.otf");

/// The file of the request's path (the router only sends the three paths here).
pub async fn file(uri: Uri) -> Response {
    match uri.path() {
        paths::SCRIPT => page(SCRIPT, "text/javascript; charset=utf-8"),
        paths::STYLE => page(STYLE, "text/css; charset=utf-8"),
        paths::FONT => font(),
        paths::LEAFLET_JS => page(LEAFLET_JS, "text/javascript; charset=utf-8"),
        paths::LEAFLET_CSS => page(LEAFLET_CSS, "text/css; charset=utf-8"),
        paths::ECHARTS_JS => page(ECHARTS_JS, "text/javascript; charset=utf-8"),
        _ => page(INDEX, "text/html; charset=utf-8"),
    }
}

/// The font, cached for a day (it changes only with the registry).
fn font() -> Response {
    let mut response = FONT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("font/otf"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}
