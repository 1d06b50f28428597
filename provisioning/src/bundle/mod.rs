//! Signed bundles: everything the operations centre owns (catalogue, settings, legal-aid rules,
//! institutions, …) reaches a terminal as a bundle.
//!
//! A bundle is a [`Manifest`] (JSON text, signed as is, so no canonical JSON is needed), one
//! Ed25519 signature over `"legal-kiosk bundle v1\n" + manifest`, and a payload: a set of named
//! files encoded by [`payload`] whose SHA-256 and size the manifest carries.

pub mod manifest;
pub mod payload;
pub mod sign;
pub mod verify;

pub use manifest::Manifest;
pub use payload::{Payload, PayloadError};
pub use sign::sign_bundle;
pub use verify::{BundleError, BundleVerifier, PinnedKeys, VerifiedBundle};

use serde::{Deserialize, Serialize};

/// Domain-separation prefix of the bytes a bundle signature covers.
pub const BUNDLE_SIGNATURE_CONTEXT: &[u8] = b"legal-kiosk bundle v1\n";

/// A bundle as stored and sent (`GET /v1/bundles/{stream}/{version}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedBundle {
    /// The manifest's JSON text, exactly as signed.
    pub manifest: String,
    /// The signature; `None` for an unsigned bundle (always refused by terminals).
    pub signature: Option<BundleSignature>,
    /// The encoded payload ([`Payload::encode`]), base64.
    pub payload: String,
}

/// Who signed, and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleSignature {
    /// The signer's public key, base64 (must be one of the terminal's pinned keys).
    pub public_key: String,
    /// Ed25519 signature, base64.
    pub signature: String,
}

/// The bytes a bundle signature covers.
pub fn signed_bytes(manifest: &str) -> Vec<u8> {
    let mut bytes = BUNDLE_SIGNATURE_CONTEXT.to_vec();
    bytes.extend_from_slice(manifest.as_bytes());
    bytes
}
