//! The operations centre's console in Debian's headless Chromium (1920×1080, zh-CN), driven
//! by playwright-core (tests/browser/ops_console.mjs), against the real registry with
//! simulated terminals (`kiosk-sim`): the province's admin logs in and the fleet page shows
//! each terminal's state; a terminal whose simulator reports paper out raises an alert that
//! the header shows within one poll of the page; the terminal's page and the audit open; a
//! district's operator sees its own terminal only (nothing of the other district in the
//! page); the admin locks a platform's terminals from the console and the simulated terminal
//! acknowledges; the statistics tab shows exactly the tickets `events export` holds, in its
//! table and its charts, and the district's operator sees only the district's. Screenshots
//! of each page land in target/screenshots/console/.
//!
//! Needs `chromium`, Node.js and `npm ci` in tests/browser (`scripts/install-deps.sh test`),
//! so it is ignored by a plain `cargo test`; `scripts/test.sh` runs it.

mod common;
#[path = "../../../tests/browser/line_driver.rs"]
mod line_driver;

use common::Pilot;
use kiosk_registry::store::platforms::Platform;
use line_driver::LineDriver;
use std::path::{Path, PathBuf};

const PASSWORD: &str = "a-long-password";
/// How often the page polls (the `poll_ms` query parameter).
const POLL_MS: u64 = 1500;

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots/console");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A simulated terminal enrolled at a platform of `region`; returns (data folder, device id).
fn sim_at(pilot: &Pilot, platform: &str, name: &str, region: &str) -> (PathBuf, String) {
    pilot
        .store()
        .platform_upsert(&Platform {
            id: platform.into(),
            name: name.into(),
            region: region.into(),
            address: String::new(),
        })
        .unwrap();
    let data = pilot.dir.path().join(platform);
    let code = pilot.code(platform);
    let enrolment = run_sim(pilot.sim(&data).args(["enrol", "--code", &code]));
    (data, enrolment["device_id"].as_str().unwrap().to_string())
}

/// Runs `kiosk-sim`; its JSON answer.
fn run_sim(command: &mut std::process::Command) -> serde_json::Value {
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One poll and delivery of the simulated terminal, reporting `health`; its JSON report.
fn sync(pilot: &Pilot, data: &Path, health: &[&str]) -> serde_json::Value {
    let out = pilot
        .sim(data)
        .args(health)
        .arg("sync-once")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\nregistry log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        pilot.log()
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
#[ignore = "needs chromium and tests/browser/node_modules: scripts/test.sh runs it"]
fn the_console_shows_the_fleet_raises_alerts_and_keeps_districts_apart_in_chromium() {
    let mut pilot = Pilot::new();
    for (name, role, region) in [
        ("province", "admin", "220000"),
        ("district", "operator", "220104"),
    ] {
        pilot.admin(
            &["operator", "add", name, "--role", role, "--region", region],
            &format!("{PASSWORD}\n"),
        );
    }
    pilot.start();
    let (ours, ours_id) = sim_at(&pilot, "cc-chaoyang", "朝阳区公共法律服务中心", "220104");
    let (theirs, theirs_id) = sim_at(&pilot, "cc-nanguan", "南关区公共法律服务中心", "220102");
    let healthy = ["--paper", "ok", "--printer", "ok", "--reader", "ok"];
    sync(&pilot, &ours, &healthy);
    sync(
        &pilot,
        &theirs,
        &["--paper", "near_end", "--printer", "ok", "--reader", "ok"],
    );

    let shots = screenshots();
    let url = format!("{}/ops?poll_ms={POLL_MS}", pilot.url());
    let mut page = LineDriver::open("ops_console.mjs", &[&url, shots.to_str().unwrap()]);
    page.run("screenshot login");
    page.run(&format!("login province {PASSWORD}"));
    page.run(&format!("wait-row {ours_id} ok"));
    page.run(&format!("wait-row {theirs_id} paper_near_end"));
    page.run("screenshot fleet");

    // Paper runs out: the alert is in the header within one poll of the page.
    sync(
        &pilot,
        &ours,
        &["--paper", "out", "--printer", "ok", "--reader", "ok"],
    );
    let seen = page.run(&format!("wait-alert paper_out 1 {}", POLL_MS + 1000));
    assert!(
        seen["after_ms"].as_u64().unwrap() <= POLL_MS + 1000,
        "{seen}"
    );
    page.run(&format!("wait-row {ours_id} paper_out"));
    page.run("tab alerts-view");
    page.run("screenshot alerts");
    page.run("tab map-view");
    page.run("screenshot map-list");
    page.run("tab fleet-view");
    let facts = page.run(&format!("open {ours_id}"));
    assert!(facts["facts"].as_str().unwrap().contains("缺纸"), "{facts}");
    page.run("screenshot terminal");

    // Lock the platform's terminals from the console: the simulated terminal, which pins the
    // registry's command key, carries it out and acknowledges.
    let command_key = pilot.admin(&["keys", "command-key"], "").trim().to_string();
    let sent = page.run("command platform cc-chaoyang lock 设备维护中，请到二楼窗口取号");
    assert_eq!(sent["sent"].as_array().unwrap().len(), 1, "{sent}");
    let command_id = sent["sent"][0]["command_id"].as_str().unwrap().to_string();
    let synced = sync(
        &pilot,
        &ours,
        &[
            "--paper",
            "out",
            "--printer",
            "ok",
            "--reader",
            "ok",
            "--command-pin",
            &command_key,
        ],
    );
    assert_eq!(
        synced["commands"][0]["command_id"],
        command_id.as_str(),
        "{synced}"
    );
    assert_eq!(synced["commands"][0]["state"], "succeeded", "{synced}");
    let opened = page.run(&format!("open {ours_id}"));
    assert_eq!(opened["commands"][0]["state"], "succeeded", "{opened}");
    page.run("screenshot commands");
    // The directory: a file with a bad line is refused with its line number, a good one
    // imported whole.
    page.run("tab directory-view");
    let header = "id,name,level,region,address,lat,lon,phone,hours,services\n";
    let bad = pilot.dir.path().join("bad.csv");
    let lines = "cc-kuancheng,宽城区公共法律服务中心,县区,220103,,,,,,\ncc-erdao,二道区,县区,220105,,95,125,,,\n";
    std::fs::write(&bad, format!("{header}{lines}")).unwrap();
    let refused = page.run(&format!("import-csv {}", bad.display()));
    assert!(
        refused["report"].as_str().unwrap().contains("line 3"),
        "{refused}"
    );
    let good = pilot.dir.path().join("good.csv");
    let lines = "cc-kuancheng,宽城区公共法律服务中心,县区,220103,长春市宽城区,43.9,125.3,0431-12348,周一至周五,法律咨询;人民调解\n";
    std::fs::write(&good, format!("{header}{lines}")).unwrap();
    let imported = page.run(&format!("import-csv {}", good.display()));
    let rows = imported["rows"].as_array().unwrap();
    assert!(
        rows.contains(&serde_json::json!("cc-kuancheng")),
        "{imported}"
    );
    // One institution through the 新增 form: a bad coordinate is shown beside its field and
    // nothing is saved; corrected, it is listed.
    let refused = page.run(
        "add-entry institutions id=lf-200 name=吉林某某律师事务所 region=220103 lat=95 lon=125.3",
    );
    assert_eq!(refused["saved"], false, "{refused}");
    assert!(
        refused["errors"]["lat"]
            .as_str()
            .unwrap_or("")
            .contains("lat \"95\""),
        "{refused}"
    );
    assert!(
        !refused["rows"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("lf-200"))
    );
    page.run("screenshot directory-form");
    let added = page.run("add-entry institutions id=lf-200 name=吉林某某律师事务所 region=220103 lat=43.9 lon=125.3 phone=0431-8888888");
    assert_eq!(added["saved"], true, "{added}");
    assert!(
        added["rows"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("lf-200")),
        "{added}"
    );
    page.run("screenshot directory");
    page.run("tab bundles-view");
    page.run("screenshot bundles");
    // Demand analysis: tickets taken at both terminals, delivered; the statistics tab shows
    // exactly what `events export` holds, in the totals and in every chart.
    // (Each terminal reports the health it had, so the fleet's states stay as they were.)
    let paper_out = ["--paper", "out", "--printer", "ok", "--reader", "ok"];
    let near_end = ["--paper", "near_end", "--printer", "ok", "--reader", "ok"];
    for (data, count, service, health) in [
        (&ours, "4", "mediation", &paper_out),
        (&ours, "3", "notary", &paper_out),
        (&theirs, "5", "mediation", &near_end),
    ] {
        run_sim(
            pilot
                .sim(data)
                .args(["enqueue", "--count", count, "--service", service]),
        );
        sync(&pilot, data, health);
    }
    let exported = exported_tickets(&pilot);
    assert_eq!(exported.len(), 12, "{exported:?}");
    let (from, to) = days_around_today();
    let stats = page.run(&format!("stats {from} {to}"));
    assert_eq!(issued_shown(&stats), (12, "取号".to_string()), "{stats}");
    // The trend's days and the heat map's cells add up to the same tickets; the ranking
    // (by region) splits them between the two districts.
    assert_eq!(chart_total(&stats, "chart-trend"), 12, "{stats}");
    assert_eq!(chart_total(&stats, "chart-heatmap"), 12, "{stats}");
    assert_eq!(chart_total(&stats, "chart-ranking"), 12, "{stats}");
    let ours_count = exported.iter().filter(|(p, _)| p == "cc-chaoyang").count() as i64;
    assert_eq!(ours_count, 7);
    for link in stats["csv"].as_array().unwrap() {
        assert!(link.as_str().unwrap().ends_with("&format=csv"), "{link}");
    }
    page.run("screenshot statistics");
    page.run("tab audit-view");
    let audit = page.run("text");
    assert!(
        audit["text"].as_str().unwrap().contains("terminal.view"),
        "{audit}"
    );
    page.run("screenshot audit");
    page.run("logout");

    // The district's operator: its own terminal only, nothing of the other district.
    page.run(&format!("login district {PASSWORD}"));
    page.run(&format!("wait-row {ours_id} paper_out"));
    let rows = page.run("rows");
    assert_eq!(rows["rows"], serde_json::json!([ours_id]));
    let text = page.run("text")["text"].as_str().unwrap().to_string();
    for other in [theirs_id.as_str(), "南关区", "220102"] {
        assert!(
            !text.contains(other),
            "{other} shown to the district: {text}"
        );
    }
    page.run("screenshot fleet-district");
    // Its statistics: the district's 7 tickets, nothing of the other district.
    let stats = page.run(&format!("stats {from} {to}"));
    assert_eq!(issued_shown(&stats).0, ours_count, "{stats}");
    assert_eq!(chart_total(&stats, "chart-drill"), ours_count, "{stats}");
    let text = page.run("text")["text"].as_str().unwrap().to_string();
    for other in ["南关区", "220102", "cc-nanguan"] {
        assert!(
            !text.contains(other),
            "{other} shown to the district: {text}"
        );
    }
    page.run("screenshot statistics-district");
}

/// (platform, kind) of every ticket.issued event `kiosk-registry events export` holds.
fn exported_tickets(pilot: &Pilot) -> Vec<(String, String)> {
    let csv = pilot.admin(&["events", "export", "--kind", "ticket.issued"], "");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    reader
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| {
            let r = r.unwrap();
            (r["platform_id"].clone(), r["kind"].clone())
        })
        .collect()
}

/// Yesterday and tomorrow (local days, as the simulated terminals stamp their events).
fn days_around_today() -> (String, String) {
    let today = chrono::Local::now().date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    (
        day(today - chrono::Days::new(1)),
        day(today + chrono::Days::new(1)),
    )
}

/// The tickets-issued row of the statistics' totals table: its count and its name.
fn issued_shown(stats: &serde_json::Value) -> (i64, String) {
    let row = stats["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == "ticket.issued")
        .unwrap_or_else(|| panic!("no tickets row: {stats}"));
    (
        row[1].as_i64().unwrap(),
        row[2].as_str().unwrap().to_string(),
    )
}

/// The sum of the first series a chart drew (plain numbers, [x, y, value] cells or
/// {value} items).
fn chart_total(stats: &serde_json::Value, chart: &str) -> i64 {
    stats["charts"][chart][0]
        .as_array()
        .unwrap_or_else(|| panic!("{chart} not drawn: {stats}"))
        .iter()
        .map(|v| match v {
            serde_json::Value::Array(cell) => cell[2].as_i64().unwrap_or(0),
            serde_json::Value::Object(item) => item["value"].as_i64().unwrap_or(0),
            other => other.as_i64().unwrap_or(0),
        })
        .sum()
}
