//! The reader configuration as the firmware's TOML carries it, and the shipped demo
//! scenario.

use std::path::{Path, PathBuf};

use hardware::idcard::sim::Scenario;
use hardware::idcard::{PresenceProbe, ReaderConfig};

#[test]
fn an_empty_table_gives_the_reference_defaults() {
    let config: ReaderConfig = toml::from_str("").unwrap();
    assert_eq!(config, ReaderConfig::default());
    assert_eq!(config.device, PathBuf::from("/dev/ttyUSB0"));
    assert_eq!(config.baud, 115_200);
    assert_eq!(config.poll_interval_ms, 300);
    assert_eq!(config.timeouts.find_ms, 100);
    assert_eq!(config.timeouts.read_ms, 2000);
    assert!(!config.probe.enabled);
    assert_eq!(config.probe.bauds, [115_200, 57_600, 38_400, 19_200, 9_600]);
}

#[test]
fn a_full_table_parses_and_round_trips() {
    let text = r#"
        device = "/var/lib/legal-kiosk/idcard-reader"
        baud = 57600
        poll_interval_ms = 250
        presence_interval_ms = 200
        removal_confirmations = 3
        presence_probe = "additional_address"
        read_fingerprint = true
        fault_after_timeouts = 5
        recovery_interval_ms = 2000

        [timeouts]
        find_ms = 150
        read_ms = 2500

        [probe]
        enabled = true
        devices = ["/dev/ttyUSB*", "/dev/serial/by-id/usb-reader"]
        bauds = [115200, 9600]
        exclude = ["/dev/ttyUSB1"]
    "#;
    let config: ReaderConfig = toml::from_str(text).unwrap();
    assert_eq!(
        config.device,
        Path::new("/var/lib/legal-kiosk/idcard-reader")
    );
    assert_eq!(config.presence_probe, PresenceProbe::AdditionalAddress);
    assert_eq!(config.timeouts.find_ms, 150);
    assert_eq!(
        config.timeouts.sam_ms, 300,
        "unset fields keep their defaults"
    );
    assert_eq!(config.probe.exclude, [PathBuf::from("/dev/ttyUSB1")]);
    let again: ReaderConfig = toml::from_str(&toml::to_string(&config).unwrap()).unwrap();
    assert_eq!(again, config);
}

#[test]
fn misspelt_keys_are_rejected() {
    let err = toml::from_str::<ReaderConfig>("poll_intervall_ms = 300").unwrap_err();
    assert!(err.to_string().contains("poll_intervall_ms"), "{err}");
}

#[test]
fn the_shipped_demo_scenario_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/idcard-demo.scenario");
    let scenario = Scenario::load(&path).unwrap();
    assert!(scenario.steps.len() > 10);
}
