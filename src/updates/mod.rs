//! Software updates on the terminal (issue 18). The registry offers a release in the poll
//! answer; this adapter verifies its signed manifest (pinned key, package, architecture,
//! newer than what runs, allowed to upgrade from it), downloads the package through the
//! sync link (resumable, size-capped, hash-checked, paced by the registry's hint), waits
//! for a quiet moment (no citizen, inside `[updates] window`, not postponed by staff) and
//! leaves an install request for the privileged helper (`legal-kiosk-update.service`).
//! After the restart it confirms the new version's health; the helper's outcome
//! (healthy, failed, rolled back) is reported in the heartbeat and as an event.

mod files;

pub use files::{Progress, UpdateFiles};

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use provisioning::bundle::PinnedKeys;
use provisioning::client::release::DownloadError;
use provisioning::client::{HealthSnapshot, SyncClient, SyncHandle};
use provisioning::protocol::{DeviceState, UpdateOffer, UpdateReport, UpdateState};
use provisioning::release::{ReleaseManifest, ReleaseVerifier};
use rusqlite::Connection;

use crate::clock::Clock;
use crate::config::{Config, UpdatesSection};
use crate::domain::updates::{QuietWindow, Wait, may_install, postpone};

/// The outbox event of every change of update state.
pub const UPDATE_EVENT: &str = "software.update";

/// What the rest of the kiosk tells the updater, and asks it.
#[derive(Clone, Default)]
pub struct UpdateSignals {
    /// A citizen is using the terminal (set by the UI).
    pub citizen_present: Arc<AtomicBool>,
    /// The first frame is up (set by the UI).
    pub ui_up: Arc<AtomicBool>,
}

/// The updater's progress, kept in `updates/state.json`: the updater records states, the
/// maintenance menu reads them and postpones through it. The file is the one copy both
/// share (a lock makes each read-change-write whole).
#[derive(Clone)]
pub struct UpdateControl {
    files: UpdateFiles,
}

static PROGRESS_LOCK: Mutex<()> = Mutex::new(());

impl UpdateControl {
    /// The progress of the kiosk whose data folder is `data_dir`.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self {
            files: UpdateFiles::in_data_dir(data_dir),
        }
    }

    /// The state to show staff.
    pub fn progress(&self) -> Progress {
        let _lock = PROGRESS_LOCK.lock();
        self.files.load_progress()
    }

    /// Staff postpone the install by a day (`now`: local time).
    pub fn postpone(&self, now: chrono::NaiveDateTime) -> std::io::Result<chrono::NaiveDateTime> {
        let _lock = PROGRESS_LOCK.lock();
        let mut p = self.files.load_progress();
        let until = postpone(now, p.postponed_until);
        p.postponed_until = Some(until);
        self.files.save_progress(&p)?;
        Ok(until)
    }

    /// Records a new state; false if it is the one recorded already.
    fn set(&self, report: UpdateReport) -> bool {
        let _lock = PROGRESS_LOCK.lock();
        let mut p = self.files.load_progress();
        if p.report.as_ref() == Some(&report) {
            return false;
        }
        if p.report
            .as_ref()
            .is_some_and(|r| r.version != report.version)
        {
            p.postponed_until = None;
        }
        p.report = Some(report);
        if let Err(e) = self.files.save_progress(&p) {
            tracing::warn!("cannot keep the update state: {e}");
        }
        true
    }
}

/// The running updater.
pub struct Updater {
    pub client: Arc<SyncClient>,
    pub handle: SyncHandle,
    pub control: UpdateControl,
    pub verifier: ReleaseVerifier,
    pub window: Option<QuietWindow>,
    pub signals: UpdateSignals,
    /// The heartbeat's health: its `update` field is set here.
    pub devices: Arc<Mutex<HealthSnapshot>>,
    pub outbox: Arc<Mutex<Connection>>,
    pub clock: Arc<dyn Clock>,
    /// The devices this terminal is configured with: one it has not (`kind = "none"`)
    /// never answers, and must not keep every update from being committed.
    pub fitted: Fitted,
}

/// Which of the devices a health confirmation waits for the terminal has.
#[derive(Debug, Clone, Copy)]
pub struct Fitted {
    pub printer: bool,
    pub reader: bool,
}

impl Fitted {
    pub fn from_config(config: &Config) -> Self {
        Self {
            printer: config.printer.kind != crate::config::PrinterKind::None,
            reader: config.reader.kind != crate::config::ReaderKind::None,
        }
    }
}

/// The terminal's release policy from its configuration and pinned keys.
pub fn verifier(config: &UpdatesSection, pinned: PinnedKeys) -> ReleaseVerifier {
    ReleaseVerifier {
        pinned,
        package: env!("CARGO_PKG_NAME").to_string(),
        architecture: config.architecture(),
        running: env!("CARGO_PKG_VERSION").to_string(),
        max_package_bytes: config.max_package_bytes(),
    }
}

/// The updater of an enrolled terminal: its verifier, window, store connection for events
/// and what the UI tells it.
pub fn start(
    config: &Config,
    data_dir: &Path,
    client: Arc<SyncClient>,
    handle: SyncHandle,
    devices: Arc<Mutex<HealthSnapshot>>,
    signals: UpdateSignals,
) -> anyhow::Result<Updater> {
    let window = config.updates.quiet_window().map_err(anyhow::Error::msg)?;
    let outbox =
        crate::store::Store::open(&crate::store::Store::path_in(data_dir))?.into_connection();
    let control = UpdateControl::in_data_dir(data_dir);
    // What the last run reported goes on being reported until something changes.
    if let (Some(report), Ok(mut d)) = (control.progress().report, devices.lock()) {
        d.update = Some(report);
    }
    Ok(Updater {
        verifier: verifier(&config.updates, client.pinned_keys().clone()),
        client,
        handle,
        control,
        window,
        signals,
        devices,
        outbox: Arc::new(Mutex::new(outbox)),
        clock: Arc::new(crate::clock::SystemClock),
        fitted: Fitted::from_config(config),
    })
}

impl Updater {
    /// Runs until the sync loop ends: one step at every poll and every 30 s.
    pub async fn run(self) {
        let mut status = self.handle.subscribe();
        let mut healthy_confirmed = false;
        loop {
            if let Some(result) = self.control.files.take_result() {
                self.report(result).await;
            }
            let current = status.borrow_and_update().clone();
            if !healthy_confirmed && current.last_contact.is_some() && self.looks_healthy() {
                match self.control.files.confirm_health(env!("CARGO_PKG_VERSION")) {
                    Ok(()) => healthy_confirmed = true,
                    Err(e) => tracing::warn!("cannot confirm this version's health: {e}"),
                }
            }
            if let Some(offer) = current.update {
                self.step(&offer).await;
            }
            tokio::select! {
                changed = status.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(Duration::from_secs(30)) => {}
            }
        }
    }

    /// Started, UI up, printer and reader (those fitted) answered (the registry was
    /// reached: the caller).
    fn looks_healthy(&self) -> bool {
        let answered = |fitted: bool, s: DeviceState| {
            !fitted || !matches!(s, DeviceState::Unknown | DeviceState::Disconnected)
        };
        self.signals.ui_up.load(Ordering::Relaxed)
            && self.devices.lock().is_ok_and(|d| {
                answered(self.fitted.printer, d.printer) && answered(self.fitted.reader, d.reader)
            })
    }

    async fn step(&self, offer: &UpdateOffer) {
        let manifest = match self.verifier.verify(&offer.release) {
            Ok(m) => m,
            Err(e) => {
                let version =
                    provisioning::release::verify::parse_manifest(&offer.release.manifest)
                        .map(|m| m.version)
                        .unwrap_or_else(|_| "?".into());
                self.report(failed(&version, e.to_string())).await;
                return;
            }
        };
        let progress = self.control.progress();
        let state = progress
            .report
            .as_ref()
            .filter(|r| r.version == manifest.version)
            .map(|r| r.state);
        match state {
            // Done with this release, or in the helper's hands.
            Some(
                UpdateState::Failed
                | UpdateState::RolledBack
                | UpdateState::Healthy
                | UpdateState::Installing
                | UpdateState::Installed,
            ) => {}
            Some(UpdateState::Downloaded | UpdateState::Postponed) => {
                self.install_if_quiet(offer, &manifest, progress.postponed_until)
                    .await;
            }
            _ => {
                self.download(offer, &manifest, progress.postponed_until)
                    .await
            }
        }
    }

    async fn download(
        &self,
        offer: &UpdateOffer,
        manifest: &ReleaseManifest,
        postponed_until: Option<chrono::NaiveDateTime>,
    ) {
        self.report(state(&manifest.version, UpdateState::Downloading))
            .await;
        let partial = self.control.files.partial();
        if let Some(dir) = partial.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        match self
            .client
            .download_release(manifest, &partial, offer.max_bytes_per_s)
            .await
        {
            Ok(()) => {
                self.report(state(&manifest.version, UpdateState::Downloaded))
                    .await;
                self.install_if_quiet(offer, manifest, postponed_until)
                    .await;
            }
            Err(DownloadError::Refused(e)) => {
                self.report(failed(&manifest.version, e.to_string())).await;
            }
            // The link or the disk: tried again at the next step, resuming.
            Err(e) => tracing::warn!("update {}: download interrupted: {e}", manifest.version),
        }
    }

    async fn install_if_quiet(
        &self,
        offer: &UpdateOffer,
        manifest: &ReleaseManifest,
        postponed_until: Option<chrono::NaiveDateTime>,
    ) {
        let now = self.clock.now().naive_local();
        let present = self.signals.citizen_present.load(Ordering::Relaxed);
        match may_install(now, self.window.as_ref(), present, postponed_until) {
            Ok(()) => {}
            Err(Wait::Postponed(_)) => {
                self.report(state(&manifest.version, UpdateState::Postponed))
                    .await;
                return;
            }
            Err(why) => {
                tracing::debug!("update {} waits: {why}", manifest.version);
                return;
            }
        }
        let release = match serde_json::to_string(&offer.release) {
            Ok(json) => json,
            Err(e) => return tracing::error!("cannot write the release: {e}"),
        };
        match self
            .control
            .files
            .write_request(&release, &manifest.version)
        {
            Ok(()) => {
                self.report(state(&manifest.version, UpdateState::Installing))
                    .await;
            }
            Err(e) => {
                self.report(failed(
                    &manifest.version,
                    format!("cannot leave the install request: {e}"),
                ))
                .await;
            }
        }
    }

    /// Records a new state: heartbeat, kept progress, and an outbox event.
    async fn report(&self, report: UpdateReport) {
        if !self.control.set(report.clone()) {
            return;
        }
        tracing::info!(version = %report.version, state = ?report.state, detail = ?report.detail, "software update");
        if let Ok(mut d) = self.devices.lock() {
            d.update = Some(report.clone());
        }
        let (outbox, clock) = (self.outbox.clone(), self.clock.clone());
        let written = tokio::task::spawn_blocking(move || {
            let conn = outbox
                .lock()
                .map_err(|_| "outbox lock poisoned".to_string())?;
            crate::store::outbox::append(&conn, UPDATE_EVENT, &report, clock.now())
                .map_err(|e| e.to_string())
        })
        .await;
        match written {
            Ok(Ok(_)) => self.handle.outbox_written(),
            Ok(Err(e)) => tracing::warn!("cannot record the update event: {e}"),
            Err(e) => tracing::warn!("cannot record the update event: {e}"),
        }
    }
}

fn state(version: &str, state: UpdateState) -> UpdateReport {
    UpdateReport {
        version: version.to_string(),
        state,
        detail: None,
    }
}

fn failed(version: &str, detail: String) -> UpdateReport {
    UpdateReport {
        version: version.to_string(),
        state: UpdateState::Failed,
        detail: Some(detail.chars().take(500).collect()),
    }
}
