//! The guidance pages (consultation guide, legal-aid self-check, ratings) rendered by the
//! software renderer in Chinese and Korean, portrait and landscape, kept as PNGs under
//! target/screenshots for a person to look at. Each render is checked: the page's title is
//! really drawn, and every button is a comfortable target (≥ 60×60) lying wholly on screen.

use std::path::PathBuf;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use legal_kiosk::i18n::Lang;
use legal_kiosk::ui::screenshot::{Offscreen, Screenshot, ShotPage, show_sample};

const CENTRE: &str = "长春市朝阳区公共法律服务中心";

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

/// Pixels inside the text element labelled `label` that differ from its background.
fn ink(app: &legal_kiosk::ui::AppWindow, shot: &Screenshot, label: &str) -> usize {
    let element = ElementHandle::find_by_accessible_label(app, label)
        .find(|e| e.accessible_role() == Some(AccessibleRole::Text))
        .unwrap_or_else(|| panic!("no text {label:?} on screen"));
    let (pos, size) = (element.absolute_position(), element.size());
    let x0 = pos.x.max(0.0) as u32;
    let y0 = pos.y.max(0.0) as u32;
    let x1 = ((pos.x + size.width) as u32).min(shot.width);
    let y1 = ((pos.y + size.height) as u32).min(shot.height);
    if x1 <= x0 || y1 <= y0 {
        return 0;
    }
    let background = shot.pixel(x0, y0);
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = shot.pixel(x, y);
            let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).abs();
            if d(p.r, background.r) + d(p.g, background.g) + d(p.b, background.b) > 120 {
                n += 1;
            }
        }
    }
    n
}

/// Buttons smaller than `min` or reaching off the screen.
fn bad_buttons(app: &legal_kiosk::ui::AppWindow, width: f32, height: f32, min: f32) -> Vec<String> {
    let buttons = ElementQuery::from_root(app)
        .match_descendants()
        .match_accessible_role(AccessibleRole::Button)
        .find_all();
    assert!(!buttons.is_empty(), "the page has buttons");
    let mut bad = Vec::new();
    for b in buttons {
        let (pos, size) = (b.absolute_position(), b.size());
        let label = b.accessible_label().unwrap_or_default();
        if size.width < min || size.height < min {
            bad.push(format!("{label:?} is {}×{}", size.width, size.height));
        }
        if pos.x < -0.5
            || pos.y < -0.5
            || pos.x + size.width > width + 0.5
            || pos.y + size.height > height + 0.5
        {
            bad.push(format!(
                "{label:?} at ({}, {}) size {}×{} is not wholly on screen",
                pos.x, pos.y, size.width, size.height
            ));
        }
    }
    bad
}

/// Each page with the title drawn on it, in Chinese and in Korean.
const PAGES: [(ShotPage, &str, &str); 11] = [
    (
        ShotPage::ConsultCategories,
        "法律咨询指引",
        "법률 상담 안내",
    ),
    (ShotPage::ConsultQuestion, "法律咨询指引", "법률 상담 안내"),
    (ShotPage::ConsultOutcome, "法律咨询指引", "법률 상담 안내"),
    (ShotPage::ConsultSearch, "搜索", "검색"),
    (
        ShotPage::LegalAidIntro,
        "法律援助自助评估",
        "법률원조 자가 진단",
    ),
    (
        ShotPage::LegalAidQuestion,
        "法律援助自助评估",
        "법률원조 자가 진단",
    ),
    (
        ShotPage::LegalAidNumber,
        "法律援助自助评估",
        "법률원조 자가 진단",
    ),
    (
        ShotPage::LegalAidResult,
        "法律援助自助评估",
        "법률원조 자가 진단",
    ),
    (
        ShotPage::LegalAidConsent,
        "法律援助自助评估",
        "법률원조 자가 진단",
    ),
    (ShotPage::RatingLevels, "服务评价", "서비스 평가"),
    (ShotPage::RatingReasons, "服务评价", "서비스 평가"),
];

/// The find-a-service pages, in English too (issue 19 asks for all three languages).
const FIND_PAGES: [ShotPage; 4] = [
    ShotPage::FindKinds,
    ShotPage::FindList,
    ShotPage::FindDetail,
    ShotPage::FindMap,
];

/// The map's accessible label in each language.
fn map_label(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "地图",
        Lang::KoKr => "지도",
        _ => "Map",
    }
}

/// Distinct colours inside the element labelled `label` (a drawn map has its tiles' colours
/// and the pins; a blank panel has one).
fn colours(app: &legal_kiosk::ui::AppWindow, shot: &Screenshot, label: &str) -> usize {
    let Some(element) = ElementHandle::find_by_accessible_label(app, label).next() else {
        return 0;
    };
    let (pos, size) = (element.absolute_position(), element.size());
    let x0 = pos.x.max(0.0) as u32;
    let y0 = pos.y.max(0.0) as u32;
    let x1 = ((pos.x + size.width) as u32).min(shot.width);
    let y1 = ((pos.y + size.height) as u32).min(shot.height);
    let mut seen = std::collections::HashSet::new();
    for y in (y0..y1).step_by(4) {
        for x in (x0..x1).step_by(4) {
            let p = shot.pixel(x, y);
            seen.insert((p.r, p.g, p.b));
        }
    }
    seen.len()
}
const FIND_TITLES: [(Lang, &str); 3] = [
    (Lang::ZhCn, "找机构"),
    (Lang::KoKr, "기관 찾기"),
    (Lang::En, "Find a service"),
];

/// The booking pages (issue 20), in the three languages.
const BOOK_PAGES: [ShotPage; 6] = [
    ShotPage::BookingDays,
    ShotPage::BookingSlots,
    ShotPage::BookingPhone,
    ShotPage::BookingConfirm,
    ShotPage::BookingDone,
    ShotPage::BookingOffline,
];
const BOOK_TITLES: [(Lang, &str); 3] = [
    (Lang::ZhCn, "预约律师视频咨询"),
    (Lang::KoKr, "변호사 화상 상담 예약"),
    (Lang::En, "Book a video call with a lawyer"),
];

fn render_all(width: u32, height: u32, large_text: bool) {
    let offscreen = Offscreen::new(width, height).unwrap();
    {
        use slint::ComponentHandle;
        offscreen
            .app
            .global::<legal_kiosk::ui::Theme>()
            .set_large_text(large_text);
    }
    // UI.md: targets of at least 60×60, 96×96 in large-text mode.
    let min = if large_text { 96.0 } else { 60.0 };
    let suffix = match (width > height, large_text) {
        (false, false) => "",
        (true, false) => "-landscape",
        (false, true) => "-large",
        (true, true) => "-landscape-large",
    };
    let mut problems = std::collections::BTreeSet::new();
    let guidance = PAGES
        .iter()
        .flat_map(|&(page, zh, ko)| [(page, Lang::ZhCn, zh), (page, Lang::KoKr, ko)]);
    let find = FIND_PAGES
        .iter()
        .flat_map(|&page| FIND_TITLES.map(|(lang, title)| (page, lang, title)));
    let book = BOOK_PAGES
        .iter()
        .flat_map(|&page| BOOK_TITLES.map(|(lang, title)| (page, lang, title)));
    for (page, lang, title) in guidance.chain(find).chain(book) {
        {
            show_sample(&offscreen.app, page, lang, CENTRE).unwrap();
            let shot = offscreen.render();
            let file =
                out_dir().join(format!("{page:?}-{}{suffix}.png", lang.code()).to_lowercase());
            shot.write_png(&file).unwrap();
            let drawn = ink(&offscreen.app, &shot, title);
            let chars = title.chars().filter(|c| !c.is_whitespace()).count();
            if drawn < 60 * chars {
                problems.insert(format!(
                    "{}: the title {title:?} was not drawn ({drawn} px)",
                    file.display()
                ));
            }
            if page == ShotPage::FindMap && colours(&offscreen.app, &shot, map_label(lang)) < 8 {
                problems.insert(format!("{}: the map was not drawn", file.display()));
            }
            for b in bad_buttons(&offscreen.app, width as f32, height as f32, min) {
                problems.insert(format!("{}: {b}", file.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}",
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn guidance_pages_in_portrait_draw_chinese_and_korean_with_large_targets_on_screen() {
    render_all(1080, 1920, false);
}

#[test]
fn guidance_pages_in_large_text_mode_keep_larger_targets_on_screen() {
    render_all(1080, 1920, true);
}

#[test]
fn guidance_pages_in_landscape_too() {
    render_all(1920, 1080, false);
}
