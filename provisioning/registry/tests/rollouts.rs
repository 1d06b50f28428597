//! Releases and staged rollouts through the real registry, with `kiosk-sim` terminals
//! reporting their update states: a stage starts when the one before reaches the success
//! threshold, a stage past the error threshold pauses the rollout, pause/resume/cancel stop
//! and restart the offers, and the package streams whole or from where a download stopped.

mod common;

use common::{OTHER_PLATFORM, PLATFORM, Pilot};
use kiosk_registry::admin::releases::{self, ReleaseNotes};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

const NEW: &str = "1.1.0";

/// A Debian package `legal-kiosk` of `version` for arm64 with `filler` bytes of content.
fn make_deb(dir: &Path, version: &str, filler: usize) -> PathBuf {
    let root = dir.join(format!("pkg-{version}"));
    std::fs::create_dir_all(root.join("DEBIAN")).unwrap();
    std::fs::create_dir_all(root.join("usr/share/legal-kiosk")).unwrap();
    std::fs::write(
        root.join("DEBIAN/control"),
        format!(
            "Package: legal-kiosk\nVersion: {version}\nArchitecture: arm64\nMaintainer: test <t@example.org>\nDescription: test package\n"
        ),
    )
    .unwrap();
    // Incompressible, so the package really is about `filler` bytes.
    let mut bytes = vec![0u8; filler];
    getrandom::fill(&mut bytes).unwrap();
    std::fs::write(root.join("usr/share/legal-kiosk/filler"), bytes).unwrap();
    let deb = dir.join(format!("legal-kiosk_{version}_arm64.deb"));
    let status = Command::new("dpkg-deb")
        .args(["--build", "-Znone", "--root-owner-group"])
        .arg(&root)
        .arg(&deb)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    deb
}

fn publish(pilot: &Pilot, version: &str) -> PathBuf {
    let deb = make_deb(pilot.dir.path(), version, 600 * 1024);
    let notes = ReleaseNotes {
        min_from_version: None,
        notes_zh: "修复打印机缺纸提示".into(),
    };
    releases::publish(&pilot.store(), &deb, &notes, &pilot.ops_key).unwrap();
    deb
}

/// A simulated terminal running 1.0.0.
struct Sim {
    dir: TempDir,
    id: String,
}

fn sim(pilot: &Pilot, platform: &str) -> Sim {
    let dir = tempfile::tempdir().unwrap();
    let id = common::enrol_sim(pilot, dir.path(), platform);
    Sim { dir, id }
}

/// One poll reporting `state` of the new release (or nothing); the version offered.
fn report(pilot: &Pilot, t: &Sim, state: Option<&str>) -> Option<String> {
    let mut cmd = pilot.sim(t.dir.path());
    cmd.args(["--app-version", "1.0.0", "report-update"]);
    if let Some(state) = state {
        cmd.args(["--version", NEW, "--state", state]);
        if matches!(state, "failed" | "rolled_back") {
            cmd.args(["--detail", "health check: printer did not answer"]);
        }
    }
    let out = common::succeeded(&mut cmd);
    let answer: Value = serde_json::from_slice(&out).unwrap();
    answer["offer"]["version"].as_str().map(str::to_string)
}

fn status(pilot: &Pilot) -> Value {
    serde_json::from_str(&pilot.admin(&["rollout", "status", "--json"], "")).unwrap()
}

fn stage(status: &Value, i: usize, what: &str) -> u64 {
    status["stages"][i][what].as_u64().unwrap()
}

#[test]
fn stages_start_at_the_success_threshold_until_the_rollout_completes() {
    let mut pilot = Pilot::new();
    pilot.start();
    let a = sim(&pilot, PLATFORM);
    let (b, c) = (sim(&pilot, PLATFORM), sim(&pilot, PLATFORM));
    let d = sim(&pilot, OTHER_PLATFORM);
    publish(&pilot, NEW);
    let canary = format!("terminal:{}", a.id);
    let id = pilot.admin(
        &[
            "rollout",
            "create",
            "--release",
            NEW,
            "--stage",
            &canary,
            "--stage",
            "platform:hz-xihu",
            "--stage",
            "all",
            "--success-threshold",
            "60",
            "--error-threshold",
            "40",
        ],
        "",
    );
    assert!(id.trim().starts_with("ro-"), "{id}");

    // Only the canary is offered the release.
    assert_eq!(report(&pilot, &a, None).as_deref(), Some(NEW));
    assert_eq!(report(&pilot, &b, None), None);
    assert_eq!(report(&pilot, &d, None), None);
    assert_eq!(
        report(&pilot, &a, Some("downloading")).as_deref(),
        Some(NEW)
    );
    let s = status(&pilot);
    assert_eq!(s["rollout"]["state"], "running");
    assert_eq!(stage(&s, 0, "downloading"), 1);
    assert_eq!(
        stage(&s, 1, "terminals"),
        2,
        "the canary counts in its own stage only"
    );
    assert_eq!(s["stages"][1]["started"], false);

    // The canary healthy: 100% ≥ 60%, so the platform's stage starts.
    assert_eq!(
        report(&pilot, &a, Some("healthy")),
        None,
        "nothing more for it"
    );
    assert_eq!(report(&pilot, &b, None).as_deref(), Some(NEW));
    assert_eq!(report(&pilot, &d, None), None);
    // One of two healthy is 50%: below 60%, the last stage waits.
    report(&pilot, &b, Some("healthy"));
    report(&pilot, &c, Some("installed"));
    assert_eq!(report(&pilot, &d, None), None);
    let s = status(&pilot);
    assert_eq!((stage(&s, 1, "healthy"), stage(&s, 1, "installed")), (1, 1));
    // Both healthy: the last stage starts; it completes when its terminal is healthy.
    report(&pilot, &c, Some("healthy"));
    assert_eq!(report(&pilot, &d, Some("offered")).as_deref(), Some(NEW));
    assert_eq!(status(&pilot)["rollout"]["state"], "running");
    report(&pilot, &d, Some("healthy"));
    let s = status(&pilot);
    assert_eq!(s["rollout"]["state"], "completed");
    assert_eq!(stage(&s, 2, "healthy"), 1);
    // The human form says the same.
    let text = pilot.admin(&["rollout", "status"], "");
    assert!(text.contains("completed"), "{text}");
}

#[test]
fn a_stage_past_the_error_threshold_pauses_the_rollout_and_staff_resume_or_cancel_it() {
    let mut pilot = Pilot::new();
    pilot.start();
    let terminals: Vec<Sim> = (0..4).map(|_| sim(&pilot, PLATFORM)).collect();
    let other = sim(&pilot, OTHER_PLATFORM);
    publish(&pilot, NEW);
    let id = pilot
        .admin(
            &[
                "rollout",
                "create",
                "--release",
                NEW,
                "--stage",
                "platform:hz-xihu",
                "--stage",
                "all",
                "--success-threshold",
                "95",
                "--error-threshold",
                "40",
                "--max-kib-per-s",
                "512",
            ],
            "",
        )
        .trim()
        .to_string();

    // One rolled back of four is 25%: under 40%, it goes on.
    report(&pilot, &terminals[0], Some("rolled_back"));
    assert_eq!(report(&pilot, &terminals[3], None).as_deref(), Some(NEW));
    assert_eq!(status(&pilot)["rollout"]["state"], "running");
    // A failure makes it 50%: the rollout pauses itself and offers nothing more.
    report(&pilot, &terminals[1], Some("failed"));
    let s = status(&pilot);
    assert_eq!(s["rollout"]["state"], "paused");
    assert!(
        s["rollout"]["reason"].as_str().unwrap().contains("50%"),
        "{s}"
    );
    assert_eq!(
        (stage(&s, 0, "rolled_back"), stage(&s, 0, "failed")),
        (1, 1)
    );
    assert_eq!(report(&pilot, &terminals[2], None), None);
    // A terminal that failed is not offered the same release again, even when running.
    pilot.admin(&["rollout", "resume", &id], "");
    assert_eq!(report(&pilot, &terminals[2], None).as_deref(), Some(NEW));
    assert_eq!(report(&pilot, &terminals[1], Some("failed")), None);

    // Staff pause and resume by hand; cancel stops it for good.
    pilot.admin(&["rollout", "pause", &id], "");
    assert_eq!(report(&pilot, &terminals[3], None), None);
    pilot.admin(&["rollout", "cancel", &id], "");
    assert_eq!(status(&pilot)["rollout"]["state"], "cancelled");
    assert_eq!(report(&pilot, &terminals[3], None), None);
    assert_eq!(report(&pilot, &other, None), None);
    let refused = pilot.admin_fails(&["rollout", "resume", &id]);
    assert!(refused.contains("cancelled"), "{refused}");
}

#[test]
fn publishing_refuses_a_repeated_version_and_an_unknown_key() {
    let pilot = Pilot::new();
    let deb = publish(&pilot, NEW);
    let notes = ReleaseNotes::default();
    let again = releases::publish(&pilot.store(), &deb, &notes, &pilot.ops_key).unwrap_err();
    assert!(again.to_string().contains("already published"), "{again}");
    let stranger = provisioning::keys::generate_signing_key().unwrap();
    let deb2 = make_deb(pilot.dir.path(), "1.2.0", 10);
    let unknown = releases::publish(&pilot.store(), &deb2, &notes, &stranger).unwrap_err();
    assert!(unknown.to_string().contains("does not know"), "{unknown}");
    // Through the command line, with a key made and registered by `keys create`.
    let key = pilot.dir.path().join("release.key");
    pilot.admin(
        &[
            "keys",
            "create",
            "--name",
            "release",
            "--out",
            key.to_str().unwrap(),
        ],
        "",
    );
    let out = pilot.admin(
        &[
            "release",
            "publish",
            "--deb",
            deb2.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--notes-zh",
            "新版本",
        ],
        "",
    );
    assert!(out.contains("legal-kiosk 1.2.0 (arm64"), "{out}");
    let list: Value =
        serde_json::from_str(&pilot.admin(&["release", "list", "--json"], "")).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let refused = pilot.admin_fails(&["rollout", "create", "--release", "9.9", "--stage", "all"]);
    assert!(refused.contains("no release 9.9"), "{refused}");
}

#[tokio::test]
async fn the_package_streams_whole_and_resumes_from_a_range() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = common::Terminal::enrolled(&pilot).await;
    let deb = publish(&pilot, NEW);
    let want = std::fs::read(&deb).unwrap();
    let client = common::https_client(&pilot);
    let path = provisioning::protocol::paths::release_package(NEW);
    let get = |range: Option<&str>| {
        let mut r = common::signed(
            &client,
            &pilot,
            &t.identity,
            &t.device_id(),
            reqwest::Method::GET,
            &path,
            Vec::new(),
        );
        if let Some(range) = range {
            r = r.header("range", range);
        }
        r.send()
    };
    let whole = get(None).await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.bytes().await.unwrap().as_ref(), want.as_slice());
    // Resume past the first chunk boundary, mid-chunk.
    let from = 300 * 1024 + 17;
    let rest = get(Some(&format!("bytes={from}-"))).await.unwrap();
    assert_eq!(rest.status(), 206);
    let range = rest.headers()["content-range"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        range,
        format!("bytes {from}-{}/{}", want.len() - 1, want.len())
    );
    assert_eq!(rest.bytes().await.unwrap().as_ref(), &want[from..]);
    let beyond = get(Some(&format!("bytes={}-", want.len()))).await.unwrap();
    assert_eq!(beyond.status(), 416);
    // Unsigned: refused.
    let anonymous = client
        .get(format!("{}{path}", pilot.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_terminal_downloads_through_the_sync_link_resumes_and_refuses_altered_packages() {
    use provisioning::client::release::DownloadError;
    use provisioning::release::{ReleaseError, sign_release, verify::parse_manifest};
    let mut pilot = Pilot::new();
    pilot.start();
    let t = common::Terminal::enrolled(&pilot).await;
    let deb = publish(&pilot, NEW);
    let want = std::fs::read(&deb).unwrap();
    let stored = pilot.store();
    let body = kiosk_registry::store::wait(|| {
        stored.rows(
            "SELECT body FROM releases WHERE version = ?1",
            vec![NEW.into()],
        )
    })
    .unwrap();
    let release: provisioning::release::SignedRelease =
        serde_json::from_str(body[0][0].text()).unwrap();
    let manifest = parse_manifest(&release.manifest).unwrap();
    let client = t.client(&pilot);
    let partial = t.dir.path().join("update.part");

    // An interrupted download: the first 100 KiB are on disk; the rest is fetched from there.
    std::fs::write(&partial, &want[..100 * 1024]).unwrap();
    client
        .download_release(&manifest, &partial, 0)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&partial).unwrap(), want);

    // The bandwidth hint paces the download (4 MiB/s: a 600 KiB package takes over 0.1 s).
    std::fs::remove_file(&partial).unwrap();
    let started = std::time::Instant::now();
    client
        .download_release(&manifest, &partial, 4 << 20)
        .await
        .unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(100));

    // A manifest whose hash is not the served package's: refused, the bytes dropped.
    let altered = |change: &dyn Fn(&mut provisioning::release::ReleaseManifest)| {
        let mut m = manifest.clone();
        change(&mut m);
        parse_manifest(&sign_release(&m, &pilot.ops_key).manifest).unwrap()
    };
    std::fs::remove_file(&partial).unwrap();
    let wrong_hash = altered(&|m| m.sha256 = "0".repeat(64));
    let refused = client
        .download_release(&wrong_hash, &partial, 0)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, DownloadError::Refused(ReleaseError::HashMismatch)),
        "{refused}"
    );
    assert!(!partial.exists());
    // Longer than the manifest says: refused as soon as the extra bytes arrive.
    let shorter = altered(&|m| m.size -= 10);
    let refused = client
        .download_release(&shorter, &partial, 0)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            DownloadError::Refused(ReleaseError::Overlong { .. })
        ),
        "{refused}"
    );
    // The registry ends before the manifest's size: truncated, kept to resume.
    let longer = altered(&|m| m.size += 10);
    let refused = client
        .download_release(&longer, &partial, 0)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            DownloadError::Refused(ReleaseError::Truncated { .. })
        ),
        "{refused}"
    );
    assert_eq!(
        std::fs::metadata(&partial).unwrap().len(),
        want.len() as u64
    );
}
