//! Pages rendered by the software renderer really show 汉字 and 한글: each checked label
//! has ink where the label is, and different labels have different shapes (a missing font
//! draws nothing, or the same box for every character). The PNGs are kept under
//! target/screenshots for a person to look at.

use std::path::PathBuf;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use legal_kiosk::i18n::Lang;
use legal_kiosk::ui::screenshot::{Offscreen, Screenshot, ShotPage, show_sample};

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

/// The pixels of the text element labelled `label` that differ from its background,
/// scaled into a 24×24 grid of its ink's bounding box.
fn glyph_shape(
    app: &legal_kiosk::ui::AppWindow,
    shot: &Screenshot,
    label: &str,
) -> (usize, Vec<bool>) {
    let element = ElementHandle::find_by_accessible_label(app, label)
        .find(|e| e.accessible_role() == Some(AccessibleRole::Text))
        .unwrap_or_else(|| panic!("no text {label:?} on screen"));
    let (pos, size) = (element.absolute_position(), element.size());
    let x0 = pos.x.max(0.0) as u32;
    let y0 = pos.y.max(0.0) as u32;
    let x1 = ((pos.x + size.width) as u32).min(shot.width);
    let y1 = ((pos.y + size.height) as u32).min(shot.height);
    assert!(x1 > x0 && y1 > y0, "{label:?} has no area");
    let background = shot.pixel(x0, y0);
    let differs = |x: u32, y: u32| {
        let p = shot.pixel(x, y);
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).abs();
        d(p.r, background.r) + d(p.g, background.g) + d(p.b, background.b) > 120
    };
    let mut ink = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            if differs(x, y) {
                ink.push((x, y));
            }
        }
    }
    if ink.is_empty() {
        return (0, Vec::new());
    }
    let (min_x, max_x) = (
        ink.iter().map(|p| p.0).min().unwrap(),
        ink.iter().map(|p| p.0).max().unwrap(),
    );
    let (min_y, max_y) = (
        ink.iter().map(|p| p.1).min().unwrap(),
        ink.iter().map(|p| p.1).max().unwrap(),
    );
    let mut grid = vec![false; 24 * 24];
    for &(x, y) in &ink {
        let gx = ((x - min_x) * 23 / (max_x - min_x).max(1)) as usize;
        let gy = ((y - min_y) * 23 / (max_y - min_y).max(1)) as usize;
        grid[gy * 24 + gx] = true;
    }
    (ink.len(), grid)
}

fn check_page(offscreen: &Offscreen, page: ShotPage, lang: Lang, labels: [&str; 2]) {
    show_sample(&offscreen.app, page, lang, "长春市朝阳区公共法律服务中心").unwrap();
    let shot = offscreen.render();
    let file = out_dir().join(format!("{page:?}-{}.png", lang.code()).to_lowercase());
    shot.write_png(&file).unwrap();
    let shapes: Vec<(usize, Vec<bool>)> = labels
        .iter()
        .map(|label| glyph_shape(&offscreen.app, &shot, label))
        .collect();
    for (label, (ink, _)) in labels.iter().zip(&shapes) {
        let chars = label.chars().filter(|c| !c.is_whitespace()).count();
        assert!(
            *ink >= 60 * chars,
            "{label:?} in {}: only {ink} ink pixels, the glyphs were not drawn",
            file.display()
        );
    }
    assert_ne!(
        shapes[0].1,
        shapes[1].1,
        "{:?} and {:?} look the same in {}: boxes instead of glyphs?",
        labels[0],
        labels[1],
        file.display()
    );
}

#[test]
fn home_and_ticket_pages_draw_chinese_and_korean() {
    let offscreen = Offscreen::new(1080, 1920).unwrap();
    check_page(&offscreen, ShotPage::Home, Lang::ZhCn, ["取号", "中文"]);
    check_page(
        &offscreen,
        ShotPage::Ticket,
        Lang::ZhCn,
        ["法律援助", "您的号票"],
    );
    check_page(
        &offscreen,
        ShotPage::Home,
        Lang::KoKr,
        ["번호표 받기", "서비스 평가"],
    );
    check_page(
        &offscreen,
        ShotPage::Ticket,
        Lang::KoKr,
        ["법률원조", "번호표"],
    );
    check_page(
        &offscreen,
        ShotPage::Services,
        Lang::ZhCn,
        ["人民调解", "司法鉴定"],
    );
}

#[test]
fn landscape_panels_are_laid_out_too() {
    let offscreen = Offscreen::new(1920, 1080).unwrap();
    check_page(&offscreen, ShotPage::Home, Lang::ZhCn, ["取号", "中文"]);
    check_page(
        &offscreen,
        ShotPage::Services,
        Lang::En,
        ["Legal aid", "Notarisation"],
    );
}
