//! Video-call settings: the STUN/TURN servers handed to terminals and consoles (with fixed
//! credentials, or a secret shared with coturn to mint time-limited ones), and whether only
//! relayed candidates may be used.

use super::StoreError;
use crate::video::turn::{Credentials, IceConfig, IceServerConfig};
use provisioning::signalling::IceTransportPolicy;
use rusqlite::{Connection, OptionalExtension as _, params};
use std::time::Duration;
use zeroize::Zeroizing;

pub(crate) const POLICY_KEY: &str = "video.ice_transport_policy";

/// Checks a server with fixed credentials.
pub(crate) fn check_static(url: &str, username: &str, credential: &str) -> Result<(), StoreError> {
    let scheme_ok = ["stun:", "stuns:", "turn:", "turns:"]
        .iter()
        .any(|s| url.starts_with(s));
    if !scheme_ok || url.len() > 256 {
        return Err(StoreError::Invalid(format!(
            "{url:?} is not a stun:, stuns:, turn: or turns: URL"
        )));
    }
    if url.starts_with("turn") && (username.is_empty() || credential.is_empty()) {
        return Err(StoreError::Invalid(
            "a TURN server needs --username and --credential".into(),
        ));
    }
    Ok(())
}

/// Adds a STUN/TURN server with fixed credentials (or replaces the credentials of one with
/// the same URL).
pub fn add_ice_server(
    conn: &Connection,
    url: &str,
    username: &str,
    credential: &str,
) -> Result<(), StoreError> {
    check_static(url, username, credential)?;
    conn.execute(
        "INSERT INTO ice_servers (url, username, credential) VALUES (?1, ?2, ?3)
         ON CONFLICT (url) DO UPDATE SET username = excluded.username,
           credential = excluded.credential, rest_secret = NULL, rest_ttl_s = NULL",
        params![url, username, credential],
    )?;
    Ok(())
}

/// Removes a server by URL.
pub fn remove_ice_server(conn: &Connection, url: &str) -> Result<(), StoreError> {
    if conn.execute("DELETE FROM ice_servers WHERE url = ?1", [url])? == 0 {
        return Err(StoreError::NotFound(format!("no ICE server {url}")));
    }
    Ok(())
}

/// The stored form of a policy.
pub(crate) fn policy_text(policy: IceTransportPolicy) -> &'static str {
    match policy {
        IceTransportPolicy::All => "all",
        IceTransportPolicy::Relay => "relay",
    }
}

/// A policy from its stored form.
pub(crate) fn policy_from(text: Option<&str>) -> IceTransportPolicy {
    match text {
        Some("relay") => IceTransportPolicy::Relay,
        _ => IceTransportPolicy::All,
    }
}

/// Credentials from a row's (username, credential, rest secret, rest ttl).
pub(crate) fn credentials(
    username: String,
    credential: String,
    secret: Option<String>,
    ttl: Option<i64>,
) -> Credentials {
    match (secret, ttl) {
        (Some(secret), Some(ttl)) => Credentials::Rest {
            secret: Zeroizing::new(secret),
            ttl: Duration::from_secs(u64::try_from(ttl).unwrap_or(600)),
        },
        _ if username.is_empty() => Credentials::None,
        _ => Credentials::Static {
            username,
            credential,
        },
    }
}

/// Checks a TURN server with minted credentials.
pub(crate) fn check_rest(url: &str, secret: &str, ttl_s: u64) -> Result<(), StoreError> {
    if !(url.starts_with("turn:") || url.starts_with("turns:")) || url.len() > 256 {
        return Err(StoreError::Invalid(format!(
            "{url:?} is not a turn: or turns: URL"
        )));
    }
    if secret.len() < 16 {
        return Err(StoreError::Invalid(
            "the shared secret must have at least 16 characters".into(),
        ));
    }
    if !(60..=86_400).contains(&ttl_s) {
        return Err(StoreError::Invalid(
            "credentials must last between 1 minute and 24 hours".into(),
        ));
    }
    Ok(())
}

/// Sets the transport policy.
pub fn set_policy(conn: &Connection, policy: IceTransportPolicy) -> Result<(), StoreError> {
    let value = policy_text(policy);
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![POLICY_KEY, value],
    )?;
    Ok(())
}

/// Adds a TURN server whose credentials are minted per call from `secret` (coturn's
/// `use-auth-secret` / `static-auth-secret`), each valid for `ttl_s` seconds; or replaces
/// the secret of one with the same URL.
pub fn add_rest_ice_server(
    conn: &Connection,
    url: &str,
    secret: &str,
    ttl_s: u64,
) -> Result<(), StoreError> {
    check_rest(url, secret, ttl_s)?;
    conn.execute(
        "INSERT INTO ice_servers (url, username, credential, rest_secret, rest_ttl_s)
         VALUES (?1, '', '', ?2, ?3)
         ON CONFLICT (url) DO UPDATE SET username = '', credential = '',
           rest_secret = excluded.rest_secret, rest_ttl_s = excluded.rest_ttl_s",
        params![url, secret, ttl_s as i64],
    )?;
    Ok(())
}

/// The servers with their secrets, and the policy: what the registry mints each peer's
/// settings from.
pub fn ice_config(conn: &Connection) -> Result<IceConfig, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT url, username, credential, rest_secret, rest_ttl_s FROM ice_servers ORDER BY id",
    )?;
    let servers = stmt
        .query_map([], |r| {
            Ok(IceServerConfig {
                url: r.get(0)?,
                credentials: credentials(r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let policy: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [POLICY_KEY],
            |r| r.get(0),
        )
        .optional()?;
    Ok(IceConfig {
        servers,
        policy: policy_from(policy.as_deref()),
    })
}
