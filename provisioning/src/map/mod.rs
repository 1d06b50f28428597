//! The offline map (issue 19): an MBTiles file of raster tiles the centre publishes for a
//! region as the `map` stream.
//!
//! The signed bundle is small: [`MapManifest`] names the file by its SHA-256 and size and
//! repeats what the kiosk needs before opening it (tile format, bounds, zooms, datum). The file
//! itself is served apart, resumable with `Range` ([`crate::protocol::paths::map_file`]), so
//! a large map arrives in chunks under its own size cap rather than inside a bundle.
//!
//! * [`metadata`]: the MBTiles `metadata` table read into checked [`MapMetadata`] (outside
//!   input: parsed, never trusted).
//! * [`tiles`]: Web Mercator tile math (XYZ numbering; MBTiles stores TMS rows).
//! * `mbtiles`, `decode`, `view` (feature `map`): reading the SQLite file, decoding PNG/JPEG
//!   tiles and the viewport renderer the kiosk's map page shows.

pub mod metadata;
pub mod tiles;

#[cfg(feature = "map")]
pub mod cache;
#[cfg(feature = "map")]
pub mod decode;
#[cfg(feature = "map")]
pub mod install;
#[cfg(feature = "map")]
pub mod mbtiles;
#[cfg(feature = "map")]
pub mod synthetic;
#[cfg(feature = "map")]
pub mod view;
#[cfg(all(test, feature = "map"))]
mod view_tests;

pub use metadata::{Bounds, MapMetadata, TileFormat};

use crate::institutions::Datum;
use serde::{Deserialize, Serialize};

/// The bundle stream.
pub const STREAM: &str = "map";
/// The manifest's file name in the bundle's payload.
pub const FILE: &str = "map.json";
/// The manifest's format version.
pub const FORMAT: u32 = 1;

/// Why a map manifest, an MBTiles file or a tile is refused.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// The manifest or the metadata is not what a map needs.
    #[error("map: {0}")]
    Invalid(String),
    /// The file is not a readable SQLite/MBTiles file.
    #[error("map file is not a readable MBTiles file: {0}")]
    Unreadable(String),
    /// A tile does not decode.
    #[error("map tile {z}/{x}/{y} does not decode: {why}")]
    BadTile {
        /// Zoom.
        z: u8,
        /// Column (XYZ).
        x: u32,
        /// Row (XYZ).
        y: u32,
        /// The decoder's reason.
        why: String,
    },
}

/// The `map` bundle's `map.json`: which file, and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapManifest {
    /// [`FORMAT`].
    pub format: u32,
    /// SHA-256 of the MBTiles file, lowercase hex: also its name on the registry.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
    /// The file's checked metadata.
    pub metadata: MapMetadata,
    /// The datum the tiles are drawn in: pins in another datum are converted before drawing.
    /// Tiles from Chinese providers are GCJ-02.
    pub datum: Datum,
}

impl MapManifest {
    /// Parses and checks `map.json`.
    pub fn parse(bytes: &[u8]) -> Result<Self, MapError> {
        let manifest: Self = serde_json::from_slice(bytes)
            .map_err(|e| MapError::Invalid(format!("map.json: {e}")))?;
        manifest.check()?;
        Ok(manifest)
    }

    /// The checks [`MapManifest::parse`] applies.
    pub fn check(&self) -> Result<(), MapError> {
        if self.format != FORMAT {
            return Err(MapError::Invalid(format!(
                "map.json format {} (this kiosk reads {FORMAT})",
                self.format
            )));
        }
        if !is_sha256_hex(&self.sha256) {
            return Err(MapError::Invalid(
                "sha256 is not 64 lowercase hex digits".into(),
            ));
        }
        if self.size == 0 {
            return Err(MapError::Invalid("the map file is empty".into()));
        }
        self.metadata.check()
    }

    /// JSON for the bundle's payload.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

/// Whether `text` is a SHA-256 in lowercase hex (the only names a map file has).
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The fuzz target `map_manifest`: a first byte of 0 makes the rest a `map.json`, anything
/// else MBTiles `metadata` rows (`name=value` lines). Never a panic; what is accepted is
/// valid and, written back, parses to the same.
pub fn fuzz(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode == 0 {
        if let Ok(m) = MapManifest::parse(rest) {
            assert!(m.check().is_ok());
            assert_eq!(MapManifest::parse(&m.to_json()).ok().as_ref(), Some(&m));
        }
        return;
    }
    let rows: std::collections::HashMap<String, String> = String::from_utf8_lossy(rest)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if let Ok(m) = MapMetadata::from_rows(&rows) {
        assert!(m.check().is_ok() && m.minzoom <= m.maxzoom);
        assert!(m.bounds.west < m.bounds.east && m.bounds.south < m.bounds.north);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_fixture() -> MapManifest {
        manifest()
    }

    fn manifest() -> MapManifest {
        MapManifest {
            format: FORMAT,
            sha256: "a".repeat(64),
            size: 10,
            metadata: MapMetadata {
                name: "Test".into(),
                format: TileFormat::Png,
                bounds: Bounds {
                    west: 120.0,
                    south: 30.0,
                    east: 122.0,
                    north: 32.0,
                },
                minzoom: 3,
                maxzoom: 6,
            },
            datum: Datum::Gcj02,
        }
    }

    #[test]
    fn manifest_round_trips_and_refuses_bad_fields() {
        let m = manifest();
        assert_eq!(MapManifest::parse(&m.to_json()).unwrap(), m);
        let mut bad = m.clone();
        bad.sha256 = "A".repeat(64);
        assert!(MapManifest::parse(&bad.to_json()).is_err());
        let mut bad = m.clone();
        bad.metadata.minzoom = 9;
        assert!(MapManifest::parse(&bad.to_json()).is_err());
        let mut bad = m;
        bad.size = 0;
        assert!(MapManifest::parse(&bad.to_json()).is_err());
        assert!(MapManifest::parse(b"{").is_err());
    }

    #[test]
    fn map_manifest_corpus_replays() {
        crate::fuzz_corpus::replay_committed_inputs("map_manifest", fuzz);
    }

    #[test]
    #[ignore = "writes the seed corpus into fuzz/corpus; run once after changing the seeds"]
    fn write_seed_corpus() {
        let dir = crate::fuzz_corpus::fuzz_dir().join("corpus/map_manifest");
        std::fs::create_dir_all(&dir).unwrap();
        let mut manifest = vec![0u8];
        manifest.extend(manifest_fixture().to_json());
        let metadata = b"\x01name=Changchun\nformat=png\nbounds=125.1,43.7,125.6,44.05\nminzoom=10\nmaxzoom=14\n";
        std::fs::write(dir.join("seed-0"), manifest).unwrap();
        std::fs::write(dir.join("seed-1"), metadata).unwrap();
    }
}
