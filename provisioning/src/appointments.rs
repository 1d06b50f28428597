//! The `appointments` bundle (issue 20): one platform's bookings for today and tomorrow and
//! its region's key for ID-number hashes, as the registry publishes it and terminals check
//! citizens in with. A booking holds no full ID number and no full name: a keyed hash of the
//! number (HMAC-SHA256 under the region's key, which never leaves the region's terminals
//! and the registry) and the name masked as on glass.

use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The bundle stream.
pub const BUNDLE_STREAM: &str = "appointments";
/// The file inside that bundle.
pub const BUNDLE_FILE: &str = "appointments.json";
/// The format written and read.
pub const FORMAT: u32 = 1;
/// Most bookings one bundle carries (two days of a large centre, with room).
pub const MAX_BOOKINGS: usize = 20_000;

/// The `appointments` bundle's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentsFile {
    /// [`FORMAT`].
    pub format: u32,
    /// The platform.
    pub platform_id: String,
    /// Its region (the hash key's).
    pub region: String,
    /// When it was made (RFC 3339).
    pub generated_at: String,
    /// The local days it covers (today, tomorrow), `YYYY-MM-DD`.
    pub days: Vec<String>,
    /// How terminals hash an ID number to match a booking or look up work orders.
    pub id_hash: HashKey,
    /// The bookings of those days still booked.
    pub bookings: Vec<BundledBooking>,
}

/// The region's key for ID numbers' hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashKey {
    /// `HMAC-SHA256`.
    pub algorithm: String,
    /// What is hashed.
    pub input: String,
    /// The key, base64.
    pub key: String,
}

/// A booking as the platform's terminals get it (for check-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundledBooking {
    /// Booking code.
    pub code: String,
    /// Service.
    pub service_id: String,
    /// Local start, `YYYY-MM-DDTHH:MM` (China Standard Time).
    pub start: String,
    /// Masked name.
    pub masked_name: String,
    /// Keyed hash of the ID number.
    pub id_hash: String,
}

/// Why an `appointments.json` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AppointmentsFileError {
    /// Not JSON of this shape.
    #[error("{BUNDLE_FILE} is not readable: {0}")]
    Json(#[from] serde_json::Error),
    /// A format this build does not read.
    #[error("{BUNDLE_FILE} has format {0}; this build reads format {FORMAT}")]
    Format(u32),
    /// A bad key or booking.
    #[error("{BUNDLE_FILE}: {0}")]
    Invalid(String),
}

impl AppointmentsFile {
    /// Parses and checks a file: the key, every booking's code, hash and start.
    pub fn parse(bytes: &[u8]) -> Result<Self, AppointmentsFileError> {
        let file: Self = serde_json::from_slice(bytes)?;
        if file.format != FORMAT {
            return Err(AppointmentsFileError::Format(file.format));
        }
        let invalid = |what: String| Err(AppointmentsFileError::Invalid(what));
        if file.id_hash.algorithm != "HMAC-SHA256" || file.key().is_none() {
            return invalid("the ID hash key is not an HMAC-SHA256 key in base64".into());
        }
        if file.bookings.len() > MAX_BOOKINGS {
            return invalid(format!("more than {MAX_BOOKINGS} bookings"));
        }
        let mut codes = std::collections::HashSet::new();
        for (i, b) in file.bookings.iter().enumerate() {
            if normalise_code(&b.code).as_deref() != Some(b.code.as_str()) {
                return invalid(format!("bookings[{i}]: {:?} is not a booking code", b.code));
            }
            if !codes.insert(b.code.as_str()) {
                return invalid(format!("bookings[{i}]: code {} listed twice", b.code));
            }
            if !is_id_hash(&b.id_hash) {
                return invalid(format!("bookings[{i}]: the ID hash is not 64 hex digits"));
            }
            if chrono::NaiveDateTime::parse_from_str(&b.start, "%Y-%m-%dT%H:%M").is_err() {
                return invalid(format!(
                    "bookings[{i}]: start {:?} is not YYYY-MM-DDTHH:MM",
                    b.start
                ));
            }
            if b.masked_name.chars().count() > 50 || b.service_id.len() > 64 {
                return invalid(format!("bookings[{i}]: name or service too long"));
            }
        }
        Ok(file)
    }

    /// The hash key's bytes.
    pub fn key(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(&self.id_hash.key)
            .ok()
            .filter(|k| k.len() >= 16)
    }
}

/// A resident ID number as the hash covers it: trimmed, upper case (the check character
/// `X`), if it is a well-formed 18-character number (resident cards, Hong Kong/Macao/Taiwan
/// residence permits and the 2023 foreigners' permanent residence cards share the GB 11643
/// layout and check character).
pub fn normalise_id_number(number: &str) -> Option<String> {
    let n = number.trim().to_ascii_uppercase();
    let bytes = n.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    (bytes[17] == CHECK[(sum % 11) as usize]).then_some(n)
}

/// The keyed hash of an ID number (already normalised) under a region's key: HMAC-SHA256,
/// lower-case hex. Terminals of the region compute the same from the card they read, with
/// the key from the `appointments` bundle; without the key nobody can test guesses.
pub fn id_hash(key: &[u8], normalised: &str) -> String {
    // HMAC takes a key of any length: new_from_slice cannot fail for it.
    let mut mac = <Hmac<Sha256>>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(normalised.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `text` looks like a keyed hash (64 lower-case hex characters).
pub fn is_id_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Booking codes use these characters: no 0/O, 1/I/L, so a code read over the phone or
/// typed on the touchscreen cannot be mistaken.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Characters in a booking code (31^8 ≈ 8.5 × 10^11 codes).
pub const CODE_LEN: usize = 8;

/// A booking code as typed (lower case, spaces or a dash in the middle) in its stored
/// form, if it can be one.
pub fn normalise_code(text: &str) -> Option<String> {
    let code: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// The fuzz target `appointments_bundle`: any bytes give a file or an error, never a panic.
pub fn fuzz(data: &[u8]) {
    if let Ok(file) = AppointmentsFile::parse(data) {
        assert!(file.key().is_some());
        let again = serde_json::to_vec(&file).unwrap_or_default();
        assert_eq!(AppointmentsFile::parse(&again).ok(), Some(file));
    }
}

/// Whether a phone number is plausible: 5 to 20 digits, an optional leading `+`, dashes or
/// spaces between (a mobile, a landline with its area code, an extension).
pub fn valid_phone(phone: &str) -> bool {
    let p = phone.trim();
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let body = p.strip_prefix('+').unwrap_or(p);
    (5..=20).contains(&digits)
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appointments_bundle_corpus_replays() {
        crate::fuzz_corpus::replay_committed_inputs("appointments_bundle", fuzz);
    }

    #[test]
    fn the_committed_seeds_are_one_good_file_and_one_with_a_code_twice() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/corpus/appointments_bundle");
        let good = std::fs::read(dir.join("seed-0")).unwrap();
        assert_eq!(AppointmentsFile::parse(&good).unwrap().bookings.len(), 1);
        let twice = std::fs::read(dir.join("seed-1")).unwrap();
        let err = AppointmentsFile::parse(&twice).unwrap_err().to_string();
        assert!(err.contains("listed twice"), "{err}");
    }
}
