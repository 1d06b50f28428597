//! The terminal and the operations centre, against the real reference registry on
//! 127.0.0.1: enrolment through the command line, tickets delivered to the centre's
//! statistics, status, and a newer signed catalogue changing the services on screen.

mod common;

use std::process::{Command, Output};

use common::registry::{Registry, write_config};

fn legal_kiosk(config: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("LEGAL_KIOSK_LOG", "warn")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn enrol_deliver_tickets_and_report_status_through_the_command_line() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &registry, "");

    let status = legal_kiosk(&config, &["status", "--json"]);
    assert!(status.status.success(), "{}", text(&status));
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(v["enrolled"], false);

    let code = registry.code();
    let enrolled = legal_kiosk(&config, &["enroll", "--code", &code]);
    assert!(enrolled.status.success(), "{}", text(&enrolled));
    assert!(
        text(&enrolled).contains("enrolled as kt-"),
        "{}",
        text(&enrolled)
    );

    let again = legal_kiosk(&config, &["enroll", "--code", &code]);
    assert!(!again.status.success(), "a code works once");
    assert!(text(&again).contains("used"), "{}", text(&again));
    let unknown = legal_kiosk(&config, &["enroll", "--code", "ABCDE-FGHJK"]);
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("not known"), "{}", text(&unknown));

    let issued = legal_kiosk(
        &config,
        &["ticket", "--service", "legal-aid", "--count", "3"],
    );
    assert!(issued.status.success(), "{}", text(&issued));
    let notary = legal_kiosk(&config, &["ticket", "--service", "notary"]);
    assert!(notary.status.success(), "{}", text(&notary));

    let status = legal_kiosk(&config, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(v["enrolled"], true);
    assert_eq!(v["outbox_depth"], 4);
    assert!(v["device_id"].as_str().unwrap().starts_with("kt-"));

    let synced = legal_kiosk(&config, &["sync", "--once"]);
    assert!(synced.status.success(), "{}", text(&synced));
    assert!(
        text(&synced).contains("delivered 4 event(s)"),
        "{}",
        text(&synced)
    );
    let mut tickets = registry.tickets();
    tickets.sort();
    assert_eq!(
        tickets,
        [("legal-aid".to_string(), 3), ("notary".to_string(), 1)]
    );

    let status = legal_kiosk(&config, &["status"]);
    assert!(
        text(&status).contains("0 event(s) waiting"),
        "{}",
        text(&status)
    );
    // Delivering again sends nothing twice.
    let synced = legal_kiosk(&config, &["sync", "--once"]);
    assert!(
        text(&synced).contains("delivered 0 event(s)"),
        "{}",
        text(&synced)
    );
    assert_eq!(registry.events(), 4);
}

#[test]
fn a_terminal_without_the_registry_ca_trusts_nothing() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let other = Registry::start();
    // Pinned to another registry's CA: the TLS handshake must fail, nothing is enrolled.
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\ndata_dir = {:?}\n[registry]\nurl = {:?}\nca_certificate = {:?}\npinned_keys = [{:?}]\n",
            dir.path().join("data"),
            registry.url,
            other.pki.ca_cert,
            registry.ops_pub
        ),
    )
    .unwrap();
    let out = legal_kiosk(&config, &["enroll", "--code", &registry.code()]);
    assert!(!out.status.success());
    let status = legal_kiosk(&config, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(v["enrolled"], false);
}
