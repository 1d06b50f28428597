//! Personal data sealed to the legal-aid centre that will handle it (a citizen's consented
//! legal-aid pre-application): only that centre's private key opens it; the terminal that
//! made it, the network and the registry that stores it see ciphertext and a few routing
//! fields with nothing personal in them.
//!
//! The construction is HPKE (RFC 9180) in base mode with DHKEM(X25519, HKDF-SHA256),
//! HKDF-SHA256 and ChaCha20-Poly1305, from the `hpke` crate: a fresh ephemeral key per
//! message, the routing fields bound as associated data (moved to another region or check,
//! the box no longer opens).
//!
//! Keys: each legal-aid centre makes its own key pair (`kiosk-registry legal-aid keygen`; the
//! private key file never leaves the centre). The operations centre publishes the public
//! halves, one or more per region, as the signed bundle stream [`RECIPIENTS_STREAM`]; a
//! terminal seals to the most specific recipient whose region contains its own.

use crate::scope::region_contains;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable as _, Kem as _, OpModeR, OpModeS, Serializable as _};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::path::Path;
use zeroize::Zeroizing;

type Kem = X25519HkdfSha256;

/// The bundle stream with the recipients' public keys.
pub const RECIPIENTS_STREAM: &str = "legal-aid-recipients";
/// Its one file.
pub const RECIPIENTS_FILE: &str = "recipients.json";
/// The outbox/event kind of a pre-application.
pub const PRE_APPLICATION_KIND: &str = "legal_aid.pre_application";
/// The `type` field of a delivered pre-application.
pub const PRE_APPLICATION_TYPE: &str = "legal-aid.pre-application";
/// The cipher suite, named in every sealed box.
pub const SUITE: &str = "hpke-base-x25519-sha256-chacha20poly1305";
/// HPKE's `info`: what the key is used for.
const INFO: &[u8] = b"legal-kiosk legal-aid pre-application v1";
/// First line of a recipient's private key file.
const PRIVATE_KEY_HEADER: &str = "legal-kiosk legal-aid recipient private key v1";

/// Why sealing or opening failed.
#[derive(Debug, thiserror::Error)]
pub enum SealingError {
    /// A public key, private key or sealed box is not well formed.
    #[error("{0}")]
    Malformed(String),
    /// The box was not made for this key, or was altered, or its routing fields changed.
    #[error("the sealed box does not open with this key (another recipient's, or altered)")]
    WrongKeyOrAltered,
    /// HPKE refused to seal.
    #[error("cannot seal: {0}")]
    Seal(String),
    /// Reading or writing a key file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No randomness.
    #[error("no randomness available: {0}")]
    Random(String),
}

/// The id of a recipient key: `la-` and 16 hex digits of the SHA-256 of the public key.
pub fn key_id(public_key: &[u8]) -> String {
    format!("la-{}", hex::encode(&Sha256::digest(public_key)[..8]))
}

/// One legal-aid centre's public key, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// [`key_id`] of the public key.
    pub key_id: String,
    /// Region served (six-digit division code; `330100` covers every `3301xx`).
    pub region: String,
    /// The centre's name, e.g. 西湖区法律援助中心.
    pub centre: String,
    /// X25519 public key, standard base64 of 32 bytes.
    pub public_key: String,
}

impl Recipient {
    /// Checks the key decodes and its id matches.
    pub fn validate(&self) -> Result<(), SealingError> {
        let bytes = decode_b64("public_key", &self.public_key)?;
        <Kem as hpke::Kem>::PublicKey::from_bytes(&bytes)
            .map_err(|e| SealingError::Malformed(format!("public key of {}: {e}", self.centre)))?;
        if key_id(&bytes) != self.key_id {
            return Err(SealingError::Malformed(format!(
                "key_id {} does not match the public key of {}",
                self.key_id, self.centre
            )));
        }
        if !valid_region(&self.region) {
            return Err(SealingError::Malformed(format!(
                "region {:?} is not a six-digit division code",
                self.region
            )));
        }
        Ok(())
    }
}

/// How narrow a division code is: its length without trailing `00` pairs (province 2, city
/// 4, district 6), as `region_contains` reads it.
fn specificity(region: &str) -> usize {
    let mut prefix = region;
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    prefix.len()
}

fn valid_region(region: &str) -> bool {
    region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit())
}

/// The published directory of recipients (`recipients.json` in the bundle).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientDirectory {
    /// Always 1.
    pub format: u32,
    /// Every centre's key.
    pub recipients: Vec<Recipient>,
}

impl RecipientDirectory {
    /// Parses and checks a directory (every key valid, format 1).
    pub fn parse(bytes: &[u8]) -> Result<Self, SealingError> {
        let directory: Self = serde_json::from_slice(bytes)
            .map_err(|e| SealingError::Malformed(format!("{RECIPIENTS_FILE}: {e}")))?;
        if directory.format != 1 {
            return Err(SealingError::Malformed(format!(
                "{RECIPIENTS_FILE}: format {} is not supported",
                directory.format
            )));
        }
        for r in &directory.recipients {
            r.validate()?;
        }
        Ok(directory)
    }

    /// The recipient for a terminal in `region`: the most specific region that contains it
    /// (a district's own centre before the city's); `None` when no centre serves it.
    pub fn for_region(&self, region: &str) -> Option<&Recipient> {
        self.recipients
            .iter()
            .filter(|r| region_contains(&r.region, region))
            .max_by_key(|r| specificity(&r.region))
    }
}

/// A sealed box as it travels and is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedBox {
    /// [`SUITE`].
    pub suite: String,
    /// The recipient's [`key_id`].
    pub recipient: String,
    /// HPKE's encapsulated key, base64.
    pub enc: String,
    /// Ciphertext with its tag, base64.
    pub ciphertext: String,
}

fn decode_b64(what: &str, text: &str) -> Result<Vec<u8>, SealingError> {
    B64.decode(text.trim())
        .map_err(|_| SealingError::Malformed(format!("{what} is not base64")))
}

/// Seals `plaintext` to `recipient`, binding `aad` (the routing fields) to it.
pub fn seal(
    recipient: &Recipient,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<SealedBox, SealingError> {
    recipient.validate()?;
    let bytes = decode_b64("public_key", &recipient.public_key)?;
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(&bytes)
        .map_err(|e| SealingError::Malformed(e.to_string()))?;
    let (enc, ciphertext) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Kem>(
        &OpModeS::Base,
        &pk,
        INFO,
        plaintext,
        aad,
    )
    .map_err(|e| SealingError::Seal(e.to_string()))?;
    Ok(SealedBox {
        suite: SUITE.to_string(),
        recipient: recipient.key_id.clone(),
        enc: B64.encode(enc.to_bytes()),
        ciphertext: B64.encode(ciphertext),
    })
}

/// A legal-aid centre's private key.
pub struct RecipientSecret {
    key: <Kem as hpke::Kem>::PrivateKey,
    public: [u8; 32],
}

impl std::fmt::Debug for RecipientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecipientSecret({})", self.key_id())
    }
}

impl RecipientSecret {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Self, SealingError> {
        let mut ikm = Zeroizing::new([0u8; 32]);
        getrandom::fill(ikm.as_mut_slice()).map_err(|e| SealingError::Random(e.to_string()))?;
        let (key, _) = Kem::derive_keypair(ikm.as_slice());
        Ok(Self::from_key(key))
    }

    fn from_key(key: <Kem as hpke::Kem>::PrivateKey) -> Self {
        let mut public = [0u8; 32];
        public.copy_from_slice(&Kem::sk_to_pk(&key).to_bytes());
        Self { key, public }
    }

    /// The public half, base64 (to publish).
    pub fn public_key_base64(&self) -> String {
        B64.encode(self.public)
    }

    /// The key's id.
    pub fn key_id(&self) -> String {
        key_id(&self.public)
    }

    /// The published entry for this key.
    pub fn recipient(&self, region: &str, centre: &str) -> Recipient {
        Recipient {
            key_id: self.key_id(),
            region: region.to_string(),
            centre: centre.to_string(),
            public_key: self.public_key_base64(),
        }
    }

    /// Writes the key to a new file, mode 0600, atomically (never overwrites).
    pub fn write(&self, path: &Path) -> Result<(), SealingError> {
        crate::keys::write_key_file(path, PRIVATE_KEY_HEADER, &self.key.to_bytes()).map_err(
            |source| SealingError::Io {
                path: path.display().to_string(),
                source,
            },
        )
    }

    /// Reads a key file written by [`RecipientSecret::write`].
    pub fn read(path: &Path) -> Result<Self, SealingError> {
        let shown = path.display().to_string();
        let bytes = crate::keys::read_key_file(path, PRIVATE_KEY_HEADER).map_err(|e| match e {
            crate::keys::KeyFileError::Io(source) => SealingError::Io {
                path: shown.clone(),
                source,
            },
            crate::keys::KeyFileError::Malformed(why) => SealingError::Malformed(format!(
                "{shown}: not a legal-aid recipient private key file ({why})"
            )),
        })?;
        let key = <Kem as hpke::Kem>::PrivateKey::from_bytes(&bytes).map_err(|_| {
            SealingError::Malformed(format!("{shown}: the key is not an X25519 private key"))
        })?;
        Ok(Self::from_key(key))
    }

    /// Opens a box sealed to this key with the same `aad`.
    pub fn open(&self, sealed: &SealedBox, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealingError> {
        if sealed.suite != SUITE {
            return Err(SealingError::Malformed(format!(
                "unknown suite {:?}",
                sealed.suite
            )));
        }
        if sealed.recipient != self.key_id() {
            return Err(SealingError::WrongKeyOrAltered);
        }
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&decode_b64("enc", &sealed.enc)?)
            .map_err(|e| SealingError::Malformed(e.to_string()))?;
        let ciphertext = decode_b64("ciphertext", &sealed.ciphertext)?;
        hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Kem>(
            &OpModeR::Base,
            &self.key,
            &enc,
            INFO,
            &ciphertext,
            aad,
        )
        .map(Zeroizing::new)
        .map_err(|_| SealingError::WrongKeyOrAltered)
    }
}

/// A pre-application as the terminal delivers it and the registry keeps it: routing fields
/// (nothing personal) and either the sealed box or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedPreApplication {
    /// [`PRE_APPLICATION_TYPE`].
    #[serde(rename = "type")]
    pub event_type: String,
    /// The self-check it belongs to (a random id).
    pub check_id: String,
    /// The terminal's region (six-digit division code).
    pub region: String,
    /// The application, sealed to the region's legal-aid centre.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<SealedBox>,
    /// Set instead of `sealed` when the terminal could no longer open its own encrypted
    /// copy (damaged key or row): the centre learns an application was lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

impl SealedPreApplication {
    /// The associated data bound into the box: the routing fields and the recipient.
    pub fn aad(check_id: &str, region: &str, recipient: &str) -> Vec<u8> {
        format!(
            "{}\n{check_id}\n{region}\n{recipient}",
            String::from_utf8_lossy(INFO)
        )
        .into_bytes()
    }

    /// Seals `plaintext` (the application's JSON) for `recipient`.
    pub fn seal(
        check_id: &str,
        region: &str,
        recipient: &Recipient,
        plaintext: &[u8],
    ) -> Result<Self, SealingError> {
        let aad = Self::aad(check_id, region, &recipient.key_id);
        Ok(Self {
            event_type: PRE_APPLICATION_TYPE.to_string(),
            check_id: check_id.to_string(),
            region: region.to_string(),
            sealed: Some(seal(recipient, &aad, plaintext)?),
            unreadable: None,
        })
    }

    /// Checks a delivered payload: the right type, short plain fields, and exactly one of a
    /// well-formed box or a reason. Anything else (a payload in clear above all) is refused.
    pub fn from_payload(payload: &serde_json::Value) -> Result<Self, SealingError> {
        let p: Self = serde_json::from_value(payload.clone())
            .map_err(|e| SealingError::Malformed(format!("not a sealed pre-application: {e}")))?;
        let plain_ok = p.event_type == PRE_APPLICATION_TYPE
            && !p.check_id.is_empty()
            && p.check_id.len() <= 64
            && p.check_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && valid_region(&p.region)
            && p.unreadable.as_ref().is_none_or(|r| r.len() <= 200);
        if !plain_ok {
            return Err(SealingError::Malformed(
                "routing fields of a pre-application are malformed".into(),
            ));
        }
        match (&p.sealed, &p.unreadable) {
            (Some(b), None) if b.suite == SUITE => {
                decode_b64("enc", &b.enc)?;
                decode_b64("ciphertext", &b.ciphertext)?;
                Ok(p)
            }
            (None, Some(_)) => Ok(p),
            _ => Err(SealingError::Malformed(
                "a pre-application needs exactly one of a sealed box (of a known suite) or a reason"
                    .into(),
            )),
        }
    }

    /// Opens the box with the centre's key.
    pub fn open(&self, key: &RecipientSecret) -> Result<Zeroizing<Vec<u8>>, SealingError> {
        let sealed = self.sealed.as_ref().ok_or_else(|| {
            SealingError::Malformed("this pre-application holds no sealed box".into())
        })?;
        key.open(
            sealed,
            &Self::aad(&self.check_id, &self.region, &sealed.recipient),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = r#"{"id_number":"110101199001011237","name":"测试甲"}"#.as_bytes();

    fn directory(keys: &[(&RecipientSecret, &str)]) -> RecipientDirectory {
        RecipientDirectory {
            format: 1,
            recipients: keys
                .iter()
                .map(|(k, region)| k.recipient(region, "法律援助中心"))
                .collect(),
        }
    }

    #[test]
    fn only_the_recipients_key_opens_and_routing_fields_are_bound() {
        let centre = RecipientSecret::generate().unwrap();
        let other = RecipientSecret::generate().unwrap();
        let r = centre.recipient("330106", "西湖区法律援助中心");
        let sealed = SealedPreApplication::seal("chk-1", "330106", &r, SECRET).unwrap();
        let wire = serde_json::to_value(&sealed).unwrap();
        assert!(!wire.to_string().contains("110101199001011237"));
        let back = SealedPreApplication::from_payload(&wire).unwrap();
        assert_eq!(back.open(&centre).unwrap().as_slice(), SECRET);
        assert!(matches!(
            back.open(&other),
            Err(SealingError::WrongKeyOrAltered)
        ));
        let mut moved = back.clone();
        moved.region = "330108".into();
        assert!(matches!(
            moved.open(&centre),
            Err(SealingError::WrongKeyOrAltered)
        ));
        let mut renamed = back.clone();
        renamed.check_id = "chk-2".into();
        assert!(renamed.open(&centre).is_err());
    }

    #[test]
    fn a_payload_in_clear_or_with_extra_fields_is_not_a_sealed_pre_application() {
        let clear = serde_json::json!({
            "type": PRE_APPLICATION_TYPE, "check_id": "chk-1", "region": "330106",
            "pre_application": { "applicant": { "id_number": "110101199001011237" } }
        });
        assert!(SealedPreApplication::from_payload(&clear).is_err());
        let neither = serde_json::json!({
            "type": PRE_APPLICATION_TYPE, "check_id": "chk-1", "region": "330106"
        });
        assert!(SealedPreApplication::from_payload(&neither).is_err());
        let lost = serde_json::json!({
            "type": PRE_APPLICATION_TYPE, "check_id": "chk-1", "region": "330106",
            "unreadable": "the terminal's sealing key is damaged"
        });
        assert!(SealedPreApplication::from_payload(&lost).is_ok());
        let bad_region = serde_json::json!({
            "type": PRE_APPLICATION_TYPE, "check_id": "chk-1", "region": "张三",
            "unreadable": "x"
        });
        assert!(SealedPreApplication::from_payload(&bad_region).is_err());
    }

    #[test]
    fn the_most_specific_centre_serves_a_region() {
        let (city, district) = (
            RecipientSecret::generate().unwrap(),
            RecipientSecret::generate().unwrap(),
        );
        let dir = directory(&[(&city, "330100"), (&district, "330106")]);
        let text = serde_json::to_vec(&dir).unwrap();
        let dir = RecipientDirectory::parse(&text).unwrap();
        assert_eq!(dir.for_region("330106").unwrap().key_id, district.key_id());
        assert_eq!(dir.for_region("330108").unwrap().key_id, city.key_id());
        assert!(
            dir.for_region("330203").is_none(),
            "Ningbo has no centre here"
        );
    }

    #[test]
    fn a_directory_with_a_wrong_key_id_or_bad_key_is_refused() {
        let k = RecipientSecret::generate().unwrap();
        let mut dir = directory(&[(&k, "330106")]);
        dir.recipients[0].key_id = "la-0000000000000000".into();
        assert!(RecipientDirectory::parse(&serde_json::to_vec(&dir).unwrap()).is_err());
        let mut dir = directory(&[(&k, "330106")]);
        dir.recipients[0].public_key = "AAAA".into();
        assert!(RecipientDirectory::parse(&serde_json::to_vec(&dir).unwrap()).is_err());
        assert!(RecipientDirectory::parse(b"{\"format\":2,\"recipients\":[]}").is_err());
    }

    #[test]
    fn the_private_key_file_round_trips_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("centre.key");
        let key = RecipientSecret::generate().unwrap();
        key.write(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = RecipientSecret::read(&path).unwrap();
        assert_eq!(again.public_key_base64(), key.public_key_base64());
        assert!(key.write(&path).is_err(), "never overwritten");
        std::fs::write(&path, "something else\n").unwrap();
        assert!(RecipientSecret::read(&path).is_err());
    }
}
