//! The manifest: what a bundle is, for whom, until when, and the hash of its payload.

use crate::scope::Scope;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The bundle format this crate writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;

/// Signed description of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: u32,
    /// The stream, e.g. `catalogue`, `settings`, `legal-aid-rules`, `institutions`.
    pub stream: String,
    /// Version within the stream; a terminal only accepts a version above the one it has.
    pub version: u64,
    /// When it was signed.
    pub issued_at: DateTime<Utc>,
    /// After this the terminal refuses it.
    pub expires_at: DateTime<Utc>,
    /// Which terminals it is for.
    pub scope: Scope,
    /// SHA-256 of the encoded payload, lower-case hex.
    pub payload_sha256: String,
    /// Length of the encoded payload in bytes.
    pub payload_size: u64,
}

/// Whether a stream name is acceptable: 1–64 of `a-z 0-9 - _ .`, starting with a letter.
pub fn is_valid_stream_name(stream: &str) -> bool {
    let mut bytes = stream.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && stream.len() <= 64
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.'))
}
