//! After a software update is rolled back (an older .deb installed, or an A/B updater
//! falling back to the old slot), the older firmware finds a database a newer version
//! migrated. When that version changed the schema, it must refuse it with a message an
//! installer understands, exit non-zero (so systemd shows the failure), and leave the
//! database untouched; when it only added to it, it goes on working on it. It says its
//! version.

use std::process::Command;

fn kiosk(config: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_legal-kiosk"));
    cmd.arg("--config")
        .arg(config)
        .env("LEGAL_KIOSK_LOG", "warn");
    cmd
}

fn issue_ticket(config: &std::path::Path) -> std::process::Output {
    kiosk(config)
        .args(["ticket", "--service", "legal-aid"])
        .output()
        .unwrap()
}

fn tickets(conn: &rusqlite::Connection) -> i64 {
    conn.query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_older_firmware_refuses_a_newer_database_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!("[storage]\ndata_dir = {data:?}\n[printer]\nkind = \"none\"\n"),
    )
    .unwrap();
    assert!(issue_ticket(&config).status.success());

    // What a future version's migration that changed the schema leaves behind.
    let db = data.join("kiosk.sqlite3");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "user_version", 42).unwrap();
    conn.execute("UPDATE schema_compat SET readable_by = 42", [])
        .unwrap();
    drop(conn);

    let out = issue_ticket(&config);
    assert!(!out.status.success(), "must not run on a newer database");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("was written by a newer version of legal-kiosk"),
        "{stderr}"
    );
    assert!(
        stderr.contains("install the newer version again or restore a backup"),
        "{stderr}"
    );
    assert!(stderr.contains(&db.display().to_string()), "{stderr}");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(
        (version, tickets(&conn)),
        (42, 1),
        "the database is left as it was"
    );

    // A future version that only added to the schema (its update rolled back): this
    // version goes on issuing tickets on the database as it is.
    conn.execute("UPDATE schema_compat SET readable_by = 6", [])
        .unwrap();
    drop(conn);
    let out = issue_ticket(&config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(tickets(&conn), 2);

    let version = kiosk(&config).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("legal-kiosk {}", env!("CARGO_PKG_VERSION"))
    );
}
