//! Lawyers' accounts, video-call settings and legal-aid pre-applications, on PostgreSQL.

use super::{PgStore, text};
use crate::store::lawyers::Lawyer;
use crate::store::legal_aid::{RegisteredRecipient, StoredApplication};
use crate::store::{StoreError, now_text, time_text, video};
use crate::video::turn::{IceConfig, IceServerConfig};
use chrono::{DateTime, Utc};
use provisioning::sealing::{PRE_APPLICATION_KIND, Recipient};
use provisioning::signalling::IceTransportPolicy;
use tokio_postgres::Row;

fn lawyer_from(r: &Row) -> (Lawyer, String) {
    let regions: String = r.get(2);
    (
        Lawyer {
            username: r.get(0),
            display_name: r.get(1),
            regions: serde_json::from_str(&regions).unwrap_or_default(),
            status: r.get(4),
        },
        r.get(3),
    )
}

fn application_from(r: &Row) -> StoredApplication {
    let payload: String = r.get(4);
    StoredApplication {
        id: r.get(0),
        received_at: r.get(1),
        device_id: r.get(2),
        platform_id: r.get(3),
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
    }
}

/// Removes the sealed box, adds when and why (the same JSON change as SQLite's
/// `json_set(json_remove(…))`).
const DELETE_BOX: &str = "payload = ((payload::jsonb - 'sealed')
    || jsonb_build_object('deleted_at', $3::text, 'deleted_because', $4::text))::text";

impl PgStore {
    /// Adds an account or replaces its name, regions and password hash.
    pub async fn lawyer_upsert(&self, lawyer: &Lawyer, hash: &str) -> Result<(), StoreError> {
        let regions = serde_json::to_string(&lawyer.regions)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.client()
            .await?
            .execute(
                "INSERT INTO lawyers (username, display_name, regions, password_hash, status, created_at)
                 VALUES ($1, $2, $3, $4, 'active', $5)
                 ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name,
                   regions = excluded.regions, password_hash = excluded.password_hash, status = 'active'",
                &[&text(&lawyer.username), &text(&lawyer.display_name), &regions, &hash, &now_text()],
            )
            .await?;
        Ok(())
    }

    /// An account and its password hash.
    pub async fn lawyer(&self, username: &str) -> Result<Option<(Lawyer, String)>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT username, display_name, regions, password_hash, status FROM lawyers WHERE username = $1",
                &[&text(username)],
            )
            .await?;
        Ok(row.as_ref().map(lawyer_from))
    }

    /// Every account by user name.
    pub async fn lawyers(&self) -> Result<Vec<Lawyer>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT username, display_name, regions, password_hash, status FROM lawyers ORDER BY username",
                &[],
            )
            .await?;
        Ok(rows.iter().map(|r| lawyer_from(r).0).collect())
    }

    /// Disables an account.
    pub async fn lawyer_disable(&self, username: &str) -> Result<(), StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE lawyers SET status = 'disabled' WHERE username = $1",
                &[&username],
            )
            .await?;
        StoreError::unless_touched(n, || format!("no lawyer {username}"))
    }

    /// Adds a STUN/TURN server with fixed credentials.
    pub async fn add_ice_server(
        &self,
        url: &str,
        username: &str,
        credential: &str,
    ) -> Result<(), StoreError> {
        video::check_static(url, username, credential)?;
        self.client()
            .await?
            .execute(
                "INSERT INTO ice_servers (url, username, credential) VALUES ($1, $2, $3)
                 ON CONFLICT (url) DO UPDATE SET username = excluded.username,
                   credential = excluded.credential, rest_secret = NULL, rest_ttl_s = NULL",
                &[&text(url), &text(username), &text(credential)],
            )
            .await?;
        Ok(())
    }

    /// Adds a TURN server whose credentials are minted per call.
    pub async fn add_rest_ice_server(
        &self,
        url: &str,
        secret: &str,
        ttl_s: u64,
    ) -> Result<(), StoreError> {
        video::check_rest(url, secret, ttl_s)?;
        self.client()
            .await?
            .execute(
                "INSERT INTO ice_servers (url, username, credential, rest_secret, rest_ttl_s)
                 VALUES ($1, '', '', $2, $3)
                 ON CONFLICT (url) DO UPDATE SET username = '', credential = '',
                   rest_secret = excluded.rest_secret, rest_ttl_s = excluded.rest_ttl_s",
                &[&text(url), &text(secret), &(ttl_s as i64)],
            )
            .await?;
        Ok(())
    }

    /// Removes a server by URL.
    pub async fn remove_ice_server(&self, url: &str) -> Result<(), StoreError> {
        let n = self
            .client()
            .await?
            .execute("DELETE FROM ice_servers WHERE url = $1", &[&text(url)])
            .await?;
        StoreError::unless_touched(n, || format!("no ICE server {url}"))
    }

    /// Sets the transport policy.
    pub async fn set_policy(&self, policy: IceTransportPolicy) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&video::POLICY_KEY, &video::policy_text(policy)],
            )
            .await?;
        Ok(())
    }

    /// The servers with their secrets, and the policy.
    pub async fn ice_config(&self) -> Result<IceConfig, StoreError> {
        let client = self.client().await?;
        let servers = client
            .query(
                "SELECT url, username, credential, rest_secret, rest_ttl_s FROM ice_servers ORDER BY id",
                &[],
            )
            .await?
            .into_iter()
            .map(|r| IceServerConfig {
                url: r.get(0),
                credentials: video::credentials(r.get(1), r.get(2), r.get(3), r.get(4)),
            })
            .collect();
        let policy: Option<String> = client
            .query_opt(
                "SELECT value FROM settings WHERE key = $1",
                &[&video::POLICY_KEY],
            )
            .await?
            .map(|r| r.get(0));
        Ok(IceConfig {
            servers,
            policy: video::policy_from(policy.as_deref()),
        })
    }

    /// Registers a centre's public key.
    pub async fn add_recipient(&self, recipient: &Recipient) -> Result<(), StoreError> {
        recipient
            .validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.client()
            .await?
            .execute(
                "INSERT INTO legal_aid_recipients (key_id, region, centre, public_key, added_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (key_id) DO UPDATE SET region = excluded.region, centre = excluded.centre,
                   retired_at = NULL",
                &[&recipient.key_id, &text(&recipient.region), &text(&recipient.centre),
                  &recipient.public_key, &now_text()],
            )
            .await?;
        Ok(())
    }

    /// Retires a key.
    pub async fn retire_recipient(&self, key_id: &str) -> Result<(), StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE legal_aid_recipients SET retired_at = $2 WHERE key_id = $1 AND retired_at IS NULL",
                &[&key_id, &now_text()],
            )
            .await?;
        StoreError::unless_touched(n, || format!("no registered key {key_id} in use"))
    }

    /// Every registered key, by region.
    pub async fn recipients(&self) -> Result<Vec<RegisteredRecipient>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT key_id, region, centre, public_key, added_at, retired_at
                 FROM legal_aid_recipients ORDER BY region, added_at",
                &[],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| RegisteredRecipient {
                recipient: Recipient {
                    key_id: r.get(0),
                    region: r.get(1),
                    centre: r.get(2),
                    public_key: r.get(3),
                },
                added_at: r.get(4),
                retired_at: r.get(5),
            })
            .collect())
    }

    /// Every pre-application, oldest first.
    pub async fn applications(&self) -> Result<Vec<StoredApplication>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, received_at, device_id, platform_id, payload FROM events
                 WHERE kind = $1 ORDER BY id",
                &[&PRE_APPLICATION_KIND],
            )
            .await?;
        Ok(rows.iter().map(application_from).collect())
    }

    /// Deletes the sealed boxes of these pre-applications (handled), in one transaction;
    /// the old row versions are then removed by (auto)vacuum, not overwritten in place.
    pub async fn mark_handled(&self, ids: &[i64], now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let now = time_text(now);
        for id in ids {
            let n = tx
                .execute(
                    &format!(
                        "UPDATE events SET {DELETE_BOX}
                         WHERE kind = $1 AND id = $2 AND (payload::jsonb ->> 'deleted_at') IS NULL"
                    ),
                    &[&PRE_APPLICATION_KIND, id, &now, &"handled"],
                )
                .await?;
            StoreError::unless_touched(n, || {
                format!("no pre-application {id} still held (unknown, or already deleted)")
            })?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the sealed boxes of pre-applications received before `cutoff`.
    pub async fn delete_expired(
        &self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                &format!(
                    "UPDATE events SET {DELETE_BOX}
                     WHERE kind = $1 AND received_at < $2 AND (payload::jsonb ->> 'deleted_at') IS NULL"
                ),
                &[&PRE_APPLICATION_KIND, &time_text(cutoff), &time_text(now), &"retention period over"],
            )
            .await?;
        Ok(n as usize)
    }
}
