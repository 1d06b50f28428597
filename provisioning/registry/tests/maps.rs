//! The offline map through the real registry on loopback (issue 19): `map publish` checks
//! an MBTiles file and signs the small `map` bundle; a terminal polls, sees it, downloads the
//! file in chunks with resume (the second attempt continues where the first stopped, and
//! receives only the rest), checks it and puts it in force; a tampered download and a file
//! that is not a map are refused, and the previous map stays in force.

mod common;
use common::{Pilot, Terminal};
use provisioning::bundle::{BundleVerifier, PinnedKeys, SignedBundle};
use provisioning::client::map::{MapDownloadError, MapProgress};
use provisioning::client::release::DownloadError;
use provisioning::institutions::Datum;
use provisioning::keys::write_private_key;
use provisioning::map::install::{installed, partial_path};
use provisioning::map::{Bounds, MapManifest, synthetic};
use provisioning::release::ReleaseError;
use provisioning::scope::TerminalPlacement;
use std::path::{Path, PathBuf};

/// A synthetic map (textured tiles, so the file spans several of the registry's chunks).
fn make_map(dir: &Path, name: &str, west: f64) -> PathBuf {
    let path = dir.join(name);
    let bounds = Bounds {
        west,
        south: 43.80,
        east: west + 0.3,
        north: 43.95,
    };
    synthetic::write(&path, bounds, 9, 12, true).unwrap();
    path
}

fn publish(pilot: &Pilot, file: &Path) -> String {
    let key = pilot.dir.path().join("ops.key");
    if !key.exists() {
        write_private_key(&key, &pilot.ops_key).unwrap();
    }
    pilot.admin(
        &[
            "map",
            "publish",
            &file.to_string_lossy(),
            "--key",
            &key.to_string_lossy(),
        ],
        "",
    )
}

/// The newest `map` bundle's manifest, verified as the terminal verifies it.
fn latest_manifest(pilot: &Pilot) -> MapManifest {
    let store = pilot.store();
    let rows = kiosk_registry::store::wait(|| {
        store.rows(
            "SELECT body FROM bundles WHERE stream = 'map' ORDER BY version DESC",
            vec![],
        )
    })
    .unwrap();
    let bundle: SignedBundle = serde_json::from_str(rows[0][0].text()).unwrap();
    let verifier = BundleVerifier {
        pinned: PinnedKeys::from_base64(&[&pilot.ops_pub]).unwrap(),
        max_payload_bytes: 16 << 20,
        // Published for all terminals: any placement is in scope.
        placement: TerminalPlacement {
            device_id: String::new(),
            platform_id: String::new(),
            region: String::new(),
        },
    };
    let verified = verifier
        .verify("map", &bundle, None, chrono::Utc::now())
        .unwrap();
    MapManifest::parse(&verified.payload.files["map.json"]).unwrap()
}

#[tokio::test]
async fn a_map_is_published_downloaded_in_chunks_with_resume_and_put_in_force() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let file = make_map(pilot.dir.path(), "changchun.mbtiles", 125.2);
    let want = std::fs::read(&file).unwrap();
    assert!(
        want.len() > 3 * 256 * 1024,
        "several stored chunks: {}",
        want.len()
    );
    let out = publish(&pilot, &file);
    assert!(out.contains("published map v1"), "{out}");

    // The terminal is offered the bundle and accepts it (it is small: the file is apart).
    let client = t.client(&pilot);
    let report = client.poll_once().await.unwrap();
    let offered = report
        .bundles
        .iter()
        .find(|b| b.stream == "map")
        .expect("map offered");
    assert!(offered.outcome.is_ok(), "{:?}", offered.outcome);
    let manifest = latest_manifest(&pilot);
    assert_eq!(manifest.size, want.len() as u64);
    assert_eq!(manifest.datum, Datum::Gcj02);
    assert_eq!(
        (manifest.metadata.minzoom, manifest.metadata.maxzoom),
        (9, 12)
    );

    let maps = t.dir.path().join("maps");
    std::fs::create_dir_all(&maps).unwrap();
    assert!(
        installed(&maps).is_none(),
        "no map yet: the directory shows a list"
    );

    // First attempt: one 300 000-byte chunk, then it stops (as an interrupted link would).
    let first = client
        .download_map(&manifest, &maps, Some(300_000))
        .await
        .unwrap();
    let MapProgress::Partial { have, progress, .. } = first else {
        panic!("{first:?}")
    };
    assert_eq!((have, progress.resumed_from), (300_000, 0));
    let partial = partial_path(&maps, &manifest);
    assert_eq!(std::fs::read(&partial).unwrap(), want[..300_000]);
    assert!(installed(&maps).is_none(), "a partial map is not in force");

    // Next attempt continues from byte 300 000: it receives only the rest.
    let second = client.download_map(&manifest, &maps, None).await.unwrap();
    let MapProgress::Installed { map, progress } = second else {
        panic!("{second:?}")
    };
    assert_eq!(progress.resumed_from, 300_000, "resumed, not restarted");
    assert_eq!(progress.received, want.len() as u64 - 300_000);
    assert_eq!(std::fs::read(&map.path).unwrap(), want, "byte-identical");
    assert!(!partial.exists());
    assert_eq!(installed(&maps), Some(map));
}

#[tokio::test]
async fn corrupt_and_invalid_maps_are_refused_and_the_previous_map_stays() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let client = t.client(&pilot);
    let maps = t.dir.path().join("maps");
    std::fs::create_dir_all(&maps).unwrap();
    let first = make_map(pilot.dir.path(), "first.mbtiles", 125.2);
    publish(&pilot, &first);
    let old = latest_manifest(&pilot);
    client.download_map(&old, &maps, None).await.unwrap();
    let in_force = installed(&maps).unwrap();

    // A file that is not a map is refused at publish, with the reason.
    let garbage = pilot.dir.path().join("garbage.mbtiles");
    std::fs::write(&garbage, vec![7u8; 4096]).unwrap();
    let key = pilot.dir.path().join("ops.key");
    let refusal = pilot.admin_fails(&[
        "map",
        "publish",
        &garbage.to_string_lossy(),
        "--key",
        &key.to_string_lossy(),
    ]);
    assert!(
        refusal.contains("is refused") && refusal.contains("not a readable MBTiles"),
        "{refusal}"
    );
    let vector = pilot.dir.path().join("vector.mbtiles");
    std::fs::copy(&first, &vector).unwrap();
    rusqlite::Connection::open(&vector)
        .unwrap()
        .execute(
            "UPDATE metadata SET value = 'pbf' WHERE name = 'format'",
            [],
        )
        .unwrap();
    let refusal = pilot.admin_fails(&[
        "map",
        "publish",
        &vector.to_string_lossy(),
        "--key",
        &key.to_string_lossy(),
    ]);
    assert!(refusal.contains("not png or jpg"), "{refusal}");

    // Tampered bytes: a new map's download is altered on the terminal's disk mid-way; the
    // hash check refuses it, the bytes are dropped, the first map stays in force.
    let second = make_map(pilot.dir.path(), "second.mbtiles", 125.5);
    publish(&pilot, &second);
    let new = latest_manifest(&pilot);
    assert_ne!(new.sha256, old.sha256);
    client
        .download_map(&new, &maps, Some(200_000))
        .await
        .unwrap();
    let partial = partial_path(&maps, &new);
    let mut bytes = std::fs::read(&partial).unwrap();
    bytes[150_000] ^= 0xff;
    std::fs::write(&partial, bytes).unwrap();
    let refused = client.download_map(&new, &maps, None).await.unwrap_err();
    assert!(
        matches!(
            refused,
            MapDownloadError::Download(DownloadError::Refused(ReleaseError::HashMismatch))
        ),
        "{refused}"
    );
    assert!(!partial.exists());
    assert_eq!(installed(&maps).as_ref(), Some(&in_force));
    assert_eq!(
        std::fs::read(&in_force.path).unwrap(),
        std::fs::read(&first).unwrap()
    );

    // A file with the right hash that is not a map (stored without `map publish`'s checks,
    // named by a signed manifest): downloaded, refused by the terminal's own check.
    let bogus = b"SQLite format 3\0 but not really a database, just bytes".repeat(100);
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bogus));
    let store = pilot.store();
    kiosk_registry::store::wait(|| store.map_file_store(&sha, "bogus", &bogus)).unwrap();
    let mut lying = new.clone();
    lying.sha256 = sha;
    lying.size = bogus.len() as u64;
    let refused = client.download_map(&lying, &maps, None).await.unwrap_err();
    assert!(matches!(refused, MapDownloadError::Refused(_)), "{refused}");
    assert!(
        refused.to_string().contains("not a readable MBTiles"),
        "{refused}"
    );
    assert!(!partial_path(&maps, &lying).exists());
    assert_eq!(installed(&maps).as_ref(), Some(&in_force));

    // Above the terminal's own cap for maps: refused before a byte is fetched.
    let mut config = pilot.client_config();
    config.max_map_bytes = new.size - 1;
    let refused = t
        .client_with(config)
        .download_map(&new, &maps, None)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, MapDownloadError::TooLarge { .. }),
        "{refused}"
    );
    assert!(!partial_path(&maps, &new).exists());

    // The good new map still installs after all that.
    client.download_map(&new, &maps, None).await.unwrap();
    assert_eq!(installed(&maps).unwrap().manifest, new);
    assert!(
        !in_force.path.exists(),
        "the superseded map's file is removed"
    );
}
