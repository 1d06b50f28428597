//! The offline map through the sync link (features `client` and `map`): the file a signed
//! `map` bundle names is downloaded with resume under its own size cap
//! ([`super::ClientConfig::max_map_bytes`], apart from bundles'), checked (size, SHA-256,
//! then as a map) and put in force; a refused file leaves the previous map in force.

use super::SyncClient;
use super::release::DownloadError;
use super::resumable::{Progress, Resumable};
use crate::map::install::{InstalledMap, install, partial_path};
use crate::map::{MapError, MapManifest};
use crate::protocol::paths;
use std::path::Path;

/// Why a map was not put in force.
#[derive(Debug, thiserror::Error)]
pub enum MapDownloadError {
    /// Larger than this terminal accepts.
    #[error("map file is {size} bytes, above this terminal's limit of {limit} bytes")]
    TooLarge {
        /// The manifest's size.
        size: u64,
        /// `max_map_bytes`.
        limit: u64,
    },
    /// The download failed or the bytes are not the signed file (see [`DownloadError`]:
    /// a network failure is resumed, wrong bytes are dropped).
    #[error("map file: {0}")]
    Download(#[from] DownloadError),
    /// The bytes are the signed file but not a map this kiosk can draw (dropped).
    #[error(transparent)]
    Refused(#[from] MapError),
}

/// Where a map download stands.
#[derive(Debug, Clone, PartialEq)]
pub enum MapProgress {
    /// More to fetch (the chunk limit ended this attempt): `have` of `size` bytes.
    Partial {
        /// Bytes on disk.
        have: u64,
        /// The whole.
        size: u64,
        /// This attempt.
        progress: Progress,
    },
    /// In force.
    Installed {
        /// The map now in force.
        map: InstalledMap,
        /// The last attempt.
        progress: Progress,
    },
}

impl SyncClient {
    /// Fetches (or continues fetching) `manifest`'s map into `dir`, at most `max_bytes_now`
    /// in this attempt when given, and installs it once whole and checked.
    pub async fn download_map(
        &self,
        manifest: &MapManifest,
        dir: &Path,
        max_bytes_now: Option<u64>,
    ) -> Result<MapProgress, MapDownloadError> {
        let limit = self.config.max_map_bytes;
        if manifest.size > limit {
            return Err(MapDownloadError::TooLarge {
                size: manifest.size,
                limit,
            });
        }
        let partial = partial_path(dir, manifest);
        let target = Resumable {
            path: paths::map_file(&manifest.sha256),
            size: manifest.size,
            sha256: &manifest.sha256,
            partial: &partial,
        };
        let progress = self.download_resumable(&target, 0, max_bytes_now).await?;
        if !progress.complete {
            return Ok(MapProgress::Partial {
                have: progress.resumed_from + progress.received,
                size: manifest.size,
                progress,
            });
        }
        // Opening SQLite and decoding tiles is blocking work.
        let (dir, manifest) = (dir.to_path_buf(), manifest.clone());
        let map = tokio::task::spawn_blocking(move || install(&dir, &manifest, &partial))
            .await
            .map_err(|e| MapError::Unreadable(e.to_string()))??;
        Ok(MapProgress::Installed { map, progress })
    }
}
