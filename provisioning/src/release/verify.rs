//! The terminal's check of a release before it downloads a byte: pinned signer, format,
//! package, architecture, newer than what runs, allowed to upgrade from it, not too large.
//! Every refusal is its own [`ReleaseError`]; the running version is untouched.

use super::{RELEASE_FORMAT, ReleaseManifest, SignedRelease, signed_bytes, version};
use crate::bundle::PinnedKeys;
use crate::bundle::verify::SignatureCheck;
use std::cmp::Ordering;

/// Why a release (or its package) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    /// Signed by a key the terminal has not pinned.
    #[error("release is signed by key {key}, which is not one of this terminal's pinned keys")]
    UnknownKey {
        /// The signer's key, base64.
        key: String,
    },
    /// The signature does not verify.
    #[error("release signature does not verify with the pinned key")]
    BadSignature,
    /// Not JSON of the manifest's shape, or a field out of range.
    #[error("release manifest is malformed: {0}")]
    MalformedManifest(String),
    /// A format this terminal does not read.
    #[error("release manifest format {0} is not supported")]
    UnsupportedFormat(u32),
    /// Another package than the kiosk's.
    #[error("release is package {got:?}, this terminal runs {expected:?}")]
    WrongPackage {
        /// The terminal's package.
        expected: String,
        /// The manifest's.
        got: String,
    },
    /// Built for another architecture.
    #[error("release is for architecture {got}, this terminal is {expected}")]
    WrongArchitecture {
        /// The terminal's.
        expected: String,
        /// The manifest's.
        got: String,
    },
    /// Not newer than the running version (downgrade or replay).
    #[error("release {offered} is not newer than the running version {running}")]
    NotNewer {
        /// Running version.
        running: String,
        /// Offered version.
        offered: String,
    },
    /// The running version is older than the release may upgrade from.
    #[error(
        "release {offered} upgrades only from {minimum} or newer; this terminal runs {running}"
    )]
    RunningTooOld {
        /// Running version.
        running: String,
        /// The manifest's minimum.
        minimum: String,
        /// Offered version.
        offered: String,
    },
    /// Larger than the terminal accepts.
    #[error("package is {size} bytes, above this terminal's limit of {limit} bytes")]
    TooLarge {
        /// Claimed or actual size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The download ended before the manifest's size.
    #[error("package download is truncated: {got} of {expected} bytes")]
    Truncated {
        /// The manifest's size.
        expected: u64,
        /// Bytes received.
        got: u64,
    },
    /// More bytes than the manifest's size arrived.
    #[error("package download is longer than the manifest's {expected} bytes")]
    Overlong {
        /// The manifest's size.
        expected: u64,
    },
    /// The bytes do not hash to the manifest's SHA-256.
    #[error("package does not match the SHA-256 in its signed manifest")]
    HashMismatch,
}

/// The terminal's release policy.
#[derive(Debug, Clone)]
pub struct ReleaseVerifier {
    /// Trusted signing keys (the same pins as bundles and commands).
    pub pinned: PinnedKeys,
    /// The terminal's package name.
    pub package: String,
    /// The terminal's Debian architecture.
    pub architecture: String,
    /// The version running now.
    pub running: String,
    /// Largest package accepted, in bytes.
    pub max_package_bytes: u64,
}

impl ReleaseVerifier {
    /// Checks a release offer; returns its manifest when this terminal may install it.
    pub fn verify(&self, release: &SignedRelease) -> Result<ReleaseManifest, ReleaseError> {
        let signature = &release.signature;
        self.pinned
            .verify(
                &signature.public_key,
                &signature.signature,
                &signed_bytes(&release.manifest),
            )
            .map_err(|e| match e {
                SignatureCheck::UnknownKey => ReleaseError::UnknownKey {
                    key: signature.public_key.clone(),
                },
                SignatureCheck::Bad => ReleaseError::BadSignature,
            })?;
        let manifest = parse_manifest(&release.manifest)?;
        if manifest.package != self.package {
            return Err(ReleaseError::WrongPackage {
                expected: self.package.clone(),
                got: manifest.package,
            });
        }
        if manifest.architecture != self.architecture && manifest.architecture != "all" {
            return Err(ReleaseError::WrongArchitecture {
                expected: self.architecture.clone(),
                got: manifest.architecture,
            });
        }
        if version::compare(&manifest.version, &self.running) != Ordering::Greater {
            return Err(ReleaseError::NotNewer {
                running: self.running.clone(),
                offered: manifest.version,
            });
        }
        if let Some(minimum) = &manifest.min_from_version
            && version::compare(&self.running, minimum) == Ordering::Less
        {
            return Err(ReleaseError::RunningTooOld {
                running: self.running.clone(),
                minimum: minimum.clone(),
                offered: manifest.version,
            });
        }
        if manifest.size > self.max_package_bytes {
            return Err(ReleaseError::TooLarge {
                size: manifest.size,
                limit: self.max_package_bytes,
            });
        }
        Ok(manifest)
    }
}

/// Parses a manifest's text and checks its fields' shape (both sides use it).
pub fn parse_manifest(text: &str) -> Result<ReleaseManifest, ReleaseError> {
    let manifest: ReleaseManifest =
        serde_json::from_str(text).map_err(|e| ReleaseError::MalformedManifest(e.to_string()))?;
    if manifest.format != RELEASE_FORMAT {
        return Err(ReleaseError::UnsupportedFormat(manifest.format));
    }
    let bad = |what: &str| Err(ReleaseError::MalformedManifest(what.to_string()));
    if !super::is_valid_package_name(&manifest.package) {
        return bad("package name");
    }
    if !version::is_valid(&manifest.version)
        || manifest
            .min_from_version
            .as_deref()
            .is_some_and(|v| !version::is_valid(v))
    {
        return bad("version");
    }
    if manifest.architecture.is_empty()
        || manifest.architecture.len() > 32
        || !manifest
            .architecture
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return bad("architecture");
    }
    if manifest.sha256.len() != 64
        || !manifest
            .sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return bad("sha256");
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{generate_signing_key, public_key_to_base64};
    use crate::release::sign_release;

    fn manifest(version: &str, architecture: &str) -> ReleaseManifest {
        ReleaseManifest {
            format: RELEASE_FORMAT,
            package: "legal-kiosk".into(),
            version: version.into(),
            architecture: architecture.into(),
            size: 1000,
            sha256: "ab".repeat(32),
            min_from_version: None,
            notes_zh: "修复".into(),
            issued_at: chrono::Utc::now(),
        }
    }

    fn setup() -> (ed25519_dalek::SigningKey, ReleaseVerifier) {
        let key = generate_signing_key().unwrap();
        let verifier = ReleaseVerifier {
            pinned: PinnedKeys::from_base64(&[public_key_to_base64(&key.verifying_key())]).unwrap(),
            package: "legal-kiosk".into(),
            architecture: "arm64".into(),
            running: "1.0.0".into(),
            max_package_bytes: 64 * 1024 * 1024,
        };
        (key, verifier)
    }

    #[test]
    fn a_newer_release_for_this_terminal_is_accepted() {
        let (key, verifier) = setup();
        let release = sign_release(&manifest("1.1.0", "arm64"), &key);
        assert_eq!(verifier.verify(&release).unwrap().version, "1.1.0");
    }

    #[test]
    fn each_refusal_has_its_own_error() {
        let (key, verifier) = setup();
        let stranger = generate_signing_key().unwrap();
        let other = sign_release(&manifest("1.1.0", "arm64"), &stranger);
        assert!(matches!(
            verifier.verify(&other),
            Err(ReleaseError::UnknownKey { .. })
        ));

        let mut tampered = sign_release(&manifest("1.1.0", "arm64"), &key);
        tampered.manifest = tampered.manifest.replace("1.1.0", "9.9.0");
        assert_eq!(verifier.verify(&tampered), Err(ReleaseError::BadSignature));

        let amd64 = sign_release(&manifest("1.1.0", "amd64"), &key);
        assert!(matches!(
            verifier.verify(&amd64),
            Err(ReleaseError::WrongArchitecture { ref got, .. }) if got == "amd64"
        ));
        for old in ["1.0.0", "0.9.9", "1.0.0~rc1"] {
            let older = sign_release(&manifest(old, "arm64"), &key);
            assert!(
                matches!(verifier.verify(&older), Err(ReleaseError::NotNewer { .. })),
                "{old}"
            );
        }
        let mut needs = manifest("2.0.0", "arm64");
        needs.min_from_version = Some("1.5.0".into());
        assert!(matches!(
            verifier.verify(&sign_release(&needs, &key)),
            Err(ReleaseError::RunningTooOld { .. })
        ));
        let mut big = manifest("1.1.0", "arm64");
        big.size = 65 * 1024 * 1024;
        assert!(matches!(
            verifier.verify(&sign_release(&big, &key)),
            Err(ReleaseError::TooLarge { .. })
        ));
        let mut other_package = manifest("1.1.0", "arm64");
        other_package.package = "bash".into();
        assert!(matches!(
            verifier.verify(&sign_release(&other_package, &key)),
            Err(ReleaseError::WrongPackage { .. })
        ));
        let mut bad_hash = manifest("1.1.0", "arm64");
        bad_hash.sha256 = "xyz".into();
        assert!(matches!(
            verifier.verify(&sign_release(&bad_hash, &key)),
            Err(ReleaseError::MalformedManifest(_))
        ));
    }

    #[test]
    fn the_package_check_refuses_short_long_and_altered_bytes() {
        use crate::release::PackageCheck;
        use sha2::{Digest as _, Sha256};
        let bytes = b"a debian package".to_vec();
        let mut m = manifest("1.1.0", "arm64");
        m.size = bytes.len() as u64;
        m.sha256 = hex::encode(Sha256::digest(&bytes));
        let mut whole = PackageCheck::new(&m);
        whole.update(&bytes[..5]).unwrap();
        whole.update(&bytes[5..]).unwrap();
        assert_eq!(whole.finish(), Ok(()));
        let mut short = PackageCheck::new(&m);
        short.update(&bytes[..5]).unwrap();
        assert_eq!(
            short.finish(),
            Err(ReleaseError::Truncated {
                expected: m.size,
                got: 5
            })
        );
        let mut long = PackageCheck::new(&m);
        long.update(&bytes).unwrap();
        assert!(matches!(
            long.update(b"x"),
            Err(ReleaseError::Overlong { .. })
        ));
        let mut altered = PackageCheck::new(&m);
        altered.update(b"A debian package").unwrap();
        assert_eq!(altered.finish(), Err(ReleaseError::HashMismatch));
    }
}
