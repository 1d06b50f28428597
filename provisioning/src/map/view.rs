//! The kiosk's map viewport, plain Rust: tiles from an open MBTiles file composited into an
//! RGBA8 frame of the viewport's size, pins on top, pan by a pixel delta, zoom by whole
//! steps around a point. The UI copies [`Frame::rgba`] into its pixel buffer; nothing here
//! knows about Slint.
//!
//! Pins are placed in the tiles' datum (the manifest says which; Chinese tiles are GCJ-02):
//! a pin given in another datum is converted first, never drawn as is.

use super::cache::TileCache;
use super::decode::{Tile, decode};
use super::mbtiles::MbTiles;
use super::tiles::{TILE, lat_lng, world_px};
use super::{MapError, MapMetadata};
use crate::institutions::{Datum, Location};
use std::path::Path;
use std::sync::Arc;

/// Where no tile is drawn (outside the file's tiles): a light grey, like an unloaded map.
pub const BACKGROUND: [u8; 4] = [0xe4, 0xe2, 0xde, 0xff];
/// Decoded tiles kept (a 1080×1920 viewport shows up to 54; room to pan back).
pub const CACHE_TILES: usize = 128;

/// What a pin marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinKind {
    /// This platform: "you are here".
    Here,
    /// An institution.
    Institution,
    /// The institution the citizen selected.
    Selected,
}

impl PinKind {
    /// Fill colour (RGBA) and radius in pixels.
    pub fn style(self) -> ([u8; 4], i32) {
        match self {
            PinKind::Here => ([0xd3, 0x2f, 0x2f, 0xff], 16),
            PinKind::Institution => ([0x15, 0x65, 0xc0, 0xff], 12),
            PinKind::Selected => ([0xff, 0x8f, 0x00, 0xff], 20),
        }
    }
}

/// A pin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pin {
    /// Where, with its datum.
    pub location: Location,
    /// What it marks.
    pub kind: PinKind,
}

/// A rendered frame, borrowed from the view until the next change.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// `width × height × 4` bytes, RGBA8, rows top to bottom.
    pub rgba: &'a [u8],
}

/// The viewport.
#[derive(Debug)]
pub struct MapView {
    map: MbTiles,
    datum: Datum,
    cache: TileCache,
    width: u32,
    height: u32,
    zoom: u8,
    /// The viewport's centre in world pixels at `zoom`.
    center: (f64, f64),
    pins: Vec<Pin>,
    frame: Vec<u8>,
}

impl MapView {
    /// Opens a map file whose tiles are drawn in `datum`, for a `width × height` viewport,
    /// centred on the file's bounds at its lowest zoom.
    pub fn open(path: &Path, datum: Datum, width: u32, height: u32) -> Result<Self, MapError> {
        let map = MbTiles::open(path)?;
        let m = map.metadata().clone();
        let b = m.bounds;
        let zoom = m.minzoom;
        let mut view = Self {
            map,
            datum,
            cache: TileCache::new(CACHE_TILES),
            width: width.max(1),
            height: height.max(1),
            zoom,
            center: (0.0, 0.0),
            pins: Vec::new(),
            frame: vec![0; width.max(1) as usize * height.max(1) as usize * 4],
        };
        view.center = world_px((b.north + b.south) / 2.0, (b.west + b.east) / 2.0, zoom);
        Ok(view)
    }

    /// The file's metadata.
    pub fn metadata(&self) -> &MapMetadata {
        self.map.metadata()
    }

    /// The current zoom.
    pub fn zoom(&self) -> u8 {
        self.zoom
    }

    /// Viewport size.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Changes the viewport's size, keeping its centre (the page laid out anew).
    pub fn set_size(&mut self, width: u32, height: u32) {
        self.width = width.max(1);
        self.height = height.max(1);
        self.frame = vec![0; self.width as usize * self.height as usize * 4];
    }

    /// Replaces the pins.
    pub fn set_pins(&mut self, pins: Vec<Pin>) {
        self.pins = pins;
    }

    /// Centres the view on `location` at `zoom` (clamped to the file's zooms and bounds).
    pub fn center_on(&mut self, location: Location, zoom: u8) {
        let m = self.map.metadata();
        self.zoom = zoom.clamp(m.minzoom, m.maxzoom);
        let (lat, lng) = self.in_tiles_datum(location);
        self.center = world_px(lat, lng, self.zoom);
        self.clamp_center();
    }

    /// Moves the picture by `(dx, dy)` pixels, as a finger dragging it does (drag right: the
    /// map moves right, the centre moves left), stopping at the file's bounds.
    pub fn pan(&mut self, dx: f64, dy: f64) {
        self.center.0 -= dx;
        self.center.1 -= dy;
        self.clamp_center();
    }

    /// Zooms by `steps` (positive: in) keeping the point under viewport pixel `at` where it
    /// is; clamped to the file's zooms. Returns whether the zoom changed.
    pub fn zoom_at(&mut self, steps: i32, at: (f64, f64)) -> bool {
        let m = self.map.metadata();
        let target =
            (i32::from(self.zoom) + steps).clamp(i32::from(m.minzoom), i32::from(m.maxzoom)) as u8;
        if target == self.zoom {
            return false;
        }
        let (ox, oy) = self.origin();
        let under = (ox + at.0, oy + at.1);
        let scale = 2f64.powi(i32::from(target) - i32::from(self.zoom));
        self.center = (
            under.0 * scale - at.0 + f64::from(self.width) / 2.0,
            under.1 * scale - at.1 + f64::from(self.height) / 2.0,
        );
        self.zoom = target;
        self.clamp_center();
        true
    }

    /// The viewport pixel where `location` is drawn (may be outside the viewport).
    pub fn pixel_of(&self, location: Location) -> (f64, f64) {
        let (lat, lng) = self.in_tiles_datum(location);
        let (x, y) = world_px(lat, lng, self.zoom);
        let (ox, oy) = self.origin();
        (x - ox, y - oy)
    }

    /// The point under viewport pixel `(x, y)`, in the tiles' datum.
    pub fn location_at(&self, x: f64, y: f64) -> Location {
        let (ox, oy) = self.origin();
        let (lat, lng) = lat_lng(ox + x, oy + y, self.zoom);
        Location {
            datum: self.datum,
            lat,
            lng,
        }
    }

    /// The pin under a tap at `(x, y)` (the topmost, within its radius plus a finger's
    /// margin), by index in the pins given.
    pub fn pin_at(&self, x: f64, y: f64) -> Option<usize> {
        self.pins.iter().enumerate().rev().find_map(|(i, pin)| {
            let (px, py) = self.pixel_of(pin.location);
            let reach = f64::from(pin.kind.style().1 + 20);
            ((px - x).powi(2) + (py - y).powi(2) <= reach * reach).then_some(i)
        })
    }

    /// Draws the frame: tiles, then institutions, the selected one and "you are here" on top.
    pub fn render(&mut self) -> Result<Frame<'_>, MapError> {
        let (ox, oy) = self.origin();
        let (ox, oy) = (ox.floor() as i64, oy.floor() as i64);
        for px in self.frame.chunks_exact_mut(4) {
            px.copy_from_slice(&BACKGROUND);
        }
        let tile = i64::from(TILE);
        let tiles_per_side = 1i64 << self.zoom;
        let (first_x, first_y) = (ox.div_euclid(tile), oy.div_euclid(tile));
        let (last_x, last_y) = (
            (ox + i64::from(self.width) - 1).div_euclid(tile),
            (oy + i64::from(self.height) - 1).div_euclid(tile),
        );
        for ty in first_y.max(0)..=last_y.min(tiles_per_side - 1) {
            for tx in first_x.max(0)..=last_x.min(tiles_per_side - 1) {
                if let Some(t) = self.tile(tx as u32, ty as u32)? {
                    blit(
                        &mut self.frame,
                        self.width,
                        self.height,
                        &t,
                        tx * tile - ox,
                        ty * tile - oy,
                    );
                }
            }
        }
        let mut order: Vec<&Pin> = self.pins.iter().collect();
        order.sort_by_key(|p| match p.kind {
            PinKind::Institution => 0,
            PinKind::Selected => 1,
            PinKind::Here => 2,
        });
        for pin in order {
            let (x, y) = self.pixel_of(pin.location);
            let (colour, radius) = pin.kind.style();
            disc(
                &mut self.frame,
                self.width,
                self.height,
                (x, y),
                radius + 3,
                [0xff; 4],
            );
            disc(
                &mut self.frame,
                self.width,
                self.height,
                (x, y),
                radius,
                colour,
            );
        }
        Ok(Frame {
            width: self.width,
            height: self.height,
            rgba: &self.frame,
        })
    }

    fn tile(&mut self, x: u32, y: u32) -> Result<Option<Arc<Tile>>, MapError> {
        let key = (self.zoom, x, y);
        if let Some(hit) = self.cache.get(key) {
            return Ok(hit);
        }
        let decoded = match self.map.tile_data(self.zoom, x, y)? {
            Some(data) => Some(Arc::new(decode(self.metadata().format, &data).map_err(
                |why| MapError::BadTile {
                    z: key.0,
                    x,
                    y,
                    why,
                },
            )?)),
            None => None,
        };
        self.cache.put(key, decoded.clone());
        Ok(decoded)
    }

    /// World pixel of the viewport's top-left corner.
    fn origin(&self) -> (f64, f64) {
        (
            self.center.0 - f64::from(self.width) / 2.0,
            self.center.1 - f64::from(self.height) / 2.0,
        )
    }

    fn in_tiles_datum(&self, location: Location) -> (f64, f64) {
        let l = location.to(self.datum);
        (l.lat, l.lng)
    }

    /// Keeps the centre inside the file's bounds, so the citizen cannot pan to where no tile
    /// is.
    fn clamp_center(&mut self) {
        let b = self.map.metadata().bounds;
        let (west, north) = world_px(b.north, b.west, self.zoom);
        let (east, south) = world_px(b.south, b.east, self.zoom);
        self.center.0 = self.center.0.clamp(west, east);
        self.center.1 = self.center.1.clamp(north, south);
    }
}

/// Copies a tile whose top-left corner is at viewport pixel `(left, top)`, clipped.
fn blit(frame: &mut [u8], width: u32, height: u32, tile: &Tile, left: i64, top: i64) {
    let (w, h, t) = (i64::from(width), i64::from(height), i64::from(TILE));
    let (x0, x1) = (left.max(0), (left + t).min(w));
    if x0 >= x1 {
        return;
    }
    for y in top.max(0)..(top + t).min(h) {
        let src_row = (y - top) as usize * TILE as usize * 4;
        let src =
            &tile.rgba[src_row + (x0 - left) as usize * 4..src_row + (x1 - left) as usize * 4];
        let dst_row = y as usize * width as usize * 4;
        frame[dst_row + x0 as usize * 4..dst_row + x1 as usize * 4].copy_from_slice(src);
    }
}

/// A filled disc of `radius` pixels centred at `(cx, cy)`, clipped.
fn disc(
    frame: &mut [u8],
    width: u32,
    height: u32,
    (cx, cy): (f64, f64),
    radius: i32,
    colour: [u8; 4],
) {
    let r = f64::from(radius);
    let (x0, x1) = (
        (cx - r).floor().max(0.0),
        (cx + r).ceil().min(f64::from(width) - 1.0),
    );
    let (y0, y1) = (
        (cy - r).floor().max(0.0),
        (cy + r).ceil().min(f64::from(height) - 1.0),
    );
    if x0 > x1 || y0 > y1 {
        return;
    }
    for y in y0 as usize..=y1 as usize {
        for x in x0 as usize..=x1 as usize {
            let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
            if dx * dx + dy * dy <= r * r {
                let i = (y * width as usize + x) * 4;
                frame[i..i + 4].copy_from_slice(&colour);
            }
        }
    }
}
