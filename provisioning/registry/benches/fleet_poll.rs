//! 1,000 simulated terminals against one registry on loopback:
//! 1. a burst: every terminal polls at the same moment (p50/p99 latency);
//! 2. steady state: every terminal polls at the suggested 30 s interval with jitter for 60 s
//!    (latency and the registry's CPU, which must stay under one core);
//! 3. ingest: 20 terminals deliver 2,500 events each concurrently (events/s).
//!
//! Run: `cargo bench -p kiosk-registry --bench fleet_poll` (set FLEET_TERMINALS or
//! FLEET_SECONDS to change the size or the steady-state window).

#[path = "support/mod.rs"]
mod support;

use provisioning::client::{Stores, SyncClient};
use provisioning::identity::DeviceIdentity;
use rand::Rng as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn summary(label: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    println!(
        "{label}: {} polls, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        support::percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        support::percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}

fn main() {
    let terminals = support::env_or("FLEET_TERMINALS", 1000);
    let window = Duration::from_secs(support::env_or("FLEET_SECONDS", 60) as u64);
    let interval = Duration::from_secs(30);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("machine: {}", support::machine());
    let registry = support::Registry::start(30);
    let pid = registry.pid();

    // Enrol the fleet (each terminal its own key and its own HTTPS connection pool).
    let codes = registry.codes(terminals);
    let started = Instant::now();
    let clients: Vec<Arc<SyncClient>> = runtime.block_on(async {
        let mut out = Vec::with_capacity(terminals);
        for code in &codes {
            let identity = Arc::new(DeviceIdentity::from_signing_key(
                provisioning::keys::generate_signing_key().unwrap(),
            ));
            let enrolment = registry.enrol(&identity, code).await;
            let idle = Arc::new(support::IdleTerminal);
            let stores = Stores {
                outbox: idle.clone(),
                bundles: idle.clone(),
                commands: idle.clone(),
                health: idle,
            };
            out.push(Arc::new(
                SyncClient::new(registry.config(), identity, enrolment, stores).unwrap(),
            ));
        }
        out
    });
    println!(
        "enrolled {terminals} terminals in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // 1. Burst: everyone at once (new TLS connections for all).
    let cpu_before = support::cpu_time(pid);
    let burst_started = Instant::now();
    let latencies = runtime.block_on(async {
        let tasks: Vec<_> = clients
            .iter()
            .cloned()
            .map(|c| {
                tokio::spawn(async move {
                    let t = Instant::now();
                    c.poll_once().await.map(|_| t.elapsed())
                })
            })
            .collect();
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.unwrap().unwrap());
        }
        out
    });
    let burst = burst_started.elapsed();
    let burst_cpu = support::cpu_time(pid) - cpu_before;
    summary(
        &format!("burst, {terminals} terminals polling at once"),
        latencies,
    );
    println!(
        "burst: all answered in {:.2} s, registry CPU {:.2} s",
        burst.as_secs_f64(),
        burst_cpu.as_secs_f64()
    );

    // 2. Steady state: each terminal polls every 30 s ± 10 %, first poll spread over 30 s.
    let cpu_before = support::cpu_time(pid);
    let steady_started = Instant::now();
    let latencies = runtime.block_on(async {
        let tasks: Vec<_> = clients
            .iter()
            .cloned()
            .map(|c| {
                tokio::spawn(async move {
                    let mut out = Vec::new();
                    let offset = Duration::from_millis(
                        rand::rng().random_range(0..interval.as_millis() as u64),
                    );
                    let mut next = tokio::time::Instant::now() + offset;
                    let end = tokio::time::Instant::now() + window;
                    while next < end {
                        tokio::time::sleep_until(next).await;
                        let t = Instant::now();
                        if c.poll_once().await.is_ok() {
                            out.push(t.elapsed());
                        }
                        next += provisioning::client::backoff::jittered(interval);
                    }
                    out
                })
            })
            .collect();
        let mut out = Vec::new();
        for task in tasks {
            out.extend(task.await.unwrap());
        }
        out
    });
    let steady = steady_started.elapsed();
    let steady_cpu = support::cpu_time(pid) - cpu_before;
    let polls = latencies.len();
    summary(
        &format!("steady, {terminals} terminals every 30 s"),
        latencies,
    );
    let share = steady_cpu.as_secs_f64() / steady.as_secs_f64();
    println!(
        "steady: {:.1} polls/s over {:.0} s, registry CPU {:.3} cores ({:.1} % of one core), RSS {:.0} MiB; under one core: {}",
        polls as f64 / steady.as_secs_f64(),
        steady.as_secs_f64(),
        share,
        share * 100.0,
        support::rss_mib(pid),
        if share < 1.0 { "yes" } else { "NO" }
    );

    // 3. Ingest: 20 terminals deliver 2,500 events each at the same time.
    let senders = 20.min(terminals);
    let per_sender = 2500;
    let dir = tempfile::tempdir().unwrap();
    let day = chrono::Local::now().format("%Y-%m-%d").to_string();
    let codes = registry.codes(senders);
    let senders: Vec<_> = runtime.block_on(async {
        let mut out = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let identity = Arc::new(DeviceIdentity::from_signing_key(provisioning::keys::generate_signing_key().unwrap()));
            let enrolment = registry.enrol(&identity, code).await;
            let store = Arc::new(provisioning::sqlite_store::SqliteStore::open(&dir.path().join(format!("t{i}.db"))).unwrap());
            let events: Vec<_> = (0..per_sender)
                .map(|n| ("ticket.issued".to_string(), serde_json::json!({ "service_id": "mediation", "number": format!("A{:03}", n % 1000), "service_day": day, "issued_at": "2026-11-20T09:00:00+08:00" })))
                .collect();
            store.enqueue_many(&events).unwrap();
            let stores = Stores { outbox: store.clone(), bundles: store.clone(), commands: store.clone(), health: store };
            let mut config = registry.config();
            config.outbox_batch_size = 500;
            out.push(Arc::new(SyncClient::new(config, identity, enrolment, stores).unwrap()));
        }
        out
    });
    let before = registry.events_count();
    let cpu_before = support::cpu_time(pid);
    let started = Instant::now();
    let throttled = runtime.block_on(async {
        let tasks: Vec<_> = senders
            .into_iter()
            .map(|c| {
                tokio::spawn(async move {
                    let mut backoff = provisioning::client::Backoff::new(
                        Duration::from_millis(100),
                        Duration::from_secs(2),
                    );
                    let mut throttled = 0u64;
                    loop {
                        match c.deliver_outbox().await {
                            Ok(_) => return throttled,
                            Err(e) if e.is_transient() => {
                                throttled += 1;
                                tokio::time::sleep(backoff.next_delay(e.retry_after())).await;
                            }
                            Err(e) => panic!("{e}"),
                        }
                    }
                })
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        total
    });
    let elapsed = started.elapsed();
    let cpu = support::cpu_time(pid) - cpu_before;
    let stored = registry.events_count() - before;
    assert_eq!(stored as usize, codes.len() * per_sender);
    println!(
        "ingest: {stored} events from {} terminals at once in {:.2} s = {:.0} events/s stored (registry CPU {:.2} s; {throttled} deliveries told to retry later by 429)",
        codes.len(),
        elapsed.as_secs_f64(),
        stored as f64 / elapsed.as_secs_f64(),
        cpu.as_secs_f64(),
    );
}
