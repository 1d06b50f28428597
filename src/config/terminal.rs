//! The terminal's own behaviour: the citizen-facing defaults, where it keeps its data, the
//! screen-saver and calls for staff.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

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

impl StaffCallConfig {
    pub fn expire_after(&self) -> Duration {
        Duration::from_secs(self.expire_after_secs)
    }
}
