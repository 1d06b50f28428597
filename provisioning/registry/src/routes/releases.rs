//! `GET /v1/releases/{version}/package`: the package, streamed chunk by chunk from the
//! store (never held whole in memory), resumable with `Range: bytes=N-` (or `N-M`).
//! Any enrolled, active terminal may fetch any published release: the package is signed,
//! not secret, and the terminal installs only what its pinned key signed.

use crate::app::AppState;
use crate::auth::authenticate;
use crate::error::ApiFailure;
use crate::store::updates::{CHUNK_BYTES, PackageInfo};
use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use provisioning::protocol::ErrorCode;

/// The requested byte range `start..end` (end exclusive) of a `size`-byte package, from a
/// `Range` header: `None` for the whole; `Err` when it cannot be satisfied or is not one
/// `bytes=` range.
pub fn parse_range(value: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, String> {
    let Some(value) = value else {
        return Ok(None);
    };
    let spec = value
        .trim()
        .strip_prefix("bytes=")
        .ok_or("only `Range: bytes=…` is supported")?;
    if spec.contains(',') {
        return Err("one range at a time".into());
    }
    let (first, last) = spec.split_once('-').ok_or("a range is FIRST-[LAST]")?;
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| "range bounds are numbers")
    };
    let (start, end) = if first.trim().is_empty() {
        // A suffix: the last N bytes.
        let n = number(last)?.min(size);
        (size - n, size)
    } else {
        let start = number(first)?;
        let end = if last.trim().is_empty() {
            size
        } else {
            number(last)?.saturating_add(1).min(size)
        };
        (start, end)
    };
    if start >= size || start >= end {
        return Err(format!(
            "range {value} is outside the package's {size} bytes"
        ));
    }
    Ok(Some((start, end)))
}

/// Streams the package (or the requested range of it).
pub async fn package(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(version): Path<String>,
) -> Result<Response, ApiFailure> {
    authenticate(&state, &method, uri.path(), &headers, &[]).await?;
    let info = state
        .store
        .package_info(&version)
        .await?
        .ok_or_else(|| ApiFailure::not_found(format!("no release {version}")))?;
    let store = state.store.clone();
    Ok(ranged(
        &headers,
        &info,
        "application/vnd.debian.binary-package",
        move |index| {
            let (store, version) = (store.clone(), version.clone());
            async move { store.package_chunk(&version, index).await }
        },
    ))
}

/// The answer to a `GET` of a large file stored in [`CHUNK_BYTES`] chunks (a release's
/// package, a map file): the whole (200) or the requested `Range` (206, or 416 when it
/// cannot be satisfied), one chunk read at a time as the client takes them.
pub fn ranged<F, Fut>(
    headers: &HeaderMap,
    info: &PackageInfo,
    content_type: &'static str,
    chunk_at: F,
) -> Response
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Vec<u8>, crate::store::StoreError>> + Send + 'static,
{
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (start, end, status) = match parse_range(range, info.size) {
        Ok(None) => (0, info.size, StatusCode::OK),
        Ok(Some((s, e))) => (s, e, StatusCode::PARTIAL_CONTENT),
        Err(why) => {
            let mut refusal = axum::response::IntoResponse::into_response(ApiFailure::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ErrorCode::BadRequest,
                why,
            ));
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", info.size)) {
                refusal.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return refusal;
        }
    };
    let chunk = CHUNK_BYTES as u64;
    let chunk_at = std::sync::Arc::new(chunk_at);
    let stream = futures_util::stream::unfold(start, move |at| {
        let chunk_at = chunk_at.clone();
        async move {
            if at >= end {
                return None;
            }
            let index = at / chunk;
            let data = match chunk_at(index).await {
                Ok(data) => data,
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), end)),
            };
            let from = (at - index * chunk) as usize;
            let to = ((end - index * chunk) as usize).min(data.len());
            if from >= to {
                let e = std::io::Error::other("stored file is shorter than its size");
                return Some((Err(e), end));
            }
            let next = index * chunk + to as u64;
            Some((Ok(Bytes::copy_from_slice(&data[from..to])), next))
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", info.sha256)) {
        h.insert(header::ETAG, v);
    }
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{}", end - 1, info.size))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=4-"), 10), Ok(Some((4, 10))));
        assert_eq!(parse_range(Some("bytes=2-5"), 10), Ok(Some((2, 6))));
        assert_eq!(parse_range(Some("bytes=2-99"), 10), Ok(Some((2, 10))));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Ok(Some((7, 10))));
        assert!(parse_range(Some("bytes=10-"), 10).is_err());
        assert!(parse_range(Some("bytes=5-2"), 10).is_err());
        assert!(parse_range(Some("bytes=0-1,4-5"), 10).is_err());
        assert!(parse_range(Some("items=0-1"), 10).is_err());
        assert!(parse_range(Some("bytes=x-"), 10).is_err());
    }
}
