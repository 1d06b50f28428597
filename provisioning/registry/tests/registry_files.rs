//! The registry's files on disk: the database (and its WAL), the enrolment-code key and the
//! TLS keys are readable by their owner only, and — when an administrator runs the commands
//! as root — belong to the service user who must read them.

mod common;

use common::Pilot;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::Command;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn registry(db: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk-registry"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The uid and gid of `nobody`, the stand-in service user.
fn nobody() -> (u32, u32) {
    let user = nix::unistd::User::from_name("nobody").unwrap().unwrap();
    (user.uid.as_raw(), user.gid.as_raw())
}

#[test]
fn the_database_and_its_wal_are_private() {
    let mut pilot = Pilot::new();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    registry(
        &db,
        &[
            "platform", "add", "--id", "p1", "--name", "中心", "--region", "330106",
        ],
    );
    assert_eq!(mode(&db), 0o600);
    registry(&db, &["code", "create", "--platform", "p1"]);
    assert_eq!(mode(&dir.path().join("enrolment-code.key")), 0o600);
    // While the server runs, its WAL and shared memory exist: private too (a SQLite
    // registry's; PostgreSQL's files are PostgreSQL's).
    if common::on_postgres() {
        return;
    }
    pilot.start();
    let db = pilot.db.clone();
    for file in [
        db.clone(),
        db.with_extension("db-wal"),
        db.with_extension("db-shm"),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[test]
fn run_as_root_the_files_go_to_the_service_user() {
    if !is_root() {
        eprintln!("skipped: needs root to give files to another user");
        return;
    }
    let (uid, gid) = nobody();
    // The service's state folder (StateDirectory= makes it the service user's).
    let state = tempfile::tempdir().unwrap();
    std::os::unix::fs::chown(state.path(), Some(uid), Some(gid)).unwrap();
    let db = state.path().join("registry.db");
    registry(
        &db,
        &[
            "platform", "add", "--id", "p1", "--name", "中心", "--region", "330106",
        ],
    );
    registry(&db, &["code", "create", "--platform", "p1"]);
    for file in [db.clone(), state.path().join("enrolment-code.key")] {
        let meta = std::fs::metadata(&file).unwrap();
        assert_eq!(
            (meta.uid(), mode(&file)),
            (uid, 0o600),
            "{}",
            file.display()
        );
    }

    // TLS: the server key for the service user, the CA key for root (to be kept offline).
    let tls = tempfile::tempdir().unwrap();
    let dir = tls.path().join("tls");
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk-registry"))
        .args([
            "tls",
            "init",
            "--dir",
            dir.to_str().unwrap(),
            "--name",
            "127.0.0.1",
        ])
        .args(["--owner", "nobody"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server_key = std::fs::metadata(dir.join("server.key")).unwrap();
    assert_eq!(
        (
            server_key.uid(),
            server_key.gid(),
            mode(&dir.join("server.key"))
        ),
        (uid, gid, 0o600)
    );
    let ca_key = std::fs::metadata(dir.join("ca.key")).unwrap();
    assert_eq!((ca_key.uid(), mode(&dir.join("ca.key"))), (0, 0o600));
    let unknown = Command::new(env!("CARGO_BIN_EXE_kiosk-registry"))
        .args([
            "tls",
            "init",
            "--dir",
            tls.path().join("x").to_str().unwrap(),
        ])
        .args(["--name", "127.0.0.1", "--owner", "no-such-user-here"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user no-such-user-here"));
}
