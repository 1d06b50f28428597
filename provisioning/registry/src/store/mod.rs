//! The registry's SQLite store: one file, created on first use, WAL with `synchronous=FULL`
//! so that whatever the registry acknowledged survives a power cut.

pub mod bundles;
pub mod commands;
pub mod enrolment;
pub mod events;
pub mod lawyers;
pub mod legal_aid;
pub mod migrations;
pub mod platforms;
pub mod terminals;
pub mod video;

use rusqlite::Connection;
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
}

/// The store, shared by request handlers and admin commands.
#[derive(Clone)]
pub struct Store {
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

impl Store {
    /// Opens or creates the database (mode 0600) and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        // Created 0600 (and, by root in the service's folder, owned by the service user).
        crate::files::prepare_database(path)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display())))?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
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
