//! `legal-kiosk verify-release`, the check the privileged update helper runs as root on its
//! own copy of an install request: only a release signed by a key pinned in the (root-owned)
//! configuration, for this package and architecture, newer than this build, whose package
//! has the signed size and SHA-256 passes; each refusal says why.

use std::path::Path;
use std::process::{Command, Output};

use provisioning::keys::{generate_signing_key, public_key_to_base64};
use provisioning::release::{RELEASE_FORMAT, ReleaseManifest, sign_release};
use sha2::{Digest as _, Sha256};

fn verify(dir: &Path, release: &str, package: &[u8]) -> Output {
    std::fs::write(dir.join("release.json"), release).unwrap();
    std::fs::write(dir.join("package.deb"), package).unwrap();
    Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .arg("--config")
        .arg(dir.join("kiosk.toml"))
        .arg("verify-release")
        .arg(dir.join("release.json"))
        .arg(dir.join("package.deb"))
        .env("LEGAL_KIOSK_LOG", "warn")
        .output()
        .unwrap()
}

fn refused(out: &Output, why: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "accepted: {stderr}");
    assert!(stderr.contains(why), "expected {why:?} in: {stderr}");
}

#[test]
fn only_a_release_signed_by_the_configured_key_for_this_terminal_passes() {
    let dir = tempfile::tempdir().unwrap();
    let key = generate_signing_key().unwrap();
    std::fs::write(
        dir.path().join("kiosk.toml"),
        format!(
            "[storage]\ndata_dir = {:?}\n[registry]\npinned_keys = [{:?}]\n",
            dir.path().join("data"),
            public_key_to_base64(&key.verifying_key())
        ),
    )
    .unwrap();
    let package = b"a debian package".to_vec();
    let manifest = ReleaseManifest {
        format: RELEASE_FORMAT,
        package: "legal-kiosk".into(),
        version: "99.0.0".into(),
        architecture: legal_kiosk::config::UpdatesSection::default().architecture(),
        size: package.len() as u64,
        sha256: hex::encode(Sha256::digest(&package)),
        min_from_version: None,
        notes_zh: "修复".into(),
        issued_at: chrono::Utc::now(),
    };
    let signed = |m: &ReleaseManifest, k| serde_json::to_string(&sign_release(m, k)).unwrap();

    let ok = verify(dir.path(), &signed(&manifest, &key), &package);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("legal-kiosk 99.0.0 verified"));

    let stranger = generate_signing_key().unwrap();
    let out = verify(dir.path(), &signed(&manifest, &stranger), &package);
    refused(&out, "not one of this terminal's pinned keys");
    let mut altered = package.clone();
    altered[0] ^= 1;
    refused(
        &verify(dir.path(), &signed(&manifest, &key), &altered),
        "SHA-256",
    );
    refused(
        &verify(dir.path(), &signed(&manifest, &key), &package[..5]),
        "truncated",
    );
    let older = ReleaseManifest {
        version: "0.0.1".into(),
        ..manifest.clone()
    };
    refused(
        &verify(dir.path(), &signed(&older, &key), &package),
        "not newer",
    );
    let other_arch = ReleaseManifest {
        architecture: "riscv64".into(),
        ..manifest.clone()
    };
    refused(
        &verify(dir.path(), &signed(&other_arch, &key), &package),
        "architecture riscv64",
    );
}
