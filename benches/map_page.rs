//! Issue 19's map-page figures through Slint's software renderer at 1080×1920, the way the
//! kiosk's detail page draws: the map panel (tiles from an MBTiles file, pins) handed to the
//! page as an image, then the whole window rendered. The window repaints every pixel of
//! every frame (no partial repaint), so these are worst cases for the panel.
//!
//! * first frame: from opening the institution's page (the map file opened, centred on it,
//!   drawn, the page filled) to the window's pixels rendered; target < 100 ms;
//! * pan: one drag step (the map moved, redrawn, the window rendered); target p95 < 16 ms.
//!
//! The map is synthetic (textured PNG tiles, zooms 12–16, as `provisioning::map::synthetic`
//! writes them) around the sample directory's institutions. Run with
//! `cargo bench --bench map_page`.

#[path = "support/machine.rs"]
mod support_machine;
use support_machine::machine;

use std::time::Instant;

use legal_kiosk::domain::institutions::sample::{sample, sample_here};
use legal_kiosk::domain::map::pins;
use legal_kiosk::i18n::Lang;
use legal_kiosk::ui::find_service::show_place;
use legal_kiosk::ui::map_panel::MapPanel;
use legal_kiosk::ui::screenshot::Offscreen;
use legal_kiosk::ui::{FindService, FindStep, Nav, Page, SlipStage};
use provisioning::map::{Bounds, synthetic};
use slint::ComponentHandle;

const OPENINGS: usize = 30;
const PAN_FRAMES: usize = 300;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(what: &str, mut ms: Vec<f64>, target: &str) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{what}: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms (n = {}; target {target})",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms[ms.len() - 1],
        ms.len()
    );
}

fn main() {
    println!("machine: {}", machine());
    let (width, height) = (1080, 1920);
    let offscreen = Offscreen::new(width, height).expect("an offscreen window");
    let app = &offscreen.app;
    app.global::<Nav>().set_page(Page::FindService);
    let g = app.global::<FindService>();
    g.set_step(FindStep::Detail);

    let directory = sample();
    let here = sample_here();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("a date");
    let place = directory
        .find("sample-notary-1", &here, now, Lang::ZhCn)
        .expect("the sample notary office");
    let location = place.location.expect("the sample has coordinates");

    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("map.mbtiles");
    let bounds = Bounds {
        west: location.lng - 0.08,
        south: location.lat - 0.06,
        east: location.lng + 0.08,
        north: location.lat + 0.06,
    };
    let tiles = synthetic::write(&file, bounds, 12, 16, true).expect("the synthetic map");
    println!(
        "map: {tiles} textured PNG tiles, {} KiB, window {width}×{height}, software renderer",
        std::fs::metadata(&file).map_or(0, |m| m.len() / 1024)
    );

    // Opening the page: a fresh panel each time (the file opened, no tile cached).
    let mut first = Vec::new();
    let mut panel = MapPanel::default();
    for _ in 0..OPENINGS {
        g.set_has_map(false);
        offscreen.render();
        let start = Instant::now();
        panel = MapPanel::default();
        show_place(&g, &place, SlipStage::Ready, Lang::ZhCn);
        assert!(panel.open_file("bench", &file, location.datum));
        panel.center(
            location,
            pins(directory.location_of(&here), [&place], Some(&place.id)),
        );
        let picture = panel.picture().expect("the map drawn");
        g.set_map(picture);
        g.set_has_map(true);
        offscreen.render();
        first.push(start.elapsed().as_secs_f64() * 1e3);
    }
    report("first frame after opening", first, "< 100 ms");

    // Panning: a finger moving 6 px per frame, to and fro.
    let mut pan = Vec::new();
    panel.press();
    for i in 0..PAN_FRAMES {
        let t = i as f32;
        let (dx, dy) = ((t * 6.0) % 600.0 - 300.0, (t * 4.0) % 300.0 - 150.0);
        let start = Instant::now();
        assert!(panel.drag_to(dx, dy));
        let picture = panel.picture().expect("the map drawn");
        g.set_map(picture);
        offscreen.render();
        pan.push(start.elapsed().as_secs_f64() * 1e3);
    }
    report("pan frame", pan, "p95 < 16 ms");
}
