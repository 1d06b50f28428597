//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer): each runs the
//! terminal's real checks on bytes as the network delivers them and asserts what must hold
//! for any input. The unit tests below replay the committed corpora (`fuzz/corpus/<target>`)
//! and past crashes (`fuzz/regressions/<target>`) on every `cargo test`.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, TimeZone as _, Utc};
use ed25519_dalek::SigningKey;

use crate::bundle::{BundleVerifier, Manifest, Payload, PinnedKeys, SignedBundle};
use crate::command::{CommandBody, SignedCommand, verify_command};
use crate::scope::TerminalPlacement;

/// The key the fuzz targets' operations centre signs with (fixed, so seeds stay valid).
pub fn ops_key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

/// The stream, version in force, clock and terminal every target checks against.
pub const STREAM: &str = "catalogue";
/// Version in force: offers must be above it.
pub const CURRENT_VERSION: u64 = 3;
/// The terminal's device id.
pub const DEVICE_ID: &str = "kt-fuzz";

/// The fuzz targets' "now" (seeds expire well after it).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .single()
        .expect("a real instant")
}

fn verifier() -> &'static BundleVerifier {
    static VERIFIER: OnceLock<BundleVerifier> = OnceLock::new();
    VERIFIER.get_or_init(|| BundleVerifier {
        pinned: PinnedKeys::new(vec![ops_key().verifying_key()]).expect("one key"),
        max_payload_bytes: 64 * 1024,
        placement: TerminalPlacement {
            device_id: DEVICE_ID.into(),
            platform_id: "cc-chaoyang".into(),
            region: "220104".into(),
        },
    })
}

/// `bundle`: the first byte picks what the rest is: 0 a bundle as `GET /v1/bundles/…`
/// answers it (JSON, checked in full with the pinned key), 1 a manifest's text (parsed and
/// checked as if its signature had verified), 2 an encoded payload (decoded; a payload that
/// decodes must encode back to the same bytes).
pub fn bundle(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    match kind % 3 {
        0 => {
            let Ok(bundle) = serde_json::from_slice::<SignedBundle>(rest) else {
                return;
            };
            if let Ok(verified) = verifier().verify(STREAM, &bundle, Some(CURRENT_VERSION), now()) {
                assert_eq!(verified.manifest.stream, STREAM);
                assert!(verified.manifest.version > CURRENT_VERSION);
                assert!(verified.manifest.expires_at > now());
                let encoded = verified.payload.encode();
                assert_eq!(encoded.len() as u64, verified.manifest.payload_size);
                assert_eq!(B64.encode(&encoded), bundle.payload);
            }
        }
        1 => {
            let Ok(manifest) = serde_json::from_slice::<Manifest>(rest) else {
                return;
            };
            if verifier()
                .check_manifest(STREAM, &manifest, Some(CURRENT_VERSION), now())
                .is_ok()
            {
                assert!(manifest.payload_size <= verifier().max_payload_bytes);
                assert!(manifest.scope.includes(&verifier().placement));
            }
        }
        _ => {
            if let Ok(payload) = Payload::decode(rest) {
                assert_eq!(payload.encode(), rest, "the payload encoding is canonical");
                for name in payload.files.keys() {
                    assert!(crate::bundle::payload::is_safe_name(name));
                    assert!(!name.starts_with('/') && !name.split('/').any(|p| p == ".."));
                }
            }
        }
    }
}

/// `command`: a command as a poll answer relays it (JSON), checked with the pinned key for
/// this terminal; and the same bytes as the signed body itself, which must round-trip.
pub fn command(data: &[u8]) {
    if let Ok(command) = serde_json::from_slice::<SignedCommand>(data)
        && let Ok(body) = verify_command(&command, &verifier().pinned, DEVICE_ID, now())
    {
        assert_eq!(body.command_id, command.command_id);
        assert_eq!(body.device_id, DEVICE_ID);
        assert!(body.not_after > now());
    }
    if let Ok(body) = serde_json::from_slice::<CommandBody>(data) {
        let text = serde_json::to_string(&body).expect("a command body serialises");
        let again: CommandBody = serde_json::from_str(&text).expect("and parses back");
        assert_eq!(again, body);
        let _ = body.action.name();
    }
}

/// `release`: a release as a poll answer offers it (JSON, checked with the pinned key for an
/// arm64 terminal running 1.0.0), then the rest of the bytes as its package.
pub fn release(data: &[u8]) {
    use crate::release::{PackageCheck, ReleaseVerifier, SignedRelease};
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (json, package) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    let Ok(release) = serde_json::from_slice::<SignedRelease>(json) else {
        return;
    };
    let verifier = ReleaseVerifier {
        pinned: verifier().pinned.clone(),
        package: "legal-kiosk".into(),
        architecture: "arm64".into(),
        running: "1.0.0".into(),
        max_package_bytes: 64 * 1024,
    };
    let Ok(manifest) = verifier.verify(&release) else {
        return;
    };
    assert_eq!(
        crate::release::version::compare(&manifest.version, "1.0.0"),
        std::cmp::Ordering::Greater
    );
    assert!(manifest.size <= 64 * 1024);
    let mut check = PackageCheck::new(&manifest);
    if check.update(package).is_ok() && check.clone().finish().is_ok() {
        assert_eq!(package.len() as u64, manifest.size);
    }
}

/// Seeds for the corpora, made by the real signing code (`cargo test -p provisioning --lib
/// fuzz -- --ignored` writes them).
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    use crate::bundle::sign::{BundleSpec, sign_bundle};
    use crate::command::{CommandAction, sign_command};
    use crate::scope::Scope;

    let key = ops_key();
    let mut payload = Payload::default();
    let files: [(&str, &[u8]); 2] = [
        ("services.toml", b"[[service]]\nid = \"legal-aid\"\nname = \"\xe6\xb3\x95\xe5\xbe\x8b\xe6\x8f\xb4\xe5\x8a\xa9\"\n"),
        ("content/labour/wages.json", b"{\"title\":\"wages\"}"),
    ];
    for (name, content) in files {
        payload.insert(name, content.to_vec()).expect("safe names");
    }
    let spec = |scope| BundleSpec {
        stream: STREAM.into(),
        version: CURRENT_VERSION + 1,
        scope,
        issued_at: now(),
        expires_at: now() + chrono::Duration::days(30),
    };
    let mut out = Vec::new();
    for (i, scope) in [
        Scope::All,
        Scope::Region("220000".into()),
        Scope::Terminal(DEVICE_ID.into()),
    ]
    .into_iter()
    .enumerate()
    {
        let signed = sign_bundle(&spec(scope), &payload, &key);
        let mut wire = vec![0];
        wire.extend(serde_json::to_vec(&signed).expect("serialises"));
        out.push(("bundle", format!("seed-signed-{i}"), wire));
        let mut manifest = vec![1];
        manifest.extend(signed.manifest.as_bytes());
        out.push(("bundle", format!("seed-manifest-{i}"), manifest));
    }
    let mut encoded = vec![2];
    encoded.extend(payload.encode());
    out.push(("bundle", "seed-payload".into(), encoded));

    let actions = [
        CommandAction::Lock {
            notice: "请到二楼窗口办理".into(),
        },
        CommandAction::Unlock,
        CommandAction::Notice {
            text: "今日下午停电检修".into(),
            until: Some(now() + chrono::Duration::hours(8)),
        },
        CommandAction::Reload {
            stream: Some(STREAM.into()),
        },
        CommandAction::UploadLogs {
            max_bytes: Some(65536),
        },
        CommandAction::Restart,
    ];
    out.push(release_seed(&key));
    for (i, action) in actions.into_iter().enumerate() {
        let body = CommandBody {
            command_id: format!("c-{i}"),
            device_id: DEVICE_ID.into(),
            action,
            issued_at: now(),
            not_after: now() + chrono::Duration::hours(1),
        };
        let signed = sign_command(&body, &key);
        out.push((
            "command",
            format!("seed-signed-{i}"),
            serde_json::to_vec(&signed).expect("serialises"),
        ));
        out.push((
            "command",
            format!("seed-body-{i}"),
            signed.body.into_bytes(),
        ));
    }
    out
}

/// A release of a small package that passes every check, then the package.
fn release_seed(key: &SigningKey) -> (&'static str, String, Vec<u8>) {
    use sha2::{Digest as _, Sha256};
    let package = b"!<arch>\ndebian-binary".to_vec();
    let manifest = crate::release::ReleaseManifest {
        format: crate::release::RELEASE_FORMAT,
        package: "legal-kiosk".into(),
        version: "1.1.0".into(),
        architecture: "arm64".into(),
        size: package.len() as u64,
        sha256: hex::encode(Sha256::digest(&package)),
        min_from_version: Some("0.9.0".into()),
        notes_zh: "修复".into(),
        issued_at: now(),
    };
    let mut wire =
        serde_json::to_vec(&crate::release::sign_release(&manifest, key)).expect("serialises");
    wire.push(0);
    wire.extend(package);
    ("release", "seed-release".into(), wire)
}

#[cfg(test)]
mod tests {

    use crate::fuzz_corpus::{fuzz_dir, replay_committed_inputs as replay};

    #[test]
    fn bundle_corpus_replays() {
        replay("bundle", super::bundle);
    }

    #[test]
    fn command_corpus_replays() {
        replay("command", super::command);
    }

    #[test]
    fn release_corpus_replays() {
        replay("release", super::release);
    }

    #[test]
    fn seeds_pass_every_check() {
        // A seed that fails the signature or expiry check would only explore the refusals.
        for (target, name, bytes) in super::seeds() {
            match (target, bytes[0]) {
                ("bundle", 0) => {
                    let bundle = serde_json::from_slice(&bytes[1..]).unwrap();
                    super::verifier()
                        .verify(super::STREAM, &bundle, Some(3), super::now())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                }
                ("command", b'{') if name.starts_with("seed-signed") => {
                    let command = serde_json::from_slice(&bytes).unwrap();
                    super::verify_command(
                        &command,
                        &super::verifier().pinned,
                        super::DEVICE_ID,
                        super::now(),
                    )
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                }
                _ => {}
            }
        }
    }

    #[test]
    #[ignore = "writes the seed corpora into fuzz/corpus; run once after changing the seeds"]
    fn write_seed_corpus() {
        for (target, name, bytes) in super::seeds() {
            let dir = fuzz_dir().join("corpus").join(target);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
}
