//! How Ed25519 keys are written down: public keys as standard base64 of the 32 raw bytes,
//! private keys as a small text file holding the base64 of the 32-byte seed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

/// First line of a private key file; guards against pointing the tools at the wrong file.
const PRIVATE_KEY_HEADER: &str = "legal-kiosk ed25519 private key v1";

/// A key could not be parsed, read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The text is not base64 of exactly 32 bytes.
    #[error("not an Ed25519 public key (expected base64 of 32 bytes): {0}")]
    BadPublicKey(String),
    /// The 32 bytes are not a valid curve point or are a weak (small-order) key.
    #[error("Ed25519 public key is invalid or weak")]
    WeakPublicKey,
    /// The private key file does not have the expected format.
    #[error("{path}: not a legal-kiosk private key file ({reason})")]
    BadPrivateKeyFile {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a key file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The operating system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
}

/// Encodes a public key as base64.
pub fn public_key_to_base64(key: &VerifyingKey) -> String {
    B64.encode(key.as_bytes())
}

/// Parses a base64 public key, refusing weak (small-order) keys.
pub fn public_key_from_base64(text: &str) -> Result<VerifyingKey, KeyError> {
    let bytes = B64
        .decode(text.trim())
        .map_err(|e| KeyError::BadPublicKey(e.to_string()))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|v: Vec<u8>| KeyError::BadPublicKey(format!("{} bytes", v.len())))?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::WeakPublicKey)?;
    if key.is_weak() {
        return Err(KeyError::WeakPublicKey);
    }
    Ok(key)
}

/// Makes a new signing key from the operating system's random source.
pub fn generate_signing_key() -> Result<SigningKey, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    Ok(key)
}

/// Writes a private key to a new file with mode 0600; never overwrites an existing file.
pub fn write_private_key(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    let text = format!("{PRIVATE_KEY_HEADER}\n{}\n", B64.encode(key.to_bytes()));
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(())
}

/// Reads a private key file written by [`write_private_key`]; tightens its mode to 0600 if a
/// copy loosened it (a kiosk must keep working, but the key must not stay world-readable).
pub fn read_private_key(path: &Path) -> Result<SigningKey, KeyError> {
    let shown = path.display().to_string();
    let io = |source| KeyError::Io {
        path: shown.clone(),
        source,
    };
    let meta = fs::metadata(path).map_err(io)?;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    let text = fs::read_to_string(path).map_err(io)?;
    let bad = |reason: &str| KeyError::BadPrivateKeyFile {
        path: shown.clone(),
        reason: reason.to_string(),
    };
    let mut lines = text.lines();
    if lines.next() != Some(PRIVATE_KEY_HEADER) {
        return Err(bad("missing header line"));
    }
    let seed = B64
        .decode(lines.next().unwrap_or("").trim())
        .map_err(|_| bad("key line is not base64"))?;
    let seed: [u8; 32] = seed.try_into().map_err(|_| bad("key is not 32 bytes"))?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_key_round_trips_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let key = generate_signing_key().unwrap();
        write_private_key(&path, &key).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(read_private_key(&path).unwrap().to_bytes(), key.to_bytes());
        assert!(matches!(
            write_private_key(&path, &key),
            Err(KeyError::Io { .. })
        ));
    }

    #[test]
    fn weak_and_malformed_public_keys_are_refused() {
        assert!(matches!(
            public_key_from_base64("abc"),
            Err(KeyError::BadPublicKey(_))
        ));
        // The identity point (small order) encoded as 32 bytes.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(
            public_key_from_base64(&B64.encode(identity)),
            Err(KeyError::WeakPublicKey)
        ));
        let good = generate_signing_key().unwrap().verifying_key();
        assert_eq!(
            public_key_from_base64(&public_key_to_base64(&good)).unwrap(),
            good
        );
    }
}
