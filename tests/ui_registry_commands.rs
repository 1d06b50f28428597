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
        .store()
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
