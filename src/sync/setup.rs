//! Where the terminal keeps its identity and enrolment, and the sync loop's thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use anyhow::{Context, Result, bail};
use provisioning::client::store::{CommandOutcome, HealthSnapshot};
use provisioning::client::{ClientConfig, Enrolment, Stores, SyncClient, SyncHandle};
use provisioning::command::CommandBody;
use provisioning::identity::DeviceIdentity;

use super::store::KioskSyncStore;
use crate::config::Config;
use crate::store::Store;

/// Files of the terminal's identity in its data folder.
#[derive(Debug, Clone)]
pub struct SyncPaths {
    /// The Ed25519 private key, made on first start, mode 0600, never sent.
    pub device_key: PathBuf,
    /// What enrolment gave: device id, platform, region, registry.
    pub enrolment: PathBuf,
    /// The registry CA given at enrolment (used when the config file names none).
    pub ca_certificate: PathBuf,
    /// The signing keys given at enrolment, one per line (idem).
    pub pinned_keys: PathBuf,
    /// The sync loop's last status, for `legal-kiosk status`.
    pub status: PathBuf,
}

impl SyncPaths {
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self {
            device_key: data_dir.join("keys/device.key"),
            enrolment: data_dir.join("registry/enrolment.json"),
            ca_certificate: data_dir.join("registry/ca.pem"),
            pinned_keys: data_dir.join("registry/pinned-keys.txt"),
            status: data_dir.join("registry/status.json"),
        }
    }
}

/// The client configuration for `registry_url`: the CA and signing keys from the config
/// file, else those saved at enrolment.
pub fn client_config(
    config: &Config,
    paths: &SyncPaths,
    registry_url: &str,
) -> Result<ClientConfig> {
    let ca = match &config.registry.ca_certificate {
        Some(ca) => ca.clone(),
        None if paths.ca_certificate.exists() => paths.ca_certificate.clone(),
        None => bail!("no registry CA certificate: set registry.ca_certificate or enrol with --ca"),
    };
    let keys = if config.registry.pinned_keys.is_empty() {
        std::fs::read_to_string(&paths.pinned_keys)
            .map(|text| {
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    } else {
        config.registry.pinned_keys.clone()
    };
    if keys.is_empty() {
        bail!("no pinned signing key: set registry.pinned_keys or enrol with --pinned-key");
    }
    let mut client = ClientConfig::new(registry_url, &ca, keys, env!("CARGO_PKG_VERSION"));
    if let Some(max) = config.registry.max_bundle_bytes {
        client.max_bundle_bytes = max;
    }
    Ok(client)
}

/// The running sync loop. Dropping it stops the loop.
pub struct SyncRuntime {
    pub handle: SyncHandle,
    pub device_id: String,
    stop: Option<mpsc::Sender<()>>,
}

impl Drop for SyncRuntime {
    fn drop(&mut self) {
        self.handle.stop();
        self.stop.take();
    }
}

/// The sync client of an enrolled terminal (`None` when it is not enrolled yet: the outbox
/// keeps everything until it is).
pub fn build_client(
    config: &Config,
    data_dir: &Path,
    health: Arc<Mutex<HealthSnapshot>>,
    on_bundle: impl Fn(&str) + Send + Sync + 'static,
    executor: impl Fn(&CommandBody) -> CommandOutcome + Send + Sync + 'static,
) -> Result<Option<Arc<SyncClient>>> {
    let paths = SyncPaths::in_data_dir(data_dir);
    let Some(enrolment) = Enrolment::load(&paths.enrolment)
        .with_context(|| format!("cannot read {}", paths.enrolment.display()))?
    else {
        return Ok(None);
    };
    let client_config = client_config(config, &paths, &enrolment.registry_url)?;
    let identity = Arc::new(
        DeviceIdentity::load_or_create(&paths.device_key).with_context(|| {
            format!("cannot read the device key {}", paths.device_key.display())
        })?,
    );
    let store = Arc::new(
        KioskSyncStore::open(&Store::path_in(data_dir), health, on_bundle, executor)
            .context("cannot open the store for the sync client")?,
    );
    Ok(Some(Arc::new(
        SyncClient::new(
            client_config,
            identity,
            enrolment,
            Stores {
                outbox: store.clone(),
                bundles: store.clone(),
                commands: store.clone(),
                health: store,
            },
        )
        .context("cannot set up the sync client")?,
    )))
}

/// Starts the sync loop of an enrolled terminal (`None` when it is not enrolled yet).
pub fn start(
    config: &Config,
    data_dir: &Path,
    health: Arc<Mutex<HealthSnapshot>>,
    on_bundle: impl Fn(&str) + Send + Sync + 'static,
    executor: impl Fn(&CommandBody) -> CommandOutcome + Send + Sync + 'static,
) -> Result<Option<SyncRuntime>> {
    let Some(client) = build_client(config, data_dir, health, on_bundle, executor)? else {
        tracing::info!("not enrolled with an operations centre: events wait in the outbox");
        return Ok(None);
    };
    let device_id = client.enrolment().device_id.clone();
    let status_file = SyncPaths::in_data_dir(data_dir).status;
    let (handle_tx, handle_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("sync".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    tracing::error!("cannot start the sync runtime: {e}");
                    return;
                }
            };
            runtime.block_on(async move {
                let handle = client.spawn();
                let mut updates = handle.subscribe();
                let _ = handle_tx.send(handle);
                // Keep the last status on disk for `legal-kiosk status` in another process.
                tokio::spawn(async move {
                    while updates.changed().await.is_ok() {
                        let status = updates.borrow_and_update().clone();
                        write_status(&status_file, &status);
                    }
                });
                // Runs until the kiosk drops its SyncRuntime.
                let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
            });
        })
        .context("cannot start the sync thread")?;
    let handle = handle_rx
        .recv()
        .context("the sync thread stopped before it started")?;
    tracing::info!(device = %device_id, "sync with the operations centre started");
    Ok(Some(SyncRuntime {
        handle,
        device_id,
        stop: Some(stop_tx),
    }))
}

fn write_status(path: &Path, status: &provisioning::client::SyncStatus) {
    let json = serde_json::json!({
        "last_contact": status.last_contact.map(|t| t.to_rfc3339()),
        "last_delivery": status.last_delivery.map(|t| t.to_rfc3339()),
        "last_error": status.last_error,
        "poll_failures": status.poll_failures,
        "delivery_failures": status.delivery_failures,
    });
    let tmp = path.with_extension("json.tmp");
    let written = std::fs::write(&tmp, json.to_string()).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        tracing::warn!("cannot save the sync status to {}: {e}", path.display());
    }
}
