//! The renderer against a synthetic MBTiles file whose every tile is a colour computed from
//! its address: what the citizen sees at a pixel is checked against the tile that belongs
//! there by Web Mercator arithmetic.

use super::synthetic::{tile_colour, write};
use super::tiles::{TILE, world_px};
use super::view::{BACKGROUND, MapView, Pin, PinKind};
use super::{Bounds, MapError, mbtiles};
use crate::institutions::geo::wgs84_to_gcj02;
use crate::institutions::{Datum, Location};

const W: u32 = 540;
const H: u32 = 960;

fn bounds() -> Bounds {
    Bounds {
        west: 121.0,
        south: 30.8,
        east: 122.0,
        north: 31.6,
    }
}

fn map() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.mbtiles");
    write(&path, bounds(), 8, 11, false).unwrap();
    (dir, path)
}

fn pixel(rgba: &[u8], x: u32, y: u32) -> [u8; 4] {
    let i = ((y * W + x) * 4) as usize;
    rgba[i..i + 4].try_into().unwrap()
}

/// The tile colour expected at viewport pixel `(x, y)` when the viewport's centre shows
/// `center` at `zoom`.
fn expected(center: Location, zoom: u8, x: u32, y: u32) -> [u8; 4] {
    let (cx, cy) = world_px(center.lat, center.lng, zoom);
    let (ox, oy) = (
        (cx - f64::from(W) / 2.0).floor(),
        (cy - f64::from(H) / 2.0).floor(),
    );
    let (wx, wy) = (ox + f64::from(x), oy + f64::from(y));
    let t = f64::from(TILE);
    let (tx, ty) = ((wx / t) as u32, (wy / t) as u32);
    // The synthetic file holds the tiles that cover its bounds; elsewhere, background.
    let b = bounds();
    let (x0, y0) = world_px(b.north, b.west, zoom);
    let (x1, y1) = world_px(b.south, b.east, zoom);
    let inside = ((x0 / t) as u32..=(x1 / t) as u32).contains(&tx)
        && ((y0 / t) as u32..=(y1 / t) as u32).contains(&ty);
    if inside {
        tile_colour(zoom, tx, ty)
    } else {
        BACKGROUND
    }
}

const PEOPLES_SQUARE: Location = Location {
    datum: Datum::Gcj02,
    lat: 31.2304,
    lng: 121.4737,
};

#[test]
fn a_known_coordinate_shows_its_tile_at_the_expected_pixel() {
    let (_dir, path) = map();
    let mut view = MapView::open(&path, Datum::Gcj02, W, H).unwrap();
    view.center_on(PEOPLES_SQUARE, 10);
    let frame = view.render().unwrap();
    assert_eq!(
        (frame.width, frame.height, frame.rgba.len()),
        (W, H, (W * H * 4) as usize)
    );
    // The centre pixel is in tile 10/857/418 (wave2 §3's formula, by hand).
    assert_eq!(pixel(frame.rgba, W / 2, H / 2), tile_colour(10, 857, 418));
    let mut background = 0;
    for y in (0..H).step_by(37) {
        for x in (0..W).step_by(29) {
            let want = expected(PEOPLES_SQUARE, 10, x, y);
            background += usize::from(want == BACKGROUND);
            assert_eq!(pixel(frame.rgba, x, y), want, "pixel {x},{y}");
        }
    }
    assert!(
        background > 0,
        "the viewport reaches past the file's tiles at the top"
    );
}

#[test]
fn pins_are_drawn_where_their_coordinates_are() {
    let (_dir, path) = map();
    let mut view = MapView::open(&path, Datum::Gcj02, W, H).unwrap();
    view.center_on(PEOPLES_SQUARE, 11);
    let platform = Location::gcj02(31.2400, 121.4900);
    // An institution given in WGS-84 is converted to the tiles' GCJ-02 before drawing.
    let institution = Location::wgs84(31.2200, 121.4600);
    view.set_pins(vec![
        Pin {
            location: platform,
            kind: PinKind::Here,
        },
        Pin {
            location: institution,
            kind: PinKind::Selected,
        },
    ]);
    let (px, py) = view.pixel_of(platform);
    let (cx, cy) = world_px(PEOPLES_SQUARE.lat, PEOPLES_SQUARE.lng, 11);
    let (wx, wy) = world_px(platform.lat, platform.lng, 11);
    assert!(
        (px - (wx - cx + f64::from(W) / 2.0)).abs() < 1e-6
            && (py - (wy - cy + f64::from(H) / 2.0)).abs() < 1e-6
    );
    let (glat, glng) = wgs84_to_gcj02(institution.lat, institution.lng);
    let (ix, iy) = view.pixel_of(institution);
    let (gx, gy) = view.pixel_of(Location::gcj02(glat, glng));
    assert!((ix - gx).abs() < 1e-6 && (iy - gy).abs() < 1e-6);
    let (nx, ny) = view.pixel_of(Location::gcj02(institution.lat, institution.lng));
    assert!(
        (ix - nx).abs() + (iy - ny).abs() > 3.0,
        "the datum shift shows at zoom 11"
    );

    let frame = view.render().unwrap();
    let rgba = frame.rgba.to_vec();
    assert_eq!(pixel(&rgba, px as u32, py as u32), PinKind::Here.style().0);
    assert_eq!(
        pixel(&rgba, ix as u32, iy as u32),
        PinKind::Selected.style().0
    );
    // Beyond the pin (radius + border), the map again.
    let (x, y) = (px as u32 + 30, py as u32);
    assert_eq!(pixel(&rgba, x, y), expected(PEOPLES_SQUARE, 11, x, y));
    assert_eq!(view.pin_at(px + 5.0, py - 5.0), Some(0));
    assert_eq!(view.pin_at(px + 200.0, py), None);
}

#[test]
fn a_resized_view_keeps_its_centre() {
    let (_dir, path) = map();
    let mut view = MapView::open(&path, Datum::Gcj02, W, H).unwrap();
    view.center_on(PEOPLES_SQUARE, 10);
    view.set_size(300, 200);
    let frame = view.render().unwrap();
    assert_eq!(
        (frame.width, frame.height, frame.rgba.len()),
        (300, 200, 300 * 200 * 4)
    );
    let (x, y) = view.pixel_of(PEOPLES_SQUARE);
    assert!((x - 150.0).abs() < 1e-6 && (y - 100.0).abs() < 1e-6);
}

#[test]
fn panning_moves_the_picture_by_the_delta() {
    let (_dir, path) = map();
    let mut view = MapView::open(&path, Datum::Gcj02, W, H).unwrap();
    view.center_on(PEOPLES_SQUARE, 10);
    let before = view.render().unwrap().rgba.to_vec();
    let (dx, dy) = (37i64, -21i64);
    view.pan(dx as f64, dy as f64);
    let after = view.render().unwrap().rgba.to_vec();
    let mut compared = 0;
    for y in (30..H as i64 - 30).step_by(13) {
        for x in (40..W as i64 - 40).step_by(11) {
            assert_eq!(
                pixel(&after, (x + dx) as u32, (y + dy) as u32),
                pixel(&before, x as u32, y as u32),
                "pixel {x},{y}"
            );
            compared += 1;
        }
    }
    assert!(compared > 1000);
    assert_ne!(before, after);
}

#[test]
fn zoom_keeps_the_point_under_the_finger_and_stops_at_the_files_zooms() {
    let (_dir, path) = map();
    let mut view = MapView::open(&path, Datum::Gcj02, W, H).unwrap();
    view.center_on(PEOPLES_SQUARE, 9);
    let at = (200.0, 300.0);
    let under = view.location_at(at.0, at.1);
    assert!(view.zoom_at(1, at));
    assert_eq!(view.zoom(), 10);
    let (x, y) = view.pixel_of(under);
    assert!((x - at.0).abs() < 1e-6 && (y - at.1).abs() < 1e-6);
    assert!(view.zoom_at(100, at));
    assert_eq!(view.zoom(), 11, "the file's maxzoom");
    assert!(!view.zoom_at(1, at), "no deeper than the file");
    assert!(view.zoom_at(-100, at));
    assert_eq!(view.zoom(), 8, "the file's minzoom");
    assert!(!view.zoom_at(-1, at));
    view.center_on(PEOPLES_SQUARE, 30);
    assert_eq!(view.zoom(), 11);
}

#[test]
fn panning_stops_at_the_files_bounds() {
    let (_dir, path) = map();
    let mut view = MapView::open(&path, Datum::Gcj02, W, H).unwrap();
    view.center_on(PEOPLES_SQUARE, 10);
    view.pan(-1e7, -1e7);
    let c = view.location_at(f64::from(W) / 2.0, f64::from(H) / 2.0);
    assert!(
        (c.lng - bounds().east).abs() < 1e-6 && (c.lat - bounds().south).abs() < 1e-6,
        "{c:?}"
    );
    // The corner still shows the file's tiles, not background.
    let frame = view.render().unwrap();
    assert_eq!(pixel(frame.rgba, W / 2 - 5, H / 2 - 5), {
        let c = view.location_at(f64::from(W) / 2.0 - 5.0, f64::from(H) / 2.0 - 5.0);
        let (x, y) = world_px(c.lat, c.lng, 10);
        tile_colour(10, (x / 256.0) as u32, (y / 256.0) as u32)
    });
}

#[test]
fn files_that_are_not_maps_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.mbtiles");
    std::fs::write(
        &garbage,
        b"this is not SQLite at all, just some bytes........",
    )
    .unwrap();
    assert!(matches!(
        mbtiles::check_file(&garbage, None),
        Err(MapError::Unreadable(_))
    ));

    let (_keep, good) = map();
    assert!(mbtiles::check_file(&good, None).is_ok());
    let bad_tile = dir.path().join("bad-tile.mbtiles");
    std::fs::copy(&good, &bad_tile).unwrap();
    let conn = rusqlite::Connection::open(&bad_tile).unwrap();
    conn.execute(
        "UPDATE tiles SET tile_data = x'89504e470d0a1a0a0000' WHERE zoom_level = 9",
        [],
    )
    .unwrap();
    drop(conn);
    assert!(matches!(
        mbtiles::check_file(&bad_tile, None),
        Err(MapError::BadTile { z: 9, .. })
    ));

    let vector = dir.path().join("vector.mbtiles");
    std::fs::copy(&good, &vector).unwrap();
    let conn = rusqlite::Connection::open(&vector).unwrap();
    conn.execute(
        "UPDATE metadata SET value = 'pbf' WHERE name = 'format'",
        [],
    )
    .unwrap();
    drop(conn);
    let e = mbtiles::check_file(&vector, None).unwrap_err();
    assert!(e.to_string().contains("not png or jpg"), "{e}");
}
