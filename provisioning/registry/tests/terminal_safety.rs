//! What can go wrong on the terminal's side of the link, with the real `kiosk-sim` terminal
//! (the firmware's sync client and key handling) against the real registry on 127.0.0.1:
//! power failing while the device key is written, and a terminal clock days away from the
//! registry's.

mod common;

use common::{PLATFORM, Pilot};
use std::ffi::OsString;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Output};

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn sim_status(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiosk-sim"));
    cmd.arg("--data").arg(data).arg("status").current_dir(data);
    cmd
}

#[test]
fn a_crash_while_the_device_key_is_written_leaves_no_half_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("terminal");
    std::fs::create_dir_all(&data).unwrap();
    // The first start dies 16 bytes into writing its new key (a file-size limit: SIGXFSZ,
    // as abrupt as the power failing).
    let mut first = sim_status(&data);
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        first.pre_exec(|| {
            use nix::sys::resource::{Resource, setrlimit};
            setrlimit(Resource::RLIMIT_CORE, 0, 0)?;
            setrlimit(Resource::RLIMIT_FSIZE, 16, 16)?;
            Ok(())
        });
    }
    let crashed = first.output().unwrap();
    assert!(!crashed.status.success(), "{}", text(&crashed));

    // The next start has a whole key of its own and keeps it.
    let second = sim_status(&data).output().unwrap();
    assert!(second.status.success(), "{}", text(&second));
    let status: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    let third = sim_status(&data).output().unwrap();
    let again: serde_json::Value = serde_json::from_slice(&third.stdout).unwrap();
    assert_eq!(status["public_key"], again["public_key"]);
    let key = std::fs::read_to_string(data.join("device.key")).unwrap();
    assert!(key.starts_with("legal-kiosk ed25519 private key v1\n"));
}

/// `kiosk-sim` with the pilot's options, its clock running `skew` (faketime syntax) off.
fn skewed(pilot: &Pilot, data: &std::path::Path, skew: &str, args: &[&str]) -> Output {
    let sim = pilot.sim(data);
    let base: Vec<OsString> = sim.get_args().map(OsString::from).collect();
    Command::new("faketime")
        .args(["-f", skew])
        .arg(sim.get_program())
        .args(base)
        .args(args)
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .env("RUST_LOG", "warn")
        .output()
        .expect("faketime (scripts/install-deps.sh test)")
}

fn heartbeats(pilot: &Pilot) -> i64 {
    pilot
        .store()
        .sql_text(
            "SELECT CAST(COUNT(*) AS TEXT) FROM terminals WHERE last_seen IS NOT NULL",
            &[],
        )
        .unwrap()
        .remove(0)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_registry_clock_days_away_is_adopted_only_after_an_installer_confirms_it() {
    let mut pilot = Pilot::new();
    pilot.start();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("terminal");
    let enrolled = pilot
        .sim(&data)
        .args(["enrol", "--code", &pilot.code(PLATFORM)])
        .output()
        .unwrap();
    assert!(enrolled.status.success(), "{}", text(&enrolled));

    // No real-time clock and no NTP: the terminal believes it is three days later.
    let refused = skewed(&pilot, &data, "+3d", &["sync-once"]);
    assert!(!refused.status.success());
    let said = text(&refused);
    assert!(
        said.contains("3 d 0 h behind this terminal's") && said.contains("--accept-registry-clock"),
        "{said}"
    );
    assert_eq!(
        heartbeats(&pilot),
        0,
        "nothing was accepted with a wrong time"
    );

    let shown = skewed(&pilot, &data, "+3d", &["confirm-clock"]);
    assert!(text(&shown).contains("(not confirmed)"), "{}", text(&shown));
    assert!(
        !skewed(&pilot, &data, "+3d", &["sync-once"])
            .status
            .success()
    );

    // The installer checks the time and confirms the registry's clock.
    let confirmed = skewed(&pilot, &data, "+3d", &["confirm-clock", "--yes"]);
    assert!(confirmed.status.success(), "{}", text(&confirmed));
    let synced = skewed(&pilot, &data, "+3d", &["sync-once"]);
    assert!(synced.status.success(), "{}", text(&synced));
    assert_eq!(heartbeats(&pilot), 1);

    // Small differences need nothing, as before.
    let fine = skewed(&pilot, &data, "+2h", &["sync-once"]);
    assert!(fine.status.success(), "{}", text(&fine));
}
