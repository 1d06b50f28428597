//! A corrected `legal-aid-rules` bundle reaches the next citizen without a restart: the
//! province raises its income threshold, the operations centre publishes the rules through
//! the real registry on 127.0.0.1, and the same answers on the running kiosk now give the
//! indication the new threshold gives.

mod common;
mod guidance_support;

use common::Kiosk;
use common::registry::{Registry, write_config};
use guidance_support::{portrait, shows_containing, type_keys};

const JILIN: &str = include_str!("../content/legal-aid-rules/jilin.toml");

/// A parent claiming maintenance, living alone on 2,500 yuan a month, to the result.
fn check_on_2500_a_month(kiosk: &Kiosk) {
    kiosk.tap("法律援助自助评估");
    kiosk.tap("开始自测");
    kiosk.tap("都不是");
    kiosk.tap("要赡养费、抚养费、扶养费");
    kiosk.tap("都不是");
    kiosk.tap("不是 / 不清楚");
    type_keys(kiosk, "1");
    kiosk.tap("确定");
    type_keys(kiosk, "2500");
    kiosk.tap("确定");
}

#[test]
fn a_corrected_threshold_applies_to_the_next_self_check_without_a_restart() {
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
    portrait(&kiosk);

    check_on_2500_a_month(&kiosk);
    assert!(kiosk.shows("可能不符合条件，请工作人员帮您看看"));
    assert!(shows_containing(&kiosk, "每人每月2000元"));
    kiosk.tap("首页");

    let raised = JILIN.replace(
        "monthly_income_per_person_max_yuan = 2000",
        "monthly_income_per_person_max_yuan = 3000",
    );
    assert_ne!(raised, JILIN, "the shipped rules name their threshold");
    registry.publish("legal-aid-rules", 1, &[("rules.toml", &raised)]);
    kiosk.kiosk.sync.sync_now();
    let version = || -> Option<i64> {
        kiosk.query(|c| {
            c.query_row(
                "SELECT version FROM bundles WHERE stream = 'legal-aid-rules'",
                [],
                |r| r.get(0),
            )
            .ok()
        })
    };
    kiosk.settle("the rules bundle in force", |_| version() == Some(1));

    check_on_2500_a_month(&kiosk);
    assert!(
        kiosk.shows("您很可能符合法律援助条件"),
        "the raised threshold decides, without a restart"
    );
    assert!(shows_containing(&kiosk, "每人每月3000元"));
}
