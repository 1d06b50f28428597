//! Downloading a release's package through the sync link: resumed from the partial file
//! left by an interrupted download, never past the manifest's size, paced by the registry's
//! bandwidth hint, and checked against the signed SHA-256 before it is called complete.

use super::SyncClient;
use super::error::SyncError;
use super::resumable::Resumable;
use crate::protocol::paths;
use crate::release::{ReleaseError, ReleaseManifest};
use std::path::Path;

/// Why a download did not give a verified package.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The bytes are not the signed package: too long or the wrong hash (the partial file
    /// is deleted, the next attempt starts over), or truncated (kept, to be resumed).
    #[error(transparent)]
    Refused(#[from] ReleaseError),
    /// The registry or the link failed: the partial file stays, the next attempt resumes.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The terminal's disk failed.
    #[error("package file: {0}")]
    Io(#[from] std::io::Error),
}

impl SyncClient {
    /// Downloads `manifest`'s package into `partial` (resuming what is there), then checks
    /// it. `max_bytes_per_s` 0: as fast as the link goes. Bytes that are not the package
    /// are removed; a network failure or a short answer leaves them for the next attempt.
    pub async fn download_release(
        &self,
        manifest: &ReleaseManifest,
        partial: &Path,
        max_bytes_per_s: u64,
    ) -> Result<(), DownloadError> {
        let result = self.download_into(manifest, partial, max_bytes_per_s).await;
        // Bytes that are not the package are dropped; a short download is resumed later.
        if let Err(DownloadError::Refused(
            ReleaseError::Overlong { .. } | ReleaseError::HashMismatch,
        )) = &result
        {
            let _ = std::fs::remove_file(partial);
        }
        result
    }

    async fn download_into(
        &self,
        manifest: &ReleaseManifest,
        partial: &Path,
        max_bytes_per_s: u64,
    ) -> Result<(), DownloadError> {
        let target = Resumable {
            path: paths::release_package(&manifest.version),
            size: manifest.size,
            sha256: &manifest.sha256,
            partial,
        };
        self.download_resumable(&target, max_bytes_per_s, None)
            .await
            .map(drop)
    }
}
