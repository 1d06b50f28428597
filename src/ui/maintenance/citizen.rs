//! What the maintenance menu changes for citizens: out of service with a notice (also set
//! by the operations centre), the default language, large text and idle timeout, and the
//! screen's brightness. Stored settings are applied at start.

use std::time::Duration;

use slint::ComponentHandle;

use super::{MaintenanceController, Need, task};
use crate::domain::maintenance::audit::{self, Outcome, action};
use crate::domain::maintenance::settings::{
    self, CitizenDefaults, CitizenSetting, ServiceState, SettingsError,
};
use crate::i18n::Lang;
use crate::ui::controller::KioskController;
use crate::ui::poster::{Poster, UiRef};
use crate::ui::{ActionState, Kiosk, Maintenance};

impl KioskController {
    /// Shows (or lifts) the out-of-service screen on the home page.
    pub fn show_service_state(&self, state: &ServiceState) {
        if let Some(app) = self.app.upgrade() {
            let kiosk = app.global::<Kiosk>();
            kiosk.set_out_of_service(state.out_of_service);
            kiosk.set_service_notice(state.notice.clone().into());
        }
        for listener in self.service_listeners.borrow().iter() {
            listener(state.out_of_service);
        }
    }

    /// Calls `f` with every change of service state (out of service or back).
    pub fn on_service_state(&self, f: impl Fn(bool) + 'static) {
        self.service_listeners.borrow_mut().push(Box::new(f));
    }

    /// Applies citizen defaults set by staff over those of the configuration file; they
    /// take effect when the next citizen starts.
    pub fn apply_citizen_defaults(&self, defaults: &CitizenDefaults) {
        if let Some(lang) = defaults.language {
            self.default_lang.set(lang);
        }
        if let Some(large) = defaults.large_text {
            self.default_large_text.set(large);
        }
        if let Some(secs) = defaults.idle_timeout_secs {
            let warning = self.deps.kiosk.idle_warning_secs.min(secs / 2);
            self.idle.set_timing(
                Duration::from_secs(secs - warning),
                Duration::from_secs(warning),
            );
        }
    }

    /// Something the sync client can call from its thread after it stored a lock or unlock
    /// command (`maintenance::settings::set_service_state` with `Actor::OperationsCentre`).
    pub fn service_state_updater(&self) -> ServiceStateUpdater {
        ServiceStateUpdater {
            ui: self.ui_ref(),
            poster: self.deps.poster.clone(),
        }
    }
}

/// Shows a new service state on the home screen, from any thread.
#[derive(Clone)]
pub struct ServiceStateUpdater {
    ui: UiRef<KioskController>,
    poster: Poster,
}

impl ServiceStateUpdater {
    /// Shows `state` on the home screen (posted to the UI thread).
    pub fn show(&self, state: ServiceState) {
        self.poster.post_to(&self.ui, move |controller| {
            controller.show_service_state(&state)
        });
    }
}

impl MaintenanceController {
    /// At start: the configured initial installer, the stored service state and defaults.
    pub(super) fn load_at_start(&self) {
        let (config, now, post) = (
            self.deps.config.clone(),
            self.deps.clock.now(),
            self.post_ui_always(),
        );
        self.deps.worker.submit(move |store| {
            if let Err(e) =
                crate::domain::maintenance::ensure_initial_installer(store.conn(), &config, now)
            {
                tracing::error!("cannot create the configured installer account: {e}");
            }
            let state = settings::service_state(store.conn());
            let defaults = settings::citizen_defaults(store.conn());
            match (state, defaults) {
                (Ok(state), Ok(defaults)) => post(task(move |this, _| {
                    this.kiosk.apply_citizen_defaults(&defaults);
                    this.kiosk.show_service_state(&state);
                    this.kiosk.go_home_if_at_rest();
                })),
                (Err(e), _) | (_, Err(e)) => tracing::error!("cannot read the kiosk settings: {e}"),
            }
        });
    }

    /// Loads the kiosk page's values.
    pub(super) fn load_kiosk_page(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let m = app.global::<Maintenance>();
        m.set_service_state(ActionState::Idle);
        m.set_notice_too_long(false);
        let kiosk = app.global::<Kiosk>();
        m.set_out_of_service(kiosk.get_out_of_service());
        m.set_notice(kiosk.get_service_notice());
        m.set_default_language(self.kiosk.default_lang.get().code().into());
        m.set_large_text_default(self.kiosk.default_large_text.get());
        let defaults = {
            let post = self.post_ui();
            move |d: CitizenDefaults, fallback: u64| {
                post(task(move |_, app| {
                    app.global::<Maintenance>().set_idle_timeout_secs(
                        i32::try_from(d.idle_timeout_secs.unwrap_or(fallback)).unwrap_or(60),
                    );
                }));
            }
        };
        let fallback = self.deps.kiosk.idle_timeout_secs;
        self.deps.worker.submit(
            move |store| match settings::citizen_defaults(store.conn()) {
                Ok(d) => defaults(d, fallback),
                Err(e) => tracing::error!("cannot read the kiosk settings: {e}"),
            },
        );
        match &self.backlight {
            Some(backlight) => {
                let (backlight, post) = (backlight.clone(), self.post_ui());
                self.background.submit(move || {
                    let percent = backlight.percent().map_or(-1, |p| p as i32);
                    post(task(move |_, app| {
                        app.global::<Maintenance>().set_brightness(percent);
                    }));
                });
            }
            None => m.set_brightness(-1),
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
        // Applied to the home screen even if the menu closes meanwhile.
        let (post, actor, now) = (
            self.post_ui_always(),
            session.actor(),
            self.deps.clock.now(),
        );
        self.deps.worker.submit(move |store| {
            let result = settings::set_service_state(store.conn(), &state, &actor, now);
            if let Err(e) = &result {
                audit::record_alone(
                    store.conn(),
                    &actor,
                    action::KIOSK_SERVICE_STATE,
                    Outcome::Refused,
                    serde_json::json!({ "reason": e.to_string() }),
                    now,
                );
            }
            let stored = settings::service_state(store.conn()).unwrap_or_default();
            post(task(move |this, app| {
                let m = app.global::<Maintenance>();
                m.set_notice_too_long(matches!(result, Err(SettingsError::NoticeTooLong)));
                m.set_service_state(if result.is_ok() {
                    ActionState::Done
                } else {
                    ActionState::Refused
                });
                m.set_out_of_service(stored.out_of_service);
                m.set_notice(stored.notice.clone().into());
                this.kiosk.show_service_state(&stored);
            }));
        });
    }

    pub(super) fn set_citizen_default(&self, setting: CitizenSetting) {
        let Some(session) = self.require(Need::Installer, action::KIOSK_SETTING) else {
            return;
        };
        let (post, actor, now) = (
            self.post_ui_always(),
            session.actor(),
            self.deps.clock.now(),
        );
        self.deps.worker.submit(move |store| {
            if let Err(e) = settings::set_citizen_default(store.conn(), setting, &actor, now) {
                tracing::warn!("a kiosk setting was refused: {e}");
                return;
            }
            let defaults = settings::citizen_defaults(store.conn()).unwrap_or_default();
            post(task(move |this, app| {
                this.kiosk.apply_citizen_defaults(&defaults);
                // The menu may have closed meanwhile: the home screen shows the new default.
                this.kiosk.go_home_if_at_rest();
                let m = app.global::<Maintenance>();
                m.set_default_language(this.kiosk.default_lang.get().code().into());
                m.set_large_text_default(this.kiosk.default_large_text.get());
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
        let Some(backlight) = self.backlight.clone() else {
            return;
        };
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let now = app.global::<Maintenance>().get_brightness().max(10);
        let wanted = u32::try_from((now + delta).clamp(10, 100)).unwrap_or(100);
        let (post, worker, actor, at) = (
            self.post_ui(),
            self.deps.worker.clone(),
            session.actor(),
            self.deps.clock.now(),
        );
        self.background.submit(move || {
            let result = backlight.set_percent(wanted);
            let (outcome, percent) = match &result {
                Ok(p) => (Outcome::Ok, *p as i32),
                Err(e) => {
                    tracing::error!("cannot set the screen brightness: {e}");
                    (
                        Outcome::Failed,
                        backlight.percent().map_or(-1, |p| p as i32),
                    )
                }
            };
            worker.submit(move |store| {
                audit::record_alone(
                    store.conn(),
                    &actor,
                    action::KIOSK_BRIGHTNESS,
                    outcome,
                    serde_json::json!({ "percent": wanted }),
                    at,
                );
            });
            post(task(move |_, app| {
                app.global::<Maintenance>().set_brightness(percent);
            }));
        });
    }
}

impl KioskController {
    /// Re-shows the home screen with the current defaults if nobody is using the kiosk.
    pub(super) fn go_home_if_at_rest(&self) {
        let at_home = self
            .app
            .upgrade()
            .is_some_and(|app| app.global::<crate::ui::Nav>().get_page() == crate::ui::Page::Home);
        if at_home {
            self.go_home();
        }
    }
}
