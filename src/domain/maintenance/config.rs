//! The `[maintenance]` section of the configuration file: how staff get in, how wrong
//! PINs are punished, the initial installer, and where the menu looks for a USB stick and
//! the screen's backlight.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::gesture::{Corner, Gesture, GestureKind};
use super::lockout::LockoutPolicy;

/// `[maintenance]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MaintenanceConfig {
    /// `hold` (press and hold the corner) or `taps` (tap it several times quickly).
    pub gesture: GestureKind,
    /// The hidden corner of the home screen: top-left, top-right, bottom-left, bottom-right.
    pub corner: Corner,
    /// Seconds to hold the corner (`gesture = "hold"`).
    pub hold_secs: u64,
    /// Taps needed (`gesture = "taps"`), within `taps_within_secs`.
    pub taps: u32,
    pub taps_within_secs: u64,
    /// The menu closes itself after this many seconds without a touch.
    pub menu_idle_secs: u64,
    /// The PIN pad closes itself after this many seconds without a touch.
    pub pin_pad_idle_secs: u64,
    /// Wrong PINs in a row that lock the menu.
    pub max_failures: u32,
    /// Seconds the first lock lasts; each further lock (before a good login) doubles it,
    /// up to `lockout_max_secs`.
    pub lockout_secs: u64,
    pub lockout_max_secs: u64,
    /// Creates this installer account at start if the terminal has no account yet.
    pub initial_installer: Option<InitialInstaller>,
    /// Folders under which a mounted USB stick appears.
    pub usb_mount_roots: Vec<PathBuf>,
    /// The Linux backlight class folder; without a device in it, brightness is not offered.
    pub backlight_dir: PathBuf,
}

/// An installer account from configuration: a name and an Argon2id hash of the PIN (make it
/// with `legal-kiosk staff hash-pin`). Never a PIN in clear.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct InitialInstaller {
    pub name: String,
    pub pin_hash: String,
}

impl Default for MaintenanceConfig {
    fn default() -> Self {
        Self {
            gesture: GestureKind::Hold,
            corner: Corner::TopRight,
            hold_secs: 3,
            taps: 5,
            taps_within_secs: 3,
            menu_idle_secs: 120,
            pin_pad_idle_secs: 30,
            max_failures: 5,
            lockout_secs: 300,
            lockout_max_secs: 3600,
            initial_installer: None,
            usb_mount_roots: vec![PathBuf::from("/media"), PathBuf::from("/run/media")],
            backlight_dir: PathBuf::from("/sys/class/backlight"),
        }
    }
}

impl MaintenanceConfig {
    /// The gesture settings.
    pub fn gesture(&self) -> Gesture {
        Gesture {
            kind: self.gesture,
            hold: Duration::from_secs(self.hold_secs),
            taps: self.taps,
            taps_within: Duration::from_secs(self.taps_within_secs),
        }
    }

    /// The lockout policy.
    pub fn lockout(&self) -> LockoutPolicy {
        LockoutPolicy {
            max_failures: self.max_failures,
            lock: Duration::from_secs(self.lockout_secs),
            max_lock: Duration::from_secs(self.lockout_max_secs),
        }
    }

    /// What is wrong with these values, if anything (as `maintenance.key …` messages).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (key, value, range) in [
            ("hold_secs", self.hold_secs, 1..=30),
            ("taps", u64::from(self.taps), 2..=20),
            ("taps_within_secs", self.taps_within_secs, 1..=30),
            ("menu_idle_secs", self.menu_idle_secs, 10..=3600),
            ("pin_pad_idle_secs", self.pin_pad_idle_secs, 5..=600),
            ("max_failures", u64::from(self.max_failures), 1..=20),
        ] {
            if !range.contains(&value) {
                let (low, high) = range.into_inner();
                out.push(format!(
                    "maintenance.{key} must be between {low} and {high}"
                ));
            }
        }
        if self.lockout_secs < 10 {
            out.push("maintenance.lockout_secs must be at least 10".into());
        }
        if self.lockout_max_secs < self.lockout_secs {
            out.push("maintenance.lockout_max_secs must be at least lockout_secs".into());
        }
        if let Some(i) = &self.initial_installer {
            if let Err(e) = super::accounts::validate_name(&i.name) {
                out.push(format!("maintenance.initial_installer.name: {e}"));
            }
            if let Err(e) = super::pin_hash::check_stored_hash(&i.pin_hash) {
                out.push(format!("maintenance.initial_installer.pin_hash: {e}"));
            }
        }
        out
    }
}
