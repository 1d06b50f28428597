//! Request authentication with the device key (no bearer tokens).
//!
//! The client adds four headers to every request after enrolment:
//!
//! | header              | value                                                   |
//! |---------------------|---------------------------------------------------------|
//! | `X-Kiosk-Device`    | the device id from enrolment                            |
//! | `X-Kiosk-Timestamp` | Unix seconds (the client corrects its clock from `Date`)|
//! | `X-Kiosk-Nonce`     | 32 hex digits of fresh randomness                       |
//! | `X-Kiosk-Signature` | base64 Ed25519 signature over [`signing_message`]       |
//!
//! The signed message binds the method, path and query, device id, timestamp, nonce and the
//! SHA-256 of the body, so a captured request can neither be altered nor sent to another
//! endpoint. The registry refuses timestamps more than [`MAX_CLOCK_SKEW_SECS`] away and any
//! nonce it has seen for that device within that window ([`ReplayGuard`]), and any timestamp
//! older than its own start (so a restart does not reopen the window).

use crate::identity::DeviceIdentity;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;

/// Header: device id.
pub const HEADER_DEVICE: &str = "x-kiosk-device";
/// Header: Unix seconds.
pub const HEADER_TIMESTAMP: &str = "x-kiosk-timestamp";
/// Header: random nonce.
pub const HEADER_NONCE: &str = "x-kiosk-nonce";
/// Header: signature.
pub const HEADER_SIGNATURE: &str = "x-kiosk-signature";
/// Largest accepted difference between the request's timestamp and the registry's clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// The four authentication header values of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthHeaders {
    /// `X-Kiosk-Device`.
    pub device_id: String,
    /// `X-Kiosk-Timestamp`.
    pub timestamp: i64,
    /// `X-Kiosk-Nonce`.
    pub nonce: String,
    /// `X-Kiosk-Signature`.
    pub signature: String,
}

/// Why a request was not authenticated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A header is missing or unreadable.
    #[error("missing or malformed authentication header {0}")]
    MissingHeader(&'static str),
    /// The timestamp is too far from the registry's clock.
    #[error(
        "request timestamp is {skew_s} s away from the registry's clock (limit {MAX_CLOCK_SKEW_SECS} s)"
    )]
    ClockSkew {
        /// Request time minus registry time.
        skew_s: i64,
    },
    /// Signed before the registry started (a replay across a restart).
    #[error("request was signed before the registry started")]
    BeforeStart,
    /// The nonce was used already.
    #[error("request was replayed (nonce already used)")]
    Replayed,
    /// The signature does not verify with the device's enrolled key.
    #[error("request signature does not verify with the key enrolled for this device")]
    BadSignature,
}

/// The bytes the device key signs for a request.
pub fn signing_message(
    method: &str,
    path_and_query: &str,
    device_id: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let body_hash = hex::encode(Sha256::digest(body));
    format!("legal-kiosk request v1\n{method}\n{path_and_query}\n{device_id}\n{timestamp}\n{nonce}\n{body_hash}").into_bytes()
}

/// Signs a request (client side). `nonce` must be fresh randomness.
pub fn sign_request(
    identity: &DeviceIdentity,
    device_id: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    timestamp: i64,
    nonce: String,
) -> AuthHeaders {
    let message = signing_message(method, path_and_query, device_id, timestamp, &nonce, body);
    AuthHeaders {
        device_id: device_id.to_string(),
        timestamp,
        nonce,
        signature: B64.encode(identity.sign(&message).to_bytes()),
    }
}

/// Checks the clock window and the signature (server side); the nonce is checked separately
/// by [`ReplayGuard`] after the signature, so forged requests cannot fill it.
pub fn verify_request(
    key: &VerifyingKey,
    headers: &AuthHeaders,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now: i64,
) -> Result<(), AuthError> {
    let skew_s = headers.timestamp - now;
    if skew_s.abs() > MAX_CLOCK_SKEW_SECS {
        return Err(AuthError::ClockSkew { skew_s });
    }
    let bytes: [u8; 64] = B64
        .decode(headers.signature.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(AuthError::BadSignature)?;
    let message = signing_message(
        method,
        path_and_query,
        &headers.device_id,
        headers.timestamp,
        &headers.nonce,
        body,
    );
    key.verify_strict(&message, &Signature::from_bytes(&bytes))
        .map_err(|_| AuthError::BadSignature)
}

/// Remembers nonces for the clock window so each signed request is accepted once.
#[derive(Debug)]
pub struct ReplayGuard {
    started_at: i64,
    seen: HashMap<(String, String), i64>,
    last_purge: i64,
}

impl ReplayGuard {
    /// A guard for a server that started at `started_at` (Unix seconds).
    pub fn new(started_at: i64) -> Self {
        Self {
            started_at,
            seen: HashMap::new(),
            last_purge: started_at,
        }
    }

    /// Records the request's nonce; refuses one seen before or signed before the start.
    pub fn check_and_record(&mut self, headers: &AuthHeaders, now: i64) -> Result<(), AuthError> {
        if headers.timestamp < self.started_at - 1 {
            return Err(AuthError::BeforeStart);
        }
        if now - self.last_purge > MAX_CLOCK_SKEW_SECS {
            let horizon = now - 2 * MAX_CLOCK_SKEW_SECS;
            self.seen.retain(|_, ts| *ts >= horizon);
            self.last_purge = now;
        }
        let key = (headers.device_id.clone(), headers.nonce.clone());
        if self.seen.contains_key(&key) {
            return Err(AuthError::Replayed);
        }
        self.seen.insert(key, headers.timestamp);
        Ok(())
    }
}

/// A fresh nonce: 16 random bytes in hex.
pub fn new_nonce() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::generate_signing_key;

    #[test]
    fn signature_binds_method_path_and_body() {
        let id = DeviceIdentity::from_signing_key(generate_signing_key().unwrap());
        let h = sign_request(&id, "kt-1", "POST", "/v1/events", b"{}", 1000, "n1".into());
        let key = id.public_key();
        assert_eq!(
            verify_request(&key, &h, "POST", "/v1/events", b"{}", 1000),
            Ok(())
        );
        assert_eq!(
            verify_request(&key, &h, "POST", "/v1/poll", b"{}", 1000),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify_request(&key, &h, "POST", "/v1/events", b"{ }", 1000),
            Err(AuthError::BadSignature)
        );
        assert!(matches!(
            verify_request(&key, &h, "POST", "/v1/events", b"{}", 2000),
            Err(AuthError::ClockSkew { .. })
        ));
        let other = DeviceIdentity::from_signing_key(generate_signing_key().unwrap()).public_key();
        assert_eq!(
            verify_request(&other, &h, "POST", "/v1/events", b"{}", 1000),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn replay_guard_accepts_each_nonce_once() {
        let mut guard = ReplayGuard::new(1000);
        let h = AuthHeaders {
            device_id: "kt-1".into(),
            timestamp: 1001,
            nonce: "n".into(),
            signature: String::new(),
        };
        assert_eq!(guard.check_and_record(&h, 1001), Ok(()));
        assert_eq!(guard.check_and_record(&h, 1002), Err(AuthError::Replayed));
        let old = AuthHeaders {
            timestamp: 900,
            nonce: "m".into(),
            ..h
        };
        assert_eq!(
            guard.check_and_record(&old, 1002),
            Err(AuthError::BeforeStart)
        );
    }
}
