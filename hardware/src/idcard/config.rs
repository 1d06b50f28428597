//! Reader settings, read from the firmware's TOML (`[idcard]` or wherever the firmware
//! nests it). Every field has a default, so an empty table works.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::command::{BAUD_RATES, CommandTimeouts};

/// How the poller tells that a card it has read is still on the reader. A real module
/// refuses to find a card again until it leaves the field (reference §6 item 2), so
/// presence is checked with a read that works on the selected card (§6 item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceProbe {
    /// 0x30 0x05, read card-body management number (Routon's serial loop).
    ManagementNumber,
    /// 0x30 0x03, read additional address (0x91 "no content" still means present).
    AdditionalAddress,
}

/// Settings for the reader driver and its polling thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReaderConfig {
    /// Serial device (or a stable symlink to it, e.g. under /dev/serial/by-id).
    pub device: PathBuf,
    /// UART rate; the module's default is 115200 (8N1 always).
    pub baud: u32,
    /// Time between find attempts while no card is on the reader.
    pub poll_interval_ms: u64,
    /// Time between presence checks while a read card stays on the reader.
    pub presence_interval_ms: u64,
    /// Consecutive failed presence checks before the card counts as removed.
    pub removal_confirmations: u32,
    /// Which command checks presence.
    pub presence_probe: PresenceProbe,
    /// Use the fingerprint variant of the read (0x30 0x10); fingerprints are discarded.
    pub read_fingerprint: bool,
    /// Consecutive unanswered commands before a "no answer" fault is reported.
    pub fault_after_timeouts: u32,
    /// Time between reopen / status attempts while the reader is faulted or missing.
    pub recovery_interval_ms: u64,
    /// Per-command answer timeouts.
    pub timeouts: CommandTimeouts,
    /// Searching other ports and rates when `device` does not answer.
    pub probe: ProbeConfig,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        Self {
            device: PathBuf::from("/dev/ttyUSB0"),
            baud: 115_200,
            poll_interval_ms: 300,
            presence_interval_ms: 300,
            removal_confirmations: 2,
            presence_probe: PresenceProbe::ManagementNumber,
            read_fingerprint: false,
            fault_after_timeouts: 3,
            recovery_interval_ms: 1000,
            timeouts: CommandTimeouts::default(),
            probe: ProbeConfig::default(),
        }
    }
}

impl ReaderConfig {
    /// Defaults with another device path.
    pub fn for_device(device: impl Into<PathBuf>) -> Self {
        Self {
            device: device.into(),
            ..Self::default()
        }
    }

    /// [`ReaderConfig::poll_interval_ms`] as a duration.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    /// [`ReaderConfig::presence_interval_ms`] as a duration.
    pub fn presence_interval(&self) -> Duration {
        Duration::from_millis(self.presence_interval_ms)
    }

    /// [`ReaderConfig::recovery_interval_ms`] as a duration.
    pub fn recovery_interval(&self) -> Duration {
        Duration::from_millis(self.recovery_interval_ms)
    }
}

/// Where to look for the reader when the configured device does not answer. Off by
/// default: probing writes a SAM-status frame to every listed port, so the printer's
/// port must be listed in `exclude`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProbeConfig {
    /// Whether to probe at all.
    pub enabled: bool,
    /// Candidate devices; an entry ending in `*` matches every file with that prefix.
    pub devices: Vec<String>,
    /// Rates to try, in order (the SDKs' order: 115200 first).
    pub bauds: Vec<u32>,
    /// Devices never to touch (e.g. the printer), compared after resolving links.
    pub exclude: Vec<PathBuf>,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            devices: vec![
                "/dev/ttyUSB*".into(),
                "/dev/ttyACM*".into(),
                "/dev/serial0".into(),
                "/dev/ttyAMA0".into(),
            ],
            bauds: BAUD_RATES.to_vec(),
            exclude: Vec::new(),
        }
    }
}
