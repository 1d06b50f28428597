//! What the ops staff's commands do, on PostgreSQL: keys, bundles, platforms, codes,
//! terminals, commands, events and statistics (lawyers, video and legal aid in
//! `admin_more.rs`).

use super::{PgStore, text};
use crate::code_key::CodeKey;
use crate::store::bundles::{self, Checked, PublishedBundle};
use crate::store::commands::{self, CommandRow};
use crate::store::events::{EventFilter, EventRow};
use crate::store::platforms::Platform;
use crate::store::terminals::TerminalHealth;
use crate::store::{StoreError, enrolment, now_text, time_text};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use provisioning::bundle::{Manifest, SignedBundle};
use provisioning::command::{CommandBody, SignedCommand};
use tokio_postgres::types::ToSql;

fn params<'a>(
    s: &'a [&'a (dyn ToSql + Sync)],
) -> impl ExactSizeIterator<Item = &'a dyn ToSql> + 'a {
    s.iter().map(|p| *p as _)
}

impl PgStore {
    /// Records a signing key's public half under a name.
    pub async fn register_key(&self, name: &str, public_key: &str) -> Result<(), StoreError> {
        provisioning::keys::public_key_from_base64(public_key)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.client()
            .await?
            .execute(
                "INSERT INTO signing_keys (public_key, name, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (public_key) DO UPDATE SET name = excluded.name",
                &[&public_key, &text(name), &now_text()],
            )
            .await?;
        Ok(())
    }

    /// Registered signing keys: (name, public key).
    pub async fn keys(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, public_key FROM signing_keys ORDER BY created_at",
                &[],
            )
            .await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Stores a signed bundle (checks as `bundles::publish`); one publisher per stream at a
    /// time (advisory lock), so two versions cannot both pass the "newer" check.
    pub async fn publish(&self, bundle: &SignedBundle) -> Result<Manifest, StoreError> {
        let public_key = bundles::signer(bundle)?;
        let mut client = self.client().await?;
        let known = client
            .query_opt(
                "SELECT name FROM signing_keys WHERE public_key = $1",
                &[&public_key],
            )
            .await?;
        if known.is_none() {
            return Err(bundles::unknown_signer());
        }
        let Checked {
            manifest,
            body,
            scope,
        } = bundles::check(bundle)?;
        let tx = client.transaction().await?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('bundle:' || $1))",
            &[&manifest.stream],
        )
        .await?;
        let latest: Option<i64> = tx
            .query_one(
                "SELECT MAX(version) FROM bundles WHERE stream = $1",
                &[&manifest.stream],
            )
            .await?
            .get(0);
        if let Some(latest) = latest
            && manifest.version as i64 <= latest
        {
            return Err(bundles::not_newer(&manifest, latest));
        }
        tx.execute(
            "INSERT INTO bundles (stream, version, scope, payload_size, expires_at, published_at, signed_by, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &manifest.stream,
                &(manifest.version as i64),
                &scope,
                &(manifest.payload_size as i64),
                &time_text(manifest.expires_at),
                &now_text(),
                &public_key,
                &text(&body),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(manifest)
    }

    /// All published bundles, newest first per stream.
    pub async fn bundles(&self) -> Result<Vec<PublishedBundle>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT stream, version, scope, payload_size, expires_at, published_at FROM bundles
                 ORDER BY stream, version DESC",
                &[],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| PublishedBundle {
                stream: r.get(0),
                version: r.get::<_, i64>(1) as u64,
                scope: bundles::describe_scope(r.get(2)),
                payload_size: r.get::<_, i64>(3) as u64,
                expires_at: r.get(4),
                published_at: r.get(5),
            })
            .collect())
    }

    /// Adds a platform or updates it.
    pub async fn platform_upsert(&self, p: &Platform) -> Result<(), StoreError> {
        if p.id.trim().is_empty() || p.region.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a platform needs an id and a region".into(),
            ));
        }
        self.client()
            .await?
            .execute(
                "INSERT INTO platforms (id, name, region, address, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, region = excluded.region,
                   address = excluded.address",
                &[&text(&p.id), &text(&p.name), &text(&p.region), &text(&p.address), &now_text()],
            )
            .await?;
        Ok(())
    }

    /// One platform.
    pub async fn platform(&self, id: &str) -> Result<Option<Platform>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT id, name, region, address FROM platforms WHERE id = $1",
                &[&text(id)],
            )
            .await?;
        Ok(row.map(|r| Platform {
            id: r.get(0),
            name: r.get(1),
            region: r.get(2),
            address: r.get(3),
        }))
    }

    /// All platforms by id.
    pub async fn platforms(&self) -> Result<Vec<Platform>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, name, region, address FROM platforms ORDER BY id",
                &[],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Platform {
                id: r.get(0),
                name: r.get(1),
                region: r.get(2),
                address: r.get(3),
            })
            .collect())
    }

    /// Removes a platform that has no terminals.
    pub async fn platform_remove(&self, id: &str) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let terminals: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM terminals WHERE platform_id = $1",
                &[&id],
            )
            .await?
            .get(0);
        if terminals > 0 {
            return Err(StoreError::Invalid(format!(
                "platform {id} still has {terminals} terminal(s)"
            )));
        }
        tx.execute("DELETE FROM enrolment_codes WHERE platform_id = $1", &[&id])
            .await?;
        if tx
            .execute("DELETE FROM platforms WHERE id = $1", &[&id])
            .await?
            == 0
        {
            return Err(StoreError::NotFound(format!("no platform {id}")));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Makes an enrolment code (see `enrolment::create_code`).
    pub async fn create_code(
        &self,
        key: &CodeKey,
        platform_id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        if self.platform(platform_id).await?.is_none() {
            return Err(enrolment::no_platform(platform_id));
        }
        let code = enrolment::new_code()?;
        self.client()
            .await?
            .execute(
                "INSERT INTO enrolment_codes (code_hash, platform_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                &[&enrolment::code_hash(key, &code), &platform_id, &now_text(), &time_text(expires_at)],
            )
            .await?;
        Ok(enrolment::shown(&code))
    }

    /// All terminals (optionally of one platform) with their health.
    pub async fn terminals_health(
        &self,
        platform: Option<&str>,
        now: DateTime<Utc>,
        overdue_after: chrono::Duration,
    ) -> Result<Vec<TerminalHealth>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT t.device_id, t.platform_id, p.region, t.status, t.hardware_serial, t.last_seen,
                   t.app_version, t.heartbeat, t.enrolled_at
                 FROM terminals t JOIN platforms p ON p.id = t.platform_id
                 WHERE $1::text IS NULL OR t.platform_id = $1 ORDER BY t.platform_id, t.device_id",
                &[&platform],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let last_seen: Option<String> = r.get(5);
                let enrolled_at: String = r.get(8);
                let heartbeat: Option<String> = r.get(7);
                let status: String = r.get(3);
                let reference = last_seen.clone().unwrap_or(enrolled_at);
                let seen = DateTime::parse_from_rfc3339(&reference)
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or(now);
                TerminalHealth {
                    device_id: r.get(0),
                    platform_id: r.get(1),
                    region: r.get(2),
                    overdue: status == "active" && now - seen > overdue_after,
                    status,
                    hardware_serial: r.get(4),
                    last_seen,
                    app_version: r.get(6),
                    heartbeat: heartbeat.and_then(|h| serde_json::from_str(&h).ok()),
                }
            })
            .collect())
    }

    /// Revokes a terminal.
    pub async fn revoke(&self, device_id: &str) -> Result<(), StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE terminals SET status = 'revoked', revoked_at = $2 WHERE device_id = $1",
                &[&device_id, &now_text()],
            )
            .await?;
        StoreError::unless_touched(n, || format!("no terminal {device_id}"))
    }

    /// Stores a signed command for its terminal.
    pub async fn command_create(
        &self,
        command: &SignedCommand,
        body: &CommandBody,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        let status: Option<String> = client
            .query_opt(
                "SELECT status FROM terminals WHERE device_id = $1",
                &[&body.device_id],
            )
            .await?
            .map(|r| r.get(0));
        commands::check_target(status.as_deref(), &body.device_id)?;
        let json =
            serde_json::to_string(command).map_err(|e| StoreError::Invalid(e.to_string()))?;
        client
            .execute(
                "INSERT INTO commands (command_id, device_id, action, body, issued_at, not_after, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&body.command_id, &body.device_id, &body.action.name(), &text(&json),
                  &time_text(body.issued_at), &time_text(body.not_after), &now_text()],
            )
            .await?;
        Ok(())
    }

    /// Commands, newest first, optionally for one terminal.
    pub async fn commands(
        &self,
        device_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CommandRow>, StoreError> {
        let now = time_text(now);
        let rows = self
            .client()
            .await?
            .query(
                "SELECT command_id, device_id, action, state, detail, issued_at, not_after, logs IS NOT NULL
                 FROM commands WHERE $1::text IS NULL OR device_id = $1 ORDER BY issued_at DESC",
                &[&device_id],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let not_after: String = r.get(6);
                CommandRow {
                    command_id: r.get(0),
                    device_id: r.get(1),
                    action: r.get(2),
                    state: commands::shown_state(r.get(3), &not_after, &now),
                    detail: r.get(4),
                    issued_at: r.get(5),
                    not_after,
                    has_logs: r.get(7),
                }
            })
            .collect())
    }

    /// The uploaded logs of a command.
    pub async fn command_logs(&self, command_id: &str) -> Result<Option<String>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT logs FROM commands WHERE command_id = $1",
                &[&command_id],
            )
            .await?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// Calls `each` for every matching event in the order received (streamed).
    pub async fn export(
        &self,
        filter: &EventFilter,
        each: &mut (dyn FnMut(EventRow) -> Result<(), StoreError> + Send),
    ) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let stream = client
            .query_raw(
                "SELECT received_at, device_id, platform_id, seq, idempotency_key, kind, created_at, payload
                 FROM events
                 WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR platform_id = $2)
                   AND ($3::text IS NULL OR device_id = $3) AND ($4::text IS NULL OR received_at >= $4)
                 ORDER BY id",
                params(&[&filter.kind, &filter.platform, &filter.device, &filter.since]),
            )
            .await?;
        futures_util::pin_mut!(stream);
        let mut n = 0;
        while let Some(r) = stream.try_next().await? {
            each(EventRow {
                received_at: r.get(0),
                device_id: r.get(1),
                platform_id: r.get(2),
                seq: r.get(3),
                idempotency_key: r.get(4),
                kind: r.get(5),
                created_at: r.get(6),
                payload: r.get(7),
            })?;
            n += 1;
        }
        Ok(n)
    }

    /// Events stored for a device, or in all (`None`).
    pub async fn count_events(&self, device_id: Option<&str>) -> Result<u64, StoreError> {
        let row = self
            .client()
            .await?
            .query_one(
                "SELECT COUNT(*) FROM events WHERE $1::text IS NULL OR device_id = $1",
                &[&device_id],
            )
            .await?;
        Ok(row.get::<_, i64>(0) as u64)
    }
}
