//! The console's demand analysis on a province-year (issue 16):
//!   cargo bench -p kiosk-registry --bench demand_stats                (SQLite)
//!   scripts/with-postgres.sh cargo bench -p kiosk-registry --bench demand_stats  (PostgreSQL)
//! 1. ingest: STATS_INGEST_EVENTS (200,000) events of the kinds the kiosk sends, in batches
//!    of 500 through the store's ingest, without the rollups and with them (fresh database
//!    each): events/s and the ratio (target: with ≥ 80 % of without);
//! 2. seed: STATS_EVENTS (10,000,000) events of a year from STATS_TERMINALS (5,000)
//!    terminals at STATS_PLATFORMS (1,200) platforms of 9 cities, summed into the rollups
//!    directly (the same `Rollup` ingest uses, one day at a time; raw events are not written:
//!    no view reads them);
//! 3. queries: every dashboard view for the whole year over the whole province through the
//!    real registry's HTTPS API as a province admin, STATS_RUNS (20) times each: p50/p95
//!    (target p95 < 300 ms).
//!
//! STATS_PARTS=ingest or queries runs one part. Figures: provisioning/README.md.

#[path = "support/mod.rs"]
mod support;

use kiosk_registry::store::Store;
use kiosk_registry::store::stats::{Rollup, SKIP_AT_INGEST};
use kiosk_registry::testkit::{self, Database, Pilot, platform};
use provisioning::protocol::Event;
use provisioning::scope::TerminalPlacement;
use serde_json::json;
use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A small deterministic generator.
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

const SERVICES: [&str; 6] = [
    "mediation",
    "notary",
    "legal-aid",
    "arbitration",
    "consult",
    "judicial-appraisal",
];
const MATTERS: [(&str, &str); 8] = [
    ("labour", "unpaid-wages"),
    ("labour", "injury"),
    ("family", "divorce"),
    ("family", "inheritance"),
    ("contract", "loan"),
    ("traffic", "accident"),
    ("housing", "lease"),
    ("consumer", "refund"),
];
const LEVELS: [&str; 5] = [
    "very-satisfied",
    "satisfied",
    "basically-satisfied",
    "dissatisfied",
    "very-dissatisfied",
];

/// One event as the kiosk writes it, on `day` (YYYY-MM-DD) at a working hour.
fn event(r: &mut Lcg, seq: i64, day: &str) -> Event {
    let hour = 8 + r.next(10);
    let at = format!("{day}T{hour:02}:{:02}:00+08:00", r.next(60));
    let service = SERVICES[r.next(6) as usize];
    let (kind, payload) = match r.next(100) {
        0..30 => (
            "ticket.issued",
            json!({"ticket_id": seq, "service_id": service, "number": "A001", "service_day": day, "issued_at": at, "people_ahead": 3}),
        ),
        30..55 => (
            "ticket.called",
            json!({"ticket_id": seq, "service_id": service, "queue_service": service, "service_day": day, "state": "called", "waited_secs": r.next(1800), "recalls": 0, "how": "next"}),
        ),
        55..75 => (
            "ticket.finished",
            json!({"ticket_id": seq, "service_id": service, "queue_service": service, "service_day": day, "state": "done", "waited_secs": r.next(1800), "service_secs": r.next(2400), "recalls": 0}),
        ),
        75..85 => {
            let (c, m) = MATTERS[r.next(8) as usize];
            (
                "consultation.completed",
                json!({"type": "consultation.completed", "record": {"consultation_id": seq.to_string(), "category_id": c, "matter_id": m, "outcome_id": "o"}}),
            )
        }
        85..89 => (
            "legal_aid.checked",
            json!({"type": "legal-aid.self-check", "indication": (["no-means-test", "likely-eligible", "means-check", "staff-review"][r.next(4) as usize])}),
        ),
        89..96 => {
            let level = LEVELS[r.next(5) as usize];
            let reasons: Vec<&str> = if level.contains("dissatisfied") {
                vec!["slow"]
            } else {
                vec![]
            };
            (
                "rating.submitted",
                json!({"type": "rating.submitted", "event_kind": "ticket", "level": level, "reasons": reasons}),
            )
        }
        _ => (
            "video.call_ended",
            json!({"call_id": seq.to_string(), "answered": r.next(4) > 0, "waited_s": r.next(120), "duration_s": r.next(900)}),
        ),
    };
    Event {
        seq,
        idempotency_key: format!("k{seq}"),
        kind: kind.into(),
        payload,
        created_at: at,
    }
}

fn env_or(name: &str, default: usize) -> usize {
    support::env_or(name, default)
}

/// Platform `i`'s region: 9 cities of one province (220000), 15 districts each.
fn region_of(i: usize) -> String {
    format!("22{:02}{:02}", 1 + i % 9, 1 + (i / 9) % 15)
}

/// The platforms, spread over the regions.
fn platforms(n: usize) -> Vec<kiosk_registry::store::platforms::Platform> {
    (0..n)
        .map(|i| {
            platform(
                &format!("p-{i:04}"),
                &format!("第{i}号公共法律服务工作站"),
                &region_of(i),
                "",
            )
        })
        .collect()
}

fn database() -> Database {
    match std::env::var("KIOSK_TEST_PG") {
        Ok(url) => Database::Postgres(url),
        Err(_) => Database::Sqlite,
    }
}

/// Events/s of `events` events ingested in batches of 500 on a fresh database.
fn ingest_rate(events: usize, rollups: bool) -> f64 {
    SKIP_AT_INGEST.store(!rollups, Ordering::Relaxed);
    let pilot = Pilot::new(database(), &[platform("p-0000", "基准", "220104", "")]);
    let store = pilot.store();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut r = Lcg(7);
    let placement = TerminalPlacement {
        device_id: "kt-bench".into(),
        platform_id: "p-0000".into(),
        region: "220104".into(),
    };
    let batches: Vec<Vec<Event>> = (0..events / 500)
        .map(|b| {
            (0..500)
                .map(|i| {
                    let seq = (b * 500 + i) as i64;
                    // A batch is what one terminal wrote since its last delivery: one day.
                    event(&mut r, seq, &format!("2026-03-{:02}", 1 + b % 28))
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    runtime.block_on(async {
        for batch in batches {
            let answer = store.ingest(&placement, batch).await.unwrap();
            assert_eq!(answer.stored, 500);
        }
    });
    let rate = events as f64 / started.elapsed().as_secs_f64();
    SKIP_AT_INGEST.store(false, Ordering::Relaxed);
    rate
}

/// Sums a year of events into the rollups, a day at a time.
fn seed(store: &Store, events: usize, terminals: usize, platforms: usize) -> Duration {
    let started = Instant::now();
    let mut r = Lcg(11);
    let per_day = events / 365;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut seq = 0i64;
    for _ in 0..365 {
        let text = day.to_string();
        let mut rollup = Rollup::default();
        for _ in 0..per_day {
            let terminal = r.next(terminals as u64) as usize;
            let e = event(&mut r, seq, &text);
            seq += 1;
            let p = terminal % platforms;
            rollup.add(
                &format!("kt-{terminal:05}"),
                &format!("p-{p:04}"),
                &region_of(p),
                &e.kind,
                &e.payload,
                &e.created_at,
            );
        }
        match store {
            Store::Sqlite(s) => s
                .with(|c| {
                    let tx = c.transaction()?;
                    rollup.write(&tx)?;
                    tx.commit()?;
                    Ok(())
                })
                .unwrap(),
            Store::Postgres(p) => runtime.block_on(async {
                let mut client = p.client().await.unwrap();
                let tx = client.transaction().await.unwrap();
                kiosk_registry::store::pg::stats::write(&tx, &rollup)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }),
        }
        day = day.succ_opt().unwrap();
    }
    if let Store::Postgres(_) = store {
        store.sql_execute("ANALYZE", &[]).unwrap();
    }
    started.elapsed()
}

/// A client trusting only the pilot's CA (rustls with ring, as the tests' clients).
fn https(pilot: &Pilot) -> reqwest::Client {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&pilot.pki.ca_cert).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap()
}

fn queries(events: usize, runs: usize) {
    let terminals = env_or("STATS_TERMINALS", 5000);
    let n_platforms = env_or("STATS_PLATFORMS", 1200);
    let pilot = Pilot::new(database(), &platforms(n_platforms));
    let store = pilot.store();
    let seeded = seed(&store, events, terminals, n_platforms);
    let rows = store
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM stats_hourly", &[])
        .ok()
        .and_then(|v| v.into_iter().next().flatten())
        .unwrap_or_default();
    println!(
        "seed: {events} events of 2026 from {terminals} terminals at {n_platforms} platforms summed into the rollups in {:.0} s ({rows} hourly rows)",
        seeded.as_secs_f64()
    );
    let exe = Path::new(env!("CARGO_BIN_EXE_kiosk-registry"));
    let mut add = pilot.command(exe);
    add.args([
        "operator", "add", "bench", "--role", "admin", "--region", "220000",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::null());
    let mut child = add.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-long-bench-password\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let port = testkit::free_port();
    let mut server = pilot.spawn(exe, port, &[], "warn");
    let base = format!("https://127.0.0.1:{port}");
    let http = https(&pilot);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let cookie = loop {
            match http
                .post(format!("{base}/v1/ops/login"))
                .json(&json!({"username": "bench", "password": "a-long-bench-password"}))
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => {
                    break r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        let year = "from=2026-01-01&to=2026-12-31";
        let views = [
            format!("summary?{year}"),
            format!("trend?{year}&metric=ticket.issued&by=day"),
            format!("trend?{year}&metric=ticket.finished&by=week"),
            format!("trend?{year}&metric=rating&by=month"),
            format!("heatmap?{year}&metric=ticket.issued"),
            format!("ranking?{year}&metric=ticket.issued&by=region"),
            format!("ranking?{year}&metric=ticket.issued&by=platform"),
            format!("ranking?{year}&metric=consultation&by=key"),
            format!("drill?{year}&metric=ticket.called"),
            format!("drill?{year}&metric=ticket.called&region=220104"),
            format!("drill?{year}&metric=ticket.called&platform=p-0007"),
            "compare?metric=rating.reason&from=2026-01-01&to=2026-06-30&from2=2026-07-01&to2=2026-12-31".to_string(),
            format!("summary?{year}&region=220104"),
            format!("heatmap?{year}&metric=consultation&format=csv"),
        ];
        let mut worst = Duration::ZERO;
        for view in views {
            let mut times = Vec::new();
            let mut size = 0;
            for _ in 0..runs {
                let t = Instant::now();
                let r = http
                    .get(format!("{base}/v1/ops/stats/{view}"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "{view}: {}", r.status());
                size = r.bytes().await.unwrap().len();
                times.push(t.elapsed());
            }
            times.sort();
            let p95 = support::percentile(&times, 0.95);
            worst = worst.max(p95);
            println!(
                "  {view:<80} p50 {:>6.1} ms  p95 {:>6.1} ms  ({size} bytes)",
                support::percentile(&times, 0.5).as_secs_f64() * 1e3,
                p95.as_secs_f64() * 1e3,
            );
        }
        println!(
            "queries: worst p95 {:.1} ms; target < 300 ms: {}",
            worst.as_secs_f64() * 1e3,
            if worst < Duration::from_millis(300) { "yes" } else { "NO" }
        );
    });
    let _ = server.kill();
    let _ = server.wait();
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this as a smoke with tiny sizes.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let parts = std::env::var("STATS_PARTS").unwrap_or_else(|_| "ingest,queries".into());
    let store_name = match database() {
        Database::Postgres(_) => "PostgreSQL",
        _ => "SQLite",
    };
    println!("machine: {}; store: {store_name}", support::machine());
    if parts.contains("ingest") {
        let events = if smoke {
            2_000
        } else {
            env_or("STATS_INGEST_EVENTS", 200_000)
        };
        let without = ingest_rate(events, false);
        let with = ingest_rate(events, true);
        println!(
            "ingest: {events} events in batches of 500: without rollups {without:.0} events/s, with {with:.0} events/s ({:.0} %; target ≥ 80 %)",
            with / without * 100.0
        );
    }
    if parts.contains("queries") {
        let events = if smoke {
            20_000
        } else {
            env_or("STATS_EVENTS", 10_000_000)
        };
        let runs = if smoke { 2 } else { env_or("STATS_RUNS", 20) };
        queries(events, runs);
    }
}
