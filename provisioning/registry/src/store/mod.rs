//! The registry's store. Two implementations behind one interface ([`Store`]):
//! - SQLite (the default): one file, created on first use, WAL with `synchronous=FULL` so
//!   that whatever the registry acknowledged survives a power cut; the functions of the
//!   modules below, each on a `rusqlite::Connection`.
//! - PostgreSQL (`--db postgres://…`): the same operations in [`pg`], for a province's
//!   operations centre with several registry instances on one replicated database.

pub mod alerts;
pub mod appointments;
pub mod booking_events;
pub mod bookings;
pub mod bundles;
pub mod checked;
pub mod commands;
pub mod directory;
pub mod enrolment;
pub mod events;
pub mod institutions;
pub mod lawyers;
pub mod legal_aid;
pub mod maps;
pub mod migrations;
pub mod operators;
pub mod platforms;
pub mod rollup;
pub mod states;
pub mod stats;
mod tables;
pub mod terminals;
pub mod updates;
pub mod video;
pub mod work_orders;

mod api;
mod api_admin;
mod api_ops;
mod api_stats;
pub mod copy;
pub mod pg;
pub mod portable;
pub mod raw;
mod target;

pub use api::Enrolment;
pub use api_admin::wait;
pub use target::DbTarget;

use rusqlite::{Connection, OptionalExtension as _};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The schema could not be brought up to date.
    #[error("database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// A request the data does not allow (unknown platform, version not newer, …).
    #[error("{0}")]
    Invalid(String),
    /// Nothing with that id.
    #[error("{0}")]
    NotFound(String),
    /// The lock was poisoned by a panic elsewhere.
    #[error("database lock poisoned")]
    Poisoned,
    /// A blocking task failed.
    #[error("database task: {0}")]
    Task(String),
    /// PostgreSQL failed.
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had from the pool.
    #[error("database connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
}

impl StoreError {
    /// The outcome of an update or delete: touching no row means there was nothing to act on,
    /// which `missing` names.
    pub(crate) fn unless_touched<N: Default + PartialEq>(
        rows: N,
        missing: impl FnOnce() -> String,
    ) -> Result<(), Self> {
        if rows == N::default() {
            return Err(Self::NotFound(missing()));
        }
        Ok(())
    }
}

/// Of `ids`, those whose status (`status_sql`, by `?1`) is not `active` or who are gone.
fn not_active(
    conn: &Connection,
    status_sql: &str,
    ids: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(status_sql)?;
    let mut out = Vec::new();
    for id in ids {
        let status: Option<String> = stmt.query_row([id], |r| r.get(0)).optional()?;
        if status.as_deref() != Some("active") {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// The store, shared by request handlers and admin commands: SQLite or PostgreSQL.
#[derive(Clone)]
pub enum Store {
    /// One SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database, possibly shared by several registry instances.
    Postgres(pg::PgStore),
}

/// Brings a database's schema up to date (blocking); returns (version before, after).
pub fn migrate(target: &DbTarget) -> Result<(i64, i64), StoreError> {
    match target {
        DbTarget::Sqlite(path) => {
            let before = if path.exists() {
                Connection::open(path)?.pragma_query_value(None, "user_version", |r| r.get(0))?
            } else {
                0
            };
            let store = SqliteStore::open(path)?;
            let after =
                store.with(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))?;
            Ok((before, after))
        }
        DbTarget::Postgres(url) => wait(|| async {
            let (before, after) = pg::PgStore::connect(url)?.migrate().await?;
            Ok((i64::from(before), i64::from(after)))
        }),
    }
}

impl Store {
    /// Opens the database named by `target` and brings its schema up to date.
    pub async fn open(target: &DbTarget) -> Result<Self, StoreError> {
        Ok(match target {
            DbTarget::Sqlite(path) => {
                let path = path.clone();
                let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
                    .await
                    .map_err(|e| StoreError::Task(e.to_string()))??;
                Self::Sqlite(store)
            }
            DbTarget::Postgres(url) => Self::Postgres(pg::PgStore::open(url).await?),
        })
    }

    /// The SQLite store, if that is what this is (tests and SQLite-only tools).
    pub fn as_sqlite(&self) -> Option<&SqliteStore> {
        match self {
            Self::Sqlite(s) => Some(s),
            Self::Postgres(_) => None,
        }
    }
}

/// The SQLite store: one connection behind a lock.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

/// RFC 3339 UTC timestamp with seconds, the format of every time column.
pub fn now_text() -> String {
    time_text(chrono::Utc::now())
}

/// Formats a time for a time column.
pub fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl SqliteStore {
    /// Opens or creates the database (mode 0600) and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        // Created 0600 (and, by root in the service's folder, owned by the service user).
        crate::files::prepare_database(path)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display())))?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache instead of SQLite's 2 MiB: the registry's one connection
        // upserts the demand analysis's rollups at every batch, and a province-year's
        // rollups are hundreds of MiB; with 2 MiB every batch re-read its leaf pages.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        migrations::migrations().to_latest(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection (blocking).
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().map_err(|_| StoreError::Poisoned)?;
        f(&mut conn)
    }

    /// Runs `f` with the connection on tokio's blocking pool.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.with(f))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }
}
