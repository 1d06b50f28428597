//! Bundles through the real registry: every rejection leaves the old bundle in force; key
//! rotation; a terminal killed in the middle of applying a bundle keeps the old one.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use common::{OTHER_PLATFORM, Pilot, Terminal};
use kiosk_registry::admin;
use provisioning::bundle::{BundleError, Payload, SignedBundle};
use provisioning::client::bundles::BundleRejection;
use provisioning::keys::{generate_signing_key, public_key_to_base64};
use provisioning::protocol::BundleOffer;
use provisioning::scope::Scope;
use std::collections::BTreeMap;
use std::time::Duration;

fn catalogue(services: &[&str]) -> Payload {
    let mut p = Payload::default();
    let toml: String = services
        .iter()
        .map(|s| format!("[[service]]\nid = \"{s}\"\n"))
        .collect();
    p.insert("services.toml", toml.into_bytes()).unwrap();
    p.insert(
        "content/divorce.json",
        "{\"title\":\"离婚纠纷\"}".as_bytes().to_vec(),
    )
    .unwrap();
    p
}

fn publish(
    pilot: &Pilot,
    version: u64,
    scope: Scope,
    valid_for: chrono::Duration,
    payload: &Payload,
    key: &ed25519_dalek::SigningKey,
) -> SignedBundle {
    admin::bundles::publish(
        &pilot.store(),
        "catalogue",
        version,
        scope,
        valid_for,
        payload,
        key,
    )
    .unwrap()
    .1
}

/// Replaces the stored body of a published bundle, as a compromised or buggy registry would.
fn tamper(pilot: &Pilot, version: u64, body: &SignedBundle, scope_column: Option<&str>) {
    let json = serde_json::to_string(body).unwrap();
    let store = pilot.store();
    store
        .sql_execute(
            "UPDATE bundles SET body = ?2 WHERE stream = 'catalogue' AND version = ?1",
            &[(version as i64).into(), json.into()],
        )
        .unwrap();
    if let Some(scope) = scope_column {
        store
            .sql_execute(
                "UPDATE bundles SET scope = ?2 WHERE stream = 'catalogue' AND version = ?1",
                &[(version as i64).into(), scope.into()],
            )
            .unwrap();
    }
}

fn in_force(t: &Terminal) -> (Option<u64>, BTreeMap<String, Vec<u8>>) {
    use provisioning::client::BundleStore as _;
    (
        t.store
            .current_versions()
            .unwrap()
            .get("catalogue")
            .copied(),
        t.store.bundle_files("catalogue").unwrap(),
    )
}

fn offer(version: u64, size: u64) -> BundleOffer {
    BundleOffer {
        stream: "catalogue".into(),
        version,
        payload_size: size,
    }
}

fn rejection(result: Result<(), BundleRejection>) -> BundleError {
    match result {
        Err(BundleRejection::Invalid(e)) => e,
        other => panic!("expected a verification failure, got {other:?}"),
    }
}

#[tokio::test]
async fn every_bad_bundle_is_refused_and_the_old_one_stays_in_force() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let client = t.client(&pilot);
    let days = chrono::Duration::days(30);

    publish(
        &pilot,
        1,
        Scope::All,
        days,
        &catalogue(&["mediation"]),
        &pilot.ops_key,
    );
    let report = client.poll_once().await.unwrap();
    assert!(
        report.bundles.iter().all(|b| b.outcome.is_ok()),
        "{report:?}"
    );
    let good = in_force(&t);
    assert_eq!(good.0, Some(1));
    assert_eq!(
        good.1["services.toml"],
        b"[[service]]\nid = \"mediation\"\n"
    );

    // Signed by a key the registry knows but the terminal has not pinned.
    let stranger = generate_signing_key().unwrap();
    admin::keys::register(
        &pilot.store(),
        "stranger",
        &public_key_to_base64(&stranger.verifying_key()),
    )
    .unwrap();
    publish(
        &pilot,
        2,
        Scope::All,
        days,
        &catalogue(&["evil"]),
        &stranger,
    );
    let report = client.poll_once().await.unwrap();
    assert!(
        matches!(
            report.bundles[0].outcome,
            Err(BundleRejection::Invalid(BundleError::UnknownKey { .. }))
        ),
        "{report:?}"
    );
    assert_eq!(in_force(&t), good);

    // Unsigned.
    let mut unsigned = publish(
        &pilot,
        3,
        Scope::All,
        days,
        &catalogue(&["legal-aid"]),
        &pilot.ops_key,
    );
    unsigned.signature = None;
    tamper(&pilot, 3, &unsigned, None);
    assert_eq!(
        rejection(client.fetch_and_apply(&offer(3, 100)).await.outcome),
        BundleError::Unsigned
    );
    assert_eq!(in_force(&t), good);

    // Payload swapped for another of the same size: the hash no longer matches.
    let mut swapped = publish(
        &pilot,
        4,
        Scope::All,
        days,
        &catalogue(&["notary00"]),
        &pilot.ops_key,
    );
    swapped.payload = B64.encode(catalogue(&["evilevil"]).encode());
    tamper(&pilot, 4, &swapped, None);
    assert_eq!(
        rejection(client.fetch_and_apply(&offer(4, 100)).await.outcome),
        BundleError::PayloadHashMismatch
    );
    assert_eq!(in_force(&t), good);

    // For another platform, relayed anyway by a registry that mislabelled its scope.
    let elsewhere = publish(
        &pilot,
        5,
        Scope::Platform(OTHER_PLATFORM.into()),
        days,
        &catalogue(&["elsewhere"]),
        &pilot.ops_key,
    );
    tamper(&pilot, 5, &elsewhere, Some(r#"{"kind":"all"}"#));
    assert!(matches!(
        rejection(client.fetch_and_apply(&offer(5, 100)).await.outcome),
        BundleError::WrongScope { .. }
    ));
    assert_eq!(in_force(&t), good);

    // Expired by the time it arrives.
    publish(
        &pilot,
        6,
        Scope::All,
        chrono::Duration::seconds(1),
        &catalogue(&["stale"]),
        &pilot.ops_key,
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(matches!(
        rejection(client.fetch_and_apply(&offer(6, 100)).await.outcome),
        BundleError::Expired { .. }
    ));
    assert_eq!(in_force(&t), good);

    // Larger than this terminal accepts.
    let mut big = catalogue(&["big"]);
    big.insert("video.bin", vec![0x5a; 64 * 1024]).unwrap();
    publish(&pilot, 7, Scope::All, days, &big, &pilot.ops_key);
    let mut small = pilot.client_config();
    small.max_bundle_bytes = 16 * 1024;
    let small_client = t.client_with(small);
    let report = small_client.poll_once().await.unwrap();
    assert!(
        matches!(
            report.bundles[0].outcome,
            Err(BundleRejection::Invalid(BundleError::TooLarge { .. }))
        ),
        "{report:?}"
    );
    assert_eq!(in_force(&t), good);

    // A good v8 goes in; then the older v1 offered again is a rollback.
    publish(
        &pilot,
        8,
        Scope::All,
        days,
        &catalogue(&["mediation", "notary"]),
        &pilot.ops_key,
    );
    small_client.poll_once().await.unwrap();
    let newer = in_force(&t);
    assert_eq!(newer.0, Some(8));
    assert!(matches!(
        rejection(client.fetch_and_apply(&offer(1, 100)).await.outcome),
        BundleError::NotNewer {
            current: 8,
            offered: 1
        }
    ));
    assert!(matches!(
        rejection(client.fetch_and_apply(&offer(8, 100)).await.outcome),
        BundleError::NotNewer {
            current: 8,
            offered: 8
        }
    ));
    assert_eq!(in_force(&t), newer);

    // The failure is reported in the next heartbeat for the ops staff.
    let heartbeat = small_client.heartbeat().await.unwrap();
    assert_eq!(heartbeat.bundles.get("catalogue"), Some(&8));
}

#[tokio::test]
async fn rotation_to_the_second_pinned_key() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let next = generate_signing_key().unwrap();
    let next_pub = public_key_to_base64(&next.verifying_key());
    admin::keys::register(&pilot.store(), "ops-2", &next_pub).unwrap();
    let days = chrono::Duration::days(30);
    publish(
        &pilot,
        1,
        Scope::All,
        days,
        &catalogue(&["mediation"]),
        &pilot.ops_key,
    );
    t.client(&pilot).poll_once().await.unwrap();
    assert_eq!(in_force(&t).0, Some(1));

    // Before the terminal pins the new key, a bundle signed with it is refused.
    publish(
        &pilot,
        2,
        Scope::All,
        days,
        &catalogue(&["mediation", "notary"]),
        &next,
    );
    let report = t.client(&pilot).poll_once().await.unwrap();
    assert_eq!(in_force(&t).0, Some(1), "{report:?}");

    // Pinned alongside the old key (the rotation window), it is accepted.
    let mut rotating = pilot.client_config();
    rotating.pinned_keys = vec![pilot.ops_pub.clone(), next_pub.clone()];
    t.client_with(rotating).poll_once().await.unwrap();
    assert_eq!(in_force(&t).0, Some(2));

    // After the rotation the old key alone no longer counts.
    let mut rotated = pilot.client_config();
    rotated.pinned_keys = vec![next_pub];
    publish(
        &pilot,
        3,
        Scope::All,
        days,
        &catalogue(&["old-key"]),
        &pilot.ops_key,
    );
    t.client_with(rotated).poll_once().await.unwrap();
    assert_eq!(in_force(&t).0, Some(2));
}

#[test]
fn a_terminal_killed_while_applying_keeps_the_old_bundle() {
    let mut pilot = Pilot::new();
    pilot.start();
    let data = tempfile::tempdir().unwrap();
    let run = |cmd: &mut std::process::Command| {
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(pilot
        .sim(data.path())
        .args(["enrol", "--code", &pilot.code(common::PLATFORM)]));
    let days = chrono::Duration::days(30);
    publish(
        &pilot,
        1,
        Scope::All,
        days,
        &catalogue(&["mediation"]),
        &pilot.ops_key,
    );
    run(pilot.sim(data.path()).arg("sync-once"));

    // v2 has 40 files; the terminal pauses 100 ms after each while applying, so a kill
    // between 1.5 s and 3 s lands in the middle of the apply transaction.
    let mut v2 = catalogue(&["mediation", "notary"]);
    for i in 0..40 {
        v2.insert(
            &format!("content/guide-{i:02}.json"),
            format!("{{\"step\":{i}}}").into_bytes(),
        )
        .unwrap();
    }
    publish(&pilot, 2, Scope::All, days, &v2, &pilot.ops_key);
    for attempt in 0..3u64 {
        let mut child = pilot
            .sim(data.path())
            .args(["sync-once", "--apply-pause-ms", "100"])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500 + attempt * 500));
        child.kill().unwrap();
        child.wait().unwrap();
        let store =
            provisioning::sqlite_store::SqliteStore::open(&data.path().join("kiosk.db")).unwrap();
        use provisioning::client::BundleStore as _;
        assert_eq!(
            store.current_versions().unwrap().get("catalogue"),
            Some(&1),
            "attempt {attempt}"
        );
        let files = store.bundle_files("catalogue").unwrap();
        assert_eq!(files.len(), 2, "attempt {attempt}: old bundle intact");
        assert_eq!(files["services.toml"], b"[[service]]\nid = \"mediation\"\n");
    }
    // Uninterrupted, the new bundle goes in whole.
    run(pilot.sim(data.path()).arg("sync-once"));
    let store =
        provisioning::sqlite_store::SqliteStore::open(&data.path().join("kiosk.db")).unwrap();
    use provisioning::client::BundleStore as _;
    assert_eq!(store.current_versions().unwrap().get("catalogue"), Some(&2));
    assert_eq!(store.bundle_files("catalogue").unwrap().len(), 42);
}
