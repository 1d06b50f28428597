//! Legal-aid pre-applications at the real registry on 127.0.0.1: a centre makes its key
//! (`legal-aid keygen`), the operations centre registers and publishes it, terminals deliver
//! applications sealed to it. The registry stores and exports only ciphertext and routing
//! fields — a known ID number appears nowhere in its database, WAL, export or log — refuses
//! an application in clear, and deletes the ciphertext once handled or when the retention
//! period is over. Only the centre's key opens it.

mod common;

use common::{Pilot, Terminal};
use provisioning::client::OutboxStore as _;
use provisioning::sealing::{
    PRE_APPLICATION_KIND, RECIPIENTS_FILE, RECIPIENTS_STREAM, RecipientDirectory,
    SealedPreApplication,
};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::time::Duration;

const ID_NUMBER: &str = "110101199003074512";
const NAME: &str = "测试申请人";
const PHONE: &str = "13800138000";

fn application(check_id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": "legal-aid.self-check", "check_id": check_id, "indication": "no-means-test",
        "pre_application": { "applicant": { "name": NAME, "id_number": ID_NUMBER, "phone": PHONE } }
    }))
    .unwrap()
}

/// Every file under `dir` in which the secrets occur.
fn secrets_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(secrets_in(&path));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for secret in [ID_NUMBER, NAME, PHONE] {
            if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                found.push(format!("{secret} in {}", path.display()));
            }
        }
    }
    found
}

/// Queues a pre-application of check `check` sealed to `recipient`, as a terminal would.
fn enqueue_sealed(t: &Terminal, check: &str, recipient: &provisioning::sealing::Recipient) {
    let sealed =
        SealedPreApplication::seal(check, "330106", recipient, &application(check)).unwrap();
    t.store
        .enqueue(
            PRE_APPLICATION_KIND,
            &serde_json::to_value(&sealed).unwrap(),
        )
        .unwrap();
}

fn list(pilot: &Pilot) -> Vec<serde_json::Value> {
    serde_json::from_str(&pilot.admin(&["legal-aid", "list", "--json"], "")).unwrap()
}

#[tokio::test]
async fn a_sealed_pre_application_is_stored_exported_and_logged_only_as_ciphertext() {
    let mut pilot = Pilot::new();
    pilot.log_level = "debug";
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("xihu-legal-aid.key");
    let printed = pilot.admin(
        &[
            "legal-aid",
            "keygen",
            "--region",
            "330106",
            "--centre",
            "西湖区法律援助中心",
            "--out",
            key_file.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(
        std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let public_key = printed
        .split("--public-key ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    pilot.admin(
        &[
            "legal-aid",
            "recipient-add",
            "--region",
            "330106",
            "--centre",
            "西湖区法律援助中心",
            "--public-key",
            &public_key,
        ],
        "",
    );
    let ops_key = pilot.dir.path().join("ops.key");
    provisioning::keys::write_private_key(&ops_key, &pilot.ops_key).unwrap();
    pilot.admin(
        &[
            "legal-aid",
            "publish",
            "--version",
            "1",
            "--key",
            ops_key.to_str().unwrap(),
        ],
        "",
    );
    pilot.start();

    // The terminal receives the directory as a signed bundle and seals to its centre.
    let t = Terminal::enrolled(&pilot).await;
    let client = t.client(&pilot);
    client.poll_once().await.unwrap();
    let files = t.store.bundle_files(RECIPIENTS_STREAM).unwrap();
    let directory = RecipientDirectory::parse(&files[RECIPIENTS_FILE]).unwrap();
    let centre = directory.for_region("330106").unwrap();
    enqueue_sealed(&t, "chk-1", centre);
    // An old terminal's application in clear is refused: not stored, not acknowledged.
    let clear = serde_json::json!({
        "type": "legal-aid.pre-application", "check_id": "chk-0", "region": "330106",
        "pre_application": { "applicant": { "name": NAME, "id_number": ID_NUMBER } }
    });
    let clear_seq = t.store.enqueue(PRE_APPLICATION_KIND, &clear).unwrap();
    t.store
        .enqueue(
            "ticket.issued",
            &serde_json::json!({ "service_id": "legal-aid" }),
        )
        .unwrap();
    let delivered = client.deliver_outbox().await;
    assert!(delivered.is_err(), "the one in clear is never acknowledged");
    let left = t.store.pending_batch(10).unwrap();
    assert_eq!(
        left.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![clear_seq],
        "it stays on the terminal"
    );
    assert_eq!(
        pilot.events_count(),
        2,
        "the sealed application and the ticket"
    );

    let export = pilot.dir.path().join("export.csv");
    pilot.admin(&["events", "export", "--out", export.to_str().unwrap()], "");
    let exported = std::fs::read_to_string(&export).unwrap();
    assert!(exported.contains(PRE_APPLICATION_KIND), "{exported}");
    if !common::on_postgres() {
        assert!(pilot.db.with_extension("db-wal").exists());
    }
    assert!(pilot.log().contains("not sealed to a legal-aid centre"));
    let found: Vec<String> = pilot
        .data_dirs()
        .iter()
        .flat_map(|d| secrets_in(d))
        .collect();
    assert!(found.is_empty(), "in clear at the registry: {found:?}");

    // Listing shows routing only; the centre's key opens it.
    let listed = list(&pilot);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["state"], "sealed");
    assert_eq!(listed[0]["recipient"], centre.key_id.as_str());
    let opened = pilot.admin(
        &["legal-aid", "open", "--key", key_file.to_str().unwrap()],
        "",
    );
    assert!(
        opened.contains(ID_NUMBER) && opened.contains(NAME),
        "{opened}"
    );
    let id = listed[0]["id"].as_i64().unwrap().to_string();

    // Another centre's key opens nothing.
    let other_key = keys.path().join("other.key");
    pilot.admin(
        &[
            "legal-aid",
            "keygen",
            "--region",
            "330203",
            "--centre",
            "海曙区法律援助中心",
            "--out",
            other_key.to_str().unwrap(),
        ],
        "",
    );
    let nothing = pilot.admin(
        &["legal-aid", "open", "--key", other_key.to_str().unwrap()],
        "",
    );
    assert_eq!(nothing.trim(), "[]");

    // Handled: the ciphertext goes at once, the routing fields stay.
    pilot.admin(&["legal-aid", "handled", &id], "");
    let listed = list(&pilot);
    assert_eq!(listed[0]["state"], "deleted");
    let still = pilot.admin(
        &["legal-aid", "open", "--key", key_file.to_str().unwrap()],
        "",
    );
    assert_eq!(still.trim(), "[]");
    let exported = pilot.admin(&["events", "export", "--kind", PRE_APPLICATION_KIND], "");
    assert!(!exported.contains("ciphertext"), "{exported}");
}

#[tokio::test]
async fn unhandled_ciphertext_is_deleted_when_the_retention_period_is_over() {
    let mut pilot = Pilot::new();
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("centre.key");
    let recipient =
        kiosk_registry::admin::legal_aid::keygen(&key_file, "330100", "杭州市法律援助中心")
            .unwrap();
    pilot.serve_args = vec!["--legal-aid-retention".into(), "2s".into()];
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let client = t.client(&pilot);
    for check in ["chk-a", "chk-b"] {
        enqueue_sealed(&t, check, &recipient);
    }
    client.deliver_outbox().await.unwrap();
    assert_eq!(
        list(&pilot)
            .iter()
            .filter(|a| a["state"] == "sealed")
            .count(),
        2
    );
    // The server deletes at start and every hour: a restart after the period is enough.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    pilot.kill();
    pilot.start();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let listed = list(&pilot);
        if listed.iter().all(|a| a["state"] == "deleted") {
            assert!(
                listed.iter().all(|a| a["detail"]
                    .as_str()
                    .unwrap()
                    .starts_with("retention period over")),
                "{listed:?}"
            );
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{listed:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // `purge` does the same by hand (a new client: the old one's connection died with the
    // server).
    enqueue_sealed(&t, "chk-c", &recipient);
    t.client(&pilot).deliver_outbox().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let out = pilot.admin(&["legal-aid", "purge", "--older-than", "1s"], "");
    assert!(out.starts_with("1 pre-application"), "{out}");
    assert!(list(&pilot).iter().all(|a| a["state"] == "deleted"));
}
