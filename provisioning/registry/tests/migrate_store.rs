//! `kiosk-registry migrate-store`: a pilot's populated SQLite registry copied into
//! PostgreSQL, every row present (event ids too), twice without harm, and the terminals
//! keep syncing with the registry on PostgreSQL (their keys, commands, codes carried over).

mod common;

use common::{PLATFORM, Pilot, Terminal, on_postgres, tickets};
use kiosk_registry::admin;
use kiosk_registry::store::{DbTarget, Store};
use provisioning::client::OutboxStore as _;
use provisioning::command::CommandAction;

const TABLES: &[&str] = &[
    "platforms",
    "signing_keys",
    "enrolment_codes",
    "terminals",
    "bundles",
    "events",
    "events_quarantine",
    "commands",
    "lawyers",
    "ice_servers",
    "settings",
    "releases",
    "release_chunks",
    "rollouts",
    "terminal_updates",
];

fn count(store: &Store, table: &str) -> u64 {
    store
        .sql_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"), &[])
        .unwrap()
        .remove(0)
        .unwrap()
        .parse()
        .unwrap()
}

fn rows(store: &Store) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    store
        .export(&Default::default(), &mut |row| {
            out.push(serde_json::to_value(&row).unwrap());
            Ok(())
        })
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pilot_moves_to_postgres_with_every_row_and_keeps_syncing() {
    if !on_postgres() {
        eprintln!("skipped: needs PostgreSQL (scripts/with-postgres.sh)");
        return;
    }
    // A pilot on SQLite: two terminals, events (one quarantined), a bundle, a command,
    // a lawyer, video settings, and a code not used yet.
    let mut pilot = Pilot::new_sqlite();
    pilot.admin(
        &[
            "lawyer",
            "add",
            "--username",
            "wang",
            "--name",
            "王律师",
            "--region",
            "330100",
        ],
        "a-long-password\n",
    );
    pilot.admin(
        &["video", "ice-add", "--url", "stun:stun.example.org:3478"],
        "",
    );
    pilot.admin(&["video", "policy", "relay"], "");
    pilot.start();
    let one = Terminal::enrolled(&pilot).await;
    let two = Terminal::enrolled(&pilot).await;
    for t in [&one, &two] {
        t.store
            .enqueue_many(&tickets(150, "mediation", "2026-11-20"))
            .unwrap();
    }
    one.store
        .enqueue("ticket.issued", &serde_json::json!("not an object"))
        .unwrap();
    one.client(&pilot).deliver_outbox().await.unwrap();
    two.client(&pilot).deliver_outbox().await.unwrap();
    let command = admin::commands::send(
        &pilot.store(),
        &one.device_id(),
        CommandAction::Lock {
            notice: "维护中".into(),
        },
        chrono::Duration::hours(1),
        &pilot.ops_key,
    )
    .unwrap();
    one.client(&pilot).poll_once().await.unwrap();
    // A release in three chunks, its rollout, and a terminal's report of it.
    let package = vec![9u8; 600 * 1024];
    let release = provisioning::release::sign_release(
        &provisioning::release::ReleaseManifest {
            format: provisioning::release::RELEASE_FORMAT,
            package: "legal-kiosk".into(),
            version: "1.1.0".into(),
            architecture: "arm64".into(),
            size: package.len() as u64,
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&package)),
            min_from_version: None,
            notes_zh: "修复".into(),
            issued_at: chrono::Utc::now(),
        },
        &pilot.ops_key,
    );
    let store = pilot.store();
    kiosk_registry::store::wait(|| store.release_publish(&release, package)).unwrap();
    let spec = admin::releases::RolloutSpec {
        release: "1.1.0".into(),
        stages: vec!["all".into()],
        success_threshold: 95,
        error_threshold: 5,
        max_bytes_per_s: 0,
    };
    admin::releases::create(&store, &spec).unwrap();
    one.store.set_health(provisioning::client::HealthSnapshot {
        update: Some(provisioning::protocol::UpdateReport {
            version: "1.1.0".into(),
            state: provisioning::protocol::UpdateState::Downloading,
            detail: None,
        }),
        ..Default::default()
    });
    one.client(&pilot).poll_once().await.unwrap();
    let unused_code = pilot.code(PLATFORM);
    pilot.kill();
    let sqlite = pilot.store();
    let before_rows = rows(&sqlite);
    assert_eq!(before_rows.len(), 300);

    // The copy, twice: the second finds everything there already.
    let pg = common::fresh_database(&pilot.dir.path().join("unused.db"));
    let migrate = |pilot: &Pilot| {
        pilot.admin(
            &[
                "migrate-store",
                "--from",
                &format!("sqlite:{}", pilot.db.display()),
                "--to",
                &pg.arg(),
            ],
            "",
        )
    };
    let first = migrate(&pilot);
    assert!(first.contains("every row"), "{first}");
    let second = migrate(&pilot);
    for line in second.lines().filter(|l| l.contains("copied")) {
        assert!(line.contains("copied         0"), "not idempotent: {line}");
    }
    let postgres = Store::open_blocking(&pg).unwrap();
    for table in TABLES {
        assert_eq!(
            count(&postgres, table),
            count(&sqlite, table),
            "rows of {table}"
        );
    }
    assert_eq!(count(&sqlite, "release_chunks"), 3);
    // The rollout goes on from the copy: the package streams, the report counts.
    let (rollout, stages) = kiosk_registry::store::wait(|| postgres.rollout_status(None)).unwrap();
    assert_eq!(
        (rollout.release.as_str(), stages[0].downloading),
        ("1.1.0", 1)
    );
    let chunk = kiosk_registry::store::wait(|| postgres.package_chunk("1.1.0", 2)).unwrap();
    assert_eq!(chunk.len(), 600 * 1024 - 2 * 256 * 1024);
    assert_eq!(rows(&postgres), before_rows, "every event, field for field");
    assert_eq!(
        postgres.tickets_per_service_day(None, None, None).unwrap(),
        sqlite.tickets_per_service_day(None, None, None).unwrap(),
        "the statistics"
    );

    // The registry runs on PostgreSQL now: the same terminals keep syncing.
    pilot.target = pg.clone();
    pilot.start();
    let report = one.client(&pilot).poll_once().await.unwrap();
    assert!(
        report.commands.is_empty(),
        "the command was closed before the move"
    );
    let states = postgres.commands(None, chrono::Utc::now()).unwrap();
    assert_eq!(states[0].command_id, command);
    assert_eq!(states[0].state, "succeeded");
    one.store
        .enqueue_many(&tickets(20, "notary", "2026-11-21"))
        .unwrap();
    let delivered = one.client(&pilot).deliver_outbox().await.unwrap();
    assert_eq!((delivered.acknowledged, delivered.duplicates), (20, 0));
    assert_eq!(one.store.depth().unwrap(), 0);
    assert_eq!(pilot.events_count(), 320);
    // A code made before the move still enrols (same code key), and new rows get new ids.
    let mut three = Terminal::new();
    three.enrol(&pilot, &unused_code).await.unwrap();
    three
        .store
        .enqueue_many(&tickets(5, "notary", "2026-11-21"))
        .unwrap();
    three.client(&pilot).deliver_outbox().await.unwrap();
    assert_eq!(pilot.events_count(), 325);
    let lawyers = postgres.lawyers().unwrap();
    assert_eq!(lawyers[0].username, "wang");
    assert_eq!(
        postgres.ice_config().unwrap().policy,
        provisioning::signalling::IceTransportPolicy::Relay
    );
    assert!(matches!(pilot.target, DbTarget::Postgres(_)));
}
