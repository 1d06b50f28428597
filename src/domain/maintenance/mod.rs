//! Maintenance: what centre staff do on the terminal, in plain Rust (no Slint): staff
//! accounts and PIN login with a persistent lockout, the audit trail, settings staff change,
//! the hidden entry gesture, and the diagnostics the menu shows (printer through
//! `printing`, reader through a hook, disk, logs, USB export, backlight).
//! The touchscreen menu is `ui::maintenance`; the command line is `legal-kiosk staff`.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod background;
pub mod backlight;
pub mod config;
pub mod counter_login;
pub mod gesture;
pub mod guesses;
pub mod lockout;
pub mod logs;
pub mod pin;
pub mod pin_hash;
pub mod reader;
pub mod settings;
pub mod system;
pub mod usb;

pub use accounts::{Account, AccountError, Role};
pub use audit::{Actor, Outcome};
pub use auth::{Authenticator, LoginError, StaffSession};
pub use config::{InitialInstaller, MaintenanceConfig};
pub use lockout::LockoutPolicy;
pub use pin::{Pin, PinError};
pub use settings::{CitizenDefaults, CitizenSetting, ServiceState};

use chrono::{DateTime, FixedOffset};
use rusqlite::Connection;

/// At start: creates the configured initial installer when the terminal has no account
/// yet, and says how to create one when there is neither. Returns whether an account was
/// created.
pub fn ensure_initial_installer(
    conn: &mut Connection,
    config: &MaintenanceConfig,
    at: DateTime<FixedOffset>,
) -> Result<bool, AccountError> {
    if accounts::count(conn)? > 0 {
        return Ok(false);
    }
    let Some(initial) = &config.initial_installer else {
        tracing::warn!(
            "no staff account: create an installer with `legal-kiosk staff add NAME --role installer`"
        );
        return Ok(false);
    };
    accounts::add_with_hash(
        conn,
        &initial.name,
        Role::Installer,
        &initial.pin_hash,
        &Actor::Configuration,
        at,
    )?;
    tracing::info!("initial installer account created from the configuration");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn the_configured_installer_is_created_once_and_logs_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&Store::path_in(dir.path())).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T09:30:00+08:00").unwrap();
        let hash = pin_hash::hash_pin(&Pin::parse("482916").unwrap()).unwrap();
        let config = MaintenanceConfig {
            initial_installer: Some(InitialInstaller {
                name: "安装员".into(),
                pin_hash: hash,
            }),
            ..Default::default()
        };
        assert!(ensure_initial_installer(s.conn(), &config, at).unwrap());
        assert!(!ensure_initial_installer(s.conn(), &config, at).unwrap());
        let session = auth::login(
            s.conn(),
            &Pin::parse("482916").unwrap(),
            &LockoutPolicy::default(),
            at,
        )
        .unwrap();
        assert_eq!(session.role, Role::Installer);
        let rows = audit::recent(s.conn(), 5).unwrap();
        assert!(
            rows.iter()
                .any(|r| r.actor == "configuration" && r.action == "staff.add")
        );
    }

    #[test]
    fn without_accounts_or_configuration_nothing_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&Store::path_in(dir.path())).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T09:30:00+08:00").unwrap();
        let created =
            ensure_initial_installer(s.conn(), &MaintenanceConfig::default(), at).unwrap();
        assert!(!created);
        assert_eq!(accounts::count(s.conn()).unwrap(), 0);
    }
}
