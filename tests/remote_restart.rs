//! Issue 15, item 1: the operations centre's `restart` brings the kiosk back, and runs once.
//!
//! The real `legal-kiosk run` (desktop build, on a virtual X display) is enrolled with the
//! real registry on 127.0.0.1 and runs under a service manager that applies the packaged
//! unit's own restart rules (read from provisioning/deploy/terminal/systemd): systemd
//! itself in a transient unit where systemd is the init system, else a small supervisor
//! that applies the same rules (unit.rs follows systemd.service(5)). `kiosk-registry
//! command send --action restart` (its command line, in process) → the kiosk exits, the
//! manager starts it again, the new process shows its first frame (`READY=1`) and polls
//! again; the command was acknowledged before the kiosk exited and was carried out once:
//! one restart, one record.

mod common;
mod restart_support;

use std::path::Path;
use std::time::{Duration, Instant};

use clap::Parser as _;
use common::registry::{Registry, write_config};
use restart_support::supervisor::{Manager, Program, Supervisor, Systemd, systemd_usable};
use restart_support::unit::RestartRules;
use restart_support::{wait_until, xvfb};

const UNIT: &str = "provisioning/deploy/terminal/systemd/legal-kiosk.service";

/// No devices and no LAN API: only the screen and the link to the centre.
const NO_DEVICES: &str =
    "[printer]\nkind = \"none\"\n[reader]\nkind = \"none\"\n[queue.server]\nenabled = false\n";

fn last_seen(registry: &Registry, device: &str) -> Option<String> {
    registry
        .sqlite()
        .with(|c| {
            Ok(c.query_row(
                "SELECT last_seen FROM terminals WHERE device_id = ?1",
                [device],
                |r| r.get::<_, Option<String>>(0),
            )?)
        })
        .unwrap()
}

fn restart_commands(registry: &Registry, device: &str) -> Vec<(String, String)> {
    registry
        .sqlite()
        .with(|c| {
            let mut stmt = c.prepare(
                "SELECT command_id, state FROM commands WHERE device_id = ?1 AND action = 'restart'",
            )?;
            let rows = stmt
                .query_map([device], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<(String, String)>, _>>()?;
            Ok(rows)
        })
        .unwrap()
}

/// How often the kiosk whose database is `db` recorded carrying out `command_id`.
fn records(db: &Path, command_id: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM commands_done WHERE command_id = ?1 AND action = 'restart'",
        [command_id],
        |r| r.get(0),
    )
    .unwrap()
}

/// Prints the kiosk's log when the test fails.
struct ShowLogOnFailure(std::path::PathBuf);

impl Drop for ShowLogOnFailure {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "the kiosk's log:\n{}",
                std::fs::read_to_string(&self.0).unwrap_or_default()
            );
        }
    }
}

#[test]
fn a_remote_restart_brings_the_kiosk_back_and_runs_once() {
    let unit = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(UNIT)).unwrap();
    let rules = RestartRules::parse(&unit);
    // Terminals poll every second here, so that the command arrives at once.
    let registry = Registry::start_with(|c| c.poll_interval_s = 1);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &registry, NO_DEVICES);
    let data_dir = dir.path().join("data");
    let kiosk = env!("CARGO_BIN_EXE_legal-kiosk");
    let enrolled = std::process::Command::new(kiosk)
        .arg("--config")
        .arg(&config)
        .args(["enroll", "--code", &registry.code()])
        .output()
        .unwrap();
    assert!(
        enrolled.status.success(),
        "{}",
        String::from_utf8_lossy(&enrolled.stderr)
    );
    let device = provisioning::client::Enrolment::load(
        &legal_kiosk::sync::SyncPaths::in_data_dir(&data_dir).enrolment,
    )
    .unwrap()
    .expect("enrolled")
    .device_id;

    let log = dir.path().join("kiosk.log");
    let _show_log = ShowLogOnFailure(log.clone());
    let (_xvfb, display) = xvfb();
    let program = Program {
        path: kiosk.into(),
        args: vec![
            "--config".into(),
            config.display().to_string(),
            "run".into(),
        ],
        env: vec![
            ("DISPLAY".into(), display),
            ("SLINT_SCALE_FACTOR".into(), "0.25".into()),
            ("LEGAL_KIOSK_LOG".into(), "info".into()),
        ],
        log: log.clone(),
    };
    let supervised = !systemd_usable();
    let manager: Box<dyn Manager> = if !supervised {
        eprintln!("the kiosk runs in a transient systemd unit");
        Box::new(Systemd::start(&rules, &program))
    } else {
        eprintln!(
            "systemd is not the init system here: the kiosk runs under a supervisor that \
             applies the unit's rules ({:?})",
            rules.properties()
        );
        Box::new(Supervisor::start(
            rules.clone(),
            program,
            &dir.path().join("notify.sock"),
        ))
    };
    // A loaded machine may take a while for the first frame.
    wait_until(Duration::from_secs(120), "the kiosk's first frame", || {
        manager.ready()
    });
    let first = manager.main_pid();
    wait_until(Duration::from_secs(60), "the kiosk's first poll", || {
        last_seen(&registry, &device).is_some()
    });

    // The operations centre's command line, as an operator types it.
    let key = dir.path().join("ops.key");
    provisioning::keys::write_private_key(&key, &registry.ops_key).unwrap();
    let sent = Instant::now();
    kiosk_registry::cli::run(kiosk_registry::cli::Cli::parse_from([
        "kiosk-registry",
        "--db",
        registry.db.to_str().unwrap(),
        "command",
        "send",
        "--terminal",
        &device,
        "--action",
        "restart",
        "--key",
        key.to_str().unwrap(),
    ]))
    .unwrap();
    let commands = restart_commands(&registry, &device);
    assert_eq!(commands.len(), 1);
    let command_id = commands[0].0.clone();

    // The kiosk waits for its acknowledgement to reach the centre before it exits: the
    // centre hears "succeeded" from the kiosk that restarts, not only from the next one.
    wait_until(Duration::from_secs(60), "the kiosk to exit", || {
        manager.exited()
    });
    assert_eq!(
        restart_commands(&registry, &device)[0].1,
        "succeeded",
        "acknowledged before the kiosk exited"
    );
    wait_until(Duration::from_secs(120), "the kiosk back", || {
        manager.restarts() >= 1 && manager.ready() && manager.main_pid() != first
    });
    let back_after = sent.elapsed();
    let second = manager.main_pid();

    // The new kiosk polls twice: a command still open would have been handed to it again.
    for _ in 0..2 {
        let seen = last_seen(&registry, &device);
        wait_until(Duration::from_secs(60), "another poll", || {
            last_seen(&registry, &device) != seen
        });
    }
    assert_eq!(
        manager.restarts(),
        1,
        "one restart for one command ({})",
        manager.history()
    );
    assert!(manager.ready(), "the kiosk runs ({})", manager.history());
    assert_eq!(manager.main_pid(), second, "and has not restarted again");
    assert_eq!(
        records(&legal_kiosk::store::Store::path_in(&data_dir), &command_id),
        1,
        "recorded once"
    );
    if supervised {
        // Under systemd the kiosk logs to the journal instead.
        let log = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            log.matches("restart requested by the operations centre")
                .count(),
            1,
            "{log}"
        );
    }
    eprintln!(
        "restart: the kiosk was back (first frame of the new process) {:.1} s after the \
         command was sent; RestartSec={:?}; {}",
        back_after.as_secs_f64(),
        rules.restart_sec,
        manager.history()
    );
}

/// The order the restart relies on, at the sync store: the record is in the database (a
/// second connection sees it) before the restart acts, and a command seen again is
/// answered from the record without acting.
#[test]
fn the_restart_is_recorded_before_it_acts_and_acts_once() {
    use std::sync::{Arc, Mutex};

    use legal_kiosk::sync::commands::Executed;
    use provisioning::client::store::{CommandOutcome, CommandSink as _};
    use provisioning::command::{CommandAction, CommandBody};
    use provisioning::protocol::CommandState;

    let dir = tempfile::tempdir().unwrap();
    let db = legal_kiosk::store::Store::path_in(dir.path());
    drop(legal_kiosk::store::Store::open(&db).unwrap());
    // Each time the restart acts: whether the record was already stored.
    let acted: Arc<Mutex<Vec<i64>>> = Arc::default();
    let executor: legal_kiosk::sync::control::Executor = {
        let (acted, db) = (acted.clone(), db.clone());
        Arc::new(move |command: &CommandBody| {
            let (acted, db, id) = (acted.clone(), db.clone(), command.command_id.clone());
            Executed {
                outcome: CommandOutcome {
                    state: CommandState::Succeeded,
                    detail: Some("restarting".into()),
                    logs: None,
                },
                then: Some(Box::new(move || {
                    acted.lock().unwrap().push(records(&db, &id))
                })),
            }
        })
    };
    let store = legal_kiosk::sync::KioskSyncStore::open(
        &db,
        legal_kiosk::sync::KioskHealth::default(),
        |_| {},
        Some(executor),
    )
    .unwrap();
    let now = chrono::Utc::now();
    let command = CommandBody {
        command_id: "cmd-restart-1".into(),
        device_id: "kt-test".into(),
        action: CommandAction::Restart,
        issued_at: now,
        not_after: now + chrono::Duration::minutes(10),
    };
    let first = store.execute(&command);
    let again = store.execute(&command);
    assert_eq!(first.state, CommandState::Succeeded);
    assert_eq!(
        again.state,
        CommandState::Succeeded,
        "answered from the record"
    );
    assert_eq!(
        *acted.lock().unwrap(),
        vec![1],
        "acted once, after the record"
    );
}
