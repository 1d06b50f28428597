//! Lawyers' accounts: Argon2id password hashes (RFC 9106 defaults of the `argon2` crate:
//! 19 MiB, 2 passes), made here and checked by `login_guard`.

use crate::store::{Store, StoreError, lawyers};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Hashes a password with Argon2id and a fresh salt.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    crate::login_guard::hash_password(password).map_err(StoreError::Invalid)
}

/// Checks a new login's name, regions and password (lawyers' and operators'); returns the
/// password's Argon2id hash.
pub fn checked_hash(
    username: &str,
    regions: &[String],
    password: &str,
) -> Result<String, StoreError> {
    let name_ok = !username.is_empty()
        && username.len() <= 64
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !name_ok {
        return Err(StoreError::Invalid(
            "the user name must be 1–64 letters, digits, '-', '_' or '.'".into(),
        ));
    }
    if regions.is_empty() || regions.iter().any(|r| r.is_empty() || r.len() > 12) {
        return Err(StoreError::Invalid(
            "give at least one region code (--region 330000)".into(),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::Invalid(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    hash_password(password)
}

/// Creates or updates an account.
pub fn add(
    store: &Store,
    username: &str,
    display_name: &str,
    regions: &[String],
    password: &str,
) -> Result<(), StoreError> {
    let hash = checked_hash(username, regions, password)?;
    store.lawyer_upsert(
        &lawyers::Lawyer {
            username: username.to_string(),
            display_name: display_name.to_string(),
            regions: regions.to_vec(),
            status: "active".into(),
        },
        &hash,
    )
}
