//! Draining 10,000 queued events from a terminal's SQLite outbox to the registry on loopback
//! (target: under 10 s). Run: `cargo bench -p kiosk-registry --bench outbox_drain`.

#[path = "support/mod.rs"]
mod support;

use provisioning::client::{OutboxStore as _, Stores, SyncClient};
use provisioning::identity::DeviceIdentity;
use provisioning::sqlite_store::SqliteStore;
use std::sync::Arc;
use std::time::Instant;

const EVENTS: usize = 10_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("machine: {}", support::machine());
    for batch in [200, 500] {
        let registry = support::Registry::start(30);
        let dir = tempfile::tempdir().unwrap();
        let identity =
            Arc::new(DeviceIdentity::load_or_create(&dir.path().join("device.key")).unwrap());
        let store = Arc::new(SqliteStore::open(&dir.path().join("kiosk.db")).unwrap());
        let code = registry.codes(1).remove(0);
        let enrolment = runtime.block_on(registry.enrol(&identity, &code));
        let day = chrono::Local::now().format("%Y-%m-%d").to_string();
        let events: Vec<_> = (0..EVENTS)
            .map(|i| {
                let service = ["mediation", "notary", "legal-aid"][i % 3];
                let payload = serde_json::json!({ "service_id": service, "number": format!("A{:03}", i % 1000), "service_day": day, "issued_at": chrono::Local::now().to_rfc3339() });
                ("ticket.issued".to_string(), payload)
            })
            .collect();
        store.enqueue_many(&events).unwrap();
        let mut config = registry.config();
        config.outbox_batch_size = batch;
        let stores = Stores {
            outbox: store.clone(),
            bundles: store.clone(),
            commands: store.clone(),
            health: store.clone(),
        };
        let client = SyncClient::new(config, identity, enrolment, stores).unwrap();
        let cpu_before = support::cpu_time(registry.pid());
        let started = Instant::now();
        let report = runtime.block_on(client.deliver_outbox()).unwrap();
        let elapsed = started.elapsed();
        let server_cpu = support::cpu_time(registry.pid()) - cpu_before;
        assert_eq!(report.acknowledged as usize, EVENTS);
        assert_eq!(store.depth().unwrap(), 0);
        assert_eq!(registry.events_count() as usize, EVENTS);
        println!(
            "outbox drain: {EVENTS} events in batches of {batch}: {:.2} s ({:.0} events/s, {} requests), registry CPU {:.2} s; target < 10 s: {}",
            elapsed.as_secs_f64(),
            EVENTS as f64 / elapsed.as_secs_f64(),
            report.batches,
            server_cpu.as_secs_f64(),
            if elapsed.as_secs_f64() < 10.0 {
                "met"
            } else {
                "MISSED"
            }
        );
    }
}
