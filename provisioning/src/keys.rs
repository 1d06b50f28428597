//! How Ed25519 keys are written down: public keys as standard base64 of the 32 raw bytes,
//! private keys as a small text file holding the base64 of the 32-byte seed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
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

/// Why a key file could not be read.
pub(crate) enum KeyFileError {
    /// Reading it failed.
    Io(std::io::Error),
    /// It is not a key file of the expected kind.
    Malformed(&'static str),
}

/// Writes a new key file, mode 0600, atomically (it appears whole or not at all, even
/// across a power cut; never replaces one): `header`, then the base64 of `secret`.
pub(crate) fn write_key_file(path: &Path, header: &str, secret: &[u8]) -> std::io::Result<()> {
    let text = zeroize::Zeroizing::new(format!("{header}\n{}\n", B64.encode(secret)));
    crate::files::create_new_atomically(path, text.as_bytes(), 0o600, None)
}

/// The secret bytes of a file written by [`write_key_file`] with `header`; tightens its
/// mode to 0600 if a copy loosened it (a kiosk must keep working, but the key must not stay
/// world-readable).
pub(crate) fn read_key_file(
    path: &Path,
    header: &str,
) -> Result<zeroize::Zeroizing<Vec<u8>>, KeyFileError> {
    let meta = fs::metadata(path).map_err(KeyFileError::Io)?;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(KeyFileError::Io)?;
    }
    let text = zeroize::Zeroizing::new(fs::read_to_string(path).map_err(KeyFileError::Io)?);
    let mut lines = text.lines();
    if lines.next() != Some(header) {
        return Err(KeyFileError::Malformed("missing header line"));
    }
    B64.decode(lines.next().unwrap_or("").trim())
        .map(zeroize::Zeroizing::new)
        .map_err(|_| KeyFileError::Malformed("key line is not base64"))
}

/// Writes a private key to a new file with mode 0600, atomically (it appears whole or not
/// at all, even across a power cut); never overwrites an existing file.
pub fn write_private_key(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    write_key_file(path, PRIVATE_KEY_HEADER, &key.to_bytes()).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads a private key file written by [`write_private_key`] (tightening a loosened mode).
pub fn read_private_key(path: &Path) -> Result<SigningKey, KeyError> {
    let shown = path.display().to_string();
    let seed = read_key_file(path, PRIVATE_KEY_HEADER).map_err(|e| match e {
        KeyFileError::Io(source) => KeyError::Io {
            path: shown.clone(),
            source,
        },
        KeyFileError::Malformed(reason) => KeyError::BadPrivateKeyFile {
            path: shown.clone(),
            reason: reason.to_string(),
        },
    })?;
    let seed: [u8; 32] = seed
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::BadPrivateKeyFile {
            path: shown.clone(),
            reason: "key is not 32 bytes".into(),
        })?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests;
