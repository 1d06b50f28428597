//! Downloading a release's package through the sync link: resumed from the partial file
//! left by an interrupted download, never past the manifest's size, paced by the registry's
//! bandwidth hint, and checked against the signed SHA-256 before it is called complete.

use super::SyncClient;
use super::error::SyncError;
use crate::protocol::paths;
use crate::release::{PackageCheck, ReleaseError, ReleaseManifest};
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

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
        let mut check = PackageCheck::new(manifest);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .append(true)
            .open(partial)?;
        // What an earlier attempt left counts towards the size and the hash.
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            check.update(&buffer[..n])?;
        }
        let from = check.received();
        if from < manifest.size {
            let path = paths::release_package(&manifest.version);
            let mut response = self.http().get_from(&path, from).await?;
            if from > 0 && response.status() != reqwest::StatusCode::PARTIAL_CONTENT {
                return Err(SyncError::BadResponse("the registry ignored the range".into()).into());
            }
            let started = Instant::now();
            let mut received = 0u64;
            while let Some(chunk) = response.chunk().await.map_err(super::http::network)? {
                check.update(&chunk)?;
                file.write_all(&chunk)?;
                received += chunk.len() as u64;
                if max_bytes_per_s > 0 {
                    let due = Duration::from_secs_f64(received as f64 / max_bytes_per_s as f64);
                    if let Some(wait) = due.checked_sub(started.elapsed()) {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
            file.sync_all()?;
        }
        check.finish()?;
        Ok(())
    }
}
