//! Search latency over the default content and a synthetic catalogue of 2,000 matters.
//! Target: p99 under 5 ms per query. Run: `cargo bench -p legal-kiosk --bench consult_search`.

#[path = "support/consult.rs"]
mod common;

use std::time::Instant;

use legal_kiosk::domain::consult::{Catalogue, SearchIndex, defaults};

/// What people type on the kiosk keyboard: initials, partial and full pinyin, Chinese words,
/// colloquial phrases, English, nonsense.
const QUERIES: &[&str] = &[
    "ldzy",
    "l",
    "ld",
    "laodong",
    "lh",
    "lihun",
    "jb",
    "rmtj",
    "gs",
    "zjd",
    "欠薪",
    "老板不给钱",
    "老板不给我钱",
    "离婚",
    "宅基地",
    "工伤认定",
    "被骗",
    "divorce",
    "wages",
    "qqqqxz",
    "12348",
];

fn measure(label: &str, catalogue: &Catalogue) {
    let index = SearchIndex::build(catalogue);
    let mut timings = Vec::new();
    let mut per_query = vec![Vec::new(); QUERIES.len()];
    let mut hits = 0;
    for _ in 0..200 {
        for (qi, q) in QUERIES.iter().enumerate() {
            let t = Instant::now();
            hits += index.search(q, 20).len();
            let d = t.elapsed();
            timings.push(d);
            per_query[qi].push(d);
        }
    }
    let n = timings.len();
    let (p50, p99, max) = common::percentiles(timings);
    println!(
        "search over {label} ({} matters): {n} queries, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({hits} hits)",
        catalogue.matters.len(),
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
    );
    let mut slowest: Vec<(f64, &str)> = per_query
        .into_iter()
        .zip(QUERIES)
        .map(|(t, q)| (common::percentiles(t).0.as_secs_f64() * 1e3, *q))
        .collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: Vec<String> = slowest
        .iter()
        .take(3)
        .map(|(ms, q)| format!("{q:?} {ms:.3} ms"))
        .collect();
    println!("  slowest queries by median: {}", top.join(", "));
}

/// The same number of timings of a fixed busy loop as long as a median search: on a shared,
/// overloaded machine its p99 shows how much of the search p99 is the scheduler, not search.
fn noise_floor(target: std::time::Duration) {
    let mut spins = 1_000u64;
    loop {
        let t = Instant::now();
        (0..spins).fold(0u64, |a, b| std::hint::black_box(a.wrapping_add(b * b)));
        if t.elapsed() >= target {
            break;
        }
        spins *= 2;
    }
    let timings: Vec<_> = (0..QUERIES.len() * 200)
        .map(|_| {
            let t = Instant::now();
            (0..spins).fold(0u64, |a, b| std::hint::black_box(a.wrapping_add(b * b)));
            t.elapsed()
        })
        .collect();
    let (p50, p99, max) = common::percentiles(timings);
    println!(
        "noise floor (fixed busy loop): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
    );
}

fn main() {
    println!("machine: {}", common::machine());
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "load average: {}",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    let default = defaults::catalogue().expect("default content is valid");
    measure("the default content", &default);
    let files = common::synthetic_files(2000);
    let synthetic = Catalogue::from_files(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
        .expect("synthetic content is valid");
    measure("a synthetic catalogue", &synthetic);
    noise_floor(std::time::Duration::from_micros(200));
}
