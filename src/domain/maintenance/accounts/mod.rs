//! Staff accounts: a name, a role and a PIN hash. Roles decide what the maintenance menu
//! lets someone do: `staff` runs the day (paper, reprints, queue, out of service),
//! `installer` also enrols the terminal and changes device settings. Every change is
//! audited in its own transaction; refusals are audited too.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use thiserror::Error;

use super::audit::{self, Actor, Outcome, action};
use super::pin::{Pin, PinError};
use super::pin_hash::{self, HashError};

/// The longest account name, in characters.
pub const MAX_NAME_CHARS: usize = 32;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Daily operations.
    Staff,
    /// Daily operations, enrolment and device settings.
    Installer,
}

impl Role {
    /// As stored: `staff` or `installer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Installer => "installer",
        }
    }

    /// From its stored form.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "staff" => Some(Role::Staff),
            "installer" => Some(Role::Installer),
            _ => None,
        }
    }
}

/// An account as listed (no hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub pin_set_at: String,
    pub last_login_at: Option<String>,
}

/// Why an account change was refused (each message says what to do).
#[derive(Debug, Error)]
pub enum AccountError {
    #[error("invalid name: {0}")]
    InvalidName(String),
    #[error("an account named {0:?} already exists")]
    Exists(String),
    #[error("no account is named {0:?}")]
    NotFound(String),
    #[error("{0:?} is the last installer account; add another installer first")]
    LastInstaller(String),
    #[error("another account already uses this PIN; choose a different one")]
    PinInUse,
    #[error("invalid PIN: {0}")]
    Pin(#[from] PinError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

impl AccountError {
    fn audit_reason(&self) -> &'static str {
        match self {
            AccountError::InvalidName(_) => "invalid_name",
            AccountError::Exists(_) => "exists",
            AccountError::NotFound(_) => "not_found",
            AccountError::LastInstaller(_) => "last_installer",
            AccountError::PinInUse => "pin_in_use",
            AccountError::Pin(_) => "invalid_pin",
            AccountError::Hash(_) => "hash_error",
            AccountError::Sql(_) => "store_error",
        }
    }
}

/// A trimmed name of 1 to 32 printable characters.
pub fn validate_name(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AccountError::InvalidName("the name is empty".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AccountError::InvalidName(format!(
            "at most {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(AccountError::InvalidName(
            "control characters are not allowed".into(),
        ));
    }
    Ok(name.to_string())
}

/// Every account, by name.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Account>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, role, created_at, pin_set_at, last_login_at FROM staff_accounts ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| {
        let role: String = r.get(1)?;
        Ok(Account {
            name: r.get(0)?,
            role: Role::parse(&role).unwrap_or(Role::Staff),
            created_at: r.get(2)?,
            pin_set_at: r.get(3)?,
            last_login_at: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// How many accounts exist.
pub fn count(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("SELECT COUNT(*) FROM staff_accounts", [], |r| r.get(0))
}

/// An account's name, role and hash, for checking a PIN.
#[derive(Debug, Clone)]
pub struct Credential {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub pin_hash: String,
}

/// The columns a [`Credential`] is read from, in [`Credential::from_row`]'s order.
pub(super) const CREDENTIAL_COLUMNS: &str = "id, name, role, pin_hash";

impl Credential {
    /// Reads a row of [`CREDENTIAL_COLUMNS`] (an unknown role reads as `staff`, the lesser).
    pub fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let role: String = r.get(2)?;
        Ok(Credential {
            id: r.get(0)?,
            name: r.get(1)?,
            role: Role::parse(&role).unwrap_or(Role::Staff),
            pin_hash: r.get(3)?,
        })
    }
}

/// Every account's credential, most recently used first (so the usual PIN is checked
/// first: each check costs a fraction of a second).
pub fn credentials(conn: &Connection) -> rusqlite::Result<Vec<Credential>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM staff_accounts
         ORDER BY last_login_at IS NULL, last_login_at DESC, id"
    ))?;
    let rows = stmt.query_map([], Credential::from_row)?;
    rows.collect()
}

/// The first credential `pin` matches. Slow (one Argon2id check per account): never on
/// the UI thread, and preferably not on the store thread.
pub fn match_pin<'a>(creds: &'a [Credential], pin: &Pin) -> Option<&'a Credential> {
    creds
        .iter()
        .find(|c| pin_hash::verify_pin(pin, &c.pin_hash))
}

/// Adds an account with a new PIN (hashed here: slow). PINs must differ between accounts,
/// since the menu knows who logs in by the PIN alone.
pub fn add(
    conn: &mut Connection,
    name: &str,
    role: Role,
    pin: &Pin,
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> Result<Account, AccountError> {
    let result = (|| {
        let name = validate_name(name)?;
        let creds = credentials(conn)?;
        if creds.iter().any(|c| c.name == name) {
            return Err(AccountError::Exists(name));
        }
        if match_pin(&creds, pin).is_some() {
            return Err(AccountError::PinInUse);
        }
        let hash = pin_hash::hash_pin(pin)?;
        insert(conn, &name, role, &hash, actor, at)
    })();
    audit_refusal(conn, &result, actor, action::STAFF_ADD, name, at);
    result
}

/// Adds an account from an Argon2id hash made elsewhere (the configuration's initial
/// installer). The hash is checked to be Argon2id.
pub fn add_with_hash(
    conn: &mut Connection,
    name: &str,
    role: Role,
    pin_hash: &str,
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> Result<Account, AccountError> {
    let name = validate_name(name)?;
    pin_hash::check_stored_hash(pin_hash)?;
    insert(conn, &name, role, pin_hash, actor, at)
}

fn insert(
    conn: &mut Connection,
    name: &str,
    role: Role,
    hash: &str,
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> Result<Account, AccountError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now = at.to_rfc3339();
    let inserted = tx.execute(
        "INSERT INTO staff_accounts (name, role, pin_hash, created_at, pin_set_at)
         VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO NOTHING",
        params![name, role.as_str(), hash, now],
    )?;
    if inserted == 0 {
        return Err(AccountError::Exists(name.to_string()));
    }
    audit::record(
        &tx,
        actor,
        action::STAFF_ADD,
        Outcome::Ok,
        serde_json::json!({ "account": name, "role": role.as_str() }),
        at,
    )?;
    tx.commit()?;
    Ok(Account {
        name: name.to_string(),
        role,
        created_at: now.clone(),
        pin_set_at: now,
        last_login_at: None,
    })
}

/// Removes an account; the last installer cannot be removed.
pub fn remove(
    conn: &mut Connection,
    name: &str,
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> Result<(), AccountError> {
    let result = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let role: Option<String> = tx
            .query_row(
                "SELECT role FROM staff_accounts WHERE name = ?1",
                [name.trim()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(role) = role else {
            return Err(AccountError::NotFound(name.trim().to_string()));
        };
        if role == Role::Installer.as_str() {
            let installers: u32 = tx.query_row(
                "SELECT COUNT(*) FROM staff_accounts WHERE role = 'installer'",
                [],
                |r| r.get(0),
            )?;
            if installers <= 1 {
                return Err(AccountError::LastInstaller(name.trim().to_string()));
            }
        }
        tx.execute("DELETE FROM staff_accounts WHERE name = ?1", [name.trim()])?;
        audit::record(
            &tx,
            actor,
            action::STAFF_REMOVE,
            Outcome::Ok,
            serde_json::json!({ "account": name.trim(), "role": role }),
            at,
        )?;
        tx.commit()?;
        Ok(())
    })();
    audit_refusal(conn, &result, actor, action::STAFF_REMOVE, name, at);
    result
}

/// Gives an account a new PIN (hashed here: slow).
pub fn set_pin(
    conn: &mut Connection,
    name: &str,
    pin: &Pin,
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> Result<(), AccountError> {
    let result = (|| {
        let name = name.trim();
        let creds = credentials(conn)?;
        if !creds.iter().any(|c| c.name == name) {
            return Err(AccountError::NotFound(name.to_string()));
        }
        let others: Vec<Credential> = creds.into_iter().filter(|c| c.name != name).collect();
        if match_pin(&others, pin).is_some() {
            return Err(AccountError::PinInUse);
        }
        let hash = pin_hash::hash_pin(pin)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE staff_accounts SET pin_hash = ?2, pin_set_at = ?3 WHERE name = ?1",
            params![name, hash, at.to_rfc3339()],
        )?;
        if changed == 0 {
            return Err(AccountError::NotFound(name.to_string()));
        }
        audit::record(
            &tx,
            actor,
            action::STAFF_SET_PIN,
            Outcome::Ok,
            serde_json::json!({ "account": name }),
            at,
        )?;
        tx.commit()?;
        Ok(())
    })();
    audit_refusal(conn, &result, actor, action::STAFF_SET_PIN, name, at);
    result
}

fn audit_refusal<T>(
    conn: &mut Connection,
    result: &Result<T, AccountError>,
    actor: &Actor,
    action: &str,
    name: &str,
    at: DateTime<FixedOffset>,
) {
    if let Err(e) = result {
        // The name as typed may be invalid; keep at most what a valid name could be.
        let account: String = name.trim().chars().take(MAX_NAME_CHARS).collect();
        audit::record_alone(
            conn,
            actor,
            action,
            Outcome::Refused,
            serde_json::json!({ "account": account, "reason": e.audit_reason() }),
            at,
        );
    }
}

#[cfg(test)]
mod tests;
