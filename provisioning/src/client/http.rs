//! HTTPS to the registry: the pinned CA, request signing, status mapping, response size caps
//! and the clock offset learned from the registry's `Date` header.

use super::config::ClientConfig;
use super::error::SyncError;
use crate::auth::{self, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use crate::identity::DeviceIdentity;
use crate::protocol::{ApiError, ErrorCode};
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Largest JSON answer accepted (poll, events, enrolment, errors).
pub const MAX_JSON_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// A connection to one registry.
pub struct RegistryHttp {
    client: reqwest::Client,
    base: String,
    signer: Option<(Arc<DeviceIdentity>, String)>,
    /// Registry clock minus ours, in seconds. A Pi has no real-time clock: until NTP runs its
    /// clock may be far off, and signed requests and expiry checks need the registry's time.
    clock_offset_s: AtomicI64,
    /// A difference seen but not adopted (over 24 h, unconfirmed); `NO_OFFSET` if none.
    refused_offset_s: AtomicI64,
    /// Where an installer's confirmation of a large difference is kept.
    clock_confirmation: Option<std::path::PathBuf>,
}

const NO_OFFSET: i64 = i64::MIN;

impl RegistryHttp {
    /// A client trusting only `config.ca_certificate`; `signer` (identity and device id) signs
    /// every request, `None` before enrolment.
    pub fn new(
        config: &ClientConfig,
        signer: Option<(Arc<DeviceIdentity>, String)>,
    ) -> Result<Self, SyncError> {
        if !config.registry_url.starts_with("https://") {
            return Err(SyncError::Config(format!(
                "registry URL must start with https:// ({})",
                config.registry_url
            )));
        }
        let tls = pinned_tls_config(&config.ca_certificate)?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(config.request_timeout)
            .connect_timeout(Duration::from_secs(10).min(config.request_timeout))
            .pool_idle_timeout(Duration::from_secs(50))
            .build()
            .map_err(|e| SyncError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            base: config.registry_url.trim_end_matches('/').to_string(),
            signer,
            clock_offset_s: AtomicI64::new(0),
            refused_offset_s: AtomicI64::new(NO_OFFSET),
            clock_confirmation: config.clock_confirmation.clone(),
        })
    }

    /// Registry time minus ours as adopted, seconds.
    pub fn clock_offset_s(&self) -> i64 {
        self.clock_offset_s.load(Ordering::Relaxed)
    }

    /// A difference the registry's clock showed but that was not adopted (over 24 h and not
    /// confirmed by an installer).
    pub fn unconfirmed_offset_s(&self) -> Option<i64> {
        Some(self.refused_offset_s.load(Ordering::Relaxed)).filter(|o| *o != NO_OFFSET)
    }

    /// One unauthenticated `GET /healthz`; the difference its `Date` shows.
    pub async fn fetch_date_offset(&self) -> Result<i64, SyncError> {
        let response = self
            .client
            .get(format!("{}{}", self.base, crate::protocol::paths::HEALTH))
            .send()
            .await
            .map_err(network)?;
        response
            .headers()
            .get(header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
            .map(|server| (server.with_timezone(&Utc) - Utc::now()).num_seconds())
            .ok_or_else(|| SyncError::BadResponse("the registry's answer has no Date".into()))
    }

    /// The registry's time as best known.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.clock_offset_s.load(Ordering::Relaxed))
    }

    /// POSTs JSON and parses a JSON answer.
    pub async fn post_json<T: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &T,
    ) -> Result<R, SyncError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| SyncError::Config(format!("cannot encode request: {e}")))?;
        let answer = self
            .send(
                Method::POST,
                path,
                bytes,
                "application/json",
                MAX_JSON_RESPONSE_BYTES,
            )
            .await?;
        parse_json(&answer)
    }

    /// GETs a JSON answer of at most `max_bytes`.
    pub async fn get_json<R: DeserializeOwned>(
        &self,
        path: &str,
        max_bytes: usize,
    ) -> Result<R, SyncError> {
        let answer = self
            .send(Method::GET, path, Vec::new(), "application/json", max_bytes)
            .await?;
        parse_json(&answer)
    }

    /// POSTs plain text, ignoring the answer's body.
    pub async fn post_text(&self, path: &str, text: String) -> Result<(), SyncError> {
        self.send(
            Method::POST,
            path,
            text.into_bytes(),
            "text/plain; charset=utf-8",
            MAX_JSON_RESPONSE_BYTES,
        )
        .await
        .map(|_| ())
    }

    /// Sends one request (signed when a signer is set) and returns the body of a 2xx answer.
    /// A signed request refused while its answer corrected the clock (the first request
    /// after a start with a wrong clock) is signed again with the corrected time, once.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
        max_bytes: usize,
    ) -> Result<Vec<u8>, SyncError> {
        let mut retried = false;
        loop {
            let signed_with = self.clock_offset_s();
            let request = self
                .signed(method.clone(), path, &body)?
                .header(header::CONTENT_TYPE, content_type)
                .header(header::ACCEPT, "application/json");
            let mut response = request.body(body.clone()).send().await.map_err(network)?;
            self.learn_clock(response.headers());
            let status = response.status();
            let corrected = (self.clock_offset_s() - signed_with).abs() > 60;
            if status == StatusCode::UNAUTHORIZED && self.signer.is_some() && corrected && !retried
            {
                retried = true;
                continue;
            }
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let answer = read_capped(&mut response, max_bytes).await?;
            if status.is_success() {
                return Ok(answer);
            }
            if status == StatusCode::UNAUTHORIZED
                && let Some(offset_s) = self.unconfirmed_offset_s()
            {
                // Refused for its timestamp, most likely: say why, and what the installer can do.
                return Err(SyncError::ClockUnconfirmed { offset_s });
            }
            return Err(classify(status, retry_after, &answer));
        }
    }

    /// A request to `path`, signed over `body` when a signer is set.
    fn signed(
        &self,
        method: Method,
        path: &str,
        body: &[u8],
    ) -> Result<reqwest::RequestBuilder, SyncError> {
        let mut request = self
            .client
            .request(method.clone(), format!("{}{}", self.base, path));
        if let Some((identity, device_id)) = &self.signer {
            let nonce =
                auth::new_nonce().map_err(|e| SyncError::Config(format!("no randomness: {e}")))?;
            let h = auth::sign_request(
                identity,
                device_id,
                method.as_str(),
                path,
                body,
                self.now().timestamp(),
                nonce,
            );
            request = request
                .header(HEADER_DEVICE, h.device_id)
                .header(HEADER_TIMESTAMP, h.timestamp.to_string())
                .header(HEADER_NONCE, h.nonce)
                .header(HEADER_SIGNATURE, h.signature);
        }
        Ok(request)
    }

    /// A signed `GET` of a large body from byte `from` on (`Range`), answered 200 or 206:
    /// the response, for the caller to read chunk by chunk. A package may take longer than
    /// a JSON request: an hour at most, and a broken download resumes where it stopped.
    pub async fn get_from(&self, path: &str, from: u64) -> Result<reqwest::Response, SyncError> {
        self.get_range(path, from, None).await
    }

    /// [`Http::get_from`] up to byte `last` (inclusive) when given: one chunk of a large
    /// file, for downloads spread over several attempts.
    pub async fn get_range(
        &self,
        path: &str,
        from: u64,
        last: Option<u64>,
    ) -> Result<reqwest::Response, SyncError> {
        let mut request = self
            .signed(Method::GET, path, &[])?
            .timeout(Duration::from_secs(3600));
        match last {
            Some(last) => request = request.header(header::RANGE, format!("bytes={from}-{last}")),
            None if from > 0 => request = request.header(header::RANGE, format!("bytes={from}-")),
            None => {}
        }
        let mut response = request.send().await.map_err(network)?;
        self.learn_clock(response.headers());
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = read_capped(&mut response, 64 * 1024).await?;
        Err(classify(status, None, &body))
    }

    fn learn_clock(&self, headers: &header::HeaderMap) {
        let Some(date) = headers.get(header::DATE).and_then(|v| v.to_str().ok()) else {
            return;
        };
        let Ok(server) = DateTime::parse_from_rfc2822(date) else {
            return;
        };
        let offset = (server.with_timezone(&Utc) - Utc::now()).num_seconds();
        // `Date` has one-second resolution: ignore differences it cannot resolve.
        let offset = if offset.abs() <= 1 { 0 } else { offset };
        let confirmed = || {
            self.clock_confirmation
                .as_deref()
                .and_then(super::clock::ClockConfirmation::load)
        };
        if offset.abs() <= super::clock::MAX_UNCONFIRMED_OFFSET_S
            || super::clock::acceptable(offset, confirmed().as_ref())
        {
            self.clock_offset_s.store(offset, Ordering::Relaxed);
            self.refused_offset_s.store(NO_OFFSET, Ordering::Relaxed);
            return;
        }
        let before = self.refused_offset_s.swap(offset, Ordering::Relaxed);
        if before == NO_OFFSET || (before - offset).abs() > 60 {
            tracing::warn!(
                "the registry's clock is {} this terminal's: not adopted without an installer's \
                 confirmation",
                super::clock::describe(offset)
            );
        }
    }
}

pub(crate) fn pinned_tls_config(
    ca_path: &std::path::Path,
) -> Result<rustls::ClientConfig, SyncError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let shown = ca_path.display();
    let pem = std::fs::read(ca_path)
        .map_err(|e| SyncError::Config(format!("registry CA {shown}: {e}")))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| SyncError::Config(format!("registry CA {shown}: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| SyncError::Config(format!("registry CA {shown}: {e}")))?;
    }
    if roots.is_empty() {
        return Err(SyncError::Config(format!(
            "registry CA {shown}: no certificate in the file"
        )));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

pub(crate) fn network(e: reqwest::Error) -> SyncError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    SyncError::Network(message)
}

async fn read_capped(
    response: &mut reqwest::Response,
    max_bytes: usize,
) -> Result<Vec<u8>, SyncError> {
    if response
        .content_length()
        .is_some_and(|n| n > max_bytes as u64)
    {
        return Err(SyncError::BadResponse(format!(
            "answer larger than {max_bytes} bytes"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if body.len() + chunk.len() > max_bytes {
            return Err(SyncError::BadResponse(format!(
                "answer larger than {max_bytes} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn parse_json<R: DeserializeOwned>(bytes: &[u8]) -> Result<R, SyncError> {
    serde_json::from_slice(bytes).map_err(|e| SyncError::BadResponse(e.to_string()))
}

fn classify(status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> SyncError {
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
        return SyncError::RateLimited { retry_after };
    }
    let api: Option<ApiError> = serde_json::from_slice(body).ok();
    let message = api
        .as_ref()
        .map(|a| a.message.clone())
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
    if status.is_server_error() {
        return SyncError::Server {
            status: status.as_u16(),
            message,
        };
    }
    SyncError::Refused {
        status: status.as_u16(),
        code: api.map_or(ErrorCode::Unknown, |a| a.error),
        message,
    }
}

/// Parses `Retry-After`: delta seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds.min(24 * 3600)));
    }
    let at = DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let wait = at.with_timezone(&Utc) - Utc::now();
    Some(
        wait.to_std()
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs(24 * 3600)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn error_answers_keep_the_registry_reason() {
        let body = br#"{"error":"enrolment_code_used","message":"this code was already used"}"#;
        match classify(StatusCode::FORBIDDEN, None, body) {
            SyncError::Refused { code, message, .. } => {
                assert_eq!(code, ErrorCode::EnrolmentCodeUsed);
                assert_eq!(message, "this code was already used");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify(
                StatusCode::TOO_MANY_REQUESTS,
                Some(Duration::from_secs(3)),
                b""
            ),
            SyncError::RateLimited {
                retry_after: Some(_)
            }
        ));
    }
}
