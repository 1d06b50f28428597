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
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_file_with_the_old_video_overrides_is_refused_naming_the_replacement() {
        let text = "[video]\nregistry_url = \"https://elsewhere.example\"\n";
        let err = Config::parse(text, Path::new("old.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("[video] registry_url is no longer read"),
            "{err}"
        );
        assert!(err.contains("enrolment"), "{err}");
    }

    #[test]
    fn the_documented_example_parses() {
        let text = include_str!("../../config/example.toml");
        let config = Config::parse(text, Path::new("example.toml")).expect("example is valid");
        assert_eq!(config.kiosk.idle_timeout(), Duration::from_secs(60));
        let gpio = config.gpio.expect("the example documents [gpio]");
        assert_eq!(gpio.kind, GpioKind::Simulator);
        assert!(gpio.driver.presence.is_some() && gpio.driver.light.is_some());
    }

    #[test]
    fn the_terminal_default_configuration_parses() {
        let text = include_str!("../../provisioning/deploy/terminal/config.toml");
        let config = Config::parse(text, Path::new("/etc/legal-kiosk/config.toml"))
            .expect("the packaged configuration is valid");
        assert!(config.kiosk.fullscreen);
        assert_eq!(config.printer.kind, PrinterKind::Device);
        assert_eq!(config.printer.driver.device, "/dev/legal-kiosk/printer");
        assert_eq!(config.data_dir(), Path::new("/var/lib/legal-kiosk"));
    }

    #[test]
    fn a_typo_in_a_key_is_reported_with_the_key() {
        let err = Config::parse("[kiosk]\nidle_timout_secs = 30\n", Path::new("k.toml"))
            .expect_err("unknown key");
        assert!(err.to_string().contains("idle_timout_secs"), "{err}");
    }

    #[test]
    fn a_real_printer_is_configured_through_the_driver_table() {
        let config = Config::parse(
            "[printer]\nkind = \"device\"\n[printer.driver]\ntransport = \"usb\"\ndevice = \"/dev/usb/lp0\"\npaper = \"58mm\"\n",
            Path::new("k.toml"),
        )
        .expect("valid");
        assert_eq!(config.printer.kind, PrinterKind::Device);
        assert_eq!(config.printer.driver.device, "/dev/usb/lp0");
    }

    #[test]
    fn video_calls_are_configured_in_their_own_section() {
        let config = Config::parse(
            "[video]\nanswer_timeout_secs = 90\n\
             [video.media]\ncamera = \"v4l2\"\ncamera_device = \"/dev/video2\"\ncodec = \"h264\"\n",
            Path::new("k.toml"),
        )
        .expect("valid");
        assert_eq!(config.video.answer_timeout_secs, 90);
        assert_eq!(config.video.media.camera, kiosk_video::Camera::V4l2);
        assert_eq!(config.video.media.codec, kiosk_video::Codec::H264);
        let err = Config::parse("[video.media]\nwidth = 641\n", Path::new("k.toml"))
            .expect_err("odd width");
        assert!(err.to_string().contains("video.width"), "{err}");
    }

    #[test]
    fn gpio_is_off_unless_configured_and_its_lines_are_checked() {
        let config = Config::parse("", Path::new("k.toml")).expect("empty is valid");
        assert!(config.gpio.is_none());
        let config = Config::parse(
            "[gpio]\n[gpio.driver.call_button]\nline = 27\nactive_low = true\n",
            Path::new("k.toml"),
        )
        .expect("valid");
        let gpio = config.gpio.expect("configured");
        assert_eq!(gpio.kind, GpioKind::Device);
        assert!(gpio.driver.call_button.is_some_and(|b| b.active_low));
        let err = Config::parse(
            "[gpio.driver.presence]\nline = 4\n[gpio.driver.light]\nline = 4\n",
            Path::new("k.toml"),
        )
        .expect_err("line 4 twice");
        assert!(err.to_string().contains("used twice"), "{err}");
    }

    #[test]
    fn a_screensaver_that_would_flicker_on_is_refused() {
        let err = Config::parse("[screensaver]\nafter_secs = 5\n", Path::new("k.toml"))
            .expect_err("too soon");
        assert!(err.to_string().contains("after_secs"), "{err}");
        let off = Config::parse("[screensaver]\nafter_secs = 0\n", Path::new("k.toml"))
            .expect("0 turns it off");
        assert_eq!(off.screensaver.after(), None);
    }

    #[test]
    fn the_maintenance_section_is_read_and_checked() {
        let config = Config::parse(
            "[maintenance]\ngesture = \"taps\"\ncorner = \"bottom-left\"\ntaps = 4\n",
            Path::new("k.toml"),
        )
        .expect("valid");
        assert_eq!(config.maintenance.taps, 4);
        let err = Config::parse(
            "[maintenance.initial_installer]\nname = \"安装员\"\npin_hash = \"482916\"\n",
            Path::new("k.toml"),
        )
        .expect_err("a PIN in clear is not a hash");
        assert!(err.to_string().contains("Argon2id"), "{err}");
    }

    #[test]
    fn an_unknown_language_is_refused() {
        let err = Config::parse("[kiosk]\nlanguage = \"fr\"\n", Path::new("k.toml"))
            .expect_err("unknown language");
        assert!(err.to_string().contains("zh_CN"), "{err}");
    }
}
