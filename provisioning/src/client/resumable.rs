//! Large files through the sync link (a release's package, a map file): downloaded into a
//! partial file with `Range`, resumed from what an earlier attempt left, never past the
//! signed size, optionally paced and optionally one chunk per attempt, and checked against
//! the signed SHA-256 before it is called complete.

use super::SyncClient;
use super::error::SyncError;
use super::release::DownloadError;
use crate::release::PackageCheck;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

/// What to download and where.
#[derive(Debug)]
pub struct Resumable<'a> {
    /// The registry path (signed `GET`, served with `Range`).
    pub path: String,
    /// The signed size.
    pub size: u64,
    /// The signed SHA-256, hex.
    pub sha256: &'a str,
    /// The partial file (kept between attempts).
    pub partial: &'a Path,
}

/// Where a download stands after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes already in the partial file when the attempt started (where it resumed).
    pub resumed_from: u64,
    /// Bytes received in this attempt.
    pub received: u64,
    /// Whether the whole file is there and matches its SHA-256 (false: the chunk limit
    /// stopped this attempt; the next one continues).
    pub complete: bool,
}

impl SyncClient {
    /// Downloads `target` into its partial file (resuming what is there), at most
    /// `max_bytes_now` in this attempt when given, then checks it once whole. Bytes that are
    /// not the file (too long, wrong hash) are removed; a network failure or a short answer
    /// leaves them for the next attempt.
    pub async fn download_resumable(
        &self,
        target: &Resumable<'_>,
        max_bytes_per_s: u64,
        max_bytes_now: Option<u64>,
    ) -> Result<Progress, DownloadError> {
        let result = self.resume(target, max_bytes_per_s, max_bytes_now).await;
        if let Err(DownloadError::Refused(
            crate::release::ReleaseError::Overlong { .. }
            | crate::release::ReleaseError::HashMismatch,
        )) = &result
        {
            let _ = std::fs::remove_file(target.partial);
        }
        result
    }

    async fn resume(
        &self,
        target: &Resumable<'_>,
        max_bytes_per_s: u64,
        max_bytes_now: Option<u64>,
    ) -> Result<Progress, DownloadError> {
        let mut check = PackageCheck::expecting(target.size, target.sha256);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .append(true)
            .open(target.partial)?;
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
        let mut received = 0u64;
        if from < target.size {
            let last = max_bytes_now
                .filter(|n| *n > 0 && from.saturating_add(*n) < target.size)
                .map(|n| from + n - 1);
            let mut response = self.http().get_range(&target.path, from, last).await?;
            if (from > 0 || last.is_some())
                && response.status() != reqwest::StatusCode::PARTIAL_CONTENT
            {
                return Err(SyncError::BadResponse("the registry ignored the range".into()).into());
            }
            let started = Instant::now();
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
            if last.is_some() && check.received() < target.size {
                return Ok(Progress {
                    resumed_from: from,
                    received,
                    complete: false,
                });
            }
        }
        check.finish()?;
        Ok(Progress {
            resumed_from: from,
            received,
            complete: true,
        })
    }
}
