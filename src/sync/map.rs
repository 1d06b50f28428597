//! The offline map on this terminal (issue 19): when a `map` bundle is in force, its file is
//! fetched through the sync link into `maps/` in the data folder — a chunk per attempt,
//! resumed from the partial file after an interruption or a restart, under
//! `[registry] max_map_bytes` — checked (size, SHA-256, then as a map) and put in force. A
//! file that is refused is logged, reported to the operations centre like a refused bundle
//! (`bundle.refused`), and the previous map stays in force. Without a map the directory
//! shows a plain list: [`map_in_force`] answers "is there a map?".

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use provisioning::client::map::{MapDownloadError, MapProgress};
use provisioning::client::release::DownloadError;
use provisioning::client::{SyncClient, SyncStatus};
use provisioning::map::install::{InstalledMap, installed};
use provisioning::map::{FILE, MapManifest, STREAM};
use rusqlite::Connection;
use tokio::sync::watch;

use crate::store::Store;

/// Bytes fetched per attempt: a large map comes over several attempts, each saved in the
/// partial file, so no single request holds the link for long.
pub const CHUNK_BYTES: u64 = 8 * 1024 * 1024;

/// Where maps are kept in the data folder.
pub fn maps_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("maps")
}

/// The map in force (its file and manifest), or `None`: the directory shows a plain list.
pub fn map_in_force(data_dir: &Path) -> Option<InstalledMap> {
    installed(&maps_dir(data_dir))
}

/// The `map` bundle in force: its version and checked manifest.
pub fn offered(conn: &Connection) -> Option<(u64, MapManifest)> {
    let version = *crate::store::bundles::versions(conn).ok()?.get(STREAM)?;
    let bytes = crate::store::bundles::file(conn, STREAM, FILE).ok()??;
    // The bundle check parsed it before it was applied; a failure here is not expected.
    match MapManifest::parse(&bytes) {
        Ok(m) => Some((version, m)),
        Err(e) => {
            tracing::error!("the map bundle in force does not parse: {e}");
            None
        }
    }
}

/// What one attempt did.
#[derive(Debug)]
pub enum Step {
    /// No map bundle, or its map is already in force.
    Nothing,
    /// A chunk arrived; more to fetch.
    Partial {
        /// Bytes on disk.
        have: u64,
        /// The whole.
        size: u64,
    },
    /// The new map is in force.
    Installed(InstalledMap),
    /// The link failed: the partial file waits for the next attempt.
    Waiting(String),
    /// The file was refused (reported); the previous map stays.
    Refused(String),
}

/// Fetches the map of the `map` bundle in force.
pub struct MapFetcher {
    client: Arc<SyncClient>,
    dir: PathBuf,
    conn: Mutex<Connection>,
    /// Files refused since the kiosk started: not fetched again until a restart (a map too
    /// large or not drawable would otherwise be downloaded at every poll).
    refused: Mutex<HashSet<String>>,
}

impl MapFetcher {
    /// A fetcher for the kiosk whose data folder is `data_dir`.
    pub fn new(client: Arc<SyncClient>, data_dir: &Path) -> anyhow::Result<Self> {
        let dir = maps_dir(data_dir);
        std::fs::create_dir_all(&dir)?;
        let conn = Store::open(&Store::path_in(data_dir))?.into_connection();
        Ok(Self {
            client,
            dir,
            conn: Mutex::new(conn),
            refused: Mutex::new(HashSet::new()),
        })
    }

    fn offered(&self) -> Option<(u64, MapManifest)> {
        let conn = self.conn.lock().ok()?;
        offered(&conn)
    }

    /// One attempt: at most [`CHUNK_BYTES`] fetched, the map installed once whole.
    pub async fn step(&self) -> Step {
        let Some((version, manifest)) = self.offered() else {
            return Step::Nothing;
        };
        if installed(&self.dir).is_some_and(|m| m.manifest.sha256 == manifest.sha256)
            || self
                .refused
                .lock()
                .is_ok_and(|r| r.contains(&manifest.sha256))
        {
            return Step::Nothing;
        }
        match self
            .client
            .download_map(&manifest, &self.dir, Some(CHUNK_BYTES))
            .await
        {
            Ok(MapProgress::Partial { have, size, .. }) => Step::Partial { have, size },
            Ok(MapProgress::Installed { map, .. }) => {
                tracing::info!(version, sha256 = %manifest.sha256, "map in force");
                Step::Installed(map)
            }
            Err(MapDownloadError::Download(
                e @ (DownloadError::Sync(_) | DownloadError::Io(_)),
            )) => {
                tracing::warn!("map download paused, resumed at the next poll: {e}");
                Step::Waiting(e.to_string())
            }
            Err(e) => {
                let reason = e.to_string();
                self.report_refusal(version, &manifest, &reason);
                Step::Refused(reason)
            }
        }
    }

    fn report_refusal(&self, version: u64, manifest: &MapManifest, reason: &str) {
        tracing::error!(version, sha256 = %manifest.sha256, "map refused, the previous map stays: {reason}");
        if let Ok(mut r) = self.refused.lock() {
            r.insert(manifest.sha256.clone());
        }
        let at = chrono::Local::now().fixed_offset();
        let recorded = self.conn.lock().map_err(|e| e.to_string()).and_then(|c| {
            crate::domain::bundle_check::record_refusal(&c, STREAM, version, reason, at)
                .map_err(|e| e.to_string())
        });
        if let Err(e) = recorded {
            tracing::error!("cannot report the refused map: {e}");
        }
    }

    /// After every poll, fetches what is missing, chunk after chunk while the link works.
    pub async fn run(self, mut polls: watch::Receiver<SyncStatus>) {
        loop {
            while let Step::Partial { have, size } = self.step().await {
                tracing::debug!("map: {have} of {size} bytes");
            }
            if polls.changed().await.is_err() {
                return;
            }
        }
    }
}
