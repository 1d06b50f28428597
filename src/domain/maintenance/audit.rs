//! The audit trail: every staff action, including failed logins and refused commands, is a
//! row in `audit_log` and an `audit` outbox event, written in the transaction of the change
//! itself. Entries name the actor; they never hold a PIN, a hash, or a citizen's data.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::store::outbox;

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A staff member logged in to the maintenance menu.
    Staff(String),
    /// Someone at the command line; the operating-system user name.
    Console(String),
    /// The configuration file (the initial installer account).
    Configuration,
    /// The operations centre, through a signed command.
    OperationsCentre,
    /// Not known: a wrong PIN names nobody.
    Unknown,
}

impl Actor {
    /// The command-line user: `$SUDO_USER`, else `$USER`, else `$LOGNAME`.
    pub fn console() -> Self {
        let user = ["SUDO_USER", "USER", "LOGNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "unknown".into());
        Actor::Console(user)
    }

    /// As stored: the staff name, `console:<user>`, `configuration`, `operations-centre`
    /// or `unknown`.
    pub fn label(&self) -> String {
        match self {
            Actor::Staff(name) => name.clone(),
            Actor::Console(user) => format!("console:{user}"),
            Actor::Configuration => "configuration".into(),
            Actor::OperationsCentre => "operations-centre".into(),
            Actor::Unknown => "unknown".into(),
        }
    }
}

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done.
    Ok,
    /// Not allowed or not valid (wrong PIN, locked, bad input, wrong role).
    Refused,
    /// Tried and failed (printer error, disk full).
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// Action names, as stored and sent.
pub mod action {
    pub const LOGIN: &str = "login";
    pub const LOCKOUT: &str = "login.lockout";
    pub const LOGOUT: &str = "logout";
    pub const STAFF_ADD: &str = "staff.add";
    pub const STAFF_REMOVE: &str = "staff.remove";
    pub const STAFF_SET_PIN: &str = "staff.set_pin";
    pub const STAFF_UNLOCK: &str = "staff.unlock";
    pub const OPEN_PAGE: &str = "menu.open_page";
    pub const PRINTER_TEST_PRINT: &str = "printer.test_print";
    pub const PRINTER_REPRINT: &str = "printer.reprint";
    pub const READER_TEST_READ: &str = "reader.test_read";
    pub const QUEUE_RESET_NUMBERING: &str = "queue.reset_numbering";
    pub const KIOSK_SERVICE_STATE: &str = "kiosk.service_state";
    pub const KIOSK_HOME_NOTICE: &str = "kiosk.home_notice";
    pub const KIOSK_SETTING: &str = "kiosk.setting";
    pub const KIOSK_BRIGHTNESS: &str = "kiosk.brightness";
    pub const ENROLMENT: &str = "registry.enrolment";
    pub const LOGS_EXPORT: &str = "logs.export";
    pub const UPDATE_POSTPONE: &str = "update.postpone";
}

/// The `audit` outbox payload.
#[derive(Debug, Serialize)]
struct AuditEvent<'a> {
    audit_id: i64,
    at: String,
    actor: &'a str,
    action: &'a str,
    outcome: Outcome,
    detail: &'a serde_json::Value,
}

/// Records an action and its outbox event; call it with the transaction of the change (or
/// alone for an action that changes nothing else). `detail` must hold no PIN and no
/// personal data.
pub fn record(
    conn: &Connection,
    actor: &Actor,
    action: &str,
    outcome: Outcome,
    detail: serde_json::Value,
    at: DateTime<FixedOffset>,
) -> rusqlite::Result<i64> {
    let actor = actor.label();
    let at_text = at.to_rfc3339();
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at_text, actor, action, outcome.as_str(), detail.to_string()],
    )?;
    let audit_id = conn.last_insert_rowid();
    outbox::append(
        conn,
        outbox::kind::AUDIT,
        &AuditEvent {
            audit_id,
            at: at_text,
            actor: &actor,
            action,
            outcome,
            detail: &detail,
        },
        at,
    )?;
    Ok(audit_id)
}

/// Records an action in a transaction of its own, logging (not failing) if the store
/// refuses: a lost audit row must not stop the action that already happened.
pub fn record_alone(
    conn: &mut Connection,
    actor: &Actor,
    action: &str,
    outcome: Outcome,
    detail: serde_json::Value,
    at: DateTime<FixedOffset>,
) {
    let result = conn.transaction().and_then(|tx| {
        record(&tx, actor, action, outcome, detail, at)?;
        tx.commit()
    });
    if let Err(e) = result {
        tracing::error!(action, "cannot write the audit entry: {e}");
    }
}

/// One audit row, for the maintenance menu and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub detail: String,
}

provisioning::row_reader!(AuditRow: at, actor, action, outcome, detail);

/// The newest `limit` rows, newest first.
pub fn recent(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<AuditRow>> {
    let sql = format!(
        "SELECT {} FROM audit_log ORDER BY id DESC LIMIT ?1",
        AuditRow::COLUMNS
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([limit], AuditRow::from_row)?;
    rows.collect()
}

#[cfg(test)]
mod tests;
