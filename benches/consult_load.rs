//! Start-up cost of the consultation content: parse + validate the catalogue, build the
//! search index. Target: load and validate under 50 ms.
//! Run: `cargo bench -p legal-kiosk --bench consult_load`.

#[path = "support/consult.rs"]
mod common;

use std::time::Instant;

use legal_kiosk::domain::consult::{Catalogue, SearchIndex, defaults};
use legal_kiosk::domain::legal_aid::Rules;

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, f64) {
    let mut timings = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        timings.push(t.elapsed());
    }
    let (p50, p99, max) = common::percentiles(timings);
    (
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
    )
}

fn report(label: &str, (p50, p99, max): (f64, f64, f64)) {
    println!("{label}: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms");
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
    let bytes: usize = defaults::FILES.iter().map(|(_, t)| t.len()).sum();
    println!(
        "default content: {} files, {} KiB",
        defaults::FILES.len(),
        bytes / 1024
    );
    report(
        "load + validate default catalogue",
        time(100, || defaults::catalogue().expect("valid")),
    );
    let catalogue = defaults::catalogue().expect("valid");
    report(
        "build search index (default)",
        time(100, || SearchIndex::build(&catalogue)),
    );
    report(
        "load + validate legal-aid rules",
        time(100, || Rules::jilin_default().expect("valid")),
    );
    let files = common::synthetic_files(2000);
    report(
        "load + validate synthetic 2,000-matter catalogue",
        time(10, || {
            Catalogue::from_files(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
                .expect("valid")
        }),
    );
}
