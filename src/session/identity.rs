//! What a ticket may record about a person: a keyed hash of the ID number for
//! de-duplication (the key never leaves the terminal, so the hash cannot be reversed by
//! trying every birth date and district elsewhere), and an age band rather than a birth date.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use chrono::NaiveDate;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// The terminal's secret key for hashing ID numbers.
pub struct HashKey(Zeroizing<[u8; 32]>);

impl HashKey {
    /// Reads the key from `path`, creating it (mode 0600) on first start.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} is not a 32-byte key", path.display()),
                    )
                })?;
                Ok(Self(Zeroizing::new(key)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = rand::random();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)?;
                file.write_all(&key)?;
                file.sync_all()?;
                Ok(Self(Zeroizing::new(key)))
            }
            Err(e) => Err(e),
        }
    }

    /// The key written as 64 hex digits (a client terminal uses its host's, so that one
    /// person's hash is the same at every terminal of the centre).
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = Zeroizing::new(hex::decode(text.trim()).ok()?);
        let key: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(Self(Zeroizing::new(key)))
    }

    /// Reads the key at `path` as hex, if it exists (for `legal-kiosk queue client-token`).
    pub fn read_hex(path: &Path) -> std::io::Result<String> {
        let bytes = Zeroizing::new(std::fs::read(path)?);
        if bytes.len() != 32 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not a 32-byte key", path.display()),
            ));
        }
        Ok(hex::encode(bytes.as_slice()))
    }

    #[cfg(test)]
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self(Zeroizing::new(key))
    }

    /// HMAC-SHA-256 of the normalised number (upper-case X), hex.
    pub fn hash_id_number(&self, number: &str) -> String {
        let normalised = Zeroizing::new(number.trim().to_ascii_uppercase());
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(normalised.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Age on `today` in whole years.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    today.years_since(birth).unwrap_or(0)
}

/// A coarse age band for statistics and priority: never the birth date itself.
pub fn age_band(age: u32) -> &'static str {
    match age {
        0..=17 => "0-17",
        18..=44 => "18-44",
        45..=59 => "45-59",
        60..=69 => "60-69",
        70..=79 => "70-79",
        _ => "80+",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_keyed_stable_and_ignores_the_case_of_x() {
        let a = HashKey::from_bytes([1; 32]);
        let b = HashKey::from_bytes([2; 32]);
        let h = a.hash_id_number("11010519491231002X");
        assert_eq!(h, a.hash_id_number("11010519491231002x"));
        assert_ne!(
            h,
            b.hash_id_number("11010519491231002X"),
            "another terminal, another hash"
        );
        assert_eq!(h.len(), 64);
        assert!(!h.contains("110105"));
    }

    #[test]
    fn the_key_is_created_once_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/id-hash.key");
        let first = HashKey::load_or_create(&path)
            .unwrap()
            .hash_id_number("440524188001010014");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = HashKey::load_or_create(&path)
            .unwrap()
            .hash_id_number("440524188001010014");
        assert_eq!(first, again);
    }

    #[test]
    fn ages_and_bands() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(age_on(d(1966, 11, 27), d(2026, 11, 26)), 59);
        assert_eq!(age_on(d(1966, 11, 26), d(2026, 11, 26)), 60);
        assert_eq!(age_band(59), "45-59");
        assert_eq!(age_band(60), "60-69");
        assert_eq!(age_band(17), "0-17");
        assert_eq!(age_band(93), "80+");
    }
}

/// What the citizen's session lets a ticket record about the person: never a full ID
/// number or a name. Wiped from memory when dropped.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    zeroize::Zeroize,
    zeroize::ZeroizeOnDrop,
)]
pub struct TicketIdentity {
    /// First 3 and last 4 characters of the ID number, the rest as `*`.
    pub masked_id: String,
    /// Keyed hash of the full number (key per terminal), for de-duplication only.
    pub id_hash: String,
    /// e.g. `60-69`.
    pub age_band: String,
    /// At or above the priority age, for the queue's priority rules.
    pub elderly: bool,
}
