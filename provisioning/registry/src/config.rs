//! How the server runs.

use crate::login_guard::{LoginGuardConfig, SourceLimit};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Server settings (from `kiosk-registry serve` options).
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The database: a SQLite file or a PostgreSQL URL.
    pub database: crate::store::DbTarget,
    /// The key enrolment codes are hashed with (`code_key`).
    pub code_key: PathBuf,
    /// The key the console's commands are signed with (`command_key`; default beside
    /// `code_key`).
    pub command_key: PathBuf,
    /// Server certificate chain (PEM).
    pub tls_cert: PathBuf,
    /// Server private key (PEM).
    pub tls_key: PathBuf,
    /// Poll interval suggested to terminals, seconds.
    pub poll_interval_s: u32,
    /// Missed polls after which a terminal is shown overdue.
    pub overdue_after_polls: u32,
    /// Longest a request may take to arrive and be answered (slow clients get 408).
    pub request_timeout: Duration,
    /// Longest a TLS handshake may take.
    pub handshake_timeout: Duration,
    /// Most open connections; more are closed at once.
    pub max_connections: usize,
    /// Event batches written at the same time; more get 429 (0 pauses intake).
    pub max_concurrent_ingest: usize,
    /// Lawyers' logins: attempts per source and per account, concurrent password checks.
    pub login: LoginGuardConfig,
    /// Enrolment attempts per source address.
    pub enrol_limit: SourceLimit,
    /// Booking channels' requests per source address.
    pub channel_limit: SourceLimit,
    /// How often the server looks in the database for terminals revoked and lawyers
    /// disabled (by `kiosk-registry` commands in other processes) to end their sessions.
    pub revocation_check: Duration,
    /// How long a legal-aid pre-application's ciphertext is kept when no centre marks it
    /// handled.
    pub legal_aid_retention: chrono::Duration,
    /// The console's map tiles (MBTiles), if the centre provides them.
    pub map_tiles: Option<PathBuf>,
}

impl ServeConfig {
    /// Defaults for everything but the paths and address.
    pub fn new(
        listen: SocketAddr,
        database: impl Into<crate::store::DbTarget>,
        tls_cert: PathBuf,
        tls_key: PathBuf,
    ) -> Self {
        let database = database.into();
        let code_key = crate::code_key::CodeKey::default_path_for(&database);
        Self {
            listen,
            command_key: crate::command_key::path_beside(&code_key),
            code_key,
            database,
            tls_cert,
            tls_key,
            poll_interval_s: 30,
            overdue_after_polls: 3,
            request_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            max_connections: 8192,
            max_concurrent_ingest: 16,
            login: LoginGuardConfig::default(),
            enrol_limit: SourceLimit::per_minute(20),
            channel_limit: SourceLimit::per_minute(600),
            revocation_check: Duration::from_secs(2),
            legal_aid_retention: crate::admin::legal_aid::DEFAULT_RETENTION,
            map_tiles: None,
        }
    }

    /// When a terminal counts as overdue.
    pub fn overdue_after(&self) -> chrono::Duration {
        chrono::Duration::seconds(
            i64::from(self.poll_interval_s) * i64::from(self.overdue_after_polls),
        )
    }
}
