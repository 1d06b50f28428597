//! The registry's own files: its database, the enrolment-code key, the TLS keys. Each is
//! created readable by its owner only (0600) and appears whole or not at all. When an
//! administrator runs `kiosk-registry` as root in a folder that belongs to the service user
//! (`/var/lib/kiosk-registry` from the unit's `StateDirectory=`), new files are given to
//! that user, so the service can still open them; elsewhere `--owner` says who.

use anyhow::{Context as _, Result, anyhow};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Who a new file in `folder` should belong to: when we are root and the folder belongs to
/// another user, that user (and the folder's group); otherwise whoever we are.
pub fn inherited_owner(folder: &Path) -> Option<(u32, u32)> {
    if !nix::unistd::geteuid().is_root() {
        return None;
    }
    let meta = std::fs::metadata(folder).ok()?;
    (meta.uid() != 0).then(|| (meta.uid(), meta.gid()))
}

/// Creates `path` (mode 0600, owner as [`inherited_owner`] or `owner`) atomically.
pub fn create_private(path: &Path, bytes: &[u8], owner: Option<(u32, u32)>) -> std::io::Result<()> {
    let owner = owner.or_else(|| inherited_owner(folder_of(path)));
    provisioning::files::create_new_atomically(path, bytes, 0o600, owner)
}

/// Before SQLite opens the database: a new one is created empty with mode 0600 (SQLite gives
/// its WAL and shared-memory files the database's mode and, as root, its owner); an existing
/// one readable by others is tightened, with its WAL and shared-memory files.
pub fn prepare_database(path: &Path) -> std::io::Result<()> {
    if !path.exists() {
        match create_private(path, b"", None) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(meta) = std::fs::metadata(&file)
            && meta.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// `user` or `user:group` as numeric ids (the user's own group when none is given).
pub fn resolve_owner(spec: &str) -> Result<(u32, u32)> {
    use nix::unistd::{Group, User};
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let user = User::from_name(user)
        .with_context(|| format!("cannot look up user {user}"))?
        .ok_or_else(|| anyhow!("no user {user} on this machine (create the service user first)"))?;
    let gid = match group {
        Some(g) => {
            Group::from_name(g)
                .with_context(|| format!("cannot look up group {g}"))?
                .ok_or_else(|| anyhow!("no group {g} on this machine"))?
                .gid
        }
        None => user.gid,
    };
    Ok((user.uid.as_raw(), gid.as_raw()))
}
