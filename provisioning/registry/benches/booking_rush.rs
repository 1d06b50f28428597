//! Issue 20's booking benchmark: 200 concurrent bookings through the channel API for the
//! last 10 places of a slot, against the release registry on loopback; on SQLite, and on
//! PostgreSQL too when run under scripts/with-postgres.sh (KIOSK_TEST_PG). Prints, per
//! store and round, how many were accepted (must be exactly the places left), how many
//! were told the slot is full, the rush's wall time and the answers' p50/p99 latency.
//!
//! Run: `cargo bench -p kiosk-registry --bench booking_rush` (RUSH_REQUESTS, RUSH_PLACES,
//! RUSH_ROUNDS change the figures).

#[path = "support/mod.rs"]
mod support;

use kiosk_registry::appointments::Schedule;
use kiosk_registry::store::{Store, wait};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SERVICE: &str = "legal-consultation";
const KEY: &str = "kc_bench-key";

/// A valid 18-character ID number from 17 digits.
fn id_number(seventeen: u64) -> String {
    let digits = format!("{seventeen:017}");
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!(
        "{digits}{}",
        char::from(b"10X98765432"[(sum % 11) as usize])
    )
}

/// A client trusting the registry's CA, connecting from `source` (each round from its own
/// loopback address: the channel API allows 600 requests a minute per address).
fn client(registry: &support::Registry, source: &str) -> reqwest::Client {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&registry.pilot.pki.ca_cert).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    // HTTP/2: the 200 requests share a connection, as a channel's gateway would.
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .local_address(source.parse::<std::net::IpAddr>().unwrap())
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn rush(name: &str, registry: &support::Registry, runtime: &tokio::runtime::Runtime) {
    let requests = support::env_or("RUSH_REQUESTS", 200);
    let places = support::env_or("RUSH_PLACES", 10);
    let rounds = support::env_or("RUSH_ROUNDS", 3);
    let already = 2usize;
    let store = Store::open_blocking(&registry.db).unwrap();
    let schedule = Schedule {
        platform_id: support::PLATFORM.into(),
        service_id: SERVICE.into(),
        capacity: (places + already) as u32,
        days: (1..=7).collect(),
        opens: "08:00".into(),
        closes: "20:00".into(),
    };
    wait(|| store.schedule_set(&schedule)).unwrap();
    wait(|| store.channel_add("bench", KEY)).unwrap_or(());
    let url = format!(
        "https://127.0.0.1:{}/v1/channels/bench/bookings",
        registry.port
    );
    let day = (chrono::Utc::now() + chrono::Duration::hours(8) + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let mut person = 0u64;
    for round in 0..rounds {
        let start = format!("{day}T{:02}:00", 9 + round);
        let http = client(registry, &format!("127.0.0.{}", 2 + round));
        let book = |id: String| {
            let (http, url, start) = (http.clone(), url.clone(), start.clone());
            async move {
                let began = Instant::now();
                let response = http
                    .post(&url)
                    .bearer_auth(KEY)
                    .json(&serde_json::json!({
                        "platform": support::PLATFORM, "service": SERVICE, "start": start,
                        "name": "张三", "id_number": id, "phone": "13800000000"
                    }))
                    .send()
                    .await
                    .unwrap();
                (response.status().as_u16(), began.elapsed())
            }
        };
        runtime.block_on(async {
            for _ in 0..already {
                person += 1;
                assert_eq!(book(id_number(person)).await.0, 201);
            }
            let began = Instant::now();
            let tasks: Vec<_> = (0..requests)
                .map(|_| {
                    person += 1;
                    tokio::spawn(book(id_number(person)))
                })
                .collect();
            let mut latencies = Vec::with_capacity(requests);
            let (mut accepted, mut full, mut other) = (0, 0, Vec::new());
            for task in tasks {
                let (status, latency) = task.await.unwrap();
                latencies.push(latency);
                match status {
                    201 => accepted += 1,
                    409 => full += 1,
                    s => other.push(s),
                }
            }
            let wall = began.elapsed();
            latencies.sort();
            println!(
                "{name} round {}: {requests} concurrent bookings for the last {places} places: \
                 {accepted} accepted, {full} slot_full, other {other:?}; {:.0} ms wall, \
                 p50 {:.1} ms, p99 {:.1} ms{}",
                round + 1,
                wall.as_secs_f64() * 1000.0,
                percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
                percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
                if accepted == places {
                    ""
                } else {
                    "  <-- WRONG"
                }
            );
            assert_eq!(accepted, places, "exactly the places left must be taken");
        });
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("machine: {}", support::machine());
    rush("SQLite", &support::Registry::start(30), &runtime);
    match std::env::var("KIOSK_TEST_PG") {
        Ok(url) => rush(
            "PostgreSQL",
            &support::Registry::start_postgres(&url, 30),
            &runtime,
        ),
        Err(_) => println!("PostgreSQL: skipped (run under scripts/with-postgres.sh)"),
    }
}
