//! The store's operations for the operations centre's console: async for its handlers,
//! blocking for the `operator` commands.

use super::alerts::{self, Alert, Change};
use super::bundles::{self, PublishedBundle};
use super::commands::CommandRow;
use super::directory::{self, Kind};
use super::operators::{self, AuditEntry, Operator};
use super::platforms::{self, Platform};
use super::states::{self, NewState, StateChange};
use super::terminals::{self, TerminalHealth};
use super::{Store, StoreError, commands, wait};
use crate::directory::Entry;
use chrono::{DateTime, Utc};
use provisioning::command::{CommandBody, SignedCommand};

/// SQLite's closure on the blocking pool (it owns what it captures), or PostgreSQL's future.
macro_rules! on_store {
    ($self:ident, |$c:ident| $sqlite:expr, |$p:ident| $pg:expr) => {
        match $self {
            Store::Sqlite(s) => s.call(move |$c| $sqlite).await,
            Store::Postgres($p) => $pg.await,
        }
    };
}

impl Store {
    /// Adds an account or replaces its role, regions and password hash (blocking).
    pub fn operator_upsert(&self, op: &Operator, hash: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.with(|c| operators::upsert(c, op, hash)),
            Store::Postgres(p) => wait(|| p.operator_upsert(op, hash)),
        }
    }

    /// Every account (blocking).
    pub fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        match self {
            Store::Sqlite(s) => s.with(|c| operators::list(c)),
            Store::Postgres(p) => wait(|| p.operators()),
        }
    }

    /// Disables an account and ends its sessions (blocking).
    pub fn operator_disable(&self, username: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.with(|c| operators::disable(c, username)),
            Store::Postgres(p) => wait(|| p.operator_disable(username)),
        }
    }

    /// An account and its password hash.
    pub async fn operator_login_info(
        &self,
        username: &str,
    ) -> Result<Option<(Operator, String)>, StoreError> {
        let u = username.to_string();
        on_store!(self, |c| operators::get(c, &u), |p| p.operator(&u))
    }

    /// Records a session.
    pub async fn operator_session_create(
        &self,
        token_hash: String,
        username: String,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        on_store!(
            self,
            |c| operators::session_create(c, &token_hash, &username, expires_at, now),
            |p| p.operator_session_create(&token_hash, &username, expires_at, now)
        )
    }

    /// The active account behind a live session.
    pub async fn operator_session(
        &self,
        token_hash: String,
        now: i64,
    ) -> Result<Option<Operator>, StoreError> {
        on_store!(
            self,
            |c| operators::session_lookup(c, &token_hash, now),
            |p| p.operator_session(&token_hash, now)
        )
    }

    /// Ends a session.
    pub async fn operator_session_remove(&self, token_hash: String) -> Result<(), StoreError> {
        on_store!(self, |c| operators::session_remove(c, &token_hash), |p| p
            .operator_session_remove(&token_hash))
    }

    /// Appends to the audit.
    pub async fn operator_audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        on_store!(self, |c| operators::audit(c, &entry), |p| p
            .operator_audit(&entry))
    }

    /// The latest audit entries, newest first.
    pub async fn operator_audit_list(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        on_store!(self, |c| operators::audit_list(c, limit), |p| p
            .operator_audit_list(limit))
    }

    /// Every terminal with its health.
    pub async fn fleet(
        &self,
        now: DateTime<Utc>,
        overdue_after: chrono::Duration,
    ) -> Result<Vec<TerminalHealth>, StoreError> {
        on_store!(
            self,
            |c| terminals::list_health(c, None, now, overdue_after),
            |p| p.terminals_health(None, now, overdue_after)
        )
    }

    /// Every platform.
    pub async fn platforms_async(&self) -> Result<Vec<Platform>, StoreError> {
        on_store!(self, |c| platforms::list(c), |p| p.platforms())
    }

    /// The commands a terminal received, newest first.
    pub async fn commands_of(
        &self,
        device_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<CommandRow>, StoreError> {
        let d = device_id.to_string();
        on_store!(self, |c| commands::list(c, Some(&d), now), |p| p
            .commands(Some(&d), now))
    }

    /// The open alerts.
    pub async fn alerts_open(&self) -> Result<Vec<Alert>, StoreError> {
        on_store!(self, |c| alerts::open(c), |p| p.alerts_open())
    }

    /// Raises and clears alerts in one transaction.
    pub async fn alerts_apply(&self, changes: Vec<Change>, now: String) -> Result<(), StoreError> {
        on_store!(self, |c| alerts::apply(c, &changes, &now), |p| p
            .alerts_apply(&changes, &now))
    }

    /// One alert.
    pub async fn alert(&self, id: i64) -> Result<Option<Alert>, StoreError> {
        on_store!(self, |c| alerts::get(c, id), |p| p.alert(id))
    }

    /// Acknowledges an alert; false if there is none with that id.
    pub async fn alert_acknowledge(
        &self,
        id: i64,
        by: String,
        now: String,
    ) -> Result<bool, StoreError> {
        on_store!(self, |c| alerts::acknowledge(c, id, &by, &now), |p| p
            .alert_acknowledge(id, &by, &now))
    }

    /// (device, payload) of every refused-bundle report.
    pub async fn bundle_refusals(&self) -> Result<Vec<(String, String)>, StoreError> {
        on_store!(self, |c| alerts::refusals(c), |p| p.bundle_refusals())
    }

    /// Queues a signed command for its terminal.
    pub async fn command_create_async(
        &self,
        signed: SignedCommand,
        body: CommandBody,
    ) -> Result<(), StoreError> {
        on_store!(self, |c| commands::create(c, &signed, &body), |p| p
            .command_create(&signed, &body))
    }

    /// The logs a terminal uploaded for a command.
    pub async fn command_logs_async(&self, command_id: &str) -> Result<Option<String>, StoreError> {
        let id = command_id.to_string();
        on_store!(self, |c| commands::logs(c, &id), |p| p.command_logs(&id))
    }

    /// The directory's platforms or institutions.
    pub async fn directory(&self, kind: Kind) -> Result<Vec<Entry>, StoreError> {
        on_store!(self, |c| directory::list(c, kind), |p| p.directory(kind))
    }

    /// One entry of the directory.
    pub async fn directory_get(&self, kind: Kind, id: &str) -> Result<Option<Entry>, StoreError> {
        let id = id.to_string();
        on_store!(self, |c| directory::get(c, kind, &id), |p| p
            .directory_get(kind, &id))
    }

    /// Adds one entry; false when its id is taken (nothing changed).
    pub async fn directory_add(&self, kind: Kind, entry: Entry) -> Result<bool, StoreError> {
        on_store!(self, |c| directory::add(c, kind, &entry), |p| p
            .directory_add(kind, &entry))
    }

    /// Changes one entry; false when there is none with its id.
    pub async fn directory_update(&self, kind: Kind, entry: Entry) -> Result<bool, StoreError> {
        on_store!(self, |c| directory::update(c, kind, &entry), |p| p
            .directory_update(kind, &entry))
    }

    /// Adds or updates every entry, in one transaction.
    pub async fn directory_import(
        &self,
        kind: Kind,
        entries: Vec<Entry>,
    ) -> Result<(), StoreError> {
        on_store!(self, |c| directory::import(c, kind, &entries), |p| p
            .directory_import(kind, &entries))
    }

    /// Published bundles, newest first per stream.
    pub async fn bundles_async(&self) -> Result<Vec<PublishedBundle>, StoreError> {
        on_store!(self, |c| bundles::list(c), |p| p.bundles())
    }

    /// The signature of each terminal's last recorded state.
    pub async fn states_last(&self) -> Result<Vec<(String, String)>, StoreError> {
        on_store!(self, |c| states::last(c), |p| p.states_last())
    }

    /// Records terminals' changes of state.
    pub async fn states_append(&self, rows: Vec<NewState>, at: String) -> Result<(), StoreError> {
        on_store!(self, |c| states::append(c, &rows, &at), |p| p
            .states_append(&rows, &at))
    }

    /// A terminal's latest changes of state, newest first.
    pub async fn states_history(
        &self,
        device: &str,
        limit: i64,
    ) -> Result<Vec<StateChange>, StoreError> {
        let d = device.to_string();
        on_store!(self, |c| states::history(c, &d, limit), |p| p
            .states_history(&d, limit))
    }
}
