//! Power loss at the operations centre, not only SIGKILL: the registry's database lives on a
//! file system that keeps only what was fsynced (`tests/lazyfs`, FUSE). A terminal delivers
//! its outbox in batches while the power is cut at random moments (the real `kiosk-registry
//! serve` SIGKILLed, everything it wrote without syncing dropped). After power returns,
//! every event the registry had acknowledged is still stored, and once delivery completes
//! each event is stored exactly once. `KIOSK_REGISTRY_POWER_CUTS` sets how many cuts
//! (default 4); `scripts/power-loss.sh` runs a longer loop.

mod common;

use std::collections::BTreeSet;
use std::fs::File;
use std::sync::Arc;
use std::time::Duration;

use common::{Pilot, Terminal, tickets};
use lazyfs::LazyFs;
use rand::{Rng as _, SeedableRng as _};

/// Events written between two cuts.
const BATCH: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_events_survive_power_cuts() {
    if common::on_postgres() {
        // PostgreSQL's durability is its own (and its failover is an operations matter,
        // see provisioning/README.md); this test is about the registry's SQLite file.
        eprintln!("skipped on PostgreSQL: power cuts under the SQLite file");
        return;
    }
    assert!(
        LazyFs::available(),
        "this test needs root and /dev/fuse (a FUSE file system that loses power)"
    );
    let cuts: usize = std::env::var("KIOSK_REGISTRY_POWER_CUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let seed: u64 = std::env::var("KIOSK_REGISTRY_POWER_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("power cuts: {cuts}, seed {seed} (KIOSK_REGISTRY_POWER_SEED to repeat)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let mut pilot = Pilot::new();
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mut fs = LazyFs::mount(&disk).unwrap();
    // Installed on the disk as an operator would: copied, then synced with its folder.
    let db = disk.join("registry.db");
    std::fs::copy(&pilot.db, &db).unwrap();
    File::open(&db).unwrap().sync_all().unwrap();
    File::open(&disk).unwrap().sync_all().unwrap();
    pilot.target = kiosk_registry::store::DbTarget::Sqlite(db.clone());
    pilot.db = db;
    pilot.start();

    let terminal = Terminal::enrolled(&pilot).await;
    let mut config = pilot.client_config();
    // Small batches: many commits, so a cut lands between and inside them.
    config.outbox_batch_size = 20;
    let client = Arc::new(terminal.client_with(config));
    let mut all: BTreeSet<String> = BTreeSet::new();
    let mut interrupted = 0;

    for cut in 0..cuts {
        terminal
            .store
            .enqueue_many(&tickets(BATCH, "mediation", "2026-11-20"))
            .unwrap();
        all.extend(terminal.store.outbox_keys().unwrap());
        let delivery = tokio::spawn({
            let client = client.clone();
            async move { client.deliver_outbox().await }
        });
        // Cut once a random share of the batch is acknowledged: mid-delivery, at a moment
        // that falls anywhere within a batch's commit.
        let left = rng.random_range(1..BATCH);
        while terminal.store.outbox_keys().unwrap().len() > left && !delivery.is_finished() {
            tokio::time::sleep(Duration::from_micros(rng.random_range(100..2000))).await;
        }
        pilot.kill();
        // Whatever it was doing ends with a network error (or it finished first).
        let _ = delivery.await.unwrap();
        let pending: BTreeSet<String> = terminal.store.outbox_keys().unwrap().into_iter().collect();
        let acknowledged: BTreeSet<&String> = all.difference(&pending).collect();
        interrupted += usize::from(!pending.is_empty());

        fs.power_cut().unwrap();
        pilot.start();
        let stored: BTreeSet<String> = pilot.event_keys().into_iter().collect();
        let lost: Vec<&&String> = acknowledged
            .iter()
            .filter(|k| !stored.contains(k.as_str()))
            .collect();
        assert!(
            lost.is_empty(),
            "cut {cut}: {} of {} acknowledged events were lost with the power",
            lost.len(),
            acknowledged.len()
        );
    }

    // Power back for good: the rest arrives, and nothing is stored twice.
    client.deliver_outbox().await.unwrap();
    assert_eq!(terminal.store.outbox_keys().unwrap(), Vec::<String>::new());
    assert_eq!(
        pilot.event_keys(),
        all.iter().cloned().collect::<Vec<_>>(),
        "every event stored exactly once"
    );
    let integrity = pilot
        .store()
        .sql_text("PRAGMA integrity_check", &[])
        .unwrap()
        .remove(0)
        .unwrap();
    assert_eq!(integrity, "ok");
    pilot.kill();
    assert!(interrupted > 0, "no cut landed during a delivery");
    let stats = fs.stats();
    eprintln!("{stats:?}");
    assert!(
        stats.files_rolled_back > 0 || stats.dirs_rolled_back > 0,
        "the cuts dropped unsynced writes (else this test proves nothing)"
    );
}
