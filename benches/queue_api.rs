//! The queue API under load, through the real kiosk assembly on loopback:
//!
//! * call-next latency at the API (HTTP request to answer) with 2,000 tickets waiting, while
//!   the hall and counter streams are followed (their views rebuilt after every change);
//! * hall update end to end: from sending call-next to the hall stream's event naming the
//!   number; and, where Chromium and tests/browser/node_modules are installed, from the
//!   click on the counter page to the text drawn on the hall page.
//!
//! Run with `cargo bench --bench queue_api`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::Kiosk;
use common::queue_http::{Api, PIN, add_staff, next_matching};
use legal_kiosk::config::{Config, PrinterKind, ReaderKind};
use legal_kiosk::domain::queue::{Catalogue, IssueRequest, Policy, PriorityGroup, issue};
use serde_json::json;

const WAITING: usize = 2000;
const ROUNDS: usize = 400;
const BROWSER_ROUNDS: usize = 30;

fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split(':').nth(1))
        })
        .map_or("unknown CPU", str::trim)
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cores} cores")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(what: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{what}: n={} p50={:.2} ms p95={:.2} ms p99={:.2} ms max={:.2} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        percentile(&ms, 0.99),
        ms[ms.len() - 1]
    );
}

/// Issues `n` tickets straight into the store, one in ten a priority ticket.
fn top_up(k: &Kiosk, n: usize, from: usize) {
    let now = k.clock_now();
    k.kiosk
        .worker
        .call(move |s| {
            let catalogue = Catalogue::built_in();
            let policy = Policy::default();
            let services = ["legal-aid", "notary", "mediation", "legal-consultation"];
            for i in from..from + n {
                let req = IssueRequest {
                    priority: (i % 10 == 0).then_some(PriorityGroup::Elderly),
                    ..IssueRequest::new(services[i % services.len()], now)
                };
                issue(s.conn(), &catalogue, &policy, &req).expect("issued");
            }
        })
        .expect("the store thread");
}

fn main() {
    let mut config = Config::default();
    config.printer.kind = PrinterKind::None;
    config.reader.kind = ReaderKind::None;
    let k = Kiosk::start_with(config);
    add_staff(&k);
    top_up(&k, WAITING, 0);
    let mut api = Api::of(&k);
    assert_eq!(api.login(PIN).0, 200);
    assert_eq!(api.post("/api/counters/1/open", json!({})).0, 200);
    let hall = api.follow("/api/hall/stream");
    let _staff = api.follow("/api/stream");
    next_matching(&hall, Duration::from_secs(10), |_| true).expect("the hall stream");

    let mut calls = Vec::new();
    let mut hall_updates = Vec::new();
    for round in 0..ROUNDS + 20 {
        let sent = Instant::now();
        let (status, body) = api.post("/api/counters/1/call-next", json!({}));
        let answered = sent.elapsed();
        assert_eq!(status, 200, "{body}");
        let number = body["called"]["number"]
            .as_str()
            .expect("a ticket")
            .to_string();
        let (at, _) = next_matching(&hall, Duration::from_secs(5), |v| {
            v["now_serving"]
                .as_array()
                .is_some_and(|a| a.iter().any(|c| c["number"] == number.as_str()))
        })
        .expect("the hall names the call");
        if round >= 20 {
            calls.push(answered.as_secs_f64() * 1000.0);
            hall_updates.push(at.duration_since(sent).as_secs_f64() * 1000.0);
        }
        assert_eq!(api.post("/api/counters/1/start", json!({})).0, 200);
        // Keep the queue at 2,000 (untimed).
        top_up(&k, 1, WAITING + round);
        k.ui_queue.run_pending();
    }
    println!("machine: {}", machine());
    println!("{WAITING} tickets waiting, hall and counter streams followed");
    report("call-next at the API", calls);
    report("hall stream names the call", hall_updates);

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !dir.join("node_modules/playwright-core").is_dir()
        || !Path::new("/usr/bin/chromium").exists()
    {
        println!("hall page in Chromium: skipped (scripts/install-deps.sh test installs it)");
        return;
    }
    let out = Command::new("node")
        .arg(dir.join("queue_pages.mjs"))
        .args(["bench", &api.base, PIN, &BROWSER_ROUNDS.to_string()])
        .output()
        .expect("node runs");
    if !out.status.success() {
        println!(
            "hall page in Chromium: failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ms: Vec<f64> = seen["hall_ms"]
        .as_array()
        .expect("times")
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    report(
        "click on the counter page to the call drawn on the hall page (Chromium)",
        ms,
    );
}
