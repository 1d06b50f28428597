//! Synthetic MBTiles files for tests and benches: tiles drawn here, each filled with a colour
//! computed from its address ([`tile_colour`]), so a test can tell which tile landed where.
//! `textured` adds per-pixel variation, so that PNG decoding costs what a real map's does.

use super::tiles::{TILE, world_px};
use super::{Bounds, MapError};
use image::ImageEncoder as _;
use image::codecs::png::PngEncoder;
use rusqlite::Connection;
use std::path::Path;

/// The colour of tile `z/x/y` (XYZ), opaque and distinct between neighbours.
pub fn tile_colour(z: u8, x: u32, y: u32) -> [u8; 4] {
    let h = (u64::from(z) << 48 | u64::from(x) << 24 | u64::from(y))
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(17)
        .wrapping_mul(0xbf58_476d_1ce4_e5b9);
    [(h >> 8) as u8, (h >> 24) as u8, (h >> 40) as u8, 0xff]
}

/// A PNG tile of `colour`; `textured` varies every pixel slightly.
pub fn tile_png(colour: [u8; 4], textured: bool) -> Vec<u8> {
    let mut rgba = Vec::with_capacity((TILE * TILE * 4) as usize);
    for y in 0..TILE {
        for x in 0..TILE {
            let n = if textured {
                ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761) >> 28)
                    as u8
            } else {
                0
            };
            rgba.extend_from_slice(&[colour[0] ^ n, colour[1] ^ n, colour[2] ^ n, 0xff]);
        }
    }
    let mut png = Vec::new();
    // Encoding into a Vec cannot fail for a well-sized buffer.
    let _ =
        PngEncoder::new(&mut png).write_image(&rgba, TILE, TILE, image::ExtendedColorType::Rgba8);
    png
}

/// Writes an MBTiles file covering `bounds` at zooms `minzoom..=maxzoom`.
pub fn write(
    path: &Path,
    bounds: Bounds,
    minzoom: u8,
    maxzoom: u8,
    textured: bool,
) -> Result<u64, MapError> {
    let e = |e: rusqlite::Error| MapError::Unreadable(e.to_string());
    let mut conn = Connection::open(path).map_err(e)?;
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
         PRAGMA application_id = 1297105496;",
    )
    .map_err(e)?;
    let tx = conn.transaction().map_err(e)?;
    let b = bounds;
    for (name, value) in [
        ("name", "Synthetic".to_string()),
        ("format", "png".into()),
        (
            "bounds",
            format!("{},{},{},{}", b.west, b.south, b.east, b.north),
        ),
        ("minzoom", minzoom.to_string()),
        ("maxzoom", maxzoom.to_string()),
    ] {
        tx.execute("INSERT INTO metadata VALUES (?1, ?2)", [name, &value])
            .map_err(e)?;
    }
    let mut count = 0;
    for z in minzoom..=maxzoom {
        let t = f64::from(TILE);
        let (x0, y0) = world_px(b.north, b.west, z);
        let (x1, y1) = world_px(b.south, b.east, z);
        let last = (1u32 << z) - 1;
        for y in (y0 / t) as u32..=((y1 / t) as u32).min(last) {
            for x in (x0 / t) as u32..=((x1 / t) as u32).min(last) {
                tx.execute(
                    "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![
                        z,
                        x,
                        super::tiles::tms_row(z, y),
                        tile_png(tile_colour(z, x, y), textured)
                    ],
                )
                .map_err(e)?;
                count += 1;
            }
        }
    }
    tx.commit().map_err(e)?;
    Ok(count)
}
