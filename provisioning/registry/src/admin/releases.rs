//! Publishing a release from a `.deb`, and rollouts, as functions tests and tools call too.

use crate::rollout::{Rollout, RolloutState, Stage};
use crate::store::{Store, wait};
use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use ed25519_dalek::SigningKey;
use provisioning::release::{ReleaseManifest, SignedRelease, sign_release};
use sha2::{Digest as _, Sha256};
use std::path::Path;
use std::process::Command;

/// A package's name, version and architecture, from its control file (`dpkg-deb --field`).
pub fn control_fields(deb: &Path) -> Result<(String, String, String)> {
    let out = Command::new("dpkg-deb")
        .arg("--field")
        .arg(deb)
        .args(["Package", "Version", "Architecture"])
        .output()
        .context("cannot run dpkg-deb (Debian package dpkg) to read the package's control file")?;
    if !out.status.success() {
        bail!(
            "{} is not a Debian package: {}",
            deb.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(|v| v.trim().to_string())
            .ok_or_else(|| anyhow!("{} has no {name} field", deb.display()))
    };
    Ok((field("Package")?, field("Version")?, field("Architecture")?))
}

/// What `release publish` is given besides the package and the key.
#[derive(Debug, Clone, Default)]
pub struct ReleaseNotes {
    /// Oldest running version the package may upgrade.
    pub min_from_version: Option<String>,
    /// Release notes for staff, in Chinese.
    pub notes_zh: String,
}

/// Signs the manifest of `deb` and stores both in the registry.
pub fn publish(
    store: &Store,
    deb: &Path,
    notes: &ReleaseNotes,
    key: &SigningKey,
) -> Result<(ReleaseManifest, SignedRelease)> {
    let (package, version, architecture) = control_fields(deb)?;
    let bytes = std::fs::read(deb).with_context(|| format!("cannot read {}", deb.display()))?;
    let manifest = ReleaseManifest {
        format: provisioning::release::RELEASE_FORMAT,
        package,
        version,
        architecture,
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        min_from_version: notes.min_from_version.clone(),
        notes_zh: notes.notes_zh.clone(),
        issued_at: Utc::now(),
    };
    let release = sign_release(&manifest, key);
    let stored = wait(|| store.release_publish(&release, bytes))?;
    Ok((stored, release))
}

/// What `rollout create` is given.
#[derive(Debug, Clone)]
pub struct RolloutSpec {
    /// The release's version.
    pub release: String,
    /// The stages, as `Stage::parse` reads them.
    pub stages: Vec<String>,
    /// % healthy that starts the next stage.
    pub success_threshold: u8,
    /// % failed or rolled back that pauses the rollout.
    pub error_threshold: u8,
    /// Download rate hint, bytes per second (0: none).
    pub max_bytes_per_s: u64,
}

/// Starts a rollout; returns it.
pub fn create(store: &Store, spec: &RolloutSpec) -> Result<Rollout> {
    if spec.stages.is_empty() {
        bail!("give at least one --stage");
    }
    if spec.success_threshold > 100 || spec.error_threshold > 100 {
        bail!("thresholds are percentages, 0 to 100");
    }
    let stages = spec
        .stages
        .iter()
        .map(|s| Stage::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!(e))?;
    let mut id = [0u8; 4];
    getrandom::fill(&mut id).map_err(|e| anyhow!("no randomness: {e}"))?;
    let rollout = Rollout {
        id: format!("ro-{}", hex::encode(id)),
        release: spec.release.clone(),
        stages,
        success_threshold: spec.success_threshold,
        error_threshold: spec.error_threshold,
        max_bytes_per_s: spec.max_bytes_per_s,
        state: RolloutState::Running,
        current_stage: 0,
        reason: None,
    };
    wait(|| store.rollout_create(&rollout))?;
    Ok(rollout)
}
