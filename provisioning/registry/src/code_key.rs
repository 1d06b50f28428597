//! The secret key of enrolment-code hashes. A code has 50 bits; stored as a plain SHA-256,
//! a copy of the database would let anyone search for a valid code offline while it is
//! valid. Stored as HMAC-SHA256 under this key, the database alone confirms nothing. The key
//! is its own file (mode 0600, made on first use), beside the database unless
//! `--code-key`/`KIOSK_REGISTRY_CODE_KEY` names another place: keep it out of database
//! copies and backups (e.g. `/etc/kiosk-registry/enrolment-code.key`). Losing it only
//! invalidates the codes not used yet.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const KEY_LEN: usize = 32;

/// The key.
pub struct CodeKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeKey(<redacted>)")
    }
}

/// The key file could not be read or made.
#[derive(Debug, thiserror::Error)]
#[error("enrolment-code key {path}: {reason}")]
pub struct CodeKeyError {
    path: String,
    reason: String,
}

impl CodeKey {
    /// Where the key lives by default: beside the database.
    pub fn default_path(database: &Path) -> PathBuf {
        let folder = match database.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        folder.join("enrolment-code.key")
    }

    /// The default for a database: beside a SQLite file; in the working folder for
    /// PostgreSQL (every instance of one registry needs the same key: pass `--code-key`).
    pub fn default_path_for(database: &crate::store::DbTarget) -> PathBuf {
        match database.sqlite_path() {
            Some(path) => Self::default_path(path),
            None => PathBuf::from("enrolment-code.key"),
        }
    }

    /// Reads the key at `path`, making it first if there is none.
    pub fn load_or_create(path: &Path) -> Result<Self, CodeKeyError> {
        let failed = |reason: String| CodeKeyError {
            path: path.display().to_string(),
            reason,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                return Self::from_bytes(&bytes).ok_or_else(|| failed("not a 32-byte key".into()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed(e.to_string())),
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(key.as_mut_slice()).map_err(|e| failed(format!("no randomness: {e}")))?;
        match crate::files::create_private(path, key.as_slice(), None) {
            Ok(()) => Ok(Self(key)),
            // Made by another process meanwhile: use that one.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| failed(e.to_string()))?);
                Self::from_bytes(&bytes).ok_or_else(|| failed("not a 32-byte key".into()))
            }
            Err(e) => Err(failed(e.to_string())),
        }
    }

    /// The key beside `database` (tests, tools).
    pub fn for_database(database: &Path) -> Result<Self, CodeKeyError> {
        Self::load_or_create(&Self::default_path(database))
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let key: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(key)))
    }

    /// HMAC-SHA256 of a normalised code, hex.
    pub fn hash(&self, normalised_code: &str) -> String {
        let mut mac = <Hmac<Sha256>>::new_from_slice(self.0.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(normalised_code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests;
