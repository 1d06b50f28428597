//! The console's demand analysis on the real registry (127.0.0.1, SQLite or PostgreSQL):
//! terminals of two districts deliver their outboxes as the firmware writes them; every
//! statistics view then shows exactly what `kiosk-registry events export` holds for those
//! events, the same after `stats rebuild`; the CSV is what Excel opens; and a district's
//! operator is refused the other district (403) and finds nothing of it in any view.

mod common;

use chrono::{Datelike as _, NaiveDate};
use common::{Pilot, Terminal, https_client};
use kiosk_registry::store::platforms::Platform;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const PASSWORD: &str = "a-long-password";
const DISTRICT: &str = "220104";
const OTHER_DISTRICT: &str = "220102";
const PLATFORM_A: &str = "cc-nanguan";
const PLATFORM_B: &str = "cc-chaoyang";
const FROM: &str = "2026-11-02";
const TO: &str = "2026-11-15";

struct Console {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Console {
    async fn login(pilot: &Pilot, user: &str) -> Self {
        let http = https_client(pilot);
        let response = http
            .post(format!("{}/v1/ops/login", pilot.url()))
            .json(&json!({ "username": user, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        Self {
            http,
            base: pilot.url(),
            cookie,
        }
    }

    async fn raw(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    /// A view's table (panics unless 200).
    async fn view(&self, path: &str) -> Value {
        let response = self.raw(path).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    async fn status(&self, path: &str) -> StatusCode {
        self.raw(path).await.status()
    }
}

fn add_operator(pilot: &Pilot, name: &str, regions: &[&str]) {
    let mut args = vec!["operator", "add", name, "--role", "viewer", "--region"];
    args.extend_from_slice(regions);
    let out = pilot.admin(&args, &format!("{PASSWORD}\n"));
    assert!(out.contains(&format!("operator {name} saved")), "{out}");
}

/// A small deterministic generator (the same events every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Events as the firmware's services write them (kinds and payload fields of
/// `src/store/outbox.rs` and the services), on days and hours of the test's two weeks.
fn outbox_rows(seed: u64, n: usize) -> Vec<(String, Value, String)> {
    let mut r = Lcg(seed);
    let services = ["mediation", "notary", "legal-aid"];
    let matters = [
        ("labour", "unpaid-wages"),
        ("family", "divorce"),
        ("labour", "injury"),
    ];
    let levels = [
        "very-satisfied",
        "satisfied",
        "dissatisfied",
        "very-dissatisfied",
    ];
    (0..n)
        .map(|i| {
            let day = 2 + r.next(14);
            let hour = 8 + r.next(10);
            let at = format!("2026-11-{day:02}T{hour:02}:{:02}:00+08:00", r.next(60));
            let service = services[r.next(3) as usize];
            let (kind, payload) = match r.next(8) {
                0 => ("ticket.issued", json!({"ticket_id": i, "service_id": service, "number": format!("A{i:03}"), "service_day": &at[..10], "issued_at": at, "people_ahead": 0})),
                1 => ("ticket.called", json!({"ticket_id": i, "service_id": service, "queue_service": service, "service_day": &at[..10], "state": "called", "waited_secs": r.next(900), "how": "next", "recalls": 0})),
                2 => ("ticket.finished", json!({"ticket_id": i, "service_id": service, "queue_service": service, "service_day": &at[..10], "state": "done", "waited_secs": r.next(900), "service_secs": r.next(1800), "recalls": 0})),
                3 => {
                    let (c, m) = matters[r.next(3) as usize];
                    ("consultation.completed", json!({"type": "consultation.completed", "record": {"consultation_id": format!("c{i}"), "category_id": c, "matter_id": m, "outcome_id": "o1"}}))
                }
                4 => ("legal_aid.checked", json!({"type": "legal-aid.self-check", "check_id": format!("k{i}"), "indication": (["likely-eligible", "means-check", "staff-review"][r.next(3) as usize])})),
                5 => {
                    let level = levels[r.next(4) as usize];
                    let reasons: Vec<&str> = if level.contains("dissatisfied") { vec!["slow", "unclear"][..1 + r.next(2) as usize].to_vec() } else { vec![] };
                    ("rating.submitted", json!({"type": "rating.submitted", "event_kind": "ticket", "event_id": format!("t{i}"), "level": level, "reasons": reasons}))
                }
                6 => ("video.call_ended", json!({"call_id": format!("v{i}"), "answered": r.next(3) > 0, "ended_by": "citizen", "reason": "hangup", "waited_s": r.next(120), "duration_s": r.next(600)})),
                _ => ("printer.health", json!({"state": "ok"})),
            };
            (kind.to_string(), payload, at)
        })
        .collect()
}

/// A terminal of `platform` (in `region`) whose outbox, filled with `events`, reached the
/// registry.
async fn deliver(pilot: &Pilot, platform: &str, events: &[(String, Value, String)]) -> String {
    let mut t = Terminal::new();
    t.enrol(pilot, &pilot.code(platform)).await.unwrap();
    {
        let db = rusqlite::Connection::open(t.dir.path().join("kiosk.db")).unwrap();
        for (i, (kind, payload, at)) in events.iter().enumerate() {
            db.execute(
                "INSERT INTO outbox (idempotency_key, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![format!("{platform}-{i}"), kind, payload.to_string(), at],
            )
            .unwrap();
        }
    }
    let report = t.client(pilot).deliver_outbox().await.unwrap();
    assert_eq!(report.acknowledged as usize, events.len());
    t.device_id()
}

/// One exported event.
struct Exported {
    device: String,
    platform: String,
    kind: String,
    payload: Value,
    day: String,
    hour: usize,
}

fn export(pilot: &Pilot) -> Vec<Exported> {
    let out = pilot.dir.path().join("events.csv");
    pilot.admin(&["events", "export", "--out", out.to_str().unwrap()], "");
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (d, p, k, c, pl) = (
        col("device_id"),
        col("platform_id"),
        col("kind"),
        col("created_at"),
        col("payload"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Exported {
                device: r[d].to_string(),
                platform: r[p].to_string(),
                kind: r[k].to_string(),
                payload: serde_json::from_str(&r[pl]).unwrap(),
                day: r[c][..10].to_string(),
                hour: r[c][11..13].parse().unwrap(),
            }
        })
        .collect()
}

/// What the export says each metric counts (written from the payloads here, not with the
/// registry's code).
fn counts_of(events: &[&Exported]) -> BTreeMap<&'static str, i64> {
    let mut c = BTreeMap::new();
    for e in events {
        let mut add = |m: &'static str, n: i64| *c.entry(m).or_insert(0) += n;
        match e.kind.as_str() {
            "ticket.issued" => add("ticket.issued", 1),
            "ticket.called" => add("ticket.called", 1),
            "ticket.finished" => add("ticket.finished", 1),
            "consultation.completed" => add("consultation", 1),
            "legal_aid.checked" => add("legal_aid", 1),
            "rating.submitted" => {
                add("rating", 1);
                add(
                    "rating.reason",
                    e.payload["reasons"].as_array().unwrap().len() as i64,
                );
            }
            "video.call_ended" if e.payload["answered"] == true => add("video.answered", 1),
            "video.call_ended" => add("video.missed", 1),
            _ => {}
        }
    }
    c
}

fn of_kind<'a>(events: &'a [Exported], kind: &str) -> Vec<&'a Exported> {
    events.iter().filter(|e| e.kind == kind).collect()
}

fn summary_counts(table: &Value) -> BTreeMap<String, i64> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r[2].as_i64().unwrap() > 0)
        .map(|r| (r[0].as_str().unwrap().to_string(), r[2].as_i64().unwrap()))
        .collect()
}

fn expected_summary(events: &[&Exported]) -> BTreeMap<String, i64> {
    counts_of(events)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(m, n)| (m.to_string(), n))
        .collect()
}

/// id → count of a ranking or drill-down table.
fn by_id(table: &Value) -> BTreeMap<String, i64> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[1].as_str().unwrap().to_string(), r[3].as_i64().unwrap()))
        .collect()
}

struct Fixture {
    pilot: Pilot,
    events: Vec<Exported>,
    device_a: String,
}

async fn fixture() -> Fixture {
    let mut pilot = Pilot::new();
    for (id, region) in [(PLATFORM_A, DISTRICT), (PLATFORM_B, OTHER_DISTRICT)] {
        pilot
            .store()
            .platform_upsert(&Platform {
                id: id.into(),
                name: format!("{id} 公共法律服务中心"),
                region: region.into(),
                address: String::new(),
            })
            .unwrap();
    }
    add_operator(&pilot, "city", &["220100"]);
    add_operator(&pilot, "nanguan", &[DISTRICT]);
    pilot.start();
    let device_a = deliver(&pilot, PLATFORM_A, &outbox_rows(1, 160)).await;
    deliver(&pilot, PLATFORM_B, &outbox_rows(2, 120)).await;
    let events = export(&pilot);
    assert_eq!(events.len(), 280, "every event delivered once");
    Fixture {
        pilot,
        events,
        device_a,
    }
}

fn q(view: &str, extra: &str) -> String {
    format!("/v1/ops/stats/{view}?from={FROM}&to={TO}{extra}")
}

/// Every view the console draws, as the city's operator reads them.
async fn all_views(console: &Console) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        q("summary", ""),
        q("trend", "&metric=ticket.issued&by=day"),
        q("trend", "&metric=ticket.finished&by=week"),
        q("trend", "&metric=rating&by=month"),
        q("heatmap", "&metric=consultation"),
        q("ranking", "&metric=consultation&by=key"),
        q("ranking", "&metric=ticket.issued&by=platform"),
        q("ranking", "&metric=legal_aid&by=region"),
        q("drill", "&metric=ticket.called"),
        q("drill", &format!("&metric=ticket.called&region={DISTRICT}")),
        q(
            "drill",
            &format!("&metric=ticket.called&platform={PLATFORM_A}"),
        ),
        "/v1/ops/stats/compare?metric=rating.reason&from=2026-11-02&to=2026-11-08&from2=2026-11-09&to2=2026-11-15"
            .to_string(),
        "/v1/ops/stats/summary?from=2026-10-20&to=2026-12-05".to_string(),
        "/v1/ops/stats/heatmap?metric=ticket.finished&from=2026-10-01&to=2026-12-31".to_string(),
    ] {
        out.push(console.view(&path).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_counts_exactly_the_exported_events_and_a_rebuild_changes_nothing() {
    let Fixture {
        pilot,
        events,
        device_a,
    } = fixture().await;
    let console = Console::login(&pilot, "city").await;
    let all: Vec<&Exported> = events.iter().collect();

    // Totals per metric.
    let summary = console.view(&q("summary", "")).await;
    assert_eq!(summary_counts(&summary), expected_summary(&all));
    // Mean wait of the tickets called, to the tenth of a second.
    let called = of_kind(&events, "ticket.called");
    let waited: i64 = called
        .iter()
        .map(|e| e.payload["waited_secs"].as_i64().unwrap())
        .sum();
    let row = summary["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == "ticket.called")
        .unwrap();
    assert_eq!(row[1], "叫号");
    let mean = (waited as f64 / called.len() as f64 * 10.0).round() / 10.0;
    assert_eq!(row[3].as_f64().unwrap(), mean);

    // A period of whole months and ragged ends (read from the monthly rollups and the
    // daily ones) holds the same events, so every view sums the same.
    for view in [
        "summary?",
        "heatmap?metric=consultation&",
        "ranking?metric=ticket.issued&by=platform&",
        "ranking?metric=legal_aid&by=region&",
        "ranking?metric=consultation&by=key&",
        "drill?metric=ticket.called&",
    ] {
        let narrow = console
            .view(&format!("/v1/ops/stats/{view}from={FROM}&to={TO}"))
            .await;
        let wide = console
            .view(&format!(
                "/v1/ops/stats/{view}from=2026-10-20&to=2026-12-05"
            ))
            .await;
        assert_eq!(narrow["rows"], wide["rows"], "{view}");
    }
    let months = console
        .view("/v1/ops/stats/trend?metric=ticket.issued&by=month&from=2026-10-20&to=2026-12-05")
        .await;
    assert_eq!(
        months["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r[0].as_str().unwrap(), r[1].as_i64().unwrap()))
            .collect::<Vec<_>>(),
        vec![
            ("2026-10", 0),
            ("2026-11", counts_of(&all)["ticket.issued"]),
            ("2026-12", 0)
        ]
    );

    // Trend by day: every day of the period, zeros included.
    let trend = console
        .view(&q("trend", "&metric=ticket.issued&by=day"))
        .await;
    let mut per_day: BTreeMap<String, i64> = BTreeMap::new();
    for d in 2..=15 {
        per_day.insert(format!("2026-11-{d:02}"), 0);
    }
    for e in of_kind(&events, "ticket.issued") {
        *per_day.get_mut(&e.day).unwrap() += 1;
    }
    let shown: BTreeMap<String, i64> = trend["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().to_string(), r[1].as_i64().unwrap()))
        .collect();
    assert_eq!(shown, per_day);

    // By ISO week.
    let weeks = console
        .view(&q("trend", "&metric=ticket.finished&by=week"))
        .await;
    let mut per_week: BTreeMap<String, i64> = BTreeMap::new();
    for e in of_kind(&events, "ticket.finished") {
        let w = NaiveDate::parse_from_str(&e.day, "%Y-%m-%d")
            .unwrap()
            .iso_week();
        *per_week
            .entry(format!("{}-W{:02}", w.year(), w.week()))
            .or_insert(0) += 1;
    }
    let shown: BTreeMap<String, i64> = weeks["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().to_string(), r[1].as_i64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(shown, per_week);

    // Weekday × hour.
    let heat = console.view(&q("heatmap", "&metric=consultation")).await;
    let mut cells = vec![vec![0i64; 24]; 7];
    for e in of_kind(&events, "consultation.completed") {
        let wd = NaiveDate::parse_from_str(&e.day, "%Y-%m-%d")
            .unwrap()
            .weekday();
        cells[wd.num_days_from_monday() as usize][e.hour] += 1;
    }
    let rows = heat["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 7 * 24);
    for r in rows {
        let (wd, h) = (
            r[0].as_u64().unwrap() as usize,
            r[1].as_u64().unwrap() as usize,
        );
        assert_eq!(
            r[2].as_i64().unwrap(),
            cells[wd - 1][h],
            "weekday {wd} hour {h}"
        );
    }

    // Hotspots: consultation matters, most first.
    let matters = console
        .view(&q("ranking", "&metric=consultation&by=key"))
        .await;
    let mut per_matter: BTreeMap<String, i64> = BTreeMap::new();
    for e in of_kind(&events, "consultation.completed") {
        let r = &e.payload["record"];
        *per_matter
            .entry(format!(
                "{}/{}",
                r["category_id"].as_str().unwrap(),
                r["matter_id"].as_str().unwrap()
            ))
            .or_insert(0) += 1;
    }
    assert_eq!(by_id(&matters), per_matter);
    let counts: Vec<i64> = matters["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[3].as_i64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most first: {counts:?}"
    );

    // Drill-down: regions, a region's platforms, a platform's terminals.
    let calls = |pred: &dyn Fn(&Exported) -> bool| {
        events
            .iter()
            .filter(|e| e.kind == "ticket.called" && pred(e))
            .count() as i64
    };
    let regions = console.view(&q("drill", "&metric=ticket.called")).await;
    assert_eq!(
        by_id(&regions),
        BTreeMap::from([
            (DISTRICT.to_string(), calls(&|e| e.platform == PLATFORM_A)),
            (
                OTHER_DISTRICT.to_string(),
                calls(&|e| e.platform == PLATFORM_B)
            ),
        ])
    );
    let platforms = console
        .view(&q(
            "drill",
            &format!("&metric=ticket.called&region={DISTRICT}"),
        ))
        .await;
    assert_eq!(
        by_id(&platforms),
        BTreeMap::from([(PLATFORM_A.to_string(), calls(&|e| e.platform == PLATFORM_A))])
    );
    let terminals = console
        .view(&q(
            "drill",
            &format!("&metric=ticket.called&platform={PLATFORM_A}"),
        ))
        .await;
    assert_eq!(
        by_id(&terminals),
        BTreeMap::from([(device_a.clone(), calls(&|e| e.device == device_a))])
    );

    // Two periods compared: bad-rating reasons, first week against the second.
    let compare = console
        .view("/v1/ops/stats/compare?metric=rating.reason&from=2026-11-02&to=2026-11-08&from2=2026-11-09&to2=2026-11-15")
        .await;
    let reasons_in = |first: bool| -> i64 {
        of_kind(&events, "rating.submitted")
            .iter()
            .filter(|e| (e.day.as_str() <= "2026-11-08") == first)
            .map(|e| e.payload["reasons"].as_array().unwrap().len() as i64)
            .sum()
    };
    let total = &compare["rows"][0];
    assert_eq!(total[1], "合计");
    assert_eq!(
        (total[2].as_i64().unwrap(), total[3].as_i64().unwrap()),
        (reasons_in(true), reasons_in(false))
    );

    // The rollups recomputed from the raw events give the same answers.
    let before = all_views(&console).await;
    let out = pilot.admin(&["stats", "rebuild"], "");
    assert!(out.contains("rebuilt from"), "{out}");
    assert_eq!(all_views(&console).await, before);

    // The same summary as CSV: a BOM, the header, the Chinese names, the counts.
    let response = console.raw(&q("summary", "&format=csv")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("metric,name,count,avg_wait_s,avg_service_s")
    );
    let issued = lines.next().unwrap();
    let expected = counts_of(&all)["ticket.issued"];
    assert!(
        issued.starts_with(&format!("ticket.issued,取号,{expected},")),
        "{issued}"
    );
    assert_eq!(text.lines().count(), 1 + 10, "one line per metric");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_operator_is_refused_the_other_district_and_sees_nothing_of_it() {
    let Fixture { pilot, events, .. } = fixture().await;
    let console = Console::login(&pilot, "nanguan").await;
    for path in [
        q("summary", &format!("&region={OTHER_DISTRICT}")),
        q("summary", "&region=220100"),
        q("drill", &format!("&platform={PLATFORM_B}")),
        q("trend", &format!("&platform={PLATFORM_B}&format=csv")),
        q("heatmap", &format!("&region={OTHER_DISTRICT}&format=csv")),
    ] {
        assert_eq!(console.status(&path).await, StatusCode::FORBIDDEN, "{path}");
    }
    // Without a filter: the district's own events only, in every view.
    let own: Vec<&Exported> = events.iter().filter(|e| e.platform == PLATFORM_A).collect();
    assert_eq!(
        summary_counts(&console.view(&q("summary", "")).await),
        expected_summary(&own)
    );
    let regions = console.view(&q("drill", "&metric=ticket.issued")).await;
    assert_eq!(by_id(&regions).keys().collect::<Vec<_>>(), vec![DISTRICT]);
    let platforms = console
        .view(&q("ranking", "&metric=ticket.issued&by=platform"))
        .await;
    assert_eq!(
        by_id(&platforms).keys().collect::<Vec<_>>(),
        vec![PLATFORM_A]
    );
    let csv = console
        .raw(&q(
            "ranking",
            "&metric=ticket.issued&by=platform&format=csv",
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains(PLATFORM_B), "{csv}");
    // The refusals are in the audit (read by the city's admin).
    add_operator_admin(&pilot);
    let admin = Console::login(&pilot, "boss").await;
    let audit = admin.view("/v1/ops/audit").await;
    let refused = audit
        .as_array()
        .or(audit["entries"].as_array())
        .unwrap()
        .iter()
        .filter(|e| e["username"] == "nanguan" && e["outcome"] == "forbidden")
        .count();
    assert!(refused >= 5, "{audit}");
}

fn add_operator_admin(pilot: &Pilot) {
    let out = pilot.admin(
        &[
            "operator", "add", "boss", "--role", "admin", "--region", "220000",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.contains("operator boss saved"), "{out}");
}
