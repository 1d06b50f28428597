//! The sync link as the rest of the kiosk sees it: start it when the terminal is enrolled,
//! enrol from the maintenance menu (then start at once), and report its state.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use provisioning::client::{Enrolment, SyncStatus, enrol};
use provisioning::command::CommandBody;
use provisioning::identity::DeviceIdentity;

use super::commands::Executed;
use super::health::KioskHealth;
use super::setup::{SyncPaths, SyncRuntime, client_config, start};
use crate::config::Config;

pub type OnBundle = Arc<dyn Fn(&str) + Send + Sync>;
pub type Executor = Arc<dyn Fn(&CommandBody) -> Executed + Send + Sync>;

/// What the maintenance status page shows about the link.
#[derive(Debug, Clone, Default)]
pub struct LinkState {
    pub device_id: Option<String>,
    pub registry: Option<String>,
    pub status: Option<SyncStatus>,
}

/// How long a citizen waits for the registry's answer (a work order's status, a booking)
/// before being told it is unreachable.
pub const ASK_TIMEOUT: Duration = Duration::from_secs(15);

pub struct SyncControl {
    config: Config,
    /// The kiosk's network runtime.
    net: tokio::runtime::Handle,
    data_dir: PathBuf,
    health: KioskHealth,
    on_bundle: OnBundle,
    executor: Executor,
    runtime: Mutex<Option<SyncRuntime>>,
}

impl SyncControl {
    pub fn new(
        config: Config,
        net: tokio::runtime::Handle,
        health: KioskHealth,
        on_bundle: OnBundle,
        executor: Executor,
    ) -> Self {
        Self {
            data_dir: config.data_dir(),
            config,
            net,
            health,
            on_bundle,
            executor,
            runtime: Mutex::new(None),
        }
    }

    /// The software updater's progress (the maintenance menu shows it and postpones).
    pub fn updates(&self) -> crate::updates::UpdateControl {
        crate::updates::UpdateControl::in_data_dir(&self.data_dir)
    }

    /// What the UI tells the software updater.
    pub fn update_signals(&self) -> crate::updates::UpdateSignals {
        self.health.updates.clone()
    }

    /// Starts the sync loop if the terminal is enrolled and it is not running yet.
    pub fn start(&self) -> Result<bool> {
        let mut runtime = self
            .runtime
            .lock()
            .map_err(|_| anyhow!("sync state poisoned"))?;
        if runtime.is_some() {
            return Ok(true);
        }
        let (on_bundle, executor) = (self.on_bundle.clone(), self.executor.clone());
        *runtime = start(
            &self.config,
            &self.data_dir,
            &self.net,
            self.health.clone(),
            move |stream| on_bundle(stream),
            executor,
        )?;
        Ok(runtime.is_some())
    }

    /// Enrols with `registry_url` using the one-time `code`, then starts syncing. Blocking:
    /// call it off the UI thread.
    pub fn enrol(&self, registry_url: &str, code: &str) -> Result<Enrolment> {
        let paths = SyncPaths::in_data_dir(&self.data_dir);
        let client = client_config(&self.config, &paths, registry_url)?;
        let identity = DeviceIdentity::load_or_create(&paths.device_key).with_context(|| {
            format!("cannot read the device key {}", paths.device_key.display())
        })?;
        let enrolment = self
            .net
            .block_on(enrol(&client, &identity, code, &super::hardware_serial()))
            .map_err(|e| anyhow!("{e}"))?;
        if let Some(dir) = paths.enrolment.parent() {
            std::fs::create_dir_all(dir)?;
        }
        enrolment
            .save(&paths.enrolment)
            .with_context(|| format!("cannot save {}", paths.enrolment.display()))?;
        // A terminal enrolled anew syncs with its new identity from now on.
        if let Ok(mut running) = self.runtime.lock() {
            running.take();
        }
        self.start()?;
        Ok(enrolment)
    }

    /// Asks the registry at `path`, signed by this terminal, on the network runtime, and
    /// hands `reply` the answer: an error (said plainly for staff and logs) when the terminal
    /// is not enrolled, the link is not running or the registry does not answer within
    /// [`ASK_TIMEOUT`] — a citizen is waiting.
    pub fn ask<Q, A>(
        &self,
        path: &'static str,
        body: Q,
        reply: impl FnOnce(Result<A, String>) + Send + 'static,
    ) where
        Q: serde::Serialize + Send + Sync + 'static,
        A: serde::de::DeserializeOwned + Send + 'static,
    {
        let client = self
            .runtime
            .lock()
            .ok()
            .and_then(|r| r.as_ref().map(|r| r.client.clone()));
        let Some(client) = client else {
            reply(Err("not linked to an operations centre".into()));
            return;
        };
        self.net.spawn(async move {
            let answer =
                tokio::time::timeout(ASK_TIMEOUT, client.http().post_json::<Q, A>(path, &body))
                    .await;
            reply(match answer {
                Ok(Ok(a)) => Ok(a),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!(
                    "the operations centre did not answer within {} s",
                    ASK_TIMEOUT.as_secs()
                )),
            });
        });
    }

    /// The link's state now.
    pub fn state(&self) -> LinkState {
        let paths = SyncPaths::in_data_dir(&self.data_dir);
        let enrolment = Enrolment::load(&paths.enrolment).ok().flatten();
        let status = self
            .runtime
            .lock()
            .ok()
            .and_then(|r| r.as_ref().map(|r| r.handle.status()));
        LinkState {
            device_id: enrolment.as_ref().map(|e| e.device_id.clone()),
            registry: enrolment.map(|e| e.registry_url),
            status,
        }
    }

    /// Waits, at most `limit`, for a poll that ended after `since` (a poll ends after the
    /// commands it carried were acknowledged). Whether one did.
    pub fn wait_for_poll_after(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        limit: Duration,
    ) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            let polled = self.state().status.and_then(|s| s.last_contact);
            if polled.is_some_and(|at| at > since) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The booking requests of the running link (`None`: not enrolled, or the link did
    /// not start; booking then says it needs the network).
    pub fn booking(&self) -> Option<super::booking::BookingLink> {
        let runtime = self.runtime.lock().ok()?;
        let client = runtime.as_ref()?.client.clone();
        Some(super::booking::BookingLink::new(client))
    }

    /// The network runtime, where booking requests run.
    pub fn net(&self) -> tokio::runtime::Handle {
        self.net.clone()
    }

    /// Asks the running loop to sync now (after something was written to the outbox, or in
    /// tests).
    pub fn sync_now(&self) {
        if let Ok(runtime) = self.runtime.lock()
            && let Some(r) = runtime.as_ref()
        {
            r.handle.sync_now();
        }
    }
}
