//! A newer `catalogue` bundle published by the operations centre changes the services on
//! screen without a restart; one the kiosk cannot use is refused and the old one stays.

mod common;

use common::Kiosk;
use common::registry::{Registry, write_config};

const SERVICES_V1: &str = r#"
[[service]]
id = "legal-consultation"
prefix = "A"
name = { zh-CN = "值班律师咨询", ko-KR = "당직 변호사 상담", en = "Duty lawyer" }
description = { zh-CN = "值班律师当面解答法律问题", ko-KR = "상담", en = "Ask a duty lawyer" }

[[service]]
id = "veterans"
prefix = "V"
name = { zh-CN = "退役军人法律服务", ko-KR = "퇴역 군인 법률 서비스", en = "Veterans' legal service" }
description = { zh-CN = "退役军人专窗", ko-KR = "전용 창구", en = "A dedicated counter" }
"#;

#[test]
fn a_newer_catalogue_changes_the_services_on_screen_without_a_restart() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_config(dir.path(), &registry, "");
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
    kiosk.tap("取号");
    assert!(kiosk.shows("法律咨询"));
    assert!(!kiosk.shows("退役军人法律服务"));

    registry.publish("catalogue", 1, &[("services.toml", SERVICES_V1)]);
    kiosk.kiosk.sync.sync_now();
    kiosk.settle("the new catalogue on screen", |k| {
        k.shows("退役军人法律服务")
    });
    assert!(kiosk.shows("值班律师咨询"));
    assert!(!kiosk.shows("公证"), "services the centre removed are gone");
    kiosk.tap("退役军人法律服务");
    kiosk.settle("a ticket of the new service", |k| {
        k.ticket_number().as_deref() == Some("V001")
    });

    // A catalogue the kiosk cannot use (two services on one prefix) is refused.
    let broken = format!(
        "{SERVICES_V1}\n[[service]]\nid = \"x\"\nprefix = \"V\"\nname = {{ zh-CN = \"重复\" }}\ndescription = {{ zh-CN = \"重复\" }}\n"
    );
    registry.publish("catalogue", 2, &[("services.toml", &broken)]);
    kiosk.kiosk.sync.sync_now();
    kiosk.tap("完成");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    kiosk.settle("the refusal", |_| std::time::Instant::now() > deadline);
    kiosk.tap("取号");
    assert!(
        kiosk.shows("退役军人法律服务"),
        "the old catalogue stays in force"
    );
    let version: i64 = kiosk.query(|c| {
        c.query_row(
            "SELECT version FROM bundles WHERE stream = 'catalogue'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(version, 1);
}
