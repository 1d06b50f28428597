//! Outbox events that carry personal data a citizen consented to send (a legal-aid
//! pre-application): the outbox row itself holds only an anonymous stub, and the real payload
//! is stored beside it encrypted (XChaCha20-Poly1305, bound to the row) with a key that never
//! leaves the terminal's data folder. At delivery the sync client opens it only to seal it
//! again to the legal-aid centre of the terminal's region (`provisioning::sealing`), so it
//! travels and is stored at the registry as ciphertext; the encrypted row is deleted
//! together with its outbox row when the registry acknowledges it.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use thiserror::Error;
use zeroize::Zeroizing;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// Why a sealed payload could not be written or read.
#[derive(Debug, Error)]
pub enum SealError {
    #[error("the sealing key {path} cannot be read or created: {source}")]
    Key {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the sealing key {0} is not a {KEY_LEN}-byte key")]
    BadKey(PathBuf),
    #[error("the sealed payload cannot be encrypted")]
    Encrypt,
    #[error("the sealed payload of outbox event {0} cannot be opened (wrong key or altered)")]
    Open(i64),
    #[error("the sealed payload is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// The terminal's key for sealed outbox payloads.
pub struct SealKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(<redacted>)")
    }
}

impl SealKey {
    /// Where the key lives in a data folder.
    pub fn path_in(data_dir: &Path) -> PathBuf {
        data_dir.join("keys/outbox-seal.key")
    }

    /// Reads the key at `path`, creating it (mode 0600) if there is none. Safe when two
    /// threads start at once: the key appears whole or not at all.
    pub fn load_or_create(path: &Path) -> Result<Self, SealError> {
        let key_err = |source| SealError::Key {
            path: path.to_path_buf(),
            source,
        };
        match std::fs::read(path) {
            Ok(bytes) => return Self::from_file_bytes(path, Zeroizing::new(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(key_err(e)),
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(key_err)?;
        let key: Zeroizing<[u8; KEY_LEN]> = Zeroizing::new(rand::random());
        // Written whole under a private name, then linked into place: a reader never sees
        // half a key, and if another thread won the race its key is the one kept.
        let tmp = dir.join(format!(".outbox-seal.{}.tmp", crate::ids::random_hex()));
        let written = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(key.as_slice())?;
            file.sync_all()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(key_err(e));
        }
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(Self(key)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let bytes = Zeroizing::new(std::fs::read(path).map_err(key_err)?);
                Self::from_file_bytes(path, bytes)
            }
            Err(e) => Err(key_err(e)),
        }
    }

    fn from_file_bytes(path: &Path, bytes: Zeroizing<Vec<u8>>) -> Result<Self, SealError> {
        let key: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| SealError::BadKey(path.to_path_buf()))?;
        Ok(Self(Zeroizing::new(key)))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new_from_slice(self.0.as_slice())
            .unwrap_or_else(|_| unreachable!("the key has the cipher's length"))
    }

    fn seal(&self, seq: i64, plaintext: &[u8]) -> Result<([u8; NONCE_LEN], Vec<u8>), SealError> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let aad = aad(seq);
        let ciphertext = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Encrypt)?;
        Ok((nonce, ciphertext))
    }

    fn open(
        &self,
        seq: i64,
        nonce: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Open(seq))?;
        let aad = aad(seq);
        self.cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Open(seq))
    }
}

/// Binds a ciphertext to its outbox row: moved to another row, it no longer opens.
fn aad(seq: i64) -> Vec<u8> {
    format!("legal-kiosk outbox {seq}").into_bytes()
}

/// Appends an outbox event whose row holds only `stub` (nothing personal) and whose real
/// payload, `sealed`, is stored encrypted beside it. Call it inside the transaction of the
/// change it reports. Returns the outbox sequence number.
pub fn append_sealed<P: Serialize, S: Serialize>(
    conn: &Connection,
    key: &SealKey,
    kind: &str,
    stub: &P,
    sealed: &S,
    at: DateTime<FixedOffset>,
) -> Result<i64, SealError> {
    // Serialised into a buffer that is wiped when dropped; sized so it rarely regrows (a
    // regrown buffer leaves a copy behind in freed memory).
    let mut plaintext = Zeroizing::new(Vec::with_capacity(8192));
    serde_json::to_writer(&mut *plaintext, sealed)?;
    let seq = crate::store::outbox::append(conn, kind, stub, at)?;
    let (nonce, ciphertext) = key.seal(seq, &plaintext)?;
    conn.execute(
        "INSERT INTO outbox_sealed (seq, nonce, ciphertext) VALUES (?1, ?2, ?3)",
        params![seq, nonce.as_slice(), ciphertext],
    )?;
    Ok(seq)
}

/// The real payload of outbox event `seq`, if it was sealed; `Ok(None)` for an ordinary event.
pub fn open_sealed(
    conn: &Connection,
    key: &SealKey,
    seq: i64,
) -> Result<Option<serde_json::Value>, SealError> {
    match open_sealed_bytes(conn, key, seq)? {
        Some(plaintext) => Ok(Some(serde_json::from_slice(&plaintext)?)),
        None => Ok(None),
    }
}

/// The real payload of outbox event `seq` as JSON bytes (wiped when dropped), if it was
/// sealed; `Ok(None)` for an ordinary event.
pub fn open_sealed_bytes(
    conn: &Connection,
    key: &SealKey,
    seq: i64,
) -> Result<Option<Zeroizing<Vec<u8>>>, SealError> {
    let row: Option<(Vec<u8>, Vec<u8>)> = conn
        .query_row(
            "SELECT nonce, ciphertext FROM outbox_sealed WHERE seq = ?1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((nonce, ciphertext)) = row else {
        return Ok(None);
    };
    key.open(seq, &nonce, &ciphertext).map(Some)
}

/// Deletes the sealed payload of outbox event `seq` (when the registry acknowledged it).
pub fn delete_sealed(conn: &Connection, seq: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM outbox_sealed WHERE seq = ?1", [seq])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn at() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-26T09:30:00+08:00").unwrap()
    }

    #[test]
    fn a_sealed_payload_is_not_readable_in_the_file_and_opens_only_with_its_key_and_row() {
        let dir = tempfile::tempdir().unwrap();
        let key = SealKey::load_or_create(&SealKey::path_in(dir.path())).unwrap();
        let mut store = Store::open(&Store::path_in(dir.path())).unwrap();
        let secret = serde_json::json!({ "name": "测试甲", "id_number": "110101199001011237" });
        let seq = append_sealed(
            store.conn(),
            &key,
            "test.sealed",
            &serde_json::json!({ "sealed": true }),
            &secret,
            at(),
        )
        .unwrap();
        let stub: String = store
            .conn()
            .query_row("SELECT payload FROM outbox WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(!stub.contains("110101199001011237"), "{stub}");
        let ciphertext: Vec<u8> = store
            .conn()
            .query_row(
                "SELECT ciphertext FROM outbox_sealed WHERE seq = ?1",
                [seq],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!ciphertext.windows(4).any(|w| w == b"1101"));

        assert_eq!(open_sealed(store.conn(), &key, seq).unwrap(), Some(secret));
        let other = SealKey::load_or_create(&dir.path().join("other.key")).unwrap();
        assert!(matches!(
            open_sealed(store.conn(), &other, seq),
            Err(SealError::Open(_))
        ));
        // Moved to another row, the ciphertext no longer opens.
        let other_seq = crate::store::outbox::append(store.conn(), "test.plain", &1, at()).unwrap();
        store
            .conn()
            .execute(
                "UPDATE outbox_sealed SET seq = ?1 WHERE seq = ?2",
                [other_seq, seq],
            )
            .unwrap();
        assert!(matches!(
            open_sealed(store.conn(), &key, other_seq),
            Err(SealError::Open(_))
        ));
        assert_eq!(open_sealed(store.conn(), &key, seq).unwrap(), None);
    }

    #[test]
    fn the_key_is_private_reused_and_a_damaged_key_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = SealKey::path_in(dir.path());
        let first = SealKey::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = SealKey::load_or_create(&path).unwrap();
        assert_eq!(first.0.as_slice(), again.0.as_slice());
        assert_eq!(format!("{first:?}"), "SealKey(<redacted>)");
        std::fs::write(&path, b"short").unwrap();
        assert!(matches!(
            SealKey::load_or_create(&path),
            Err(SealError::BadKey(_))
        ));
    }

    #[test]
    fn threads_starting_together_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = SealKey::path_in(dir.path());
        let keys: Vec<Vec<u8>> = (0..8)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || SealKey::load_or_create(&path).unwrap().0.to_vec())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect();
        assert!(keys.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn deleting_the_outbox_row_deletes_its_sealed_payload() {
        let dir = tempfile::tempdir().unwrap();
        let key = SealKey::load_or_create(&SealKey::path_in(dir.path())).unwrap();
        let mut store = Store::open(&Store::path_in(dir.path())).unwrap();
        let seq = append_sealed(store.conn(), &key, "test.sealed", &1, &2, at()).unwrap();
        store
            .conn()
            .execute("DELETE FROM outbox WHERE seq = ?1", [seq])
            .unwrap();
        let left: i64 = store
            .conn()
            .query_row("SELECT COUNT(*) FROM outbox_sealed", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "the foreign key cascades");
    }
}
