//! Reading an MBTiles 1.3 file (SQLite, read-only, no extensions): its `metadata`, one tile
//! by XYZ numbering (the stored row is TMS, flipped here), and the checks a file passes
//! before it is published (every tile) or installed on a kiosk (a sample). Shared by the
//! registry's console map, its `map publish` and the kiosk.

use super::MapError;
use super::decode::decode;
use super::metadata::MapMetadata;
use super::tiles::tms_row;
use rusqlite::{Connection, OpenFlags, OptionalExtension as _};
use std::collections::HashMap;
use std::path::Path;

fn unreadable(e: impl std::fmt::Display) -> MapError {
    MapError::Unreadable(e.to_string())
}

/// Opens `path` read-only (the file is never changed in place; a new map replaces it whole).
pub fn open_read_only(path: &Path) -> Result<Connection, MapError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(unreadable)?;
    // Opening is lazy: read the schema now, so that a file that is not SQLite fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(unreadable)?;
    Ok(conn)
}

/// The `metadata` table as it is, unchecked (the console shows it).
pub fn metadata_rows(conn: &Connection) -> Result<HashMap<String, String>, MapError> {
    let mut stmt = conn
        .prepare("SELECT name, value FROM metadata")
        .map_err(|e| MapError::Unreadable(format!("no metadata table: {e}")))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(unreadable)?;
    rows.collect::<Result<_, _>>().map_err(unreadable)
}

/// One tile's stored bytes by XYZ numbering, or `None`.
pub fn tile_data(conn: &Connection, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, MapError> {
    if z > super::metadata::MAX_ZOOM || x >= 1 << z || y >= 1 << z {
        return Ok(None);
    }
    conn.prepare_cached(
        "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
    )
    .and_then(|mut s| {
        s.query_row([u32::from(z), x, tms_row(z, y)], |r| r.get(0))
            .optional()
    })
    .map_err(unreadable)
}

/// An open map file with its checked metadata.
pub struct MbTiles {
    conn: Connection,
    metadata: MapMetadata,
}

impl std::fmt::Debug for MbTiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MbTiles")
            .field("metadata", &self.metadata)
            .finish()
    }
}

impl MbTiles {
    /// Opens a file and checks its metadata (not its tiles: see [`MbTiles::check_tiles`]).
    pub fn open(path: &Path) -> Result<Self, MapError> {
        let conn = open_read_only(path)?;
        let metadata = MapMetadata::from_rows(&metadata_rows(&conn)?)?;
        Ok(Self { conn, metadata })
    }

    /// The checked metadata.
    pub fn metadata(&self) -> &MapMetadata {
        &self.metadata
    }

    /// One tile's stored bytes (XYZ numbering).
    pub fn tile_data(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, MapError> {
        tile_data(&self.conn, z, x, y)
    }

    /// Decodes tiles: all of them (`sample` `None`, at publish) or about `sample` spread over
    /// the file (on the kiosk, where the hash already proved the bytes are the published
    /// ones). Refuses a file without tiles, a tile outside its zoom's grid, one that does not
    /// decode. Returns how many were decoded.
    pub fn check_tiles(&self, sample: Option<usize>) -> Result<u64, MapError> {
        let total: i64 = self
            .conn
            .query_row("SELECT count(*) FROM tiles", [], |r| r.get(0))
            .map_err(|e| MapError::Unreadable(format!("no tiles table: {e}")))?;
        if total <= 0 {
            return Err(MapError::Invalid("the file has no tiles".into()));
        }
        // Every `step`-th row: a sample across all zooms without ORDER BY random().
        let step = match sample {
            Some(n) if n > 0 => (total as u64).div_ceil(n as u64).max(1),
            _ => 1,
        };
        let mut stmt = self
            .conn
            .prepare("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
            .map_err(unreadable)?;
        let mut rows = stmt.query([]).map_err(unreadable)?;
        let (mut index, mut decoded) = (0u64, 0u64);
        while let Some(row) = rows.next().map_err(unreadable)? {
            index += 1;
            if (index - 1) % step != 0 {
                continue;
            }
            let (z, x, row_tms): (i64, i64, i64) = (
                row.get(0).map_err(unreadable)?,
                row.get(1).map_err(unreadable)?,
                row.get(2).map_err(unreadable)?,
            );
            let in_grid = (0..=i64::from(super::metadata::MAX_ZOOM)).contains(&z)
                && (0..1i64 << z).contains(&x)
                && (0..1i64 << z).contains(&row_tms);
            if !in_grid {
                return Err(MapError::Invalid(format!(
                    "tile {z}/{x}/{row_tms} (TMS) is outside its zoom's grid"
                )));
            }
            let (z, x) = (z as u8, x as u32);
            let y = tms_row(z, row_tms as u32);
            let data: Vec<u8> = row.get(3).map_err(|e| MapError::BadTile {
                z,
                x,
                y,
                why: e.to_string(),
            })?;
            decode(self.metadata.format, &data).map_err(|why| MapError::BadTile {
                z,
                x,
                y,
                why,
            })?;
            decoded += 1;
        }
        Ok(decoded)
    }
}

/// Opens `path` as a map and decodes its tiles (all, or a sample): the one check used at
/// publish and at install.
pub fn check_file(path: &Path, sample: Option<usize>) -> Result<MapMetadata, MapError> {
    let map = MbTiles::open(path)?;
    map.check_tiles(sample)?;
    Ok(map.metadata)
}
