//! A province's load on the registry (issue 17). Run under a throwaway PostgreSQL:
//!   scripts/with-postgres.sh cargo bench -p kiosk-registry --bench province
//! 1. ingest: PROVINCE_EVENTS events (default 1,000,000) from PROVINCE_SENDERS terminals
//!    (500), delivered in batches of 500 with the real sync client, on SQLite and on
//!    PostgreSQL one after the other: events/s side by side, registry and database CPU;
//! 2. fleet: PROVINCE_TERMINALS terminals (10,000) polling every 30 s (± 10 %) for
//!    PROVINCE_SECONDS (120) against two registry instances on one PostgreSQL database,
//!    half the fleet on each (as a TCP load balancer spreads them): p50/p99 poll latency,
//!    CPU per instance and of PostgreSQL.
//!
//! 3. stats (only when PROVINCE_PARTS names it): the console's ticket statistics over
//!    PROVINCE_STATS_EVENTS events (10,000,000: a province-year) written straight into a
//!    PostgreSQL database by SQL, 300 platforms over 365 days: p50/p95 of the query for the
//!    whole year, a month, and one platform's year.
//!
//! PROVINCE_FLEET_ON=sqlite runs the fleet against one instance on SQLite instead, for
//! comparison on the same machine.
//!
//! PROVINCE_PARTS=ingest or fleet runs one part. The terminals' outboxes are in memory so
//! that the two cores measure the registry and its database, not the clients' SQLite.

#[path = "support/mod.rs"]
mod support;

use provisioning::bundle::VerifiedBundle;
use provisioning::client::{
    BundleStore, CommandOutcome, CommandSink, HealthSnapshot, HealthSource, OutboxStore,
    StoreError, Stores, SyncClient,
};
use provisioning::command::CommandBody;
use provisioning::identity::DeviceIdentity;
use provisioning::protocol::{CommandState, Event};
use rand::Rng as _;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A terminal whose outbox is a list in memory.
#[derive(Default)]
struct MemoryTerminal {
    outbox: Mutex<Vec<Event>>,
}

impl OutboxStore for MemoryTerminal {
    fn pending_batch(&self, n: usize) -> Result<Vec<Event>, StoreError> {
        let outbox = self.outbox.lock().unwrap();
        Ok(outbox.iter().take(n).cloned().collect())
    }
    fn acknowledge(&self, seqs: &[i64]) -> Result<(), StoreError> {
        self.outbox
            .lock()
            .unwrap()
            .retain(|e| !seqs.contains(&e.seq));
        Ok(())
    }
    fn record_failure(&self, _: &[i64], _: &str) -> Result<(), StoreError> {
        Ok(())
    }
    fn depth(&self) -> Result<u64, StoreError> {
        Ok(self.outbox.lock().unwrap().len() as u64)
    }
}

impl BundleStore for MemoryTerminal {
    fn current_versions(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        Ok(BTreeMap::new())
    }
    fn apply(&self, _: &VerifiedBundle) -> Result<(), StoreError> {
        Ok(())
    }
}

impl CommandSink for MemoryTerminal {
    fn execute(&self, _: &CommandBody) -> CommandOutcome {
        CommandOutcome {
            state: CommandState::Succeeded,
            detail: None,
            logs: None,
        }
    }
}

impl HealthSource for MemoryTerminal {
    fn snapshot(&self) -> HealthSnapshot {
        HealthSnapshot {
            uptime_s: 3600,
            ..HealthSnapshot::default()
        }
    }
}

const SERVICES: [&str; 3] = ["mediation", "notary", "legal-aid"];

/// CPU time of every PostgreSQL process (the server and its backends) so far.
fn postgres_cpu() -> Duration {
    let mut total = Duration::ZERO;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim() == "postgres" {
            total += support::cpu_time(pid);
        }
    }
    total
}

fn terminal(
    registry: &support::Registry,
    port: u16,
    identity: Arc<DeviceIdentity>,
    enrolment: provisioning::client::Enrolment,
    terminal: Arc<MemoryTerminal>,
) -> Arc<SyncClient> {
    let mut config = registry.config_for(port);
    config.outbox_batch_size = 500;
    let stores = Stores {
        outbox: terminal.clone(),
        bundles: terminal.clone(),
        commands: terminal.clone(),
        health: terminal,
    };
    Arc::new(SyncClient::new(config, identity, enrolment, stores).unwrap())
}

async fn enrol_fleet(
    registry: &support::Registry,
    n: usize,
) -> Vec<(Arc<DeviceIdentity>, provisioning::client::Enrolment)> {
    let codes = registry.codes(n);
    let mut out = Vec::with_capacity(n);
    for code in &codes {
        let identity = Arc::new(DeviceIdentity::from_signing_key(
            provisioning::keys::generate_signing_key().unwrap(),
        ));
        let enrolment = registry.enrol(&identity, code).await;
        out.push((identity, enrolment));
    }
    out
}

/// Delivers `events` from `senders` terminals, 16 at a time (the registry's default intake);
/// returns (seconds, registry CPU, database CPU).
fn ingest(
    runtime: &tokio::runtime::Runtime,
    registry: &support::Registry,
    senders: usize,
    events: usize,
) -> (f64, Duration, Duration) {
    let fleet = runtime.block_on(enrol_fleet(registry, senders));
    let per = events / senders;
    let day = "2026-11-20";
    let clients: Vec<_> = fleet
        .into_iter()
        .map(|(identity, enrolment)| {
            let t = Arc::new(MemoryTerminal::default());
            *t.outbox.lock().unwrap() = (0..per)
                .map(|n| Event {
                    seq: n as i64 + 1,
                    idempotency_key: uuid::Uuid::now_v7().to_string(),
                    kind: "ticket.issued".into(),
                    payload: serde_json::json!({ "service_id": SERVICES[n % 3], "number": format!("A{:03}", n % 1000), "service_day": day, "issued_at": "2026-11-20T09:00:00+08:00" }),
                    created_at: "2026-11-20T09:00:00+08:00".into(),
                })
                .collect();
            terminal(registry, registry.port, identity, enrolment, t)
        })
        .collect();
    let pid = registry.pid();
    let (cpu_before, pg_before) = (support::cpu_time(pid), postgres_cpu());
    let started = Instant::now();
    runtime.block_on(async {
        let slots = Arc::new(tokio::sync::Semaphore::new(16));
        let tasks: Vec<_> = clients
            .into_iter()
            .map(|c| {
                let slots = slots.clone();
                tokio::spawn(async move {
                    let _slot = slots.acquire_owned().await.unwrap();
                    let mut backoff = provisioning::client::Backoff::new(
                        Duration::from_millis(100),
                        Duration::from_secs(2),
                    );
                    loop {
                        match c.deliver_outbox().await {
                            Ok(_) => return,
                            Err(e) if e.is_transient() => {
                                tokio::time::sleep(backoff.next_delay(e.retry_after())).await;
                            }
                            Err(e) => panic!("{e}"),
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(registry.events_count() as usize, per * senders);
    (
        seconds,
        support::cpu_time(pid) - cpu_before,
        postgres_cpu() - pg_before,
    )
}

fn main() {
    let pg = std::env::var("KIOSK_TEST_PG").expect("run under scripts/with-postgres.sh");
    let parts = std::env::var("PROVINCE_PARTS").unwrap_or_else(|_| "ingest,fleet".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("machine: {}", support::machine());

    if parts.contains("ingest") {
        let events = support::env_or("PROVINCE_EVENTS", 1_000_000);
        let senders = support::env_or("PROVINCE_SENDERS", 500);
        let mut rows = Vec::new();
        for store in ["sqlite", "postgres"] {
            let registry = if store == "sqlite" {
                support::Registry::start(30)
            } else {
                support::Registry::start_postgres(&pg, 30)
            };
            let (seconds, cpu, db_cpu) = ingest(&runtime, &registry, senders, events);
            rows.push((store, seconds, cpu, db_cpu));
        }
        println!("ingest: {events} events from {senders} terminals, batches of 500, 16 at a time");
        for (store, seconds, cpu, db_cpu) in rows {
            println!(
                "  {store:<8} {:>7.1} s  {:>8.0} events/s  registry CPU {:>6.1} s  PostgreSQL CPU {:>6.1} s",
                seconds,
                events as f64 / seconds,
                cpu.as_secs_f64(),
                db_cpu.as_secs_f64()
            );
        }
    }

    if parts.contains("stats") {
        stats(&pg, support::env_or("PROVINCE_STATS_EVENTS", 10_000_000));
    }

    if parts.contains("fleet") {
        let terminals = support::env_or("PROVINCE_TERMINALS", 10_000);
        let window = Duration::from_secs(support::env_or("PROVINCE_SECONDS", 120) as u64);
        let interval = Duration::from_secs(30);
        let on_sqlite = std::env::var("PROVINCE_FLEET_ON").as_deref() == Ok("sqlite");
        let registry = if on_sqlite {
            support::Registry::start(30)
        } else {
            support::Registry::start_postgres(&pg, 30)
        };
        let (second, second_port) = if on_sqlite {
            (None, registry.port)
        } else {
            let (child, port) = registry.another_instance();
            (Some(child), port)
        };
        let started = Instant::now();
        let fleet = runtime.block_on(enrol_fleet(&registry, terminals));
        println!(
            "fleet: enrolled {terminals} terminals in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let clients: Vec<_> = fleet
            .into_iter()
            .enumerate()
            .map(|(i, (identity, enrolment))| {
                let port = if i % 2 == 0 {
                    registry.port
                } else {
                    second_port
                };
                terminal(&registry, port, identity, enrolment, Arc::default())
            })
            .collect();
        let pids: Vec<u32> = std::iter::once(registry.pid())
            .chain(second.as_ref().map(std::process::Child::id))
            .collect();
        let me = std::process::id();
        let me_before = support::cpu_time(me);
        let before: Vec<Duration> = pids.iter().map(|p| support::cpu_time(*p)).collect();
        let pg_before = postgres_cpu();
        let steady_started = Instant::now();
        let (mut latencies, failures) = runtime.block_on(async {
            let tasks: Vec<_> = clients
                .into_iter()
                .map(|c| {
                    tokio::spawn(async move {
                        let (mut out, mut failed) = (Vec::new(), 0u64);
                        let offset = Duration::from_millis(
                            rand::rng().random_range(0..interval.as_millis() as u64),
                        );
                        let mut next = tokio::time::Instant::now() + offset;
                        let end = tokio::time::Instant::now() + window;
                        while next < end {
                            tokio::time::sleep_until(next).await;
                            let t = Instant::now();
                            match c.poll_once().await {
                                Ok(_) => out.push(t.elapsed()),
                                Err(_) => failed += 1,
                            }
                            next += provisioning::client::backoff::jittered(interval);
                        }
                        (out, failed)
                    })
                })
                .collect();
            let (mut out, mut failed) = (Vec::new(), 0);
            for task in tasks {
                let (o, f) = task.await.unwrap();
                out.extend(o);
                failed += f;
            }
            (out, failed)
        });
        let elapsed = steady_started.elapsed().as_secs_f64();
        latencies.sort();
        println!(
            "fleet: {terminals} terminals every 30 s on {}, {:.0} s: {} polls ({:.0}/s), {failures} failed, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            if on_sqlite {
                "one instance (SQLite)"
            } else {
                "two instances (PostgreSQL)"
            },
            elapsed,
            latencies.len(),
            latencies.len() as f64 / elapsed,
            support::percentile(&latencies, 0.50).as_secs_f64() * 1e3,
            support::percentile(&latencies, 0.99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
        for (i, pid) in pids.iter().enumerate() {
            let cpu = (support::cpu_time(*pid) - before[i]).as_secs_f64();
            println!(
                "  instance {}: CPU {:.3} cores ({:.1} % of one), RSS {:.0} MiB",
                ["A", "B"][i],
                cpu / elapsed,
                cpu / elapsed * 100.0,
                support::rss_mib(*pid)
            );
        }
        let db = (postgres_cpu() - pg_before).as_secs_f64();
        println!("  PostgreSQL: CPU {:.3} cores", db / elapsed);
        let load = (support::cpu_time(me) - me_before).as_secs_f64();
        println!(
            "  load generator (this process): CPU {:.3} cores",
            load / elapsed
        );
        if let Some(mut second) = second {
            let _ = second.kill();
            let _ = second.wait();
        }
    }
}

/// The console's statistics on a province-year of events.
fn stats(admin_url: &str, events: usize) {
    use kiosk_registry::store::{DbTarget, Store, wait};
    let name = format!("stats_{}", uuid::Uuid::new_v4().simple());
    let url = wait(|| kiosk_registry::store::pg::create_database(admin_url, &name)).unwrap();
    let store = Store::open_blocking(&DbTarget::Postgres(url)).unwrap();
    let started = Instant::now();
    store
        .sql_execute(
            "INSERT INTO events (device_id, platform_id, seq, idempotency_key, kind, payload, created_at, received_at)
             SELECT 'kt-' || (n % 3000), 'p-' || (n % 300), n, 'k-' || n, 'ticket.issued',
               json_build_object('service_id', (ARRAY['mediation','notary','legal-aid'])[(1 + n % 3)::int],
                 'number', 'A' || (n % 1000),
                 'service_day', to_char(DATE '2026-01-01' + (n % 365)::int, 'YYYY-MM-DD'),
                 'issued_at', '2026-01-01T09:00:00+08:00')::text,
               to_char(DATE '2026-01-01' + (n % 365)::int, 'YYYY-MM-DD') || 'T09:00:00+08:00',
               '2026-01-01T09:00:00.000Z'
             FROM generate_series(1, CAST(?1 AS BIGINT)) AS n",
            &[(events as i64).into()],
        )
        .unwrap();
    let written = started.elapsed();
    let started = Instant::now();
    let Store::Postgres(pg) = &store else {
        unreachable!()
    };
    let counted = wait(|| pg.stats_rebuild()).unwrap();
    store.sql_execute("ANALYZE", &[]).unwrap();
    println!(
        "stats: {events} events written by SQL in {:.1} s; the rollups rebuilt from {counted} of them in {:.1} s (ingest keeps them as it stores)",
        written.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    type Query<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
    let queries: [Query; 3] = [
        ("whole year, all platforms", None, None, None),
        (
            "one month, all platforms",
            Some("2026-03-01"),
            Some("2026-03-31"),
            None,
        ),
        ("one platform, whole year", None, None, Some("p-17")),
    ];
    for (label, from, to, platform) in queries {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..5 {
            let t = Instant::now();
            rows = store
                .tickets_per_service_day(from, to, platform)
                .unwrap()
                .len();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "  {label}: {rows} rows, p50 {:.0} ms, p95 {:.0} ms (5 runs); target p95 < 300 ms: {}",
            support::percentile(&times, 0.5).as_secs_f64() * 1e3,
            support::percentile(&times, 0.95).as_secs_f64() * 1e3,
            if support::percentile(&times, 0.95) < Duration::from_millis(300) {
                "yes"
            } else {
                "NO"
            }
        );
    }
}
