//! The terminal's sync client (feature `client`): enrolment, the poll cycle (heartbeat,
//! bundles, commands) and outbox delivery, over HTTPS with the registry's CA pinned.
//!
//! The firmware implements four small traits on its own SQLite store ([`OutboxStore`],
//! [`BundleStore`], [`CommandSink`], [`HealthSource`]), builds a [`SyncClient`] and either
//! drives it step by step ([`SyncClient::poll_once`], [`SyncClient::deliver_outbox`]) or runs
//! [`SyncClient::run`] on its tokio runtime.

pub mod backoff;
pub mod bundles;
pub mod clock;
pub mod commands;
pub mod config;
pub mod enrol;
pub mod error;
pub mod http;
#[cfg(feature = "map")]
pub mod map;
pub mod outbox;
pub mod poll;
pub mod release;
pub mod resumable;
pub mod runner;
pub mod store;

pub use backoff::Backoff;
pub use config::{ClientConfig, Enrolment};
pub use enrol::enrol;
pub use error::SyncError;
pub use http::RegistryHttp;
pub use poll::PollReport;
pub use runner::{SyncHandle, SyncStatus};
pub use store::{
    BundleStore, CommandOutcome, CommandSink, HealthSnapshot, HealthSource, OutboxStore, StoreError,
};

use crate::bundle::{BundleVerifier, PinnedKeys};
use crate::identity::DeviceIdentity;
use crate::scope::TerminalPlacement;
use std::sync::{Arc, Mutex};

/// Everything the client needs, shared by its tasks.
pub struct SyncClient {
    http: RegistryHttp,
    enrolment: Enrolment,
    config: ClientConfig,
    verifier: BundleVerifier,
    pinned: PinnedKeys,
    /// Keys trusted for commands only (the registry's command key).
    command_keys: Option<PinnedKeys>,
    outbox: Arc<dyn OutboxStore>,
    bundles: Arc<dyn BundleStore>,
    commands: Arc<dyn CommandSink>,
    health: Arc<dyn HealthSource>,
    /// The last sync failure, reported in the next heartbeat.
    last_error: Mutex<Option<String>>,
}

/// The stores the client works on (the firmware's implementations).
pub struct Stores {
    /// Outbox rows.
    pub outbox: Arc<dyn OutboxStore>,
    /// Bundles in force.
    pub bundles: Arc<dyn BundleStore>,
    /// Command execution.
    pub commands: Arc<dyn CommandSink>,
    /// Health for the heartbeat.
    pub health: Arc<dyn HealthSource>,
}

impl SyncClient {
    /// A client for an enrolled terminal.
    pub fn new(
        config: ClientConfig,
        identity: Arc<DeviceIdentity>,
        enrolment: Enrolment,
        stores: Stores,
    ) -> Result<Self, SyncError> {
        let pinned = PinnedKeys::from_base64(&config.pinned_keys)
            .map_err(|e| SyncError::Config(e.to_string()))?;
        let command_keys = if config.command_keys.is_empty() {
            None
        } else {
            Some(
                PinnedKeys::from_base64(&config.command_keys)
                    .map_err(|e| SyncError::Config(format!("command keys: {e}")))?,
            )
        };
        let http = RegistryHttp::new(&config, Some((identity, enrolment.device_id.clone())))?;
        let verifier = BundleVerifier {
            pinned: pinned.clone(),
            max_payload_bytes: config.max_bundle_bytes,
            placement: TerminalPlacement {
                device_id: enrolment.device_id.clone(),
                platform_id: enrolment.platform_id.clone(),
                region: enrolment.region.clone(),
            },
        };
        Ok(Self {
            http,
            enrolment,
            config,
            verifier,
            pinned,
            command_keys,
            outbox: stores.outbox,
            bundles: stores.bundles,
            commands: stores.commands,
            health: stores.health,
            last_error: Mutex::new(None),
        })
    }

    /// The enrolment this client runs with.
    pub fn enrolment(&self) -> &Enrolment {
        &self.enrolment
    }

    /// The signing keys this terminal trusts (bundles, commands, releases).
    pub fn pinned_keys(&self) -> &PinnedKeys {
        &self.pinned
    }

    /// The HTTP layer (clock offset, raw requests).
    pub fn http(&self) -> &RegistryHttp {
        &self.http
    }

    fn note_error(&self, error: Option<String>) {
        if let Ok(mut slot) = self.last_error.lock() {
            *slot = error;
        }
    }

    fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }
}

/// Runs a blocking store call off the async threads.
async fn blocking<T, F>(f: F) -> Result<T, SyncError>
where
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SyncError::Store(StoreError::msg(format!("store task failed: {e}"))))?
        .map_err(SyncError::Store)
}
