//! Tiles decoded to RGBA8 with the `image` crate (PNG, JPEG), 256×256 only: the renderer
//! places tiles on a 256-pixel grid, and the limit keeps a crafted tile from allocating more
//! than one tile's pixels.

use super::metadata::TileFormat;
use super::tiles::TILE;
use image::{ImageFormat, ImageReader, Limits};

/// A decoded tile: `TILE × TILE` pixels, RGBA8, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    /// `TILE * TILE * 4` bytes.
    pub rgba: Vec<u8>,
}

/// Decodes one tile.
pub fn decode(format: TileFormat, data: &[u8]) -> Result<Tile, String> {
    let format = match format {
        TileFormat::Png => ImageFormat::Png,
        TileFormat::Jpg => ImageFormat::Jpeg,
    };
    let mut reader = ImageReader::with_format(std::io::Cursor::new(data), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(TILE);
    limits.max_image_height = Some(TILE);
    limits.max_alloc = Some(4 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| e.to_string())?;
    if (image.width(), image.height()) != (TILE, TILE) {
        return Err(format!(
            "the tile is {}×{}, not {TILE}×{TILE}",
            image.width(),
            image.height()
        ));
    }
    Ok(Tile {
        rgba: image.into_rgba8().into_raw(),
    })
}
