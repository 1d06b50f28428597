//! Published bundles and the offers made to terminals.

use super::{StoreError, now_text, time_text};
use chrono::{DateTime, Utc};
use provisioning::bundle::{
    Manifest, PinnedKeys, SignedBundle, manifest::is_valid_stream_name, signed_bytes,
};
use provisioning::protocol::BundleOffer;
use provisioning::scope::{Scope, TerminalPlacement};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;
use std::collections::BTreeMap;

/// Records a signing key's public half under a name (the registry refuses bundles by others).
pub fn register_key(conn: &Connection, name: &str, public_key: &str) -> Result<(), StoreError> {
    provisioning::keys::public_key_from_base64(public_key)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    conn.execute(
        "INSERT INTO signing_keys (public_key, name, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (public_key) DO UPDATE SET name = excluded.name",
        params![public_key, name, now_text()],
    )?;
    Ok(())
}

/// Registered signing keys: (name, public key).
pub fn keys(conn: &Connection) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt = conn.prepare("SELECT name, public_key FROM signing_keys ORDER BY created_at")?;
    Ok(stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// The signer's public key of a bundle, or why it is refused.
pub(crate) fn signer(bundle: &SignedBundle) -> Result<&str, StoreError> {
    Ok(&bundle
        .signature
        .as_ref()
        .ok_or_else(|| StoreError::Invalid("bundle is not signed".into()))?
        .public_key)
}

/// Refusal of a bundle signed by a key not registered.
pub(crate) fn unknown_signer() -> StoreError {
    StoreError::Invalid(
        "bundle is signed by a key the registry does not know (run `keys register`)".into(),
    )
}

/// A checked bundle: its manifest, and the JSON of the bundle and of its scope.
pub(crate) struct Checked {
    pub manifest: Manifest,
    pub body: String,
    pub scope: String,
}

/// Checks the signature (by a registered key), the stream name; serialises for storage.
pub(crate) fn check(bundle: &SignedBundle) -> Result<Checked, StoreError> {
    let signature = bundle
        .signature
        .as_ref()
        .ok_or_else(|| StoreError::Invalid("bundle is not signed".into()))?;
    let key = PinnedKeys::from_base64(&[&signature.public_key])
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    key.verify(
        &signature.public_key,
        &signature.signature,
        &signed_bytes(&bundle.manifest),
    )
    .map_err(|_| StoreError::Invalid("bundle signature does not verify".into()))?;
    let manifest: Manifest = serde_json::from_str(&bundle.manifest)
        .map_err(|e| StoreError::Invalid(format!("manifest: {e}")))?;
    if !is_valid_stream_name(&manifest.stream) {
        return Err(StoreError::Invalid(format!(
            "stream name {:?} is not valid (a-z, 0-9, -, _, .)",
            manifest.stream
        )));
    }
    let body = serde_json::to_string(bundle).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let scope =
        serde_json::to_string(&manifest.scope).map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok(Checked {
        manifest,
        body,
        scope,
    })
}

/// Refusal of a version not above the stream's latest.
pub(crate) fn not_newer(manifest: &Manifest, latest: i64) -> StoreError {
    StoreError::Invalid(format!(
        "{} version {} is not above the latest published version {latest}",
        manifest.stream, manifest.version
    ))
}

/// Stores a signed bundle after checking that a registered key signed it, that its stream name
/// is valid and that its version is above every earlier one of the stream.
pub fn publish(conn: &mut Connection, bundle: &SignedBundle) -> Result<Manifest, StoreError> {
    let public_key = signer(bundle)?;
    let registered: Option<String> = conn
        .query_row(
            "SELECT name FROM signing_keys WHERE public_key = ?1",
            [public_key],
            |r| r.get(0),
        )
        .optional()?;
    if registered.is_none() {
        return Err(unknown_signer());
    }
    let Checked {
        manifest,
        body,
        scope,
    } = check(bundle)?;
    // Immediate: it reads the latest version then writes; a deferred transaction would fail
    // at once with SQLITE_BUSY when a terminal's poll wrote in between (WAL snapshot).
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let latest: Option<i64> = tx.query_row(
        "SELECT MAX(version) FROM bundles WHERE stream = ?1",
        [&manifest.stream],
        |r| r.get(0),
    )?;
    if let Some(latest) = latest
        && manifest.version as i64 <= latest
    {
        return Err(not_newer(&manifest, latest));
    }
    tx.execute(
        "INSERT INTO bundles (stream, version, scope, payload_size, expires_at, published_at, signed_by, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            manifest.stream,
            manifest.version as i64,
            scope,
            manifest.payload_size as i64,
            time_text(manifest.expires_at),
            now_text(),
            public_key,
            body
        ],
    )?;
    tx.commit()?;
    Ok(manifest)
}

/// For each stream, the newest unexpired bundle whose scope includes the terminal, if newer
/// than the version the terminal reported.
pub fn offers(
    conn: &Connection,
    placement: &TerminalPlacement,
    reported: &BTreeMap<String, u64>,
    now: DateTime<Utc>,
) -> Result<Vec<BundleOffer>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT stream, version, scope, payload_size FROM bundles WHERE expires_at > ?1 ORDER BY stream, version DESC",
    )?;
    let rows = stmt
        .query_map([time_text(now)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)? as u64,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)? as u64,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(pick_offers(rows, placement, reported))
}

/// From (stream, version, scope, payload size) rows ordered by stream then version
/// descending: per stream, the newest whose scope includes the terminal, if newer than
/// what it reported.
pub(crate) fn pick_offers(
    rows: Vec<(String, u64, String, u64)>,
    placement: &TerminalPlacement,
    reported: &BTreeMap<String, u64>,
) -> Vec<BundleOffer> {
    let mut best: BTreeMap<String, BundleOffer> = BTreeMap::new();
    for (stream, version, scope, payload_size) in rows {
        if best.contains_key(&stream) {
            continue;
        }
        let Ok(scope) = serde_json::from_str::<Scope>(&scope) else {
            continue;
        };
        if scope.includes(placement) && reported.get(&stream).is_none_or(|have| version > *have) {
            best.insert(
                stream.clone(),
                BundleOffer {
                    stream,
                    version,
                    payload_size,
                },
            );
        }
    }
    best.into_values().collect()
}

/// A bundle's stored JSON, if it exists and its scope includes the terminal.
pub fn body_for(
    conn: &Connection,
    stream: &str,
    version: u64,
    placement: &TerminalPlacement,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT scope, body FROM bundles WHERE stream = ?1 AND version = ?2",
            params![stream, version as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(scope, body)| body_if_in_scope(&scope, body, placement)))
}

/// `body` if `scope` (JSON) includes the terminal.
pub(crate) fn body_if_in_scope(
    scope: &str,
    body: String,
    placement: &TerminalPlacement,
) -> Option<String> {
    let scope: Scope = serde_json::from_str(scope).ok()?;
    scope.includes(placement).then_some(body)
}

/// A published bundle for listings.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedBundle {
    /// Stream.
    pub stream: String,
    /// Version.
    pub version: u64,
    /// Scope in short form.
    pub scope: String,
    /// Payload bytes.
    pub payload_size: u64,
    /// Expiry.
    pub expires_at: String,
    /// When published.
    pub published_at: String,
}

/// A stored scope (JSON) in short form.
pub(crate) fn describe_scope(scope: String) -> String {
    serde_json::from_str::<Scope>(&scope)
        .map(|s| s.describe())
        .unwrap_or(scope)
}

/// All published bundles, newest first per stream.
pub fn list(conn: &Connection) -> Result<Vec<PublishedBundle>, StoreError> {
    let mut stmt = conn.prepare("SELECT stream, version, scope, payload_size, expires_at, published_at FROM bundles ORDER BY stream, version DESC")?;
    let rows = stmt.query_map([], |r| {
        let scope: String = r.get(2)?;
        Ok(PublishedBundle {
            stream: r.get(0)?,
            version: r.get::<_, i64>(1)? as u64,
            scope: describe_scope(scope),
            payload_size: r.get::<_, i64>(3)? as u64,
            expires_at: r.get(4)?,
            published_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
