//! Search latency over the default content and a synthetic catalogue of 2,000 matters.
//! Target: p99 under 5 ms per query. Run: `cargo bench -p legal-kiosk --bench consult_search`.

#[path = "support/consult.rs"]
mod common;

use std::time::Instant;

use legal_kiosk::consult::{Catalogue, SearchIndex, defaults};

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
    let mut hits = 0;
    for _ in 0..200 {
        for q in QUERIES {
            let t = Instant::now();
            hits += index.search(q, 20).len();
            timings.push(t.elapsed());
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
}

fn main() {
    println!("machine: {}", common::machine());
    let default = defaults::catalogue().expect("default content is valid");
    measure("the default content", &default);
    let files = common::synthetic_files(2000);
    let synthetic = Catalogue::from_files(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
        .expect("synthetic content is valid");
    measure("a synthetic catalogue", &synthetic);
}
