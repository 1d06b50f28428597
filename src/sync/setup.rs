//! Where the terminal keeps its identity and enrolment, and the sync loop on the kiosk's
//! network runtime.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use provisioning::client::{ClientConfig, Stores, SyncClient, SyncHandle};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use super::control::Executor;
use super::health::KioskHealth;
use super::link::RegistryLink;
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
    /// An installer's confirmation of a registry clock over 24 h away from this terminal's
    /// (`legal-kiosk sync --once --accept-registry-clock`).
    pub clock_confirmation: PathBuf,
}

impl SyncPaths {
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self {
            device_key: data_dir.join("keys/device.key"),
            enrolment: data_dir.join("registry/enrolment.json"),
            ca_certificate: data_dir.join("registry/ca.pem"),
            pinned_keys: data_dir.join("registry/pinned-keys.txt"),
            status: data_dir.join("registry/status.json"),
            clock_confirmation: data_dir.join("registry/clock-confirmation.json"),
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
    let ca = super::link::ca_certificate(config, paths)?;
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
    if let Some(max) = config.registry.max_map_bytes {
        client.max_map_bytes = max;
    }
    client.command_keys = config.registry.command_keys.clone();
    client.clock_confirmation = Some(paths.clock_confirmation.clone());
    Ok(client)
}

/// The running sync loop. Dropping it stops the loop.
pub struct SyncRuntime {
    pub handle: SyncHandle,
    pub device_id: String,
    /// The signed client, for requests a citizen waits for (work-order status, booking at
    /// the kiosk).
    pub client: Arc<SyncClient>,
    /// Keeps the last status on disk for `legal-kiosk status` in another process.
    status_writer: JoinHandle<()>,
    /// Software updates offered by the registry (`[updates] enabled`).
    updater: Option<JoinHandle<()>>,
    /// The offline map's file, fetched when a `map` bundle is in force.
    map_fetcher: Option<JoinHandle<()>>,
}

impl Drop for SyncRuntime {
    fn drop(&mut self) {
        self.handle.stop();
        self.status_writer.abort();
        if let Some(updater) = &self.updater {
            updater.abort();
        }
        if let Some(fetcher) = &self.map_fetcher {
            fetcher.abort();
        }
    }
}

/// The sync client of an enrolled terminal (`None` when it is not enrolled yet: the outbox
/// keeps everything until it is). Without an `executor` (a command-line tool) commands
/// stay open for the kiosk.
pub fn build_client(
    config: &Config,
    data_dir: &Path,
    health: KioskHealth,
    on_bundle: impl Fn(&str) + Send + Sync + 'static,
    executor: Option<Executor>,
) -> Result<Option<Arc<SyncClient>>> {
    let paths = SyncPaths::in_data_dir(data_dir);
    let Some(link) = RegistryLink::resolve(config, &paths)? else {
        return Ok(None);
    };
    let client_config = client_config(config, &paths, &link.registry_url)?;
    let store = Arc::new(
        KioskSyncStore::open(&Store::path_in(data_dir), health, on_bundle, executor)
            .context("cannot open the store for the sync client")?,
    );
    Ok(Some(Arc::new(
        SyncClient::new(
            client_config,
            link.identity,
            link.enrolment,
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

/// Starts the sync loop of an enrolled terminal on `net` (`None` when it is not enrolled
/// yet).
pub fn start(
    config: &Config,
    data_dir: &Path,
    net: &Handle,
    health: KioskHealth,
    on_bundle: impl Fn(&str) + Send + Sync + 'static,
    executor: Executor,
) -> Result<Option<SyncRuntime>> {
    let (devices, signals) = (health.devices.clone(), health.updates.clone());
    let Some(client) = build_client(config, data_dir, health, on_bundle, Some(executor))? else {
        tracing::info!("not enrolled with an operations centre: events wait in the outbox");
        return Ok(None);
    };
    let device_id = client.enrolment().device_id.clone();
    let status_file = SyncPaths::in_data_dir(data_dir).status;
    let handle = {
        let _on_the_runtime = net.enter();
        client.clone().spawn()
    };
    let mut updates = handle.subscribe();
    let status_writer = net.spawn(async move {
        while updates.changed().await.is_ok() {
            let status = updates.borrow_and_update().clone();
            write_status(&status_file, &status);
        }
    });
    let updater = if config.updates.enabled {
        let updater = crate::updates::start(
            config,
            data_dir,
            client.clone(),
            handle.clone(),
            devices,
            signals,
        )?;
        Some(net.spawn(updater.run()))
    } else {
        None
    };
    // Without the map the kiosk still works (the directory lists), so a failure here is
    // logged, not fatal.
    let map_fetcher = match super::map::MapFetcher::new(client.clone(), data_dir) {
        Ok(fetcher) => Some(net.spawn(fetcher.run(handle.subscribe()))),
        Err(e) => {
            tracing::error!("the offline map cannot be fetched: {e:#}");
            None
        }
    };
    tracing::info!(device = %device_id, "sync with the operations centre started");
    Ok(Some(SyncRuntime {
        handle,
        device_id,
        client,
        status_writer,
        updater,
        map_fetcher,
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
