//! The background sync loop the firmware runs: it backs off while the registry is away,
//! delivers as soon as it is back, and honours 429 + Retry-After.

mod common;

use common::{Pilot, Terminal, tickets};
use provisioning::client::{OutboxStore as _, SyncError};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_backs_off_while_the_registry_is_away_and_delivers_when_it_returns() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    pilot.kill();
    let mut config = pilot.client_config();
    config.retry_initial = Duration::from_millis(100);
    config.retry_max = Duration::from_millis(800);
    let client = Arc::new(t.client_with(config));
    let handle = client.spawn();
    t.store
        .enqueue_many(&tickets(50, "mediation", "2026-11-23"))
        .unwrap();
    handle.outbox_written();
    wait_for("failures to be reported", Duration::from_secs(10), || {
        handle.status().delivery_failures >= 2
    })
    .await;
    let status = handle.status();
    assert!(status.last_error.is_some_and(|e| e.contains("unreachable")));
    assert_eq!(t.store.depth().unwrap(), 50);

    pilot.start();
    let store = t.store.clone();
    wait_for("the outbox to drain", Duration::from_secs(15), || {
        store.depth().unwrap() == 0
    })
    .await;
    assert_eq!(pilot.events_count(), 50);
    wait_for("a successful poll", Duration::from_secs(15), || {
        handle.status().last_contact.is_some()
    })
    .await;
    handle.stop();
}

#[tokio::test]
async fn a_busy_registry_answers_429_with_retry_after_and_nothing_is_lost() {
    let mut pilot = Pilot::new();
    pilot.serve_args = vec!["--max-concurrent-ingest".into(), "0".into()];
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    t.store
        .enqueue_many(&tickets(10, "mediation", "2026-11-23"))
        .unwrap();
    let result = t.client(&pilot).deliver_outbox().await;
    match result {
        Err(SyncError::RateLimited { retry_after }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(2)))
        }
        other => panic!("expected 429, got {other:?}"),
    }
    assert_eq!(t.store.depth().unwrap(), 10);
    // The backoff waits at least as long as the registry asked.
    let mut backoff =
        provisioning::client::Backoff::new(Duration::from_millis(100), Duration::from_secs(60));
    assert!(backoff.next_delay(Some(Duration::from_secs(2))) >= Duration::from_secs(2));
}
