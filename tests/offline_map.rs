//! The offline map on the terminal against the real reference registry on 127.0.0.1
//! (issue 19): the centre publishes an MBTiles file; the kiosk's sync accepts the small `map`
//! bundle (its own bundle checks), the map fetcher downloads the file chunk by chunk and puts
//! it in force; a file that is not a map is refused, reported to the centre like a refused
//! bundle, and the previous map stays in force. Before any map, "is there a map?" is no.

mod common;

use std::path::Path;
use std::process::Command;

use common::registry::{Registry, write_config};
use kiosk_registry::map_publish::{Options, publish};
use legal_kiosk::config::Config;
use legal_kiosk::sync::map::{MapFetcher, Step, map_in_force};
use legal_kiosk::sync::{KioskHealth, build_client};
use provisioning::institutions::Datum;
use provisioning::map::{Bounds, synthetic};
use provisioning::scope::Scope;

fn legal_kiosk(config: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("LEGAL_KIOSK_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{args:?}: {text}");
    text
}

fn options() -> Options {
    Options {
        version: None,
        datum: Datum::Gcj02,
        scope: Scope::All,
        valid_for: chrono::Duration::days(30),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_fetches_the_published_map_and_keeps_it_when_a_bad_one_follows() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_config(dir.path(), &registry, "");
    legal_kiosk(&config_path, &["enroll", "--code", &registry.code()]);
    let config = Config::load(Some(&config_path)).unwrap();
    let data = config.data_dir();
    assert!(map_in_force(&data).is_none(), "no map: the directory lists");

    // Changchun, textured tiles: a file of several megabytes.
    let file = dir.path().join("changchun.mbtiles");
    let bounds = Bounds {
        west: 125.15,
        south: 43.75,
        east: 125.55,
        north: 44.0,
    };
    synthetic::write(&file, bounds, 9, 13, true).unwrap();
    let want = std::fs::read(&file).unwrap();
    let (_, manifest) = publish(&registry.store(), &file, options(), &registry.ops_key).unwrap();

    // The sync applies the bundle (through the kiosk's bundle checks).
    let synced = legal_kiosk(&config_path, &["sync", "--once"]);
    assert!(!synced.contains("refused"), "{synced}");
    let client = build_client(&config, &data, KioskHealth::default(), |_| {}, None)
        .unwrap()
        .unwrap();
    let fetcher = MapFetcher::new(client, &data).unwrap();
    let mut attempts = 0;
    let map = loop {
        attempts += 1;
        match fetcher.step().await {
            Step::Partial { have, size } => assert!(have < size),
            Step::Installed(map) => break map,
            other => panic!("{other:?}"),
        }
    };
    let chunks = want
        .len()
        .div_ceil(legal_kiosk::sync::map::CHUNK_BYTES as usize);
    assert_eq!(
        attempts, chunks,
        "one chunk per attempt, each resumed from the last"
    );
    assert_eq!(map.manifest, manifest);
    assert_eq!(std::fs::read(&map.path).unwrap(), want);
    assert_eq!(map_in_force(&data), Some(map.clone()));
    assert!(
        matches!(fetcher.step().await, Step::Nothing),
        "nothing more to fetch"
    );

    // A file with a matching hash but not a map, named by a signed bundle.
    let bogus = b"not an MBTiles file at all".repeat(64);
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bogus));
    let store = registry.store();
    kiosk_registry::store::wait(|| store.map_file_store(&sha, "bogus", &bogus)).unwrap();
    let mut lying = manifest.clone();
    lying.sha256 = sha;
    lying.size = bogus.len() as u64;
    registry.publish(
        "map",
        2,
        &[("map.json", std::str::from_utf8(&lying.to_json()).unwrap())],
    );
    legal_kiosk(&config_path, &["sync", "--once"]);
    let Step::Refused(reason) = fetcher.step().await else {
        panic!("the bad map is refused")
    };
    assert!(reason.contains("not a readable MBTiles"), "{reason}");
    assert_eq!(
        map_in_force(&data),
        Some(map),
        "the previous map stays in force"
    );
    assert!(
        matches!(fetcher.step().await, Step::Nothing),
        "not fetched again"
    );

    // The refusal reaches the operations centre as the kiosk's refused-bundle event.
    legal_kiosk(&config_path, &["sync", "--once"]);
    let refused = registry
        .sqlite()
        .with(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM events WHERE kind = 'bundle.refused' AND payload LIKE '%\"stream\":\"map\"%'",
                [],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .unwrap();
    assert_eq!(refused, 1);
}
