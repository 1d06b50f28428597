//! What the firmware configures, and what enrolment gives it to keep.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The sync client's configuration (from the firmware's TOML file).
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL of the registry, e.g. `https://registry.example:8443`.
    pub registry_url: String,
    /// PEM file with the registry's CA certificate; the only trust anchor used.
    pub ca_certificate: PathBuf,
    /// One or two base64 Ed25519 public keys trusted for bundles and commands.
    pub pinned_keys: Vec<String>,
    /// One or two more keys trusted for commands only: the registry's own command key, so
    /// that the console can send commands while the bundle-signing key stays offline.
    pub command_keys: Vec<String>,
    /// Largest bundle payload accepted, in bytes.
    pub max_bundle_bytes: u64,
    /// Largest map file (MBTiles) accepted: maps arrive apart from bundles, with resume, so
    /// they have their own cap.
    pub max_map_bytes: u64,
    /// Events per delivery batch (at most `protocol::limits::MAX_EVENTS_PER_BATCH`).
    pub outbox_batch_size: usize,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// Firmware version reported in heartbeats.
    pub app_version: String,
    /// Retry delays after failures.
    pub retry_initial: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// Where an installer's confirmation of a large clock difference is kept
    /// (`client::clock`); `None`: differences over 24 h are never adopted.
    pub clock_confirmation: Option<PathBuf>,
}

/// The default [`ClientConfig::max_map_bytes`]: 512 MiB, a province at street zooms.
pub const DEFAULT_MAX_MAP_BYTES: u64 = 512 * 1024 * 1024;

impl ClientConfig {
    /// A configuration with the defaults: 16 MiB bundles, batches of 200, 30 s requests,
    /// retries from 1 s up to 5 min.
    pub fn new(
        registry_url: &str,
        ca_certificate: &Path,
        pinned_keys: Vec<String>,
        app_version: &str,
    ) -> Self {
        Self {
            registry_url: registry_url.trim_end_matches('/').to_string(),
            ca_certificate: ca_certificate.to_path_buf(),
            pinned_keys,
            command_keys: Vec::new(),
            max_bundle_bytes: 16 * 1024 * 1024,
            max_map_bytes: DEFAULT_MAX_MAP_BYTES,
            outbox_batch_size: 200,
            request_timeout: Duration::from_secs(30),
            app_version: app_version.to_string(),
            retry_initial: Duration::from_secs(1),
            retry_max: Duration::from_secs(300),
            clock_confirmation: None,
        }
    }
}

/// What the terminal keeps after enrolling (the firmware stores it; a JSON file helper is
/// provided).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The registry enrolled with.
    pub registry_url: String,
    /// The device id.
    pub device_id: String,
    /// The platform the terminal belongs to.
    pub platform_id: String,
    /// The platform's region.
    pub region: String,
}

impl Enrolment {
    /// Reads an enrolment saved by [`Enrolment::save`]; `Ok(None)` if the file does not exist.
    pub fn load(path: &Path) -> std::io::Result<Option<Self>> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Saves atomically (write a temporary file, sync, rename).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("tmp");
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        {
            use std::io::Write as _;
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    }
}
