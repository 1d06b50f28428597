//! The terminal's own configuration: a TOML file given with `--config`, or defaults that run
//! the whole kiosk on one machine (simulated devices, SQLite under the data folder, no
//! registry). What the operations centre owns arrives as signed bundles, not here.

mod devices;
mod link;
mod queue;
pub mod queue_api;
mod terminal;
mod updates;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

pub use devices::{GpioKind, GpioSection, PrinterKind, PrinterSection, ReaderKind, ReaderSection};
pub use link::{RegistrySection, VIDEO_KEYS_REPLACED, VideoSection};
pub use queue::QueueConfig;
pub use terminal::{KioskConfig, ScreenSaverConfig, StaffCallConfig, StorageConfig};
pub use updates::UpdatesSection;

/// Errors reading the configuration file.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("configuration file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Everything the terminal reads from its TOML file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub kiosk: KioskConfig,
    pub storage: StorageConfig,
    pub printer: PrinterSection,
    /// The presence sensor, call-staff button and status light; absent = no GPIO.
    pub gpio: Option<GpioSection>,
    pub screensaver: ScreenSaverConfig,
    pub staff_call: StaffCallConfig,
    pub reader: ReaderSection,
    pub queue: QueueConfig,
    pub registry: RegistrySection,
    pub maintenance: crate::domain::maintenance::MaintenanceConfig,
    pub video: VideoSection,
    pub updates: UpdatesSection,
}

/// Languages the kiosk ships, by the folder names of the bundled translations.
pub const LANGUAGES: [&str; 3] = ["zh_CN", "ko_KR", "en"];

impl Config {
    /// Reads `path`, or returns the defaults when `path` is `None`.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        replaced_keys(text, path)?;
        let config: Self = toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source: Box::new(source),
        })?;
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if !LANGUAGES.contains(&self.kiosk.language.as_str()) {
            return Err(invalid(format!(
                "kiosk.language = {:?}: use one of {}",
                self.kiosk.language,
                LANGUAGES.join(", ")
            )));
        }
        if self.kiosk.idle_timeout_secs < 10 {
            return Err(invalid(
                "kiosk.idle_timeout_secs must be at least 10".into(),
            ));
        }
        if self.kiosk.idle_warning_secs >= self.kiosk.idle_timeout_secs {
            return Err(invalid(
                "kiosk.idle_warning_secs must be shorter than kiosk.idle_timeout_secs".into(),
            ));
        }
        if let Some(problem) = self.maintenance.problems().into_iter().next() {
            return Err(invalid(problem));
        }
        self.updates.quiet_window().map_err(invalid)?;
        if let Err(e) = self.queue.policy.validate() {
            return Err(invalid(format!("queue.policy: {e}")));
        }
        if let Some(problem) = queue_api::config_problems(&self.queue).into_iter().next() {
            return Err(invalid(problem));
        }
        let url = &self.kiosk.online_service_url;
        if url.len() > 500 || !url.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "kiosk.online_service_url must be a URL of printable ASCII (it is printed as a QR code)".into(),
            ));
        }
        if self.video.answer_timeout_secs < 10 {
            return Err(invalid(
                "video.answer_timeout_secs must be at least 10".into(),
            ));
        }
        if !(1..=120).contains(&self.video.reconnect_grace_secs) {
            return Err(invalid(
                "video.reconnect_grace_secs must be from 1 to 120".into(),
            ));
        }
        self.video.media.validate().map_err(invalid)?;
        if self.printer.status_poll_secs == 0 {
            return Err(invalid(
                "printer.status_poll_secs must be at least 1".into(),
            ));
        }
        if let Some(gpio) = &self.gpio {
            gpio.driver
                .validate()
                .map_err(|m| invalid(format!("[gpio.driver]: {m}")))?;
        }
        let saver = &self.screensaver;
        if saver.after_secs != 0 && saver.after_secs < 30 {
            return Err(invalid(
                "screensaver.after_secs must be 0 (never) or at least 30".into(),
            ));
        }
        if saver.attract_step_secs < 2 || saver.greeting_secs == 0 {
            return Err(invalid(
                "screensaver.attract_step_secs must be at least 2 and greeting_secs at least 1"
                    .into(),
            ));
        }
        if self.staff_call.expire_after_secs < 60 {
            return Err(invalid(
                "staff_call.expire_after_secs must be at least 60".into(),
            ));
        }
        Ok(())
    }

    /// The data folder: configured, else `/var/lib/legal-kiosk` when run by systemd as a
    /// service (`INVOCATION_ID` is set), else `$XDG_DATA_HOME/legal-kiosk`
    /// (`~/.local/share/legal-kiosk`).
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.storage.data_dir {
            return dir.clone();
        }
        if std::env::var_os("INVOCATION_ID").is_some() {
            return PathBuf::from("/var/lib/legal-kiosk");
        }
        let xdg = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(std::env::temp_dir);
        xdg.join("legal-kiosk")
    }
}

/// Refuses keys that are no longer read, naming what replaced them.
fn replaced_keys(text: &str, path: &Path) -> Result<(), ConfigError> {
    let Ok(value) = text.parse::<toml::Table>() else {
        // The full parse reports what is wrong with the file.
        return Ok(());
    };
    let Some(video) = value.get("video").and_then(|v| v.as_table()) else {
        return Ok(());
    };
    for (key, instead) in VIDEO_KEYS_REPLACED {
        if video.contains_key(*key) {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "[video] {key} is no longer read: video calls use {instead}; remove it"
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
