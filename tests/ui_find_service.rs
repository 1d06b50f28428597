//! 找机构 on a running kiosk: the operations centre publishes the province's institutions
//! through the real registry on 127.0.0.1; a consultation outcome that sends the citizen to
//! a notary office lists the nearest ones with today's hours and prints them on the slip;
//! the find-a-service page lists them nearest first from this terminal's platform, shows
//! one, and prints the slip whose QR opens navigation. A bad directory is refused and the
//! one in force stays; a terminal without one says so.

mod common;
mod guidance_support;

use std::time::Duration;

use common::Kiosk;
use common::registry::{PLATFORM, Registry, enrolled_by_cli};
use guidance_support::shows_containing;
use legal_kiosk::domain::institutions::sample::sample_file;

/// The sample directory, its centre being this test's platform.
fn directory_json() -> String {
    let mut file = sample_file();
    file.platforms[0].id = PLATFORM.into();
    String::from_utf8(file.to_json()).unwrap()
}

fn enrolled_kiosk(registry: &Registry) -> Kiosk {
    // Thursday 26 November, 09:30: the offices are open.
    enrolled_by_cli(registry, "", common::beijing(26, 9, 30))
}

fn version_in_force(kiosk: &Kiosk) -> Option<i64> {
    kiosk.query(|c| {
        c.query_row(
            "SELECT version FROM bundles WHERE stream = 'institutions'",
            [],
            |r| r.get(0),
        )
        .ok()
    })
}

/// The kiosk's reports of refused bundles, wherever they are: still in its outbox, or at
/// the registry once the running sync link delivered them.
fn refusals(kiosk: &Kiosk, registry: &Registry) -> Vec<serde_json::Value> {
    let sql = "SELECT payload FROM outbox WHERE kind = 'bundle.refused'";
    let rows = |c: &rusqlite::Connection, sql: &str| -> Vec<String> {
        let mut stmt = c.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut payloads = kiosk.query(move |c| rows(c, sql));
    payloads.extend(
        registry
            .sqlite()
            .with(|c| {
                Ok(rows(
                    c,
                    "SELECT payload FROM events WHERE kind = 'bundle.refused'",
                ))
            })
            .unwrap(),
    );
    payloads
        .iter()
        .map(|p| serde_json::from_str(p).unwrap())
        .collect()
}

#[test]
fn an_outcome_lists_the_nearest_notaries_and_the_page_prints_the_way_there() {
    let registry = Registry::start();
    let kiosk = enrolled_kiosk(&registry);

    // Before any directory: the page says so and sends the citizen to the staff.
    kiosk.tap("找机构");
    assert!(kiosk.shows("本机暂时没有机构名录。"));
    kiosk.tap("首页");

    registry.publish(
        "institutions",
        1,
        &[("institutions.json", &directory_json())],
    );
    kiosk.kiosk.sync.sync_now();
    kiosk.settle("the directory in force", |k| version_in_force(k) == Some(1));

    // A consultation whose outcome sends the citizen to a notary office.
    kiosk.tap("法律咨询指引");
    kiosk.tap("按服务办事");
    kiosk.tap("办理公证");
    kiosk.tap("继承、遗嘱、赠与");
    kiosk.tap("本人来不了（老人、病人）");
    assert!(kiosk.shows("问问能不能上门办理"));
    assert!(kiosk.shows("离这里最近的公证处："));
    // Nearest first from this platform (740 m, 1.9 km, 27 km), with today's hours.
    assert!(kiosk.shows("示例市第一公证处 · 740 米 · 今天 09:00-17:00\n示例区建设街 88 号"));
    assert!(shows_containing(&kiosk, "示例市第二公证处 · 1.9 公里"));
    assert!(shows_containing(&kiosk, "示例县公证处 · 27 公里"));

    // The guidance slip prints the three nearest with their hours.
    kiosk.tap("打印指引单");
    let slip = kiosk
        .printer()
        .wait_for_jobs(1, Duration::from_secs(5))
        .into_iter()
        .next()
        .expect("the slip printed");
    let text = slip.to_text();
    for expected in [
        "去哪里（离本服务点最近的）",
        "1. 示例市第一公证处（约 740 米）",
        "2. 示例市第二公证处（约 1.9 公里）",
        "3. 示例县公证处（约 27 公里）",
        "地址：示例区建设街 88 号",
        "时间：周一至周五 08:30-16:30；节假日休息",
    ] {
        assert!(text.contains(expected), "{expected:?} not on\n{text}");
    }

    // 前往：公证处 opens the notary offices of this city, nearest first.
    kiosk.tap("前往：公证处");
    assert!(kiosk.shows("找机构"));
    assert!(kiosk.shows("按离本服务点的距离排列，最近的在前。"));
    let first = "示例市第一公证处";
    assert!(kiosk.shows(first));
    kiosk.tap("本区县");
    assert!(kiosk.shows(first));
    assert!(!kiosk.shows("示例市第二公证处"), "another district");
    kiosk.tap("全省");
    assert!(kiosk.shows("示例市第二公证处"));

    kiosk.tap(first);
    assert!(kiosk.shows("地址：示例区建设街 88 号"));
    assert!(kiosk.shows("今天 09:00-17:00"));
    assert!(kiosk.shows("距这里约 740 米（直线距离）"));
    kiosk.tap("打印去这里的指引");
    kiosk.settle("the slip printed", |k| k.shows("请取走下方打印的指引单。"));
    let jobs = kiosk.printer().wait_for_jobs(2, Duration::from_secs(5));
    let job = jobs.last().expect("the institution slip");
    let text = job.to_text();
    assert!(text.contains("机构指引") && text.contains(first), "{text}");
    assert!(text.contains("电话：0431-12348"), "{text}");
    let qr = job.qr_codes();
    assert_eq!(qr.len(), 1, "one QR code: navigation");
    assert!(
        qr[0]
            .data
            .starts_with("https://uri.amap.com/marker?position=125.328500,43.892800&name="),
        "{}",
        qr[0].data
    );

    // 返回: the list, then the outcome the citizen came from.
    kiosk.tap("返回");
    assert!(kiosk.shows("全省"));
    kiosk.tap("返回");
    assert!(kiosk.shows("问问能不能上门办理"));

    // In Korean, the same place reads in Korean.
    kiosk.tap("首页");
    kiosk.tap("한국어");
    kiosk.tap("기관 찾기");
    kiosk.tap("공증처");
    assert!(shows_containing(&kiosk, "예시시 제1공증처"));

    // A directory with an institution outside China is refused; the one in force stays.
    let mut bad: serde_json::Value = serde_json::from_str(&directory_json()).unwrap();
    bad["institutions"][1]["location"]["lat"] = serde_json::json!(70.5);
    registry.publish(
        "institutions",
        2,
        &[("institutions.json", &bad.to_string())],
    );
    kiosk.kiosk.sync.sync_now();
    kiosk.settle("the bad directory refused and reported", |k| {
        refusals(k, &registry).iter().any(|r| r["version"] == 2)
    });
    let reason = refusals(&kiosk, &registry)[0]["reason"].to_string();
    assert!(reason.contains("institutions[1]"), "{reason}");
    assert_eq!(version_in_force(&kiosk), Some(1));
    assert!(shows_containing(&kiosk, "예시시 제1공증처"));
}

/// With an offline map published, the detail page draws it around the institution (its
/// pin in the middle); 放大 zooms, a drag moves it; without coordinates or a map, no map.
#[test]
fn the_detail_page_draws_the_offline_map_around_the_institution() {
    use kiosk_registry::map_publish::{Options, publish};
    use provisioning::map::{Bounds, synthetic};
    use slint::ComponentHandle as _;

    let registry = Registry::start();
    let kiosk = enrolled_kiosk(&registry);
    registry.publish(
        "institutions",
        1,
        &[("institutions.json", &directory_json())],
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("centre.mbtiles");
    let bounds = Bounds {
        west: 125.28,
        south: 43.86,
        east: 125.37,
        north: 43.91,
    };
    synthetic::write(&file, bounds, 13, 16, false).unwrap();
    let options = Options {
        version: None,
        datum: provisioning::institutions::Datum::Gcj02,
        scope: provisioning::scope::Scope::All,
        valid_for: chrono::Duration::days(30),
    };
    publish(&registry.store(), &file, options, &registry.ops_key).unwrap();
    let data = kiosk.kiosk.data_dir.clone();
    for _ in 0..20 {
        kiosk.kiosk.sync.sync_now();
        let installed = legal_kiosk::sync::map::map_in_force(&data).is_some();
        if installed && version_in_force(&kiosk) == Some(1) {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(
        legal_kiosk::sync::map::map_in_force(&data).is_some(),
        "the map installed"
    );

    kiosk.tap("找机构");
    kiosk.tap("公证处");
    kiosk.tap("示例市第一公证处");
    let g = kiosk.app.global::<legal_kiosk::ui::FindService>();
    assert!(g.get_has_map());
    assert!(kiosk.shows("地图"));
    let picture = |g: &legal_kiosk::ui::FindService<'_>| {
        g.get_map()
            .to_rgba8()
            .expect("an RGBA picture")
            .as_bytes()
            .to_vec()
    };
    let first = picture(&g);
    assert_eq!(first.len(), 1000 * 420 * 4);
    // The institution's pin is drawn at the middle.
    let middle = (210 * 1000 + 500) * 4;
    let pin = &first[middle..middle + 4];
    kiosk.tap("放大");
    let zoomed = picture(&g);
    assert_ne!(zoomed, first, "zoomed in");
    assert_eq!(
        &zoomed[middle..middle + 4],
        pin,
        "zoomed around the middle: the pin stays"
    );
    kiosk.tap("放大");
    let at_most = picture(&g);
    assert_eq!(at_most, zoomed, "the file's deepest zoom: nothing more");
    g.invoke_map_press();
    g.invoke_map_drag(120.0, 0.0);
    let dragged = picture(&g);
    assert_ne!(dragged, at_most, "dragged");
    let moved = (210 * 1000 + 620) * 4;
    assert_eq!(
        &dragged[moved..moved + 4],
        pin,
        "the pin moved with the finger"
    );
}
