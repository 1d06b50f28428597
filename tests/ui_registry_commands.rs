//! The operations centre runs the terminal remotely through the real reference registry on
//! 127.0.0.1: an installer enrols it from the maintenance menu, then signed commands put it
//! out of service, back in service, show a notice, and hand over recent logs — each carried
//! out once.

mod common;

use std::time::{Duration, Instant};

use common::Kiosk;
use common::registry::{Registry, enrolled_in_the_menu};
use provisioning::command::CommandAction;

fn device_id(kiosk: &Kiosk) -> String {
    kiosk.kiosk.sync.state().device_id.expect("enrolled")
}

fn send(registry: &Registry, device: &str, action: CommandAction) -> String {
    kiosk_registry::admin::commands::send(
        &registry.store(),
        device,
        action,
        chrono::Duration::minutes(10),
        &registry.ops_key,
    )
    .unwrap()
}

fn command_state(registry: &Registry, id: &str) -> String {
    registry
        .sqlite()
        .with(|c| {
            Ok(c.query_row(
                "SELECT state FROM commands WHERE command_id = ?1",
                [id],
                |r| r.get::<_, String>(0),
            )?)
        })
        .unwrap()
}

fn wait_for_state(kiosk: &Kiosk, registry: &Registry, id: &str, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut asked = Instant::now() - Duration::from_secs(10);
    kiosk.settle(&format!("command {id} {state}"), |k| {
        if asked.elapsed() > Duration::from_millis(500) {
            k.kiosk.sync.sync_now();
            asked = Instant::now();
        }
        command_state(registry, id) == state || Instant::now() > deadline
    });
    assert_eq!(command_state(registry, id), state);
}

#[test]
fn the_operations_centre_locks_unlocks_and_notifies_an_enrolled_kiosk() {
    let registry = Registry::start();
    let kiosk = enrolled_in_the_menu(&registry);
    let device = device_id(&kiosk);
    assert!(device.starts_with("kt-"));

    let lock = send(
        &registry,
        &device,
        CommandAction::Lock {
            notice: "本机维护中，请到2号窗口取号".into(),
        },
    );
    wait_for_state(&kiosk, &registry, &lock, "succeeded");
    kiosk.settle("out of service", |k| {
        k.find("service-notice")
            .first()
            .and_then(|e| e.accessible_value())
            .is_some_and(|v| v == "本机维护中，请到2号窗口取号")
    });
    assert!(!kiosk.shows("取号"), "no tickets while out of service");

    let unlock = send(&registry, &device, CommandAction::Unlock);
    wait_for_state(&kiosk, &registry, &unlock, "succeeded");
    kiosk.settle("back in service", |k| k.shows("取号"));

    let notice = send(
        &registry,
        &device,
        CommandAction::Notice {
            text: "今天下午两点起停止办理公证".into(),
            until: None,
        },
    );
    wait_for_state(&kiosk, &registry, &notice, "succeeded");
    kiosk.settle("the notice on the home screen", |k| {
        k.find("home-notice")
            .first()
            .and_then(|e| e.accessible_value())
            .is_some_and(|v| v == "今天下午两点起停止办理公证")
    });

    let logs = send(
        &registry,
        &device,
        CommandAction::UploadLogs {
            max_bytes: Some(4096),
        },
    );
    wait_for_state(&kiosk, &registry, &logs, "succeeded");

    // Each command ran once: the audit trail names the operations centre once per action.
    let audited: i64 = kiosk.query(|c| {
        c.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'operations-centre'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(audited, 3, "lock, unlock and notice, once each");
    let done: i64 = kiosk.query(|c| {
        c.query_row("SELECT COUNT(*) FROM commands_done", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(done, 4);
}

/// The last heartbeat the registry holds from `device`.
fn heartbeat(registry: &Registry, device: &str) -> serde_json::Value {
    registry
        .sqlite()
        .with(|c| {
            Ok(c.query_row(
                "SELECT heartbeat FROM terminals WHERE device_id = ?1",
                [device],
                |r| r.get::<_, Option<String>>(0),
            )?)
        })
        .unwrap()
        .and_then(|h| serde_json::from_str(&h).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// Polls until the registry's last heartbeat from the kiosk satisfies `ok`.
fn wait_for_heartbeat(
    kiosk: &Kiosk,
    registry: &Registry,
    what: &str,
    ok: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let device = device_id(kiosk);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut asked = Instant::now() - Duration::from_secs(10);
    kiosk.settle(what, |k| {
        if asked.elapsed() > Duration::from_millis(500) {
            k.kiosk.sync.sync_now();
            asked = Instant::now();
        }
        ok(&heartbeat(registry, &device)) || Instant::now() > deadline
    });
    let last = heartbeat(registry, &device);
    assert!(ok(&last), "{what}: the last heartbeat was {last}");
    last
}

#[test]
fn the_heartbeat_says_whether_the_kiosk_is_locked_and_how_long_it_has_run() {
    let started = Instant::now();
    let registry = Registry::start();
    let kiosk = enrolled_in_the_menu(&registry);
    let device = device_id(&kiosk);
    let first = wait_for_heartbeat(&kiosk, &registry, "a first heartbeat", |h| {
        h["locked"] == false
    });
    assert_eq!(first["app_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        first["printer"], "ok",
        "the simulated printer answered: {first}"
    );

    let lock = send(
        &registry,
        &device,
        CommandAction::Lock {
            notice: "设备维护".into(),
        },
    );
    wait_for_state(&kiosk, &registry, &lock, "succeeded");
    // Running for a second or more by now, and locked: both from the kiosk itself.
    let locked = wait_for_heartbeat(&kiosk, &registry, "locked, with an uptime", |h| {
        h["locked"] == true && h["uptime_s"].as_u64().is_some_and(|u| u >= 1)
    });
    let uptime = locked["uptime_s"].as_u64().unwrap();
    assert!(
        uptime <= started.elapsed().as_secs(),
        "the uptime counts from the kiosk's start ({uptime} s), within this test"
    );

    let unlock = send(&registry, &device, CommandAction::Unlock);
    wait_for_state(&kiosk, &registry, &unlock, "succeeded");
    let unlocked = wait_for_heartbeat(&kiosk, &registry, "in service again", |h| {
        h["locked"] == false
    });
    assert!(unlocked["uptime_s"].as_u64().unwrap() >= uptime);
}

fn legal_kiosk(config: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("LEGAL_KIOSK_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

#[test]
fn a_command_an_installers_sync_picks_up_waits_for_the_kiosk() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let config_path = common::registry::write_config(dir.path(), &registry, "");
    legal_kiosk(&config_path, &["enroll", "--code", &registry.code()]);
    let data_dir = dir.path().join("data");
    let device = provisioning::client::Enrolment::load(
        &legal_kiosk::sync::SyncPaths::in_data_dir(&data_dir).enrolment,
    )
    .unwrap()
    .expect("enrolled")
    .device_id;

    // The kiosk is stopped; the installer syncs by hand.
    let lock = send(
        &registry,
        &device,
        CommandAction::Lock {
            notice: "设备维护".into(),
        },
    );
    let synced = legal_kiosk(&config_path, &["sync", "--once"]);
    assert!(
        synced.contains(&format!("command {lock}: left for the kiosk")),
        "{synced}"
    );
    assert_eq!(
        command_state(&registry, &lock),
        "delivered",
        "not acknowledged: still open for the kiosk"
    );
    let from_the_tool = heartbeat(&registry, &device);
    assert_eq!(from_the_tool["locked"], false);
    assert_eq!(from_the_tool["uptime_s"], 0, "no kiosk ran in the tool");

    // The kiosk starts, gets the command at its first poll and carries it out.
    let config = legal_kiosk::config::Config::load(Some(&config_path)).unwrap();
    let kiosk = Kiosk::start_in(config, dir, common::beijing(26, 9, 30));
    wait_for_state(&kiosk, &registry, &lock, "succeeded");
    kiosk.settle("out of service", |k| {
        k.find("service-notice")
            .first()
            .and_then(|e| e.accessible_value())
            .is_some_and(|v| v == "设备维护")
    });
    wait_for_heartbeat(&kiosk, &registry, "locked", |h| h["locked"] == true);
    let done: i64 = kiosk.query(|c| {
        c.query_row("SELECT COUNT(*) FROM commands_done", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(done, 1);

    // Stopped again, the installer's sync reports the lock as stored.
    let dir = {
        let Kiosk { data_dir, .. } = kiosk;
        data_dir
    };
    legal_kiosk(&config_path, &["sync", "--once"]);
    assert_eq!(heartbeat(&registry, &device)["locked"], true);
    drop(dir);
}
