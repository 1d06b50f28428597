//! `map publish`: an MBTiles file checked (it opens as SQLite, its metadata says png or jpg
//! with bounds and zooms, every tile decodes), stored in chunks under its SHA-256, and named
//! by a small signed `map` bundle, so that terminals fetch the file itself with `Range`.

use crate::store::Store;
use anyhow::{Context as _, Result, bail};
use ed25519_dalek::SigningKey;
use provisioning::bundle::{Manifest, Payload};
use provisioning::institutions::Datum;
use provisioning::map::{FILE, FORMAT, MapManifest, STREAM, mbtiles};
use provisioning::scope::Scope;
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// What to publish.
#[derive(Debug)]
pub struct Options {
    /// Version; the stream's latest plus one when `None`.
    pub version: Option<u64>,
    /// The datum the tiles are drawn in.
    pub datum: Datum,
    /// Which terminals.
    pub scope: Scope,
    /// How long terminals accept it.
    pub valid_for: chrono::Duration,
}

/// Checks a map file as a terminal would (and more: every tile), and describes it.
pub fn check(path: &Path, datum: Datum) -> Result<(MapManifest, Vec<u8>)> {
    let metadata = mbtiles::check_file(path, None)
        .with_context(|| format!("{} is refused", path.display()))?;
    let file = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let manifest = MapManifest {
        format: FORMAT,
        sha256: hex::encode(Sha256::digest(&file)),
        size: file.len() as u64,
        metadata,
        datum,
    };
    manifest.check()?;
    Ok((manifest, file))
}

/// Checks, stores the file and signs the bundle.
pub fn publish(
    store: &Store,
    path: &Path,
    options: Options,
    key: &SigningKey,
) -> Result<(Manifest, MapManifest)> {
    let (map, file) = check(path, options.datum)?;
    if file.is_empty() {
        bail!("{} is empty", path.display());
    }
    let version = match options.version {
        Some(v) => v,
        None => {
            store
                .bundles()?
                .iter()
                .filter(|b| b.stream == STREAM)
                .map(|b| b.version)
                .max()
                .unwrap_or(0)
                + 1
        }
    };
    // The file first: a bundle never names a file the registry cannot serve.
    crate::store::wait(|| store.map_file_store(&map.sha256, &map.metadata.name, &file))?;
    let mut payload = Payload::default();
    payload.insert(FILE, map.to_json())?;
    let (manifest, _) = crate::admin::bundles::publish(
        store,
        STREAM,
        version,
        options.scope,
        options.valid_for,
        &payload,
        key,
    )?;
    Ok((manifest, map))
}
