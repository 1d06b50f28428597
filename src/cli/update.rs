//! `legal-kiosk verify-release RELEASE.json PACKAGE.deb`: the update helper's check, run as
//! root on root's copy of an install request. Trusts only keys the kiosk user cannot change:
//! `registry.pinned_keys` of the configuration, or the enrolment's pinned-keys file when
//! root owns it and only root may write it.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use provisioning::bundle::PinnedKeys;
use provisioning::release::{PackageCheck, ReleaseVerifier, SignedRelease};

use crate::config::Config;
use crate::sync::SyncPaths;

#[derive(Debug, Args)]
pub struct VerifyReleaseArgs {
    /// The signed release (the poll answer's `update.release`), JSON.
    release: PathBuf,
    /// The downloaded package.
    package: PathBuf,
}

/// Keys the kiosk user cannot have replaced.
fn trusted_keys(config: &Config) -> Result<Vec<String>> {
    if !config.registry.pinned_keys.is_empty() {
        return Ok(config.registry.pinned_keys.clone());
    }
    let file = SyncPaths::in_data_dir(&config.data_dir()).pinned_keys;
    let meta = std::fs::metadata(&file)
        .with_context(|| format!("no registry.pinned_keys and no {}", file.display()))?;
    use std::os::unix::fs::MetadataExt as _;
    if meta.uid() != 0 || meta.mode() & 0o022 != 0 {
        bail!(
            "{} may be changed by others than root: put the pinned keys in registry.pinned_keys",
            file.display()
        );
    }
    Ok(std::fs::read_to_string(&file)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

pub fn verify_release(config_path: Option<&Path>, args: &VerifyReleaseArgs) -> Result<()> {
    let config = Config::load(config_path)?;
    let text = std::fs::read_to_string(&args.release)
        .with_context(|| format!("cannot read {}", args.release.display()))?;
    let release: SignedRelease = serde_json::from_str(&text).context("release is not valid")?;
    let verifier = ReleaseVerifier {
        pinned: PinnedKeys::from_base64(&trusted_keys(&config)?)?,
        package: env!("CARGO_PKG_NAME").to_string(),
        architecture: config.updates.architecture(),
        running: env!("CARGO_PKG_VERSION").to_string(),
        max_package_bytes: config.updates.max_package_bytes(),
    };
    let manifest = verifier.verify(&release)?;
    let mut check = PackageCheck::new(&manifest);
    let mut file = std::fs::File::open(&args.package)
        .with_context(|| format!("cannot read {}", args.package.display()))?;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        check.update(&buffer[..n])?;
    }
    check.finish()?;
    println!("{} {} verified", manifest.package, manifest.version);
    Ok(())
}
