//! Signed firmware releases: the kiosk's Debian package, described by a [`ReleaseManifest`]
//! (JSON text, signed as is) with one Ed25519 signature over `"legal-kiosk release v1\n" +
//! manifest`. The package itself travels separately (streamed, resumable); the manifest
//! carries its size and SHA-256, so the terminal checks the bytes as they arrive.

pub mod download;
pub mod verify;
pub mod version;

pub use download::PackageCheck;
pub use verify::{ReleaseError, ReleaseVerifier};

use crate::bundle::BundleSignature;
use crate::keys::public_key_to_base64;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer as _, SigningKey};
use serde::{Deserialize, Serialize};

/// Domain-separation prefix of the bytes a release signature covers (never a bundle's).
pub const RELEASE_SIGNATURE_CONTEXT: &[u8] = b"legal-kiosk release v1\n";

/// The release format this crate writes and reads.
pub const RELEASE_FORMAT: u32 = 1;

/// Signed description of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseManifest {
    /// Always [`RELEASE_FORMAT`].
    pub format: u32,
    /// Debian package name, e.g. `legal-kiosk`.
    pub package: String,
    /// Debian version, compared as `dpkg --compare-versions` does.
    pub version: String,
    /// Debian architecture, e.g. `arm64`.
    pub architecture: String,
    /// Length of the `.deb` in bytes.
    pub size: u64,
    /// SHA-256 of the `.deb`, lower-case hex.
    pub sha256: String,
    /// Oldest running version this package may upgrade (older ones need an intermediate
    /// release first, e.g. for a data migration); `None`: any older version.
    pub min_from_version: Option<String>,
    /// Release notes for staff, in Chinese.
    pub notes_zh: String,
    /// When it was signed.
    pub issued_at: DateTime<Utc>,
}

/// A release as stored and offered: the manifest's text exactly as signed, and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedRelease {
    /// The manifest's JSON text.
    pub manifest: String,
    /// Who signed, and the signature.
    pub signature: BundleSignature,
}

/// The bytes a release signature covers.
pub fn signed_bytes(manifest: &str) -> Vec<u8> {
    let mut bytes = RELEASE_SIGNATURE_CONTEXT.to_vec();
    bytes.extend_from_slice(manifest.as_bytes());
    bytes
}

/// Signs `manifest` with `key` (ops side: `kiosk-registry release publish`).
pub fn sign_release(manifest: &ReleaseManifest, key: &SigningKey) -> SignedRelease {
    // Serialising a struct of strings, numbers and a date cannot fail.
    let text = serde_json::to_string(manifest).unwrap_or_default();
    let signature = key.sign(&signed_bytes(&text));
    SignedRelease {
        manifest: text,
        signature: BundleSignature {
            public_key: public_key_to_base64(&key.verifying_key()),
            signature: B64.encode(signature.to_bytes()),
        },
    }
}

/// Whether a Debian package name is acceptable (Debian policy §5.6.1: lower-case letters,
/// digits, `+ - .`, at least two characters, starting with a letter or digit).
pub fn is_valid_package_name(name: &str) -> bool {
    name.len() >= 2
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'+' | b'-' | b'.'))
}
