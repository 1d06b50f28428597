//! The offline map's panel on a page: the map file open in a viewport, the drag under way,
//! and the picture handed to Slint. The find-a-service controller, the screenshots and the
//! map-page benchmark all draw through it, so what they show and time is what a citizen
//! sees.

use std::path::Path;

use provisioning::institutions::{Datum, Location};
use provisioning::map::install::InstalledMap;
use slint::{Image, Rgba8Pixel, SharedPixelBuffer};

use crate::domain::map::{MapView, Pin};

/// The map's picture, in pixels (the page scales it to its panel).
pub const MAP_SIZE: (u32, u32) = (1000, 420);
/// The zoom a map opens at around an institution (clamped to the file's zooms).
pub const MAP_ZOOM: u8 = 15;

/// The map open on the page: which file, its view, and the drag under way.
struct OpenMap {
    key: String,
    view: MapView,
    dragged: (f32, f32),
}

/// A map panel; empty until a map is opened.
#[derive(Default)]
pub struct MapPanel {
    open: Option<OpenMap>,
}

impl MapPanel {
    /// Opens the map in force (again only when it changed); false without one or when its
    /// file cannot be read (the page then shows no map, only the address).
    pub fn open(&mut self, map: Option<&InstalledMap>) -> bool {
        match map {
            Some(m) => self.open_file(&m.manifest.sha256, &m.path, m.manifest.datum),
            None => {
                self.open = None;
                false
            }
        }
    }

    /// Opens the MBTiles file at `path`, known by `key` (its hash), unless it is open.
    pub fn open_file(&mut self, key: &str, path: &Path, datum: Datum) -> bool {
        if self.open.as_ref().is_some_and(|m| m.key == key) {
            return true;
        }
        let (w, h) = MAP_SIZE;
        match MapView::open(path, datum, w, h) {
            Ok(view) => {
                self.open = Some(OpenMap {
                    key: key.to_owned(),
                    view,
                    dragged: (0.0, 0.0),
                });
                true
            }
            Err(e) => {
                tracing::error!("the offline map cannot be opened: {e}");
                self.open = None;
                false
            }
        }
    }

    /// Centres the open map on `location` at the opening zoom, with `pins`.
    pub fn center(&mut self, location: Location, pins: Vec<Pin>) {
        if let Some(open) = self.open.as_mut() {
            open.view.set_pins(pins);
            open.view.center_on(location, MAP_ZOOM);
        }
    }

    /// A finger went down on the map: the next drag starts from here.
    pub fn press(&mut self) {
        if let Some(open) = self.open.as_mut() {
            open.dragged = (0.0, 0.0);
        }
    }

    /// The finger is `(dx, dy)` away from where it went down; false without a map.
    pub fn drag_to(&mut self, dx: f32, dy: f32) -> bool {
        let Some(open) = self.open.as_mut() else {
            return false;
        };
        let step = (dx - open.dragged.0, dy - open.dragged.1);
        open.dragged = (dx, dy);
        open.view.pan(f64::from(step.0), f64::from(step.1));
        true
    }

    /// 放大 (+1) or 缩小 (-1) around the panel's centre; false when the map has no such zoom.
    pub fn zoom(&mut self, steps: i32) -> bool {
        let (w, h) = MAP_SIZE;
        self.open.as_mut().is_some_and(|open| {
            open.view
                .zoom_at(steps, (f64::from(w) / 2.0, f64::from(h) / 2.0))
        })
    }

    /// The map as the page shows it now; `None` without a map or when it cannot be drawn.
    pub fn picture(&mut self) -> Option<Image> {
        let open = self.open.as_mut()?;
        match open.view.render() {
            Ok(frame) => {
                let mut pixels = SharedPixelBuffer::<Rgba8Pixel>::new(frame.width, frame.height);
                pixels.make_mut_bytes().copy_from_slice(frame.rgba);
                Some(Image::from_rgba8(pixels))
            }
            Err(e) => {
                tracing::error!("the offline map cannot be drawn: {e}");
                None
            }
        }
    }
}
