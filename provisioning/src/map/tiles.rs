//! Web Mercator (EPSG:3857) in pixels of 256-pixel tiles: a latitude/longitude at zoom `z`
//! is a point in a world `256·2^z` pixels wide, tile `(x, y)` (XYZ: y from the top) covers
//! `[256x, 256x+256) × [256y, 256y+256)`. MBTiles rows are TMS (from the bottom):
//! `row = 2^z − 1 − y`.

use super::metadata::MAX_LAT;
use std::f64::consts::PI;

/// Pixels per tile side.
pub const TILE: u32 = 256;

/// World pixel `(x, y)` of a point at `zoom` (fractional zooms are not used).
pub fn world_px(lat: f64, lng: f64, zoom: u8) -> (f64, f64) {
    let size = f64::from(TILE) * f64::from(1u32 << zoom);
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lng + 180.0) / 360.0 * size;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0 * size;
    (x, y)
}

/// The point at world pixel `(x, y)` at `zoom`: `(lat, lng)`.
pub fn lat_lng(x: f64, y: f64, zoom: u8) -> (f64, f64) {
    let size = f64::from(TILE) * f64::from(1u32 << zoom);
    let lng = x / size * 360.0 - 180.0;
    let n = PI * (1.0 - 2.0 * y / size);
    (n.sinh().atan().to_degrees(), lng)
}

/// The MBTiles (TMS) row of XYZ row `y` at `zoom`.
pub fn tms_row(zoom: u8, y: u32) -> u32 {
    (1u32 << zoom) - 1 - y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_example_and_the_formula_agree() {
        // MBTiles spec: XYZ 11/327/791 is TMS row 1256.
        assert_eq!(tms_row(11, 791), 1256);
        // reference wave2 §3: x = floor((lon+180)/360·2^z), y = floor((1−ln(tan φ+sec φ)/π)/2·2^z).
        let (x, y) = world_px(31.2304, 121.4737, 10);
        assert_eq!(((x / 256.0) as u32, (y / 256.0) as u32), (857, 418));
    }

    #[test]
    fn pixels_and_coordinates_round_trip() {
        for (lat, lng) in [(31.2304, 121.4737), (-33.9, 18.4), (0.0, 0.0)] {
            let (x, y) = world_px(lat, lng, 14);
            let (lat2, lng2) = lat_lng(x, y, 14);
            assert!((lat - lat2).abs() < 1e-9 && (lng - lng2).abs() < 1e-9);
        }
        assert_eq!(world_px(0.0, 0.0, 1), (256.0, 256.0));
    }
}
