//! Small files that must never be seen half written (private keys, secrets): the bytes go
//! to a temporary file in the same folder, already with their final mode (and owner), are
//! synced, and the file is then linked into place under its name — never replacing one that
//! exists — and the folder is synced. A crash or power cut leaves either no file or the whole
//! file, never a truncated key that would stop the terminal or registry from starting.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, fchown};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Temporary files older than this are leftovers of a crash and are removed.
const STALE: Duration = Duration::from_secs(600);

fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.")
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes this file's temporaries left by a crash (best effort).
fn remove_stale_temporaries(folder: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > STALE);
        if name.starts_with(prefix) && name.ends_with(".tmp") && old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes `bytes` to a new temporary file beside `path` with `mode` (and `owner`), synced;
/// returns its name.
fn write_temporary(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
) -> io::Result<PathBuf> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
    let temp = folder_of(path).join(format!("{}{}.tmp", temp_prefix(path), hex::encode(random)));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&temp)?;
        if let Some((uid, gid)) = owner {
            fchown(&file, Some(uid), Some(gid))?;
        }
        file.write_all(bytes)?;
        file.sync_all()
    })();
    match written {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Creates `path` with `bytes`, `mode` and, if given, `owner` (uid, gid), atomically: it
/// appears whole or not at all. Fails with `AlreadyExists` if `path` exists.
pub fn create_new_atomically(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
) -> io::Result<()> {
    remove_stale_temporaries(&folder_of(path), &temp_prefix(path));
    let temp = write_temporary(path, bytes, mode, owner)?;
    let linked = fs::hard_link(&temp, path);
    let _ = fs::remove_file(&temp);
    linked?;
    // The new name is durable only once the folder is.
    File::open(folder_of(path))?.sync_all()
}

/// Replaces `path` with `bytes` atomically (temporary file, sync, rename, sync the folder),
/// with `mode`.
pub fn replace_atomically(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let temp = write_temporary(path, bytes, mode, None)?;
    if let Err(e) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    File::open(folder_of(path))?.sync_all()
}

#[cfg(test)]
mod tests;
