//! Making a bundle (ops side: `kiosk-registry bundle publish`).

use super::{
    BundleSignature, Manifest, Payload, SignedBundle, manifest::MANIFEST_FORMAT, signed_bytes,
};
use crate::keys::public_key_to_base64;
use crate::scope::Scope;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer as _, SigningKey};
use sha2::{Digest as _, Sha256};

/// What to put in a new bundle's manifest.
#[derive(Debug, Clone)]
pub struct BundleSpec {
    /// The stream.
    pub stream: String,
    /// The version (above every earlier one of the stream).
    pub version: u64,
    /// Who it is for.
    pub scope: Scope,
    /// Signing time.
    pub issued_at: DateTime<Utc>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

/// Builds the manifest for `payload`, signs it with `key` and encodes the bundle.
pub fn sign_bundle(spec: &BundleSpec, payload: &Payload, key: &SigningKey) -> SignedBundle {
    let encoded = payload.encode();
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        stream: spec.stream.clone(),
        version: spec.version,
        issued_at: spec.issued_at,
        expires_at: spec.expires_at,
        scope: spec.scope.clone(),
        payload_sha256: hex::encode(Sha256::digest(&encoded)),
        payload_size: encoded.len() as u64,
    };
    // Serialising a struct of strings, numbers and dates cannot fail.
    let manifest_text = serde_json::to_string(&manifest).unwrap_or_default();
    let signature = key.sign(&signed_bytes(&manifest_text));
    SignedBundle {
        manifest: manifest_text,
        signature: Some(BundleSignature {
            public_key: public_key_to_base64(&key.verifying_key()),
            signature: B64.encode(signature.to_bytes()),
        }),
        payload: B64.encode(&encoded),
    }
}
