//! The terminal's one link to its registry: the address, the trust anchor, the terminal's
//! identity and what enrolment gave, resolved once from `[registry]` and the data folder.
//! The sync client and video calls both use it, so they can never disagree about which
//! registry this terminal belongs to.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use provisioning::client::Enrolment;
use provisioning::identity::DeviceIdentity;

use super::setup::SyncPaths;
use crate::config::Config;

#[derive(Clone)]
pub struct RegistryLink {
    /// The registry's base URL, as enrolment gave it.
    pub registry_url: String,
    /// PEM file of the registry's CA: the only authority trusted for it.
    pub ca_certificate: PathBuf,
    /// The terminal's key (made on first start, never sent).
    pub identity: Arc<DeviceIdentity>,
    pub enrolment: Enrolment,
}

impl std::fmt::Debug for RegistryLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryLink")
            .field("registry_url", &self.registry_url)
            .field("device_id", &self.enrolment.device_id)
            .finish_non_exhaustive()
    }
}

impl RegistryLink {
    /// The link of an enrolled terminal; `None` before enrolment.
    pub fn resolve(config: &Config, paths: &SyncPaths) -> Result<Option<Self>> {
        let Some(enrolment) = Enrolment::load(&paths.enrolment)
            .with_context(|| format!("cannot read {}", paths.enrolment.display()))?
        else {
            return Ok(None);
        };
        let ca_certificate = ca_certificate(config, paths)?;
        let identity = DeviceIdentity::load_or_create(&paths.device_key).with_context(|| {
            format!("cannot read the device key {}", paths.device_key.display())
        })?;
        Ok(Some(Self {
            registry_url: enrolment.registry_url.clone(),
            ca_certificate,
            identity: Arc::new(identity),
            enrolment,
        }))
    }
}

/// The registry's CA: the one the configuration names, else the one saved at enrolment.
pub fn ca_certificate(config: &Config, paths: &SyncPaths) -> Result<PathBuf> {
    match &config.registry.ca_certificate {
        Some(ca) => Ok(ca.clone()),
        None if paths.ca_certificate.exists() => Ok(paths.ca_certificate.clone()),
        None => bail!("no registry CA certificate: set registry.ca_certificate or enrol with --ca"),
    }
}
