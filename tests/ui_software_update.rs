//! A software update offered by the operations centre (issue 18), through the real
//! reference registry on 127.0.0.1 and the kiosk on the UI test harness: the release is
//! verified and downloaded while a citizen is at the screen, but the install request for
//! the privileged helper is left only once nobody is there (the screen-saver came on), and
//! each state reaches the registry in the heartbeat.

mod common;

use std::time::{Duration, Instant};

use common::Kiosk;
use common::registry::{Registry, enrolled_in_the_menu, enrolled_in_the_menu_with};
use kiosk_registry::admin::releases::{RolloutSpec, create};
use legal_kiosk::ui::System;
use provisioning::release::{RELEASE_FORMAT, ReleaseManifest, sign_release};
use sha2::{Digest as _, Sha256};
use slint::ComponentHandle;

const NEW: &str = "99.0.0";

fn reported_state(registry: &Registry, device: &str) -> Option<String> {
    registry
        .sqlite()
        .with(|c| {
            Ok(c.query_row(
                "SELECT state FROM terminal_updates WHERE device_id = ?1 AND version = ?2",
                [device, NEW],
                |r| r.get::<_, String>(0),
            )
            .ok())
        })
        .unwrap()
}

/// Polls now and then until the registry has heard `state` (20 s at most).
fn wait_for_report(kiosk: &Kiosk, registry: &Registry, device: &str, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while reported_state(registry, device).as_deref() != Some(state) && Instant::now() < deadline {
        kiosk.kiosk.sync.sync_now();
        kiosk.wait_idle(0);
        std::thread::sleep(Duration::from_millis(300));
    }
    let progress = std::fs::read_to_string(kiosk.kiosk.data_dir.join("updates/state.json"));
    assert_eq!(
        reported_state(registry, device).as_deref(),
        Some(state),
        "the kiosk's progress: {progress:?}"
    );
}

#[test]
fn the_release_is_downloaded_during_a_session_and_installed_only_once_nobody_is_there() {
    let registry = Registry::start();
    let kiosk = enrolled_in_the_menu(&registry);
    let device = kiosk.kiosk.sync.state().device_id.expect("enrolled");
    let request = kiosk.kiosk.data_dir.join("updates/request/version");

    // A citizen is at the screen.
    kiosk.place_card("resident-zhang", "张*");

    // The operations centre publishes a release for this terminal's architecture and rolls
    // it out to every terminal.
    let package = vec![7u8; 300 * 1024];
    let manifest = ReleaseManifest {
        format: RELEASE_FORMAT,
        package: "legal-kiosk".into(),
        version: NEW.into(),
        architecture: legal_kiosk::config::UpdatesSection::default().architecture(),
        size: package.len() as u64,
        sha256: hex::encode(Sha256::digest(&package)),
        min_from_version: None,
        notes_zh: "修复打印机缺纸提示".into(),
        issued_at: chrono::Utc::now(),
    };
    let store = registry.store();
    let release = sign_release(&manifest, &registry.ops_key);
    kiosk_registry::store::wait(|| store.release_publish(&release, package.clone())).unwrap();
    let spec = RolloutSpec {
        release: NEW.into(),
        stages: vec!["all".into()],
        success_threshold: 95,
        error_threshold: 5,
        max_bytes_per_s: 0,
    };
    create(&store, &spec).unwrap();

    // Downloaded and verified during the session, but not handed to the helper.
    wait_for_report(&kiosk, &registry, &device, "downloaded");
    for _ in 0..3 {
        kiosk.kiosk.sync.sync_now();
        std::thread::sleep(Duration::from_millis(400));
    }
    assert!(
        !request.exists(),
        "no install while a citizen is at the screen"
    );
    assert_eq!(
        reported_state(&registry, &device).as_deref(),
        Some("downloaded")
    );

    // The citizen leaves; after the quiet spell the screen-saver comes on: now it installs.
    kiosk.reader().remove();
    kiosk.wait_idle(600);
    assert!(kiosk.app.global::<System>().get_screensaver());
    wait_for_report(&kiosk, &registry, &device, "installing");
    assert_eq!(std::fs::read_to_string(&request).unwrap(), NEW);
    let handed = kiosk.kiosk.data_dir.join("updates/request/package.deb");
    assert_eq!(std::fs::read(handed).unwrap(), package);
    // The kiosk also recorded each state as an event for the operations centre.
    let kinds = registry
        .sqlite()
        .with(|c| {
            let mut stmt =
                c.prepare("SELECT payload FROM events WHERE kind = 'software.update' ORDER BY id")?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .unwrap();
    assert!(
        kinds.iter().any(|p| p.contains("\"downloaded\"")),
        "{kinds:?}"
    );
}

/// After an update the helper commits the new version only once the kiosk confirms its
/// health: the kiosk writes its own version (the package's, see scripts/check-deb.sh) once
/// its screen is up, the printer and the reader answered and the registry was reached.
fn wait_for_health_confirmation(kiosk: &Kiosk) -> Option<String> {
    let healthy = kiosk.kiosk.data_dir.join("updates/healthy");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !healthy.exists() && Instant::now() < deadline {
        kiosk.kiosk.sync.sync_now();
        kiosk.wait_idle(0);
        std::thread::sleep(Duration::from_millis(300));
    }
    std::fs::read_to_string(&healthy)
        .ok()
        .map(|v| v.trim().to_string())
}

#[test]
fn a_started_kiosk_confirms_its_health_once_screen_devices_and_registry_answered() {
    let registry = Registry::start();
    let kiosk = enrolled_in_the_menu(&registry);
    assert_eq!(
        wait_for_health_confirmation(&kiosk).as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
}

/// A terminal without a printer (a client terminal at a counter) has none to answer: its
/// updates must still be committed, not rolled back for a device it does not have.
#[test]
fn a_terminal_without_a_printer_confirms_its_health_too() {
    let registry = Registry::start();
    let kiosk = enrolled_in_the_menu_with(&registry, "[printer]\nkind = \"none\"\n");
    assert_eq!(
        wait_for_health_confirmation(&kiosk).as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
}
