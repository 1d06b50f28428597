//! Publishing a bundle from a directory of files.

use crate::store::Store;
use anyhow::{Context as _, Result, bail};
use chrono::Utc;
use ed25519_dalek::SigningKey;
use provisioning::bundle::sign::{BundleSpec, sign_bundle};
use provisioning::bundle::{Manifest, Payload, SignedBundle};
use provisioning::scope::Scope;
use std::path::Path;

/// Reads every regular file under `dir` (recursively) into a payload, names relative to `dir`.
pub fn payload_from_dir(dir: &Path) -> Result<Payload> {
    let mut payload = Payload::default();
    add_dir(&mut payload, dir, "")?;
    if payload.files.is_empty() {
        bail!("{} holds no files", dir.display());
    }
    Ok(payload)
}

fn add_dir(payload: &mut Payload, dir: &Path, prefix: &str) -> Result<()> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| anyhow::anyhow!("file name {n:?} is not UTF-8"))?;
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            add_dir(payload, &entry.path(), &relative)?;
        } else if kind.is_file() {
            let content = std::fs::read(entry.path())
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            payload.insert(&relative, content)?;
        } else {
            bail!(
                "{} is neither a file nor a folder (symlinks are not followed)",
                entry.path().display()
            );
        }
    }
    Ok(())
}

/// Signs `payload` as `stream` version `version` for `scope`, valid for `valid_for`, and
/// stores it in the registry.
pub fn publish(
    store: &Store,
    stream: &str,
    version: u64,
    scope: Scope,
    valid_for: chrono::Duration,
    payload: &Payload,
    key: &SigningKey,
) -> Result<(Manifest, SignedBundle)> {
    let now = Utc::now();
    let spec = BundleSpec {
        stream: stream.to_string(),
        version,
        scope,
        issued_at: now,
        expires_at: now + valid_for,
    };
    let bundle = sign_bundle(&spec, payload, key);
    let manifest = store.publish(&bundle)?;
    Ok((manifest, bundle))
}
