//! The terminal's settings that staff or the operations centre change: out of service with
//! its notice, the home screen's notice, and the citizen defaults (language, large text,
//! idle timeout). Each change is stored and audited in one transaction; the terminal hears
//! of it on the event bus (the home screen, the status light), whoever made it.

use super::{ServiceError, StoreAccess};
use crate::domain::maintenance::audit::{self, Actor, Outcome, action};
use crate::domain::maintenance::settings::{
    self, CitizenDefaults, CitizenSetting, HomeNotice, ServiceState, SettingsError,
};
use crate::domain::maintenance::{MaintenanceConfig, ensure_initial_installer};
use crate::events::{Events, KioskEvent};

#[derive(Clone)]
pub struct SettingsService {
    store: StoreAccess,
    events: Events,
}

/// The settings in force at start.
#[derive(Debug, Clone, Default)]
pub struct StoredSettings {
    pub service: ServiceState,
    pub defaults: CitizenDefaults,
    pub notice: HomeNotice,
}

/// Why a setting was not changed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Refused(#[from] SettingsError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<rusqlite::Error> for ChangeError {
    fn from(e: rusqlite::Error) -> Self {
        ChangeError::Service(e.into())
    }
}

impl SettingsService {
    pub fn new(store: StoreAccess, events: Events) -> Self {
        Self { store, events }
    }

    /// At start: the configured initial installer (when there is no account), then the
    /// stored settings, announced so that the screen and the light show them.
    pub fn load_at_start(
        &self,
        config: MaintenanceConfig,
        reply: impl FnOnce(Result<StoredSettings, ServiceError>) + Send + 'static,
    ) {
        let events = self.events.clone();
        self.store.run(
            move |store, now| {
                if let Err(e) = ensure_initial_installer(store.conn(), &config, now) {
                    tracing::error!("cannot create the configured installer account: {e}");
                }
                Ok(StoredSettings {
                    service: settings::service_state(store.conn())?,
                    defaults: settings::citizen_defaults(store.conn())?,
                    notice: settings::home_notice(store.conn())?,
                })
            },
            move |result: Result<StoredSettings, ServiceError>| {
                match &result {
                    Ok(stored) => {
                        events.publish(KioskEvent::ServiceState(stored.service.clone()));
                        events.publish(KioskEvent::HomeNotice(stored.notice.clone()));
                    }
                    Err(e) => tracing::error!("cannot read the kiosk settings: {e}"),
                }
                reply(result);
            },
        );
    }

    /// Takes the terminal out of service (or back), with its notice. Replies with the
    /// state now stored (the old one when the change was refused) and what refused it.
    pub fn set_service_state(
        &self,
        state: ServiceState,
        actor: Actor,
        reply: impl FnOnce(ServiceState, Result<(), ChangeError>) + Send + 'static,
    ) {
        let events = self.events.clone();
        self.store.run(
            move |store, now| {
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
                Ok::<_, ServiceError>((stored, result.map_err(ChangeError::from)))
            },
            move |result| match result {
                Ok((stored, result)) => {
                    if result.is_ok() {
                        events.publish(KioskEvent::ServiceState(stored.clone()));
                    }
                    reply(stored, result);
                }
                Err(e) => reply(ServiceState::default(), Err(e.into())),
            },
        );
    }

    /// Shows (or clears, with an empty text) the operations centre's home-screen notice.
    pub fn set_home_notice(
        &self,
        notice: HomeNotice,
        actor: Actor,
        reply: impl FnOnce(Result<(), ChangeError>) + Send + 'static,
    ) {
        let events = self.events.clone();
        let shown = notice.clone();
        self.store.run(
            move |store, now| {
                Ok(settings::set_home_notice(
                    store.conn(),
                    &notice,
                    &actor,
                    now,
                )?)
            },
            move |result| {
                if result.is_ok() {
                    events.publish(KioskEvent::HomeNotice(shown));
                }
                reply(result);
            },
        );
    }

    /// The citizen defaults staff set (over those of the configuration file).
    pub fn citizen_defaults(
        &self,
        reply: impl FnOnce(Result<CitizenDefaults, ServiceError>) + Send + 'static,
    ) {
        self.store.run(
            |store, _| Ok(settings::citizen_defaults(store.conn())?),
            reply,
        );
    }

    /// Changes one citizen default; replies with all of them as now stored.
    pub fn set_citizen_default(
        &self,
        setting: CitizenSetting,
        actor: Actor,
        reply: impl FnOnce(Result<CitizenDefaults, ChangeError>) + Send + 'static,
    ) {
        self.store.run(
            move |store, now| {
                settings::set_citizen_default(store.conn(), setting, &actor, now)?;
                Ok(settings::citizen_defaults(store.conn())?)
            },
            reply,
        );
    }
}
