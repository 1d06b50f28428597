//! The outbox through the real registry: events written while it is down are delivered
//! exactly once; a terminal SIGKILLed during delivery, or a registry restarted mid-batch,
//! still leaves each event stored exactly once.

mod common;

use common::{Pilot, Terminal, tickets};
use provisioning::client::{OutboxStore as _, SyncError};
use provisioning::sqlite_store::SqliteStore;
use rand::Rng as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn sorted(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys
}

#[tokio::test]
async fn events_written_while_the_registry_is_down_arrive_exactly_once() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    pilot.kill();

    t.store
        .enqueue_many(&tickets(1000, "mediation", "2026-11-20"))
        .unwrap();
    let keys = sorted(t.store.outbox_keys().unwrap());
    let client = t.client(&pilot);
    let down = client.deliver_outbox().await;
    assert!(matches!(down, Err(SyncError::Network(_))), "{down:?}");
    assert_eq!(
        t.store.depth().unwrap(),
        1000,
        "nothing is dropped while the registry is down"
    );
    let attempts: i64 = {
        let db = rusqlite::Connection::open(t.dir.path().join("kiosk.db")).unwrap();
        db.query_row("SELECT MAX(attempts) FROM outbox", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(attempts, 1, "the failed attempt is counted");

    pilot.start();
    let report = client.deliver_outbox().await.unwrap();
    assert_eq!(report.acknowledged, 1000);
    assert_eq!(t.store.depth().unwrap(), 0);
    assert_eq!(pilot.event_keys(), keys);

    // Delivering the same rows again (a lost acknowledgement) changes nothing.
    t.store
        .enqueue_many(&tickets(3, "notary", "2026-11-20"))
        .unwrap();
    let batch = t.store.pending_batch(10).unwrap();
    client.deliver_outbox().await.unwrap();
    let again: provisioning::protocol::EventBatchResponse = client
        .http()
        .post_json(
            provisioning::protocol::paths::EVENTS,
            &provisioning::protocol::EventBatch { events: batch },
        )
        .await
        .unwrap();
    assert_eq!((again.stored, again.duplicates), (0, 3));
    assert_eq!(pilot.events_count(), 1003);

    // The statistics count each ticket once, under its platform and the terminal's day of
    // issue (the day the simulator wrote them: today, in its local time).
    let stats = pilot
        .store()
        .tickets_per_service_day(None, None, None)
        .unwrap();
    let days = pilot
        .store()
        .sql_text(
            "SELECT DISTINCT substr(created_at, 1, 10) FROM events WHERE kind = 'ticket.issued'",
            &[],
        )
        .unwrap();
    let mediation: Vec<_> = stats
        .iter()
        .filter(|s| s.service_id == "mediation")
        .collect();
    assert_eq!(mediation.iter().map(|s| s.tickets).sum::<u64>(), 1000);
    for row in mediation {
        assert_eq!(row.platform_id, common::PLATFORM);
        assert!(
            days.contains(&Some(row.service_day.clone())),
            "{row:?} not on {days:?}"
        );
    }
}

fn deliver(pilot: &Pilot, data: &Path, batch: usize) -> Command {
    let mut cmd = pilot.sim(data);
    cmd.args(["--batch", &batch.to_string(), "deliver", "--timeout", "120"]);
    cmd
}

#[test]
fn a_terminal_killed_during_delivery_still_delivers_each_event_once() {
    let mut pilot = Pilot::new();
    pilot.start();
    let data = tempfile::tempdir().unwrap();
    common::enrol_sim(&pilot, data.path(), common::PLATFORM);
    let store = SqliteStore::open(&data.path().join("kiosk.db")).unwrap();
    store
        .enqueue_many(&tickets(4000, "mediation", "2026-11-21"))
        .unwrap();
    let keys = sorted(store.outbox_keys().unwrap());

    // Kill each child at a random moment soon after it has delivered something, so the kills
    // land mid-delivery however fast the machine is.
    let mut rng = rand::rng();
    let mut kills = 0;
    for _ in 0..6 {
        let before = pilot.events_count();
        let mut child = deliver(&pilot, data.path(), 20)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while pilot.events_count() == before
            && child.try_wait().unwrap().is_none()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(0..40)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(
        kills >= 3,
        "the child should mostly be killed mid-delivery ({kills} kills)"
    );
    assert!(pilot.events_count() < 4000, "kills happened before the end");

    let out = deliver(&pilot, data.path(), 20).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(store.depth().unwrap(), 0);
    assert_eq!(pilot.events_count(), 4000);
    assert_eq!(pilot.event_keys(), keys);
}

#[test]
fn a_registry_restarted_mid_batch_still_holds_each_event_once() {
    let mut pilot = Pilot::new();
    pilot.start();
    let data = tempfile::tempdir().unwrap();
    common::enrol_sim(&pilot, data.path(), common::PLATFORM);
    let store = SqliteStore::open(&data.path().join("kiosk.db")).unwrap();
    store
        .enqueue_many(&tickets(4000, "mediation", "2026-11-22"))
        .unwrap();
    let keys = sorted(store.outbox_keys().unwrap());

    let mut child = deliver(&pilot, data.path(), 100)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill the registry as soon as part of the outbox has arrived, twice.
    for _ in 0..2 {
        let start = Instant::now();
        let before = pilot.events_count();
        while pilot.events_count() == before && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(20));
        }
        pilot.kill();
        std::thread::sleep(Duration::from_millis(700));
        pilot.start();
    }
    let status = child.wait().unwrap();
    assert!(status.success());
    assert_eq!(store.depth().unwrap(), 0);
    assert_eq!(pilot.events_count(), 4000);
    assert_eq!(pilot.event_keys(), keys);
}
