//! Legal-aid pre-applications for the centres that handle them: the centres' keys (made at
//! the centre, published by the operations centre), opening what was sealed to a key, and
//! deleting the ciphertext once handled or when the retention period is over.

use crate::store::legal_aid::StoredApplication;
use crate::store::{Store, StoreError};
use anyhow::{Context as _, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use provisioning::bundle::{Manifest, Payload};
use provisioning::scope::{Scope, region_contains};
use provisioning::sealing::{
    RECIPIENTS_FILE, RECIPIENTS_STREAM, Recipient, RecipientDirectory, RecipientSecret,
    SealedPreApplication,
};
use serde::Serialize;
use std::path::Path;

/// How long a pre-application's ciphertext is kept when nobody marks it handled.
pub const DEFAULT_RETENTION: chrono::Duration = chrono::Duration::days(30);

/// Makes a centre's key pair: the private key into `out` (mode 0600, never overwritten),
/// and returns the entry to register and publish. Needs no registry database: run it at the
/// centre, and send only the printed public key to the operations centre.
pub fn keygen(out: &Path, region: &str, centre: &str) -> Result<Recipient> {
    let secret = RecipientSecret::generate()?;
    let recipient = secret.recipient(region, centre);
    recipient.validate()?;
    secret
        .write(out)
        .with_context(|| format!("cannot write the key to {}", out.display()))?;
    Ok(recipient)
}

/// Signs the directory of registered keys (retired ones left out) as bundle stream
/// `legal-aid-recipients` for every terminal.
pub fn publish(
    store: &Store,
    version: u64,
    valid_for: chrono::Duration,
    key: &ed25519_dalek::SigningKey,
) -> Result<(Manifest, RecipientDirectory)> {
    let registered = store.recipients()?;
    let directory = RecipientDirectory {
        format: 1,
        recipients: registered
            .into_iter()
            .filter(|r| r.retired_at.is_none())
            .map(|r| r.recipient)
            .collect(),
    };
    if directory.recipients.is_empty() {
        bail!("no legal-aid centre's key is registered; add one with `legal-aid recipient-add`");
    }
    let mut payload = Payload::default();
    payload.insert(RECIPIENTS_FILE, serde_json::to_vec_pretty(&directory)?)?;
    let (manifest, _) = super::bundles::publish(
        store,
        RECIPIENTS_STREAM,
        version,
        Scope::All,
        valid_for,
        &payload,
        key,
    )?;
    Ok((manifest, directory))
}

/// Where a stored pre-application stands.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationSummary {
    /// Its number at the registry.
    pub id: i64,
    /// When the registry received it.
    pub received_at: String,
    /// The terminal's platform.
    pub platform_id: String,
    /// The terminal's region.
    pub region: String,
    /// The key it is sealed to (empty when there is no box).
    pub recipient: String,
    /// `sealed`, `deleted` (with `deleted_because`) or `unreadable` (the terminal lost it).
    pub state: String,
    /// Why and when the ciphertext went, or why there never was one.
    pub detail: String,
}

fn text(v: &serde_json::Value, key: &str) -> String {
    v.get(key)
        .and_then(|x| x.as_str())
        .unwrap_or_default()
        .to_string()
}

fn summary(a: &StoredApplication) -> ApplicationSummary {
    let p = &a.payload;
    let recipient = p
        .get("sealed")
        .map(|s| text(s, "recipient"))
        .unwrap_or_default();
    let (state, detail) = if p.get("deleted_at").is_some() {
        (
            "deleted",
            format!(
                "{} at {}",
                text(p, "deleted_because"),
                text(p, "deleted_at")
            ),
        )
    } else if p.get("sealed").is_some() {
        ("sealed", String::new())
    } else {
        ("unreadable", text(p, "unreadable"))
    };
    ApplicationSummary {
        id: a.id,
        received_at: a.received_at.clone(),
        platform_id: a.platform_id.clone(),
        region: text(p, "region"),
        recipient,
        state: state.to_string(),
        detail,
    }
}

/// The pre-applications of `region` (every one when `None`; `330100` covers every
/// `3301xx`), oldest first.
pub fn list(store: &Store, region: Option<&str>) -> Result<Vec<ApplicationSummary>, StoreError> {
    let all = store.applications()?;
    Ok(all
        .iter()
        .map(summary)
        .filter(|s| region.is_none_or(|r| region_contains(r, &s.region)))
        .collect())
}

/// A pre-application opened with a centre's key.
#[derive(Debug, Clone, Serialize)]
pub struct OpenedApplication {
    /// Its number at the registry (for `legal-aid handled`).
    pub id: i64,
    /// When the registry received it.
    pub received_at: String,
    /// The terminal's platform.
    pub platform_id: String,
    /// The terminal's region.
    pub region: String,
    /// The self-check it belongs to.
    pub check_id: String,
    /// What the citizen consented to send: the self-check's result and the applicant.
    pub application: serde_json::Value,
}

/// Opens the pre-applications sealed to `key` that are still held (only `ids`, when given).
/// Nothing is logged or written: the caller shows the result to the officer.
pub fn open(store: &Store, key: &RecipientSecret, ids: &[i64]) -> Result<Vec<OpenedApplication>> {
    let key_id = key.key_id();
    let all = store.applications()?;
    let mut opened = Vec::new();
    for id in ids {
        if !all.iter().any(|a| a.id == *id) {
            bail!("no pre-application {id}");
        }
    }
    for a in all {
        if !ids.is_empty() && !ids.contains(&a.id) {
            continue;
        }
        let Ok(sealed) = SealedPreApplication::from_payload(&a.payload) else {
            if !ids.is_empty() {
                bail!("pre-application {} holds no sealed box any more", a.id);
            }
            continue;
        };
        let Some(sealed_box) = &sealed.sealed else {
            continue;
        };
        if sealed_box.recipient != key_id {
            if !ids.is_empty() {
                bail!(
                    "pre-application {} is sealed to key {}, not to {key_id}",
                    a.id,
                    sealed_box.recipient
                );
            }
            continue;
        }
        let plaintext = sealed
            .open(key)
            .map_err(|e| anyhow!("pre-application {}: {e}", a.id))?;
        let application = serde_json::from_slice(&plaintext)
            .map_err(|e| anyhow!("pre-application {} opened but is not JSON: {e}", a.id))?;
        opened.push(OpenedApplication {
            id: a.id,
            received_at: a.received_at,
            platform_id: a.platform_id,
            region: sealed.region,
            check_id: sealed.check_id,
            application,
        });
    }
    Ok(opened)
}

/// Marks pre-applications handled: their ciphertext is deleted now.
pub fn handled(store: &Store, ids: &[i64]) -> Result<(), StoreError> {
    let now = Utc::now();
    store.mark_handled(ids, now)
}

/// Deletes the ciphertext of pre-applications received more than `retention` before `now`.
pub fn apply_retention(
    store: &Store,
    retention: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    store.delete_expired(now - retention, now)
}
