//! The operations centre's console accounts: a role, the regions the account may see and act
//! on, an Argon2id password hash; their login sessions (only a token's SHA-256 is kept, in
//! the database, so a login holds on every instance); and the audit of what they did.
//!
//! The SQL is shared with the PostgreSQL store (`pg/operators.rs`): parameters are written
//! `$1, $2, …` in the order they first appear, which SQLite numbers the same way.

use super::{StoreError, now_text};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::{Deserialize, Serialize};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in its regions, the accounts' audit included.
    Admin,
    /// Watches the fleet and sends commands.
    Operator,
    /// Reads only.
    Viewer,
    /// An institution's staff: reads its own regions only.
    Institution,
}

impl Role {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Viewer => "viewer",
            Self::Institution => "institution",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "admin" => Self::Admin,
            "operator" => Self::Operator,
            "viewer" => Self::Viewer,
            "institution" => Self::Institution,
            other => {
                return Err(StoreError::Invalid(format!(
                    "unknown role {other:?} (admin, operator, viewer or institution)"
                )));
            }
        })
    }

    /// Whether this role may send commands to terminals.
    pub fn may_command(self) -> bool {
        matches!(self, Self::Admin | Self::Operator)
    }

    /// Whether it may add or change one directory entry in its regions (those who act on
    /// the fleet keep its platforms' details right; a whole import stays with admins).
    pub fn may_edit_directory(self) -> bool {
        matches!(self, Self::Admin | Self::Operator)
    }
}

/// An account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// Login name.
    pub username: String,
    /// What it may do.
    pub role: Role,
    /// Region codes it sees and acts on (`220000` covers the province, `220100` a city).
    pub regions: Vec<String>,
    /// `active` or `disabled`.
    pub status: String,
}

impl Operator {
    /// Whether the account's scope covers `region`.
    pub fn covers(&self, region: &str) -> bool {
        self.regions
            .iter()
            .any(|r| provisioning::scope::region_contains(r, region))
    }
}

/// One audited action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// When (RFC 3339).
    pub at: String,
    /// Who (the account name; for a refused login, the name typed).
    pub username: String,
    /// From where (the client's address).
    pub source: String,
    /// What, e.g. `login`, `fleet.view`, `terminal.view`.
    pub action: String,
    /// On what (a terminal, a region…), or empty.
    pub target: String,
    /// `ok`, `refused`, `forbidden`.
    pub outcome: String,
}

pub(super) const UPSERT: &str =
    "INSERT INTO operators (username, role, regions, password_hash, status, created_at)
     VALUES ($1, $2, $3, $4, 'active', $5)
     ON CONFLICT (username) DO UPDATE SET role = excluded.role, regions = excluded.regions,
       password_hash = excluded.password_hash, status = 'active'";
pub(super) const GET: &str =
    "SELECT username, role, regions, status, password_hash FROM operators WHERE username = $1";
pub(super) const LIST: &str =
    "SELECT username, role, regions, status, password_hash FROM operators ORDER BY username";
pub(super) const DISABLE: &str = "UPDATE operators SET status = 'disabled' WHERE username = $1";
pub(super) const END_SESSIONS: &str = "DELETE FROM operator_sessions WHERE username = $1";
pub(super) const PRUNE_SESSIONS: &str = "DELETE FROM operator_sessions WHERE expires_at <= $1";
pub(super) const CREATE_SESSION: &str =
    "INSERT INTO operator_sessions (token_hash, username, expires_at) VALUES ($1, $2, $3)";
pub(super) const LOOKUP_SESSION: &str =
    "SELECT o.username, o.role, o.regions, o.status, o.password_hash FROM operator_sessions s
     JOIN operators o ON o.username = s.username
     WHERE s.token_hash = $1 AND s.expires_at > $2 AND o.status = 'active'";
pub(super) const REMOVE_SESSION: &str = "DELETE FROM operator_sessions WHERE token_hash = $1";
pub(super) const AUDIT: &str =
    "INSERT INTO operator_audit (at, username, source, action, target, outcome)
     VALUES ($1, $2, $3, $4, $5, $6)";
pub(super) const AUDIT_LIST: &str =
    "SELECT at, username, source, action, target, outcome FROM operator_audit
     ORDER BY id DESC LIMIT $1";

/// An account from its stored fields (an unknown role or unreadable regions make an
/// account that covers nothing).
pub(super) fn operator_from(
    username: String,
    role: &str,
    regions: &str,
    status: String,
) -> Operator {
    Operator {
        username,
        role: Role::parse(role).unwrap_or(Role::Viewer),
        regions: serde_json::from_str(regions).unwrap_or_default(),
        status,
    }
}

pub(super) fn regions_json(op: &Operator) -> Result<String, StoreError> {
    serde_json::to_string(&op.regions).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Operator, String)> {
    let (role, regions): (String, String) = (r.get(1)?, r.get(2)?);
    Ok((
        operator_from(r.get(0)?, &role, &regions, r.get(3)?),
        r.get(4)?,
    ))
}

/// Adds an account or replaces its role, regions and password hash (and enables it).
pub fn upsert(conn: &Connection, op: &Operator, hash: &str) -> Result<(), StoreError> {
    conn.execute(
        UPSERT,
        params![
            op.username,
            op.role.as_str(),
            regions_json(op)?,
            hash,
            now_text()
        ],
    )?;
    Ok(())
}

/// An account and its password hash.
pub fn get(conn: &Connection, username: &str) -> Result<Option<(Operator, String)>, StoreError> {
    Ok(conn.query_row(GET, [username], from_row).optional()?)
}

/// Every account by name.
pub fn list(conn: &Connection) -> Result<Vec<Operator>, StoreError> {
    let mut stmt = conn.prepare(LIST)?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.map(|r| r.map(|(o, _)| o)).collect::<Result<_, _>>()?)
}

/// Disables an account and ends its sessions at once.
pub fn disable(conn: &mut Connection, username: &str) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    if tx.execute(DISABLE, [username])? == 0 {
        return Err(StoreError::NotFound(format!("no operator {username}")));
    }
    tx.execute(END_SESSIONS, [username])?;
    tx.commit()?;
    Ok(())
}

/// Records a session until `expires_at` (Unix seconds), forgetting expired ones.
pub fn session_create(
    conn: &Connection,
    token_hash: &str,
    username: &str,
    expires_at: i64,
    now: i64,
) -> Result<(), StoreError> {
    conn.execute(PRUNE_SESSIONS, [now])?;
    conn.execute(CREATE_SESSION, params![token_hash, username, expires_at])?;
    Ok(())
}

/// The active account behind a live session.
pub fn session_lookup(
    conn: &Connection,
    token_hash: &str,
    now: i64,
) -> Result<Option<Operator>, StoreError> {
    Ok(conn
        .query_row(LOOKUP_SESSION, params![token_hash, now], from_row)
        .optional()?
        .map(|(o, _)| o))
}

/// Ends one session.
pub fn session_remove(conn: &Connection, token_hash: &str) -> Result<(), StoreError> {
    conn.execute(REMOVE_SESSION, [token_hash])?;
    Ok(())
}

/// Appends to the audit.
pub fn audit(conn: &Connection, e: &AuditEntry) -> Result<(), StoreError> {
    conn.prepare_cached(AUDIT)?.execute(params![
        e.at, e.username, e.source, e.action, e.target, e.outcome
    ])?;
    Ok(())
}

/// The latest `limit` audit entries, newest first.
pub fn audit_list(conn: &Connection, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare(AUDIT_LIST)?;
    let rows = stmt.query_map([limit], |r| {
        Ok(AuditEntry {
            at: r.get(0)?,
            username: r.get(1)?,
            source: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            outcome: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(regions: &[&str]) -> Operator {
        Operator {
            username: "zhang".into(),
            role: Role::Operator,
            regions: regions.iter().map(|r| r.to_string()).collect(),
            status: "active".into(),
        }
    }

    #[test]
    fn scope_nests_district_in_city_in_province() {
        assert!(op(&["220000"]).covers("220104"));
        assert!(op(&["220100"]).covers("220104"));
        assert!(op(&["220104"]).covers("220104"));
        assert!(!op(&["220104"]).covers("220102"));
        assert!(!op(&["220104"]).covers("220100"));
        assert!(!op(&["220100"]).covers("220200"));
    }

    #[test]
    fn sessions_end_when_the_account_is_disabled() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::SqliteStore::open(&dir.path().join("r.db")).unwrap();
        store
            .with(|c| {
                upsert(c, &op(&["220104"]), "hash")?;
                session_create(c, "t1", "zhang", 200, 100)?;
                assert_eq!(session_lookup(c, "t1", 150)?.unwrap().role, Role::Operator);
                assert!(session_lookup(c, "t1", 250)?.is_none(), "expired");
                disable(c, "zhang")?;
                assert!(session_lookup(c, "t1", 150)?.is_none());
                Ok(())
            })
            .unwrap();
    }
}
