//! The queue policy from the operations centre's `settings` bundle: counters and priorities
//! change without a restart, a policy the kiosk cannot apply is refused, and what happens at
//! the counters reaches the operations centre with its times.

mod common;

use std::time::{Duration, Instant};

use common::Kiosk;
use common::queue_http::{Api, PIN, add_staff};
use common::registry::{Registry, write_config};
use serde_json::json;

const POLICY_V1: &str = r#"
max_priority_passes = 2
max_recalls = 1
[weights]
military = 5
[[counter]]
id = "7"
name = "7号窗口"
services = ["notary"]
"#;

fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_settings_bundle_brings_the_policy_and_counter_events_reach_the_centre() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_config(dir.path(), &registry, "[printer]\nkind = \"none\"\n");
    let enrolled = std::process::Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .arg("--config")
        .arg(&config_path)
        .args(["enroll", "--code", &registry.code()])
        .output()
        .unwrap();
    assert!(
        enrolled.status.success(),
        "{}",
        String::from_utf8_lossy(&enrolled.stderr)
    );
    let config = legal_kiosk::config::Config::load(Some(&config_path)).unwrap();
    let kiosk = Kiosk::start_in(config, dir, common::beijing(26, 9, 30));
    add_staff(&kiosk);
    assert_eq!(
        kiosk.kiosk.queue.policy().counters().len(),
        3,
        "the configured default"
    );

    registry.publish("settings", 1, &[("queue-policy.toml", POLICY_V1)]);
    let sync = &kiosk.kiosk.sync;
    assert!(sync.state().device_id.is_some(), "enrolled");
    sync.sync_now();
    eventually("the policy in force", || {
        kiosk.kiosk.queue.policy().counter("7").is_some()
    });
    let mut api = Api::of(&kiosk);
    assert_eq!(api.login(PIN).0, 200);
    let (_, state) = api.get("/api/state");
    let ids: Vec<&str> = state["counters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["7"]);
    assert_eq!(state["max_recalls"], 1);

    kiosk.tap("取号");
    kiosk.tap("公证");
    kiosk.settle("D001", |k| k.ticket_number().as_deref() == Some("D001"));
    let (status, body) = api.post("/api/counters/7/call-next", json!({}));
    assert_eq!(
        (status, body["called"]["number"].as_str()),
        (200, Some("D001"))
    );
    assert_eq!(api.post("/api/counters/7/recall", json!({})).0, 200);
    let (_, gone) = api.post("/api/counters/7/recall", json!({}));
    assert_eq!(
        gone["outcome"], "no_show",
        "one recall allowed by the centre's policy"
    );

    // A policy the kiosk cannot apply is refused; the one in force stays.
    registry.publish(
        "settings",
        2,
        &[(
            "queue-policy.toml",
            "[[counter]]\nid = \"bad id\"\nname = \"x\"\n",
        )],
    );
    sync.sync_now();
    std::thread::sleep(Duration::from_secs(2));
    assert!(kiosk.kiosk.queue.policy().counter("7").is_some());

    // The centre receives the call and the no-show with their times.
    sync.sync_now();
    eventually("the queue events at the operations centre", || {
        registry
            .sqlite()
            .with(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM events WHERE kind IN ('ticket.called', 'ticket.no_show')",
                    [],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .unwrap()
            >= 2
    });
}
