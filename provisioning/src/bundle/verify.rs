//! The terminal's check of a bundle. Every failure is a distinct [`BundleError`]; the caller
//! keeps the bundle it had.

use super::{
    Manifest, Payload, PayloadError, SignedBundle, manifest::MANIFEST_FORMAT, signed_bytes,
};
use crate::keys::{KeyError, public_key_from_base64};
use crate::scope::TerminalPlacement;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest as _, Sha256};

/// Why a bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The payload is larger than the terminal accepts.
    #[error("bundle payload is {size} bytes, above this terminal's limit of {limit} bytes")]
    TooLarge {
        /// Payload size (claimed or actual).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// No signature at all.
    #[error("bundle is not signed")]
    Unsigned,
    /// Signed by a key the terminal has not pinned.
    #[error("bundle is signed by key {key}, which is not one of this terminal's pinned keys")]
    UnknownKey {
        /// The signer's key, base64.
        key: String,
    },
    /// The signature does not verify (tampered manifest or forged signature).
    #[error("bundle signature does not verify with the pinned key")]
    BadSignature,
    /// The manifest is not valid JSON of the expected shape.
    #[error("bundle manifest is malformed: {0}")]
    MalformedManifest(String),
    /// A manifest format this terminal does not understand.
    #[error("bundle manifest format {0} is not supported")]
    UnsupportedFormat(u32),
    /// A bundle of another stream than the one requested.
    #[error("bundle is for stream {got:?}, expected {expected:?}")]
    WrongStream {
        /// The stream requested.
        expected: String,
        /// The stream in the manifest.
        got: String,
    },
    /// Not newer than the bundle in force (rollback or replay).
    #[error("bundle version {offered} is not newer than version {current} in force")]
    NotNewer {
        /// The version in force.
        current: u64,
        /// The version offered.
        offered: u64,
    },
    /// Past its expiry.
    #[error("bundle expired at {expires_at}")]
    Expired {
        /// When it expired.
        expires_at: DateTime<Utc>,
    },
    /// For other terminals.
    #[error("bundle is for {scope}, not this terminal")]
    WrongScope {
        /// The bundle's scope, in short form.
        scope: String,
    },
    /// The payload's length differs from the manifest.
    #[error("bundle payload is {actual} bytes but the manifest says {manifest}")]
    PayloadSizeMismatch {
        /// Size in the manifest.
        manifest: u64,
        /// Actual size.
        actual: u64,
    },
    /// The payload's SHA-256 differs from the manifest.
    #[error("bundle payload does not match the hash in its manifest")]
    PayloadHashMismatch,
    /// The payload is not valid base64 or not a valid file set.
    #[error("bundle payload is malformed: {0}")]
    MalformedPayload(String),
    /// Signed and intact, but the terminal cannot use what it says (a file missing, a rule
    /// the firmware needs absent or invalid). The content in force stays.
    #[error("bundle content is not usable on this terminal: {0}")]
    Unusable(String),
}

/// The public keys a terminal trusts: one, or two during a key rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedKeys(Vec<VerifyingKey>);

/// The pinned key list is empty or too long.
#[derive(Debug, thiserror::Error)]
pub enum PinnedKeysError {
    /// Zero or more than two keys.
    #[error("pin one or two signing keys, not {0}")]
    Count(usize),
    /// A key does not parse.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl PinnedKeys {
    /// Pins one or two keys.
    pub fn new(keys: Vec<VerifyingKey>) -> Result<Self, PinnedKeysError> {
        if keys.is_empty() || keys.len() > 2 {
            return Err(PinnedKeysError::Count(keys.len()));
        }
        Ok(Self(keys))
    }

    /// Pins keys written as base64 (the firmware's configuration).
    pub fn from_base64<S: AsRef<str>>(keys: &[S]) -> Result<Self, PinnedKeysError> {
        let parsed = keys
            .iter()
            .map(|k| public_key_from_base64(k.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(parsed)
    }

    /// The pinned key equal to `public_key_b64`, if any.
    pub fn find(&self, public_key_b64: &str) -> Option<&VerifyingKey> {
        let wanted = B64.decode(public_key_b64.trim()).ok()?;
        self.0
            .iter()
            .find(|k| k.as_bytes().as_slice() == wanted.as_slice())
    }

    /// Verifies `signature_b64` over `message` with the pinned key named by `public_key_b64`
    /// (`verify_strict`: no weak keys, no malleable signatures).
    pub fn verify(
        &self,
        public_key_b64: &str,
        signature_b64: &str,
        message: &[u8],
    ) -> Result<(), SignatureCheck> {
        let key = self
            .find(public_key_b64)
            .ok_or(SignatureCheck::UnknownKey)?;
        let bytes: [u8; 64] = B64
            .decode(signature_b64.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(SignatureCheck::Bad)?;
        key.verify_strict(message, &Signature::from_bytes(&bytes))
            .map_err(|_| SignatureCheck::Bad)
    }
}

/// Outcome of [`PinnedKeys::verify`] when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureCheck {
    /// The signer is not pinned.
    UnknownKey,
    /// The signature is malformed or does not verify.
    Bad,
}

/// A bundle that passed every check, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedBundle {
    /// Its manifest.
    pub manifest: Manifest,
    /// The manifest text as signed (keep it to show provenance).
    pub manifest_text: String,
    /// Its files.
    pub payload: Payload,
}

/// The terminal's bundle policy.
#[derive(Debug, Clone)]
pub struct BundleVerifier {
    /// Trusted signing keys.
    pub pinned: PinnedKeys,
    /// Largest payload accepted, in bytes.
    pub max_payload_bytes: u64,
    /// The terminal, for scope checks.
    pub placement: TerminalPlacement,
}

impl BundleVerifier {
    /// Checks `bundle` as a candidate for `stream` while version `current` is in force.
    /// Cheap checks come first, so an oversized or unsigned bundle is refused before hashing.
    pub fn verify(
        &self,
        stream: &str,
        bundle: &SignedBundle,
        current: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<VerifiedBundle, BundleError> {
        let limit = self.max_payload_bytes;
        let decoded_estimate = (bundle.payload.len() as u64 / 4) * 3;
        if decoded_estimate > limit + 2 {
            return Err(BundleError::TooLarge {
                size: decoded_estimate,
                limit,
            });
        }
        let signature = bundle.signature.as_ref().ok_or(BundleError::Unsigned)?;
        self.pinned
            .verify(
                &signature.public_key,
                &signature.signature,
                &signed_bytes(&bundle.manifest),
            )
            .map_err(|check| match check {
                SignatureCheck::UnknownKey => BundleError::UnknownKey {
                    key: signature.public_key.clone(),
                },
                SignatureCheck::Bad => BundleError::BadSignature,
            })?;
        let manifest: Manifest = serde_json::from_str(&bundle.manifest)
            .map_err(|e| BundleError::MalformedManifest(e.to_string()))?;
        self.check_manifest(stream, &manifest, current, now)?;
        let bytes = B64
            .decode(bundle.payload.as_bytes())
            .map_err(|e| BundleError::MalformedPayload(e.to_string()))?;
        if bytes.len() as u64 != manifest.payload_size {
            return Err(BundleError::PayloadSizeMismatch {
                manifest: manifest.payload_size,
                actual: bytes.len() as u64,
            });
        }
        if hex::encode(Sha256::digest(&bytes)) != manifest.payload_sha256 {
            return Err(BundleError::PayloadHashMismatch);
        }
        let payload = Payload::decode(&bytes)
            .map_err(|e: PayloadError| BundleError::MalformedPayload(e.to_string()))?;
        Ok(VerifiedBundle {
            manifest,
            manifest_text: bundle.manifest.clone(),
            payload,
        })
    }

    pub(crate) fn check_manifest(
        &self,
        stream: &str,
        manifest: &Manifest,
        current: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<(), BundleError> {
        if manifest.format != MANIFEST_FORMAT {
            return Err(BundleError::UnsupportedFormat(manifest.format));
        }
        if manifest.stream != stream {
            return Err(BundleError::WrongStream {
                expected: stream.to_string(),
                got: manifest.stream.clone(),
            });
        }
        if manifest.expires_at <= now {
            return Err(BundleError::Expired {
                expires_at: manifest.expires_at,
            });
        }
        if !manifest.scope.includes(&self.placement) {
            return Err(BundleError::WrongScope {
                scope: manifest.scope.describe(),
            });
        }
        if let Some(current) = current
            && manifest.version <= current
        {
            return Err(BundleError::NotNewer {
                current,
                offered: manifest.version,
            });
        }
        if manifest.payload_size > self.max_payload_bytes {
            return Err(BundleError::TooLarge {
                size: manifest.payload_size,
                limit: self.max_payload_bytes,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::sign::{BundleSpec, sign_bundle};
    use crate::keys::{generate_signing_key, public_key_to_base64};
    use crate::scope::Scope;
    use chrono::Duration;
    use ed25519_dalek::SigningKey;

    struct Fixture {
        key: SigningKey,
        verifier: BundleVerifier,
        now: DateTime<Utc>,
    }

    fn fixture() -> Fixture {
        let key = generate_signing_key().unwrap();
        let verifier = BundleVerifier {
            pinned: PinnedKeys::new(vec![key.verifying_key()]).unwrap(),
            max_payload_bytes: 1024,
            placement: TerminalPlacement {
                device_id: "kt-1".into(),
                platform_id: "p-1".into(),
                region: "330106".into(),
            },
        };
        Fixture {
            key,
            verifier,
            now: Utc::now(),
        }
    }

    fn spec(f: &Fixture, version: u64) -> BundleSpec {
        BundleSpec {
            stream: "catalogue".into(),
            version,
            scope: Scope::All,
            issued_at: f.now,
            expires_at: f.now + Duration::days(30),
        }
    }

    fn payload() -> Payload {
        let mut p = Payload::default();
        p.insert(
            "services.toml",
            b"[[service]]\nid = \"mediation\"\n".to_vec(),
        )
        .unwrap();
        p
    }

    fn check(
        f: &Fixture,
        b: &SignedBundle,
        current: Option<u64>,
    ) -> Result<VerifiedBundle, BundleError> {
        f.verifier.verify("catalogue", b, current, f.now)
    }

    #[test]
    fn a_good_bundle_passes_and_decodes() {
        let f = fixture();
        let b = sign_bundle(&spec(&f, 3), &payload(), &f.key);
        let v = check(&f, &b, Some(2)).unwrap();
        assert_eq!(v.manifest.version, 3);
        assert_eq!(v.payload, payload());
    }

    #[test]
    fn each_defect_has_its_own_error() {
        let f = fixture();
        let good = sign_bundle(&spec(&f, 3), &payload(), &f.key);

        let mut unsigned = good.clone();
        unsigned.signature = None;
        assert_eq!(check(&f, &unsigned, None), Err(BundleError::Unsigned));

        let other = generate_signing_key().unwrap();
        let foreign = sign_bundle(&spec(&f, 3), &payload(), &other);
        assert!(matches!(
            check(&f, &foreign, None),
            Err(BundleError::UnknownKey { .. })
        ));

        let mut forged = foreign.clone();
        forged.signature.as_mut().unwrap().public_key =
            public_key_to_base64(&f.key.verifying_key());
        assert_eq!(check(&f, &forged, None), Err(BundleError::BadSignature));

        assert_eq!(
            check(&f, &good, Some(3)),
            Err(BundleError::NotNewer {
                current: 3,
                offered: 3
            })
        );
        assert_eq!(
            check(&f, &good, Some(4)),
            Err(BundleError::NotNewer {
                current: 4,
                offered: 3
            })
        );

        let mut old = spec(&f, 3);
        old.expires_at = f.now - Duration::seconds(1);
        assert!(matches!(
            check(&f, &sign_bundle(&old, &payload(), &f.key), None),
            Err(BundleError::Expired { .. })
        ));

        let mut elsewhere = spec(&f, 3);
        elsewhere.scope = Scope::Platform("p-2".into());
        assert!(matches!(
            check(&f, &sign_bundle(&elsewhere, &payload(), &f.key), None),
            Err(BundleError::WrongScope { .. })
        ));

        let mut big = Payload::default();
        big.insert("big.bin", vec![7; 2000]).unwrap();
        assert!(matches!(
            check(&f, &sign_bundle(&spec(&f, 3), &big, &f.key), None),
            Err(BundleError::TooLarge { .. })
        ));

        let mut swapped = good.clone();
        let mut other_payload = Payload::default();
        other_payload
            .insert(
                "services.toml",
                b"[[service]]\nid = \"evilthing\"\n".to_vec(),
            )
            .unwrap();
        swapped.payload = B64.encode(other_payload.encode());
        assert_eq!(
            check(&f, &swapped, None),
            Err(BundleError::PayloadHashMismatch)
        );

        let mut wrong_stream = spec(&f, 3);
        wrong_stream.stream = "settings".into();
        assert!(matches!(
            check(&f, &sign_bundle(&wrong_stream, &payload(), &f.key), None),
            Err(BundleError::WrongStream { .. })
        ));
    }

    #[test]
    fn the_second_pinned_key_is_trusted_for_rotation() {
        let mut f = fixture();
        let next = generate_signing_key().unwrap();
        f.verifier.pinned =
            PinnedKeys::new(vec![f.key.verifying_key(), next.verifying_key()]).unwrap();
        assert!(check(&f, &sign_bundle(&spec(&f, 5), &payload(), &next), Some(4)).is_ok());
        assert!(matches!(
            PinnedKeys::new(vec![]),
            Err(PinnedKeysError::Count(0))
        ));
    }
}
