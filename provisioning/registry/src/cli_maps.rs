//! `map`: the offline map for terminals (issue 19).

use crate::admin::{duration, keys};
use crate::map_publish::{Options, publish};
use crate::store::Store;
use anyhow::{Result, anyhow};
use clap::Subcommand;
use provisioning::institutions::Datum;
use provisioning::scope::Scope;
use std::path::PathBuf;

/// `map` subcommands.
#[derive(Subcommand, Debug)]
pub enum MapCommand {
    /// Check an MBTiles file (raster png/jpg, bounds, minzoom/maxzoom, every tile decodes),
    /// store it and sign the `map` bundle that names it; terminals download the file with
    /// resume.
    Publish {
        /// The MBTiles file.
        file: PathBuf,
        /// Only terminals of this region (shorthand for `--scope region:CODE`).
        #[arg(long, conflicts_with = "scope")]
        region: Option<String>,
        /// Target: all, region:CODE, platform:ID or terminal:ID.
        #[arg(long, default_value = "all")]
        scope: String,
        /// The datum the tiles are drawn in: gcj02 (Amap, Tencent and most Chinese tiles) or
        /// wgs84 (天地图, OpenStreetMap).
        #[arg(long, default_value = "gcj02")]
        datum: String,
        /// Version; the stream's latest plus one when not given.
        #[arg(long)]
        version: Option<u64>,
        /// Private signing key file.
        #[arg(long)]
        key: PathBuf,
        /// How long terminals accept it.
        #[arg(long, default_value = "365d")]
        valid_for: String,
    },
}

/// Runs a `map` subcommand.
pub fn run(store: &Store, command: MapCommand) -> Result<()> {
    match command {
        MapCommand::Publish {
            file,
            region,
            scope,
            datum,
            version,
            key,
            valid_for,
        } => {
            let scope = match region {
                Some(code) => Scope::parse(&format!("region:{code}")),
                None => Scope::parse(&scope),
            }
            .ok_or_else(|| anyhow!("scope must be all, region:CODE, platform:ID or terminal:ID"))?;
            let datum =
                Datum::parse(&datum).ok_or_else(|| anyhow!("datum must be gcj02 or wgs84"))?;
            let options = Options {
                version,
                datum,
                scope,
                valid_for: duration::parse(&valid_for).map_err(|e| anyhow!(e))?,
            };
            let (manifest, map) = publish(store, &file, options, &keys::load(&key)?)?;
            println!(
                "published {} v{} for {}: {} ({} bytes, sha256 {}, {:?} zooms {}–{}, expires {})",
                manifest.stream,
                manifest.version,
                manifest.scope.describe(),
                file.display(),
                map.size,
                map.sha256,
                map.metadata.format,
                map.metadata.minzoom,
                map.metadata.maxzoom,
                manifest.expires_at
            );
            Ok(())
        }
    }
}
