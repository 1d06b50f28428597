//! The ops staff's command line, run as they would: a pilot set up from nothing, health with
//! overdue terminals, commands, CSV export and statistics, and clear failures.

mod common;

use kiosk_registry::store::DbTarget;
use std::path::PathBuf;
use std::process::{Command, Output};

/// A registry database (SQLite, or PostgreSQL under scripts/with-postgres.sh) and its
/// enrolment-code key.
#[derive(Clone)]
struct Db {
    target: DbTarget,
    key: PathBuf,
}

fn registry(db: &Db, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk-registry"))
        .arg("--db")
        .arg(db.target.arg())
        .arg("--code-key")
        .arg(&db.key)
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(out: Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

#[tokio::test]
async fn a_pilot_is_set_up_and_run_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db {
        target: common::fresh_database(&dir.path().join("r.db")),
        key: dir.path().join("enrolment-code.key"),
    };
    let d = |p: &str| dir.path().join(p).display().to_string();

    ok(registry(
        &db,
        &["tls", "init", "--dir", &d("tls"), "--name", "127.0.0.1"],
    ));
    assert!(
        fails(registry(
            &db,
            &["tls", "init", "--dir", &d("tls"), "--name", "127.0.0.1"]
        ))
        .contains("must not exist")
    );
    let public = ok(registry(
        &db,
        &["keys", "create", "--name", "ops-1", "--out", &d("ops.key")],
    ));
    let public = public.lines().last().unwrap().to_string();
    assert!(ok(registry(&db, &["keys", "list"])).contains(&public));
    ok(registry(
        &db,
        &[
            "platform",
            "add",
            "--id",
            "hz-xihu",
            "--name",
            "西湖区公共法律服务中心",
            "--region",
            "330106",
        ],
    ));
    assert!(
        fails(registry(&db, &["code", "create", "--platform", "nowhere"]))
            .contains("no platform nowhere")
    );
    assert!(
        fails(registry(
            &db,
            &[
                "code",
                "create",
                "--platform",
                "hz-xihu",
                "--valid-for",
                "soon"
            ]
        ))
        .contains("not a duration")
    );
    let code = ok(registry(
        &db,
        &[
            "code",
            "create",
            "--platform",
            "hz-xihu",
            "--valid-for",
            "30m",
        ],
    ))
    .trim()
    .to_string();
    assert_eq!(code.len(), 11);

    std::fs::create_dir_all(dir.path().join("cat/content")).unwrap();
    std::fs::write(
        dir.path().join("cat/services.toml"),
        "[[service]]\nid = \"mediation\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("cat/content/divorce.json"), "{}").unwrap();
    let published = ok(registry(
        &db,
        &[
            "bundle",
            "publish",
            "--stream",
            "catalogue",
            "--version",
            "1",
            "--dir",
            &d("cat"),
            "--key",
            &d("ops.key"),
            "--scope",
            "region:330000",
        ],
    ));
    assert!(
        published.contains("catalogue v1 for region:330000 (2 files"),
        "{published}"
    );
    let again = fails(registry(
        &db,
        &[
            "bundle",
            "publish",
            "--stream",
            "catalogue",
            "--version",
            "1",
            "--dir",
            &d("cat"),
            "--key",
            &d("ops.key"),
        ],
    ));
    assert!(
        again.contains("not above the latest published version 1"),
        "{again}"
    );
    assert!(
        fails(registry(
            &db,
            &[
                "bundle",
                "publish",
                "--stream",
                "catalogue",
                "--version",
                "2",
                "--dir",
                &d("cat"),
                "--key",
                &d("ops.key"),
                "--scope",
                "planet:earth"
            ]
        ))
        .contains("scope must be")
    );

    // A terminal enrols through the running server and sends a few tickets.
    let mut pilot = common::Pilot::new();
    pilot.target = db.target.clone();
    pilot.code_key_path = db.key.clone();
    pilot.pki = kiosk_registry::tls::PkiFiles {
        ca_cert: dir.path().join("tls/ca.pem"),
        ca_key: dir.path().join("tls/ca.key"),
        server_cert: dir.path().join("tls/server.pem"),
        server_key: dir.path().join("tls/server.key"),
    };
    pilot.ops_pub = public.clone();
    pilot.start();
    let data = dir.path().join("terminal");
    ok(pilot
        .sim(&data)
        .args(["enrol", "--code", &code.to_lowercase()])
        .output()
        .unwrap());
    ok(pilot
        .sim(&data)
        .args(["enqueue", "--count", "3", "--service", "notary"])
        .output()
        .unwrap());
    let synced = ok(pilot.sim(&data).arg("sync-once").output().unwrap());
    assert!(
        synced.contains("\"delivered\":3") && synced.contains("\"version\":1"),
        "{synced}"
    );

    let listed: serde_json::Value =
        serde_json::from_str(&ok(registry(&db, &["terminal", "list", "--json"]))).unwrap();
    let device = listed[0]["device_id"].as_str().unwrap().to_string();
    assert_eq!(listed[0]["overdue"], false);
    // The first heartbeat went out before the bundle was applied.
    assert_eq!(
        listed[0]["heartbeat"]["bundles"]["catalogue"],
        serde_json::Value::Null
    );
    // Three missed polls later it shows as overdue.
    let old = chrono::Utc::now() - chrono::Duration::seconds(100);
    pilot
        .store()
        .sql_execute(
            "UPDATE terminals SET last_seen = ?1",
            &[kiosk_registry::store::time_text(old).into()],
        )
        .unwrap();
    let listed: serde_json::Value =
        serde_json::from_str(&ok(registry(&db, &["terminal", "list", "--json"]))).unwrap();
    assert_eq!(listed[0]["overdue"], true);
    assert!(ok(registry(&db, &["terminal", "list"])).contains("OVERDUE"));

    let id = ok(registry(
        &db,
        &[
            "command",
            "send",
            "--terminal",
            &device,
            "--action",
            "notice",
            "--text",
            "今天16:00闭馆",
            "--key",
            &d("ops.key"),
        ],
    ))
    .trim()
    .to_string();
    assert!(
        fails(registry(
            &db,
            &[
                "command",
                "send",
                "--terminal",
                &device,
                "--action",
                "lock",
                "--key",
                &d("ops.key")
            ]
        ))
        .contains("--text is required")
    );
    ok(pilot.sim(&data).arg("sync-once").output().unwrap());
    let commands: serde_json::Value =
        serde_json::from_str(&ok(registry(&db, &["command", "list", "--json"]))).unwrap();
    assert_eq!(commands[0]["command_id"], id.as_str());
    assert_eq!(commands[0]["state"], "succeeded");
    let listed: serde_json::Value =
        serde_json::from_str(&ok(registry(&db, &["terminal", "list", "--json"]))).unwrap();
    assert_eq!(listed[0]["overdue"], false);
    assert_eq!(listed[0]["heartbeat"]["bundles"]["catalogue"], 1);

    let csv = ok(registry(
        &db,
        &["events", "export", "--kind", "ticket.issued"],
    ));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("received_at,device_id,platform_id,seq,idempotency_key,kind,created_at,payload")
    );
    assert_eq!(lines.count(), 3);
    let stats: serde_json::Value =
        serde_json::from_str(&ok(registry(&db, &["stats", "tickets", "--json"]))).unwrap();
    assert_eq!(stats[0]["platform_id"], "hz-xihu");
    assert_eq!(stats[0]["service_id"], "notary");
    assert_eq!(stats[0]["tickets"], 3);

    assert!(
        fails(registry(&db, &["platform", "remove", "hz-xihu"])).contains("still has 1 terminal")
    );
    ok(registry(&db, &["terminal", "revoke", &device]));
    assert!(fails(pilot.sim(&data).arg("sync-once").output().unwrap()).contains("revoked"));
    for sub in [
        &["--help"][..],
        &["bundle", "publish", "--help"],
        &["command", "send", "--help"],
        &["stats", "tickets", "--help"],
    ] {
        assert!(ok(registry(&db, sub)).contains("Usage"));
    }
}
