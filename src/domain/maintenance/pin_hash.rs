//! PIN hashing: Argon2id (RFC 9106) in PHC string form, with a fresh 16-byte salt per PIN.
//!
//! Parameters: **m = 64 MiB, t = 3 passes, p = 1 lane, 32-byte output** — RFC 9106 §4's
//! second recommended setting ("64 MiB of RAM"), with one lane instead of four so that a
//! check occupies one core of a 4-core terminal while the others keep serving citizens.
//! 64 MiB is affordable on a 1–2 GB board for the fraction of a second a check takes, and
//! it is three times the OWASP minimum (19 MiB, t = 2). The figure per check on this
//! machine is in `benches/pin_hash.rs`.
//!
//! A 6-digit PIN has only 10⁶ values, so no hash makes it safe against someone who copied
//! the database: the hash makes that attack cost hours of memory-hard work instead of
//! milliseconds, and rules out precomputed tables. The real defence is online: the lockout
//! (see `lockout`) and the store's file permissions. Hashing takes long on purpose and must
//! never run on the UI thread.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use thiserror::Error;

use super::pin::Pin;

/// Memory per check, in KiB.
pub const M_COST_KIB: u32 = 64 * 1024;
/// Passes over the memory.
pub const T_COST: u32 = 3;
/// Lanes.
pub const P_COST: u32 = 1;

/// Hashing failed, or a stored hash is not one this firmware can verify.
#[derive(Debug, Error)]
pub enum HashError {
    #[error("cannot hash the PIN: {0}")]
    Hash(String),
    #[error(
        "the stored PIN hash is not an Argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash): {0}"
    )]
    NotArgon2id(String),
}

fn hasher() -> Argon2<'static> {
    // The parameters are constants checked by a test; `new` only fails on out-of-range values.
    let params = Params::new(M_COST_KIB, T_COST, P_COST, Some(32)).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `pin` with a fresh random salt; the result is what the store keeps.
pub fn hash_pin(pin: &Pin) -> Result<String, HashError> {
    hasher()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

/// Checks that `phc` is an Argon2id hash this firmware can verify (for hashes given in
/// the configuration). Returns its (m KiB, t, p) so that weak settings can be reported.
pub fn check_stored_hash(phc: &str) -> Result<(u32, u32, u32), HashError> {
    let parsed = PasswordHash::new(phc).map_err(|e| HashError::NotArgon2id(e.to_string()))?;
    if parsed.algorithm.as_str() != "argon2id" {
        return Err(HashError::NotArgon2id(format!(
            "algorithm is {}",
            parsed.algorithm.as_str()
        )));
    }
    if parsed.hash.is_none() || parsed.salt.is_none() {
        return Err(HashError::NotArgon2id("salt or hash missing".into()));
    }
    let params = Params::try_from(&parsed).map_err(|e| HashError::NotArgon2id(e.to_string()))?;
    Ok((params.m_cost(), params.t_cost(), params.p_cost()))
}

/// Whether `pin` matches the stored hash `phc` (with the parameters recorded in it). A
/// hash that cannot be parsed matches nothing.
pub fn verify_pin(pin: &Pin, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) if parsed.algorithm.as_str() == "argon2id" => {
            hasher().verify_password(pin.as_bytes(), &parsed).is_ok()
        }
        _ => {
            tracing::error!("a staff account has an unusable PIN hash; set its PIN again");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_hash_verifies_and_a_wrong_pin_does_not() {
        let pin = Pin::parse("731946").unwrap();
        let stored = hash_pin(&pin).unwrap();
        assert!(verify_pin(&pin, &stored));
        assert!(!verify_pin(&Pin::parse("731947").unwrap(), &stored));
        assert!(!verify_pin(&Pin::parse("7319460").unwrap(), &stored));
    }

    #[test]
    fn the_hash_records_argon2id_with_the_device_parameters_and_a_random_salt() {
        let pin = Pin::parse("731946").unwrap();
        let a = hash_pin(&pin).unwrap();
        let b = hash_pin(&pin).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(!a.contains("731946"));
        assert_eq!(check_stored_hash(&a).unwrap(), (65536, 3, 1));
    }

    #[test]
    fn hashes_that_are_not_argon2id_are_refused_with_a_clear_message() {
        let err = check_stored_hash("$2b$12$abcdefghijklmnopqrstuv").unwrap_err();
        assert!(err.to_string().contains("Argon2id"), "{err}");
        assert!(check_stored_hash("731946").is_err());
        assert!(!verify_pin(&Pin::parse("731946").unwrap(), "731946"));
    }
}
