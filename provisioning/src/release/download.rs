//! Checking a package as it arrives: never more than the manifest's size, and at the end
//! exactly that size and its SHA-256. A resumed download feeds the bytes already on disk
//! first, so the hash covers the whole file.

use super::{ReleaseError, ReleaseManifest};
use sha2::{Digest as _, Sha256};

/// The running check of one package download.
#[derive(Debug, Clone)]
pub struct PackageCheck {
    expected_size: u64,
    expected_sha256: String,
    received: u64,
    hasher: Sha256,
}

impl PackageCheck {
    /// Starts the check of `manifest`'s package.
    pub fn new(manifest: &ReleaseManifest) -> Self {
        Self::expecting(manifest.size, &manifest.sha256)
    }

    /// Starts the check of any signed file of `size` bytes hashing to `sha256` (a map file).
    pub fn expecting(size: u64, sha256: &str) -> Self {
        Self {
            expected_size: size,
            expected_sha256: sha256.to_string(),
            received: 0,
            hasher: Sha256::new(),
        }
    }

    /// Bytes received so far (where a resumed download continues).
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Takes the next bytes; refuses more than the manifest's size.
    pub fn update(&mut self, bytes: &[u8]) -> Result<(), ReleaseError> {
        let total = self.received.saturating_add(bytes.len() as u64);
        if total > self.expected_size {
            return Err(ReleaseError::Overlong {
                expected: self.expected_size,
            });
        }
        self.hasher.update(bytes);
        self.received = total;
        Ok(())
    }

    /// The final check: the whole size arrived and it hashes to the manifest's SHA-256.
    pub fn finish(self) -> Result<(), ReleaseError> {
        if self.received < self.expected_size {
            return Err(ReleaseError::Truncated {
                expected: self.expected_size,
                got: self.received,
            });
        }
        if hex::encode(self.hasher.finalize()) != self.expected_sha256 {
            return Err(ReleaseError::HashMismatch);
        }
        Ok(())
    }
}
