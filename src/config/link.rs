//! The link to the operations centre: the registry, and video calls with its lawyers.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// The operations centre's registry. Without `url` the terminal works alone and its outbox
/// waits.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrySection {
    /// e.g. `https://registry.example:8443`; enrolment may also set it.
    pub url: Option<String>,
    /// PEM file of the registry's CA, the only certificate authority trusted for it.
    pub ca_certificate: Option<PathBuf>,
    /// One or two base64 Ed25519 public keys whose signatures bundles and commands must
    /// carry (two during a key rotation).
    pub pinned_keys: Vec<String>,
    /// One or two base64 Ed25519 public keys trusted for commands only: the registry's
    /// command key (`kiosk-registry keys command-key`), which lets the operations console
    /// send commands without the offline bundle-signing key. Bundles never accept it.
    pub command_keys: Vec<String>,
    /// Largest bundle accepted, in bytes (default 16 MiB).
    pub max_bundle_bytes: Option<u64>,
    /// Largest offline map (MBTiles) accepted, in bytes (default 512 MiB): maps arrive apart
    /// from bundles, in chunks with resume, under this cap of their own.
    pub max_map_bytes: Option<u64>,
    /// An enrolled terminal that has not reached the registry for this long asks for staff
    /// on its status light (default 30 minutes).
    pub offline_alert_secs: Option<u64>,
}

impl RegistrySection {
    pub fn offline_alert(&self) -> Duration {
        Duration::from_secs(self.offline_alert_secs.unwrap_or(1800).max(60))
    }
}

/// Video calls with a lawyer at the operations centre.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VideoSection {
    /// Offer video calls (when the start-up check of GStreamer passes and the terminal is
    /// enrolled with a registry: calls go to the terminal's own registry link).
    pub enabled: bool,
    /// Seconds to wait for a lawyer before offering a ticket, an appointment or 12348.
    pub answer_timeout_secs: u64,
    /// Seconds a dropped connection may take to come back before the call ends.
    pub reconnect_grace_secs: u64,
    /// Camera, microphone, speaker, codec and picture sizes.
    pub media: kiosk_video::MediaConfig,
}

impl Default for VideoSection {
    fn default() -> Self {
        Self {
            enabled: true,
            answer_timeout_secs: 180,
            reconnect_grace_secs: 10,
            media: kiosk_video::MediaConfig::default(),
        }
    }
}

/// Keys `[video]` no longer reads, with what replaced them: a file that still has them is
/// refused with this message rather than silently calling elsewhere.
pub const VIDEO_KEYS_REPLACED: &[(&str, &str)] = &[
    (
        "registry_url",
        "the registry of the terminal's enrolment ([registry] and `legal-kiosk enroll`)",
    ),
    (
        "ca_certificate",
        "[registry] ca_certificate (or the CA saved at enrolment)",
    ),
    (
        "device_key",
        "the terminal's own key (keys/device.key in the data folder)",
    ),
    (
        "enrolment_file",
        "the terminal's enrolment (registry/enrolment.json in the data folder)",
    ),
];
