//! One-time enrolment codes and the enrolment itself.

use super::{StoreError, now_text, time_text};
use crate::code_key::CodeKey;
use chrono::{DateTime, Utc};
use provisioning::protocol::{ErrorCode, normalise_enrolment_code};
use rusqlite::{Connection, OptionalExtension as _, params};

/// Crockford base32 without I, L, O, U: easy to read aloud and type.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code (50 bits).
const CODE_LENGTH: usize = 10;

pub(crate) fn code_hash(key: &CodeKey, code: &str) -> String {
    key.hash(&normalise_enrolment_code(code))
}

/// Makes a code for `platform_id`, valid until `expires_at`. Only its keyed hash is stored;
/// the returned text (e.g. `7KQ4M-2XHP9`) is shown once to the ops staff.
pub fn create_code(
    conn: &Connection,
    key: &CodeKey,
    platform_id: &str,
    expires_at: DateTime<Utc>,
) -> Result<String, StoreError> {
    if super::platforms::get(conn, platform_id)?.is_none() {
        return Err(no_platform(platform_id));
    }
    let code = new_code()?;
    conn.execute(
        "INSERT INTO enrolment_codes (code_hash, platform_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![code_hash(key, &code), platform_id, now_text(), time_text(expires_at)],
    )?;
    Ok(shown(&code))
}

/// Refusal of a code for a platform that does not exist.
pub(crate) fn no_platform(platform_id: &str) -> StoreError {
    StoreError::NotFound(format!("no platform {platform_id}; add it first"))
}

/// A fresh random code (10 characters).
pub(crate) fn new_code() -> Result<String, StoreError> {
    let mut raw = [0u8; CODE_LENGTH];
    getrandom::fill(&mut raw).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(raw
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// The code as shown to the ops staff, e.g. `7KQ4M-2XHP9`.
pub(crate) fn shown(code: &str) -> String {
    format!("{}-{}", &code[..5], &code[5..])
}

/// Why an enrolment was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Machine-readable reason.
    pub code: ErrorCode,
    /// For the installer.
    pub message: String,
}

/// A new terminal's enrolment request, already checked for proof of possession.
pub struct NewTerminal<'a> {
    /// The code as typed.
    pub code: &'a str,
    /// Device id derived from the key.
    pub device_id: &'a str,
    /// Public key, base64.
    pub public_key: &'a str,
    /// Board serial.
    pub hardware_serial: &'a str,
    /// Firmware version.
    pub app_version: &'a str,
}

/// Where an enrolled terminal belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    /// Platform id.
    pub platform_id: String,
    /// Region.
    pub region: String,
}

fn refusal(code: ErrorCode, message: &str) -> Refusal {
    Refusal {
        code,
        message: message.to_string(),
    }
}

/// The code's platform, given its (platform, expiry, used) row, or why it is refused.
pub(crate) fn check_code(
    row: Option<(String, String, Option<String>)>,
    now: DateTime<Utc>,
) -> Result<String, Refusal> {
    let Some((platform_id, expires_at, used_at)) = row else {
        return Err(refusal(
            ErrorCode::EnrolmentCodeUnknown,
            "this enrolment code is not known to the registry; check it or ask the operations centre for a new one",
        ));
    };
    if used_at.is_some() {
        return Err(refusal(
            ErrorCode::EnrolmentCodeUsed,
            "this enrolment code was already used; ask the operations centre for a new one",
        ));
    }
    if expires_at <= time_text(now) {
        return Err(refusal(
            ErrorCode::EnrolmentCodeExpired,
            "this enrolment code has expired; ask the operations centre for a new one",
        ));
    }
    Ok(platform_id)
}

/// Refusal of a key whose terminal was revoked.
pub(crate) fn check_key(status: Option<&str>) -> Option<Refusal> {
    (status == Some("revoked")).then(|| {
        refusal(
            ErrorCode::TerminalRevoked,
            "this terminal has been revoked by the operations centre",
        )
    })
}

/// Consumes the code and records the terminal, in one transaction. A key enrolled before
/// (a re-installed terminal) keeps its device id and moves to the code's platform, unless
/// it was revoked.
pub fn enrol(
    conn: &mut Connection,
    key: &CodeKey,
    t: &NewTerminal<'_>,
    now: DateTime<Utc>,
) -> Result<Result<Enrolled, Refusal>, StoreError> {
    let tx = conn.transaction()?;
    let row: Option<(String, String, Option<String>)> = tx
        .query_row(
            "SELECT platform_id, expires_at, used_at FROM enrolment_codes WHERE code_hash = ?1",
            [code_hash(key, t.code)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let platform_id = match check_code(row, now) {
        Ok(p) => p,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let status: Option<String> = tx
        .query_row(
            "SELECT status FROM terminals WHERE public_key = ?1",
            [t.public_key],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(refusal) = check_key(status.as_deref()) {
        return Ok(Err(refusal));
    }
    let region: String = tx.query_row(
        "SELECT region FROM platforms WHERE id = ?1",
        [&platform_id],
        |r| r.get(0),
    )?;
    let now_s = time_text(now);
    tx.execute(
        "INSERT INTO terminals (device_id, public_key, platform_id, hardware_serial, enrolled_at, app_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (device_id) DO UPDATE SET platform_id = excluded.platform_id,
           hardware_serial = excluded.hardware_serial, enrolled_at = excluded.enrolled_at, app_version = excluded.app_version",
        params![t.device_id, t.public_key, platform_id, t.hardware_serial, now_s, t.app_version],
    )?;
    tx.execute(
        "UPDATE enrolment_codes SET used_at = ?2, used_by = ?3 WHERE code_hash = ?1",
        params![code_hash(key, t.code), now_s, t.device_id],
    )?;
    tx.commit()?;
    Ok(Ok(Enrolled {
        platform_id,
        region,
    }))
}
