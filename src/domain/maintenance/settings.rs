//! Settings staff change on the terminal, kept in the store (they override the
//! configuration file and survive restarts): whether the kiosk is out of service and the
//! notice the home screen shows then, and the citizen defaults (language, large text, idle
//! timeout). The operations centre's lock command sets the same out-of-service state.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::audit::{self, Actor, Outcome, action};
use crate::i18n::Lang;

/// The longest out-of-service notice, in characters.
pub const MAX_NOTICE_CHARS: usize = 200;
/// The idle timeouts staff may choose, in seconds.
pub const IDLE_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 30..=600;

/// Why a setting was refused.
#[derive(Debug, Error)]
pub enum SettingsError {
    #[error("the notice is too long: at most {MAX_NOTICE_CHARS} characters")]
    NoticeTooLong,
    #[error("the notice contains control characters")]
    NoticeControl,
    #[error("the idle timeout must be between {} and {} seconds", IDLE_TIMEOUT_RANGE.start(), IDLE_TIMEOUT_RANGE.end())]
    IdleTimeout,
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// Whether citizens are served, and what the home screen says when they are not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceState {
    pub out_of_service: bool,
    /// Shown on the home screen under the out-of-service message; may be empty.
    pub notice: String,
}

const SERVICE_STATE: &str = "service_state";
const DEFAULT_LANGUAGE: &str = "default_language";
const LARGE_TEXT_DEFAULT: &str = "large_text_default";
const IDLE_TIMEOUT_SECS: &str = "idle_timeout_secs";
const HOME_NOTICE: &str = "home_notice";

/// A notice the operations centre shows on the home screen while in service.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct HomeNotice {
    pub text: String,
    /// After this the notice disappears (none: until replaced).
    pub until: Option<DateTime<FixedOffset>>,
}

impl HomeNotice {
    /// The text to show at `now` (empty once expired).
    pub fn text_at(&self, now: DateTime<FixedOffset>) -> &str {
        match self.until {
            Some(until) if now >= until => "",
            _ => &self.text,
        }
    }
}

/// The home-screen notice in force (empty when none was set).
pub fn home_notice(conn: &Connection) -> rusqlite::Result<HomeNotice> {
    get_json(conn, HOME_NOTICE)
}

/// Sets (or, with an empty text, clears) the home-screen notice, audited.
pub fn set_home_notice(
    conn: &mut Connection,
    notice: &HomeNotice,
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> Result<(), SettingsError> {
    let notice = HomeNotice {
        text: checked_notice(&notice.text)?,
        until: notice.until,
    };
    let detail =
        serde_json::json!({ "notice": notice.text, "until": notice.until.map(|u| u.to_rfc3339()) });
    let change = (HOME_NOTICE, json_text(&notice)?);
    put_audited(conn, change, (action::KIOSK_HOME_NOTICE, detail), actor, at)
}

/// A notice as staff may set it: trimmed, not too long, and no control characters but
/// line breaks.
fn checked_notice(text: &str) -> Result<String, SettingsError> {
    let text = text.trim();
    if text.chars().count() > MAX_NOTICE_CHARS {
        return Err(SettingsError::NoticeTooLong);
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(SettingsError::NoticeControl);
    }
    Ok(text.to_string())
}

/// A setting kept as JSON; its default when never set (or unreadable).
fn get_json<T: serde::de::DeserializeOwned + Default>(
    conn: &Connection,
    key: &str,
) -> rusqlite::Result<T> {
    Ok(get(conn, key)?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

fn json_text(value: &impl Serialize) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// Stores a setting (`change`: key and value) and its audit entry (`audit`: action and
/// detail) in one transaction.
fn put_audited(
    conn: &mut Connection,
    (key, value): (&str, String),
    (audit_action, detail): (&str, serde_json::Value),
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> Result<(), SettingsError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    put(&tx, key, &value, actor, at)?;
    audit::record(&tx, actor, audit_action, Outcome::Ok, detail, at)?;
    tx.commit()?;
    Ok(())
}

fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT value FROM kiosk_settings WHERE key = ?1",
        [key],
        |r| r.get(0),
    )
    .optional()
}

fn put(
    conn: &Connection,
    key: &str,
    value: &str,
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO kiosk_settings (key, value, set_at, set_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, set_at = excluded.set_at,
                                         set_by = excluded.set_by",
        params![key, value, at.to_rfc3339(), actor.label()],
    )?;
    Ok(())
}

/// The stored service state (in service when never set).
pub fn service_state(conn: &Connection) -> rusqlite::Result<ServiceState> {
    get_json(conn, SERVICE_STATE)
}

/// Puts the kiosk out of service (or back), with its notice, audited.
pub fn set_service_state(
    conn: &mut Connection,
    state: &ServiceState,
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> Result<(), SettingsError> {
    let state = ServiceState {
        out_of_service: state.out_of_service,
        notice: checked_notice(&state.notice)?,
    };
    let detail =
        serde_json::json!({ "out_of_service": state.out_of_service, "notice": state.notice });
    let change = (SERVICE_STATE, json_text(&state)?);
    put_audited(
        conn,
        change,
        (action::KIOSK_SERVICE_STATE, detail),
        actor,
        at,
    )
}

/// Citizen defaults set on the terminal; `None` keeps the configuration file's value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CitizenDefaults {
    pub language: Option<Lang>,
    pub large_text: Option<bool>,
    pub idle_timeout_secs: Option<u64>,
}

/// One citizen default to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitizenSetting {
    Language(Lang),
    LargeText(bool),
    IdleTimeoutSecs(u64),
}

/// The stored citizen defaults.
pub fn citizen_defaults(conn: &Connection) -> rusqlite::Result<CitizenDefaults> {
    Ok(CitizenDefaults {
        language: get(conn, DEFAULT_LANGUAGE)?.and_then(|v| Lang::from_code(&v)),
        large_text: get(conn, LARGE_TEXT_DEFAULT)?.map(|v| v == "true"),
        idle_timeout_secs: get(conn, IDLE_TIMEOUT_SECS)?
            .and_then(|v| v.parse().ok())
            .filter(|s| IDLE_TIMEOUT_RANGE.contains(s)),
    })
}

/// Changes one citizen default, audited.
pub fn set_citizen_default(
    conn: &mut Connection,
    setting: CitizenSetting,
    actor: &Actor,
    at: DateTime<FixedOffset>,
) -> Result<(), SettingsError> {
    let (key, value) = match setting {
        CitizenSetting::Language(lang) => (DEFAULT_LANGUAGE, lang.code().to_string()),
        CitizenSetting::LargeText(on) => (LARGE_TEXT_DEFAULT, on.to_string()),
        CitizenSetting::IdleTimeoutSecs(secs) => {
            if !IDLE_TIMEOUT_RANGE.contains(&secs) {
                return Err(SettingsError::IdleTimeout);
            }
            (IDLE_TIMEOUT_SECS, secs.to_string())
        }
    };
    let detail = serde_json::json!({ "setting": key, "value": value });
    put_audited(
        conn,
        (key, value),
        (action::KIOSK_SETTING, detail),
        actor,
        at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn at() -> DateTime<FixedOffset> {
        chrono::DateTime::parse_from_rfc3339("2026-11-26T09:30:00+08:00").unwrap()
    }

    #[test]
    fn out_of_service_and_defaults_persist_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = Store::path_in(dir.path());
        {
            let mut s = Store::open(&path).unwrap();
            let me = Actor::Staff("王芳".into());
            let state = ServiceState {
                out_of_service: true,
                notice: "  设备维护中，请到2号窗口办理。 ".into(),
            };
            set_service_state(s.conn(), &state, &me, at()).unwrap();
            set_citizen_default(s.conn(), CitizenSetting::Language(Lang::KoKr), &me, at()).unwrap();
            set_citizen_default(s.conn(), CitizenSetting::IdleTimeoutSecs(90), &me, at()).unwrap();
            let err = set_citizen_default(s.conn(), CitizenSetting::IdleTimeoutSecs(5), &me, at())
                .unwrap_err();
            assert!(err.to_string().contains("between 30 and 600"), "{err}");
        }
        let mut s = Store::open(&path).unwrap();
        let state = service_state(s.conn()).unwrap();
        assert!(state.out_of_service);
        assert_eq!(state.notice, "设备维护中，请到2号窗口办理。");
        let d = citizen_defaults(s.conn()).unwrap();
        assert_eq!(d.language, Some(Lang::KoKr));
        assert_eq!(d.idle_timeout_secs, Some(90));
        assert_eq!(d.large_text, None);
        let audited: i64 = s
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM audit_log WHERE actor = '王芳' AND outcome = 'ok'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, 3);
    }

    #[test]
    fn an_overlong_notice_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&Store::path_in(dir.path())).unwrap();
        let state = ServiceState {
            out_of_service: true,
            notice: "停".repeat(201),
        };
        let err = set_service_state(s.conn(), &state, &Actor::OperationsCentre, at()).unwrap_err();
        assert!(matches!(err, SettingsError::NoticeTooLong));
        assert!(!service_state(s.conn()).unwrap().out_of_service);
    }
}
