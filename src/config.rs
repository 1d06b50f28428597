//! The terminal's own configuration: a TOML file given with `--config`, or defaults that run
//! the whole kiosk on one machine (simulated devices, SQLite under the data folder, no
//! registry). What the operations centre owns arrives as signed bundles, not here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hardware::gpio::GpioConfig;
use hardware::idcard::ReaderConfig;
use hardware::printer::PrinterConfig;
use serde::Deserialize;
use thiserror::Error;

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
}

/// The citizen-facing behaviour of the terminal.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KioskConfig {
    /// Shown on the home screen and printed on tickets.
    pub centre_name: String,
    /// Language the kiosk starts in and returns to after each citizen: zh_CN, ko_KR or en.
    pub language: String,
    /// Seconds without a touch before the kiosk returns home and forgets the session.
    pub idle_timeout_secs: u64,
    /// Seconds before that moment when the kiosk asks 还在吗？ with a big 继续 button.
    pub idle_warning_secs: u64,
    /// The ticket QR code holds this URL followed by the ticket's random token.
    pub ticket_url_base: String,
    /// The online public legal service (the province's 12348 site) that guidance slips link
    /// to with a QR code; empty for no QR.
    pub online_service_url: String,
    /// Open in a full-screen window (the terminal) rather than a desktop window.
    pub fullscreen: bool,
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self {
            centre_name: "公共法律服务中心".into(),
            language: "zh_CN".into(),
            idle_timeout_secs: 60,
            idle_warning_secs: 15,
            ticket_url_base: "http://127.0.0.1:8080/t/".into(),
            online_service_url: "https://www.12348.gov.cn/".into(),
            fullscreen: false,
        }
    }
}

impl KioskConfig {
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs)
    }

    /// How long after the last touch the 还在吗？ question appears.
    pub fn idle_warning_after(&self) -> Duration {
        Duration::from_secs(
            self.idle_timeout_secs
                .saturating_sub(self.idle_warning_secs),
        )
    }
}

/// Where the terminal keeps its database and simulator devices.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Defaults to `$XDG_DATA_HOME/legal-kiosk`, or `/var/lib/legal-kiosk` under systemd.
    pub data_dir: Option<PathBuf>,
}

/// Which printer prints the tickets.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrinterSection {
    /// `simulator` (a simulated ESC/POS printer on a pseudo-terminal that shows each ticket
    /// on the console; the default), `device` (a real printer, see `[printer.driver]`) or
    /// `none` (tickets on screen only).
    pub kind: PrinterKind,
    /// Seconds between status checks while the printer is idle, so that a refilled or
    /// replugged printer is noticed without a ticket being wasted.
    pub status_poll_secs: u64,
    /// The driver's settings: transport, device, baud, flow control, paper width, blind mode,
    /// timeouts. For the simulator only `paper` matters.
    pub driver: PrinterConfig,
}

impl Default for PrinterSection {
    fn default() -> Self {
        Self {
            kind: PrinterKind::Simulator,
            status_poll_secs: 30,
            driver: PrinterConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PrinterKind {
    Simulator,
    Device,
    None,
}

/// The GPIO board: the kernel's lines, or a simulated board for the desktop.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GpioSection {
    /// `device` (the GPIO character device; the default) or `simulator` (a simulated board
    /// driven through the FIFO `<data>/devices/gpio`: `echo presence|away|call > …`).
    pub kind: GpioKind,
    /// Which lines, their polarity and the debounce period: see `[gpio.driver]` in
    /// config/example.toml.
    pub driver: GpioConfig,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GpioKind {
    #[default]
    Device,
    Simulator,
}

/// The screen-saver and the greeting of someone who walks up.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ScreenSaverConfig {
    /// Seconds of quiet on the home screen before the screen goes dark with the slow
    /// attract loop; 0 = never.
    pub after_secs: u64,
    /// Seconds each attract message stays before the next one, somewhere else on screen.
    pub attract_step_secs: u64,
    /// Seconds the home screen greets someone the presence sensor saw arrive.
    pub greeting_secs: u64,
}

impl Default for ScreenSaverConfig {
    fn default() -> Self {
        Self {
            after_secs: 300,
            attract_step_secs: 8,
            greeting_secs: 10,
        }
    }
}

impl ScreenSaverConfig {
    /// The quiet spell before the screen-saver, or `None` when it is off.
    pub fn after(&self) -> Option<Duration> {
        (self.after_secs > 0).then(|| Duration::from_secs(self.after_secs))
    }

    pub fn attract_step(&self) -> Duration {
        Duration::from_secs(self.attract_step_secs)
    }

    pub fn greeting(&self) -> Duration {
        Duration::from_secs(self.greeting_secs)
    }
}

/// Calls for staff (呼叫工作人员 and the call-staff button).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaffCallConfig {
    /// Seconds after which an unanswered call ends by itself (the outbox records that).
    pub expire_after_secs: u64,
}

impl Default for StaffCallConfig {
    fn default() -> Self {
        Self {
            expire_after_secs: 900,
        }
    }
}

/// The ID-card reader.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReaderSection {
    /// `simulator` (a simulated reader with sample cards, placed from the console; the
    /// default), `device` (a real reader, see `[reader.driver]`) or `none`.
    pub kind: ReaderKind,
    /// The driver's settings: device, baud, polling interval, timeouts, port probing.
    pub driver: ReaderConfig,
}

impl Default for ReaderSection {
    fn default() -> Self {
        Self {
            kind: ReaderKind::Simulator,
            driver: ReaderConfig::default(),
        }
    }
}

impl StaffCallConfig {
    pub fn expire_after(&self) -> Duration {
        Duration::from_secs(self.expire_after_secs)
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ReaderKind {
    Simulator,
    Device,
    None,
}

/// Queue rules the terminal applies until the operations centre's policy arrives.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// A citizen who identified with their ID card gets one active ticket per service per
    /// day; asking again shows the ticket they hold.
    pub one_ticket_per_person: bool,
    /// Age from which the card's holder counts as elderly (priority group).
    pub priority_age: u32,
    /// The local API, counter and hall pages (`[queue.server]`).
    pub server: crate::queue_api::ServerConfig,
    /// Counters, priorities and recalls until a `settings` bundle brings `queue-policy.toml`
    /// (`[queue.policy]`, same keys as that file).
    pub policy: crate::domain::queue::Policy,
    /// Makes this terminal a client of another terminal's queue (`[queue.host]`).
    pub host: Option<crate::queue_api::HostConfig>,
    /// Client terminals this terminal hosts the queue for (`[queue.clients]`).
    pub clients: crate::queue_api::ClientsConfig,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            one_ticket_per_person: true,
            priority_age: 60,
            server: Default::default(),
            policy: Default::default(),
            host: None,
            clients: Default::default(),
        }
    }
}

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
    /// Largest bundle accepted, in bytes (default 16 MiB).
    pub max_bundle_bytes: Option<u64>,
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
    /// enrolled with a registry).
    pub enabled: bool,
    /// The registry's base URL (`https://host:port`); default: the enrolment's.
    pub registry_url: Option<String>,
    /// PEM file with the registry's CA certificate (the only trust anchor); default:
    /// `[registry] ca_certificate`, else the CA saved at enrolment.
    pub ca_certificate: Option<PathBuf>,
    /// The terminal's device key (default: the sync link's, `keys/device.key`).
    pub device_key: Option<PathBuf>,
    /// The enrolment saved by `legal-kiosk enroll` (default: `registry/enrolment.json` in
    /// the data folder).
    pub enrolment_file: Option<PathBuf>,
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
            registry_url: None,
            ca_certificate: None,
            device_key: None,
            enrolment_file: None,
            answer_timeout_secs: 180,
            reconnect_grace_secs: 10,
            media: kiosk_video::MediaConfig::default(),
        }
    }
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
        if let Err(e) = self.queue.policy.validate() {
            return Err(invalid(format!("queue.policy: {e}")));
        }
        if let Some(problem) = crate::queue_api::config_problems(&self.queue)
            .into_iter()
            .next()
        {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses() {
        let text = include_str!("../config/example.toml");
        let config = Config::parse(text, Path::new("example.toml")).expect("example is valid");
        assert_eq!(config.kiosk.idle_timeout(), Duration::from_secs(60));
        let gpio = config.gpio.expect("the example documents [gpio]");
        assert_eq!(gpio.kind, GpioKind::Simulator);
        assert!(gpio.driver.presence.is_some() && gpio.driver.light.is_some());
    }

    #[test]
    fn the_terminal_default_configuration_parses() {
        let text = include_str!("../provisioning/deploy/terminal/config.toml");
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
            "[video]\nregistry_url = \"https://registry.example:8443\"\nanswer_timeout_secs = 90\n\
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
