//! The terminal's own identity: an Ed25519 key pair made on first start. The private key file
//! has mode 0600 and never leaves the device; the registry only ever sees the public key.

use crate::keys::{self, KeyError};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// The terminal's key pair.
pub struct DeviceIdentity {
    key: SigningKey,
}

impl DeviceIdentity {
    /// Loads the key from `path`, or creates it (mode 0600, parent folders too) on first start.
    /// The file is written atomically: a power cut during the first start leaves no key (a
    /// new one is made next time), never half of one that would keep the terminal from
    /// starting.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        if path.exists() {
            return Ok(Self {
                key: keys::read_private_key(path)?,
            });
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| KeyError::Io {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let key = keys::generate_signing_key()?;
        match keys::write_private_key(path, &key) {
            Ok(()) => Ok(Self { key }),
            // Another process made it first: that one is the terminal's key.
            Err(KeyError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists =>
            {
                Ok(Self {
                    key: keys::read_private_key(path)?,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// An identity from an existing key (tests, simulators).
    pub fn from_signing_key(key: SigningKey) -> Self {
        Self { key }
    }

    /// The public key, to send at enrolment.
    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public key as base64.
    pub fn public_key_base64(&self) -> String {
        keys::public_key_to_base64(&self.public_key())
    }

    /// Signs a message with the device key.
    pub fn sign(&self, message: &[u8]) -> Signature {
        self.key.sign(message)
    }
}

/// The device id the registry assigns to a public key: `kt-` and 16 hex digits of its SHA-256.
/// Stable for a key, so re-enrolling the same terminal keeps its id.
pub fn device_id_for(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("kt-{}", hex::encode(&digest[..8]))
}

#[cfg(test)]
mod tests;
