//! Video-call settings: the STUN/TURN servers handed to terminals and consoles, and whether
//! only relayed candidates may be used.

use super::StoreError;
use provisioning::signalling::{IceServer, IceSettings, IceTransportPolicy};
use rusqlite::{Connection, OptionalExtension as _, params};

const POLICY_KEY: &str = "video.ice_transport_policy";

/// Adds a STUN/TURN server (or replaces the credentials of one with the same URL).
pub fn add_ice_server(
    conn: &Connection,
    url: &str,
    username: &str,
    credential: &str,
) -> Result<(), StoreError> {
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
    conn.execute(
        "INSERT INTO ice_servers (url, username, credential) VALUES (?1, ?2, ?3)
         ON CONFLICT (url) DO UPDATE SET username = excluded.username,
           credential = excluded.credential",
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

/// Sets the transport policy.
pub fn set_policy(conn: &Connection, policy: IceTransportPolicy) -> Result<(), StoreError> {
    let value = match policy {
        IceTransportPolicy::All => "all",
        IceTransportPolicy::Relay => "relay",
    };
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![POLICY_KEY, value],
    )?;
    Ok(())
}

/// What both peers of a call are told.
pub fn ice_settings(conn: &Connection) -> Result<IceSettings, StoreError> {
    let mut stmt = conn.prepare("SELECT url, username, credential FROM ice_servers ORDER BY id")?;
    let ice_servers = stmt
        .query_map([], |r| {
            Ok(IceServer {
                urls: vec![r.get(0)?],
                username: r.get(1)?,
                credential: r.get(2)?,
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
    Ok(IceSettings {
        ice_servers,
        ice_transport_policy: match policy.as_deref() {
            Some("relay") => IceTransportPolicy::Relay,
            _ => IceTransportPolicy::All,
        },
    })
}
