//! What the maintenance menu changes for citizens: out of service with a notice (also set
//! by the operations centre), the default language, large text and idle timeout, and the
//! screen's brightness. Stored settings are applied at start.

use std::time::Duration;

use slint::ComponentHandle;

use super::{MaintenanceController, Need, task};
use crate::config::KioskConfig;
use crate::domain::maintenance::audit::action;
use crate::domain::maintenance::settings::{
    CitizenDefaults, CitizenSetting, ServiceState, SettingsError,
};
use crate::i18n::Lang;
use crate::services::settings::ChangeError;
use crate::ui::shell::{IdleTiming, Shell};
use crate::ui::{ActionState, Kiosk, Maintenance, Page};

/// Applies citizen defaults set by staff over those of the configuration file; they take
/// effect when the next citizen starts (at once on a resting home screen).
pub fn apply_defaults(shell: &Shell, kiosk: &KioskConfig, defaults: &CitizenDefaults) {
    let (lang, large_text) = {
        let session = shell.session();
        (
            defaults.language.unwrap_or(session.default_lang()),
            defaults.large_text.unwrap_or(session.default_large_text()),
        )
    };
    shell.set_defaults(lang, large_text);
    if let Some(secs) = defaults.idle_timeout_secs {
        let warning = kiosk.idle_warning_secs.min(secs / 2);
        shell.set_idle_timing(IdleTiming {
            warn_after: Duration::from_secs(secs - warning),
            warn_for: Duration::from_secs(warning),
        });
    }
    // Nobody is using the kiosk: the home screen shows the new defaults now.
    if shell.page() == Page::Home && !shell.session().has_identity() {
        shell.end_session();
    }
}

impl MaintenanceController {
    /// At start: the configured initial installer, the stored service state and defaults.
    pub(super) fn load_at_start(&self) {
        let post = self.post_ui_always();
        self.deps
            .settings
            .load_at_start(self.deps.staff.config().clone(), move |stored| {
                if let Ok(stored) = stored {
                    post(task(move |this, _| {
                        apply_defaults(&this.shell, &this.deps.kiosk, &stored.defaults)
                    }));
                }
            });
    }

    /// Loads the kiosk page's values.
    pub(super) fn load_kiosk_page(&self) {
        let Some(app) = self.app() else {
            return;
        };
        let m = app.global::<Maintenance>();
        m.set_service_state(ActionState::Idle);
        m.set_notice_too_long(false);
        let kiosk = app.global::<Kiosk>();
        m.set_out_of_service(kiosk.get_out_of_service());
        m.set_notice(kiosk.get_service_notice());
        {
            let session = self.shell.session();
            m.set_default_language(session.default_lang().code().into());
            m.set_large_text_default(session.default_large_text());
        }
        let (post, fallback) = (self.post_ui(), self.deps.kiosk.idle_timeout_secs);
        self.deps
            .settings
            .citizen_defaults(move |defaults| match defaults {
                Ok(d) => post(task(move |_, app| {
                    app.global::<Maintenance>().set_idle_timeout_secs(
                        i32::try_from(d.idle_timeout_secs.unwrap_or(fallback)).unwrap_or(60),
                    );
                })),
                Err(e) => tracing::error!("cannot read the kiosk settings: {e}"),
            });
        if self.deps.staff.has_backlight() {
            let post = self.post_ui();
            self.deps.staff.brightness(move |percent| {
                post(task(move |_, app| {
                    app.global::<Maintenance>()
                        .set_brightness(brightness(percent));
                }));
            });
        } else {
            m.set_brightness(-1);
        }
    }

    pub(super) fn set_out_of_service(&self, out: bool, notice: String) {
        let Some(session) = self.require(Need::AnyStaff, action::KIOSK_SERVICE_STATE) else {
            return;
        };
        let state = ServiceState {
            out_of_service: out,
            notice,
        };
        // Applied to the home screen (through the event bus) even if the menu closes meanwhile.
        let post = self.post_ui_always();
        self.deps
            .settings
            .set_service_state(state, session.actor(), move |stored, result| {
                post(task(move |_, app| {
                    let m = app.global::<Maintenance>();
                    m.set_notice_too_long(matches!(
                        result,
                        Err(ChangeError::Refused(SettingsError::NoticeTooLong))
                    ));
                    m.set_service_state(if result.is_ok() {
                        ActionState::Done
                    } else {
                        ActionState::Refused
                    });
                    m.set_out_of_service(stored.out_of_service);
                    m.set_notice(stored.notice.into());
                }));
            });
    }

    pub(super) fn set_citizen_default(&self, setting: CitizenSetting) {
        let Some(session) = self.require(Need::Installer, action::KIOSK_SETTING) else {
            return;
        };
        let post = self.post_ui_always();
        self.deps
            .settings
            .set_citizen_default(setting, session.actor(), move |result| {
                let defaults = match result {
                    Ok(defaults) => defaults,
                    Err(e) => {
                        tracing::warn!("a kiosk setting was refused: {e}");
                        return;
                    }
                };
                post(task(move |this, app| {
                    apply_defaults(&this.shell, &this.deps.kiosk, &defaults);
                    let m = app.global::<Maintenance>();
                    let session = this.shell.session();
                    m.set_default_language(session.default_lang().code().into());
                    m.set_large_text_default(session.default_large_text());
                    if let Some(secs) = defaults.idle_timeout_secs {
                        m.set_idle_timeout_secs(i32::try_from(secs).unwrap_or(60));
                    }
                }));
            });
    }

    pub(super) fn set_default_language(&self, code: &str) {
        if let Some(lang) = Lang::from_code(code) {
            self.set_citizen_default(CitizenSetting::Language(lang));
        }
    }

    pub(super) fn change_brightness(&self, delta: i32) {
        let Some(session) = self.require(Need::Installer, action::KIOSK_BRIGHTNESS) else {
            return;
        };
        let Some(app) = self.app() else {
            return;
        };
        if !self.deps.staff.has_backlight() {
            return;
        }
        let now = app.global::<Maintenance>().get_brightness().max(10);
        let wanted = u32::try_from((now + delta).clamp(10, 100)).unwrap_or(100);
        let post = self.post_ui();
        self.deps
            .staff
            .set_brightness(wanted, session.actor(), move |percent| {
                post(task(move |_, app| {
                    app.global::<Maintenance>()
                        .set_brightness(brightness(percent));
                }));
            });
    }
}

/// The page's brightness value: a percentage, or -1 when unknown.
fn brightness(percent: Option<u32>) -> i32 {
    percent.map_or(-1, |p| i32::try_from(p).unwrap_or(100))
}
