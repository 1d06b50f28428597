//! What terminals do, on PostgreSQL: authentication lookups, event batches, polls, bundle
//! downloads, acknowledgements, enrolment.

use super::{PgStore, text};
use crate::code_key::CodeKey;
use crate::store::enrolment::{self, Enrolled, NewTerminal, Refusal};
use crate::store::stats::Rollup;
use crate::store::terminals::TerminalAuth;
use crate::store::{StoreError, bundles, commands, events, now_text, time_text};
use chrono::{DateTime, Utc};
use provisioning::command::SignedCommand;
use provisioning::protocol::{BundleOffer, CommandAck, Event, EventBatchResponse, Heartbeat};
use provisioning::scope::TerminalPlacement;

/// Why PostgreSQL would refuse an event SQLite stores: a NUL character in a text field.
fn nul_defect(event: &Event) -> Option<String> {
    [&event.idempotency_key, &event.kind, &event.created_at]
        .iter()
        .any(|s| s.contains('\0'))
        .then(|| "a text field contains a NUL character".to_string())
}

impl PgStore {
    /// Looks a terminal up by device id.
    pub async fn auth_info(&self, device_id: &str) -> Result<Option<TerminalAuth>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT t.public_key, t.status, t.platform_id, p.region FROM terminals t
                 JOIN platforms p ON p.id = t.platform_id WHERE t.device_id = $1",
                &[&device_id],
            )
            .await?;
        Ok(row.map(|r| TerminalAuth {
            public_key: r.get(0),
            status: r.get(1),
            placement: TerminalPlacement {
                device_id: device_id.to_string(),
                platform_id: r.get(2),
                region: r.get(3),
            },
        }))
    }

    /// Stores a batch in one transaction (see `events::ingest`): new events once per
    /// (device, idempotency key), repeats counted, malformed ones quarantined.
    pub async fn ingest(
        &self,
        device_id: &str,
        platform_id: &str,
        region: &str,
        batch: &[Event],
    ) -> Result<EventBatchResponse, StoreError> {
        let received_at = now_text();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let mut answer = EventBatchResponse {
            acknowledged: Vec::with_capacity(batch.len()),
            stored: 0,
            duplicates: 0,
            quarantined: 0,
        };
        let (mut seqs, mut keys, mut kinds, mut payloads, mut created) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for event in batch {
            if let Some(reason) = events::defect(event).or_else(|| nul_defect(event)) {
                let raw = serde_json::to_string(event).unwrap_or_default();
                tx.execute(
                    "INSERT INTO events_quarantine (device_id, seq, idempotency_key, raw, reason, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    &[&device_id, &event.seq, &text(&event.idempotency_key), &raw, &reason, &received_at],
                )
                .await?;
                answer.quarantined += 1;
            } else {
                seqs.push(event.seq);
                keys.push(event.idempotency_key.as_str());
                kinds.push(event.kind.as_str());
                payloads.push(event.payload.to_string());
                created.push(event.created_at.as_str());
            }
            answer.acknowledged.push(event.seq);
        }
        if !keys.is_empty() {
            // One statement for the batch; a key seen before (or twice in the batch) is
            // skipped by the unique index.
            let stored: std::collections::HashSet<String> = tx
                .query(
                    "INSERT INTO events (device_id, platform_id, seq, idempotency_key, kind, payload, created_at, received_at)
                     SELECT $1, $2, u.s, u.k, u.t, u.p, u.c, $3
                     FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
                       WITH ORDINALITY AS u(s, k, t, p, c, n) ORDER BY u.n
                     ON CONFLICT (device_id, idempotency_key) DO NOTHING
                     RETURNING idempotency_key",
                    &[&device_id, &platform_id, &received_at, &seqs, &keys, &kinds, &payloads, &created],
                )
                .await?
                .into_iter()
                .map(|r| r.get(0))
                .collect();
            // The demand analysis's rollups, of the rows actually stored, in this transaction.
            let mut rollup = Rollup::default();
            let mut counted = std::collections::HashSet::new();
            for event in batch {
                if events::defect(event).is_none()
                    && nul_defect(event).is_none()
                    && stored.contains(&event.idempotency_key)
                    && counted.insert(event.idempotency_key.as_str())
                {
                    rollup.add(
                        device_id,
                        platform_id,
                        region,
                        &event.kind,
                        &event.payload,
                        &event.created_at,
                    );
                }
            }
            if crate::store::stats::at_ingest() {
                super::stats::write(&tx, &rollup).await?;
            }
            let stored = stored.len() as u64;
            answer.stored = stored as u32;
            answer.duplicates = (keys.len() as u64 - stored) as u32;
        }
        // Work orders, once per event (their own unique key), in this transaction.
        for event in batch
            .iter()
            .filter(|e| e.kind == crate::work_orders::EVENT_KIND)
        {
            if events::defect(event)
                .or_else(|| nul_defect(event))
                .is_none()
            {
                super::super::work_orders::from_event_pg(&tx, device_id, platform_id, event)
                    .await?;
            }
        }
        // Check-ins and missed appointments change their bookings (idempotent).
        for event in batch.iter().filter(|e| e.kind.starts_with("appointment.")) {
            if events::defect(event)
                .or_else(|| nul_defect(event))
                .is_none()
            {
                super::super::booking_events::from_event_pg(&tx, platform_id, event).await?;
            }
        }
        tx.commit().await?;
        Ok(answer)
    }

    /// Records the heartbeat; returns bundle offers and open commands (marking pending
    /// ones delivered), in one transaction.
    pub async fn poll(
        &self,
        placement: &TerminalPlacement,
        heartbeat: &Heartbeat,
        now: DateTime<Utc>,
    ) -> Result<(Vec<BundleOffer>, Vec<SignedCommand>), StoreError> {
        let json =
            serde_json::to_string(heartbeat).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let device = placement.device_id.as_str();
        tx.execute(
            "UPDATE terminals SET last_seen = $2, app_version = $3, heartbeat = $4 WHERE device_id = $1",
            &[&device, &now_text(), &text(&heartbeat.app_version), &json],
        )
        .await?;
        let rows = tx
            .query(
                "SELECT stream, version, scope, payload_size FROM bundles WHERE expires_at > $1
                 ORDER BY stream, version DESC",
                &[&time_text(now)],
            )
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    r.get::<_, i64>(1) as u64,
                    r.get::<_, String>(2),
                    r.get::<_, i64>(3) as u64,
                )
            })
            .collect();
        let offers = bundles::pick_offers(rows, placement, &heartbeat.bundles);
        let bodies: Vec<String> = tx
            .query(
                "SELECT body FROM commands WHERE device_id = $1
                   AND state IN ('pending', 'delivered', 'received', 'proceeding')
                   AND not_after > $2 ORDER BY issued_at, command_id",
                &[&device, &time_text(now)],
            )
            .await?
            .into_iter()
            .map(|r| r.get(0))
            .collect();
        if !bodies.is_empty() {
            tx.execute(
                "UPDATE commands SET state = 'delivered', updated_at = $2 WHERE device_id = $1 AND state = 'pending'",
                &[&device, &now_text()],
            )
            .await?;
        }
        tx.commit().await?;
        let open = bodies
            .into_iter()
            .filter_map(|b| serde_json::from_str(&b).ok())
            .collect();
        Ok((offers, open))
    }

    /// A bundle's stored JSON, if it exists and its scope includes the terminal.
    pub async fn bundle_body(
        &self,
        stream: &str,
        version: u64,
        placement: &TerminalPlacement,
    ) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT scope, body FROM bundles WHERE stream = $1 AND version = $2",
                &[&stream, &(version as i64)],
            )
            .await?;
        Ok(row.and_then(|r| bundles::body_if_in_scope(r.get(0), r.get(1), placement)))
    }

    /// Records an acknowledgement (a closed command keeps its first final state).
    pub async fn acknowledge(
        &self,
        device_id: &str,
        command_id: &str,
        ack: &CommandAck,
    ) -> Result<String, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT state FROM commands WHERE command_id = $1 AND device_id = $2 FOR UPDATE",
                &[&command_id, &device_id],
            )
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(format!(
                "no command {command_id} for this terminal"
            )));
        };
        let state: String = row.get(0);
        if commands::is_final(&state) {
            return Ok(state);
        }
        let detail = ack
            .detail
            .as_deref()
            .map(|d| text(d).chars().take(1000).collect::<String>());
        tx.execute(
            "UPDATE commands SET state = $3, detail = $4, updated_at = $5 WHERE command_id = $1 AND device_id = $2",
            &[&command_id, &device_id, &ack.state.as_str(), &detail, &now_text()],
        )
        .await?;
        tx.commit().await?;
        Ok(ack.state.as_str().to_string())
    }

    /// Stores uploaded logs for an `upload-logs` command.
    pub async fn store_logs(
        &self,
        device_id: &str,
        command_id: &str,
        logs: &str,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        let n = client
            .execute(
                "UPDATE commands SET logs = $3, updated_at = $4
                 WHERE command_id = $1 AND device_id = $2 AND action = 'upload-logs'",
                &[&command_id, &device_id, &text(logs), &now_text()],
            )
            .await?;
        StoreError::unless_touched(n, || {
            format!("no upload-logs command {command_id} for this terminal")
        })
    }

    /// Consumes the code and records the terminal, in one transaction; the code's row is
    /// locked first, so of two instances racing with one code, the second sees it used.
    pub async fn enrol(
        &self,
        key: &CodeKey,
        t: &NewTerminal<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<Enrolled, Refusal>, StoreError> {
        let hash = enrolment::code_hash(key, t.code);
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT platform_id, expires_at, used_at FROM enrolment_codes WHERE code_hash = $1 FOR UPDATE",
                &[&hash],
            )
            .await?
            .map(|r| (r.get(0), r.get(1), r.get(2)));
        let platform_id = match enrolment::check_code(row, now) {
            Ok(p) => p,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let status: Option<String> = tx
            .query_opt(
                "SELECT status FROM terminals WHERE public_key = $1",
                &[&t.public_key],
            )
            .await?
            .map(|r| r.get(0));
        if let Some(refusal) = enrolment::check_key(status.as_deref()) {
            return Ok(Err(refusal));
        }
        let region: String = tx
            .query_one(
                "SELECT region FROM platforms WHERE id = $1",
                &[&platform_id],
            )
            .await?
            .get(0);
        let now_s = time_text(now);
        tx.execute(
            "INSERT INTO terminals (device_id, public_key, platform_id, hardware_serial, enrolled_at, app_version)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (device_id) DO UPDATE SET platform_id = excluded.platform_id,
               hardware_serial = excluded.hardware_serial, enrolled_at = excluded.enrolled_at,
               app_version = excluded.app_version",
            &[&t.device_id, &t.public_key, &platform_id, &text(t.hardware_serial), &now_s, &text(t.app_version)],
        )
        .await?;
        tx.execute(
            "UPDATE enrolment_codes SET used_at = $2, used_by = $3 WHERE code_hash = $1",
            &[&hash, &now_s, &t.device_id],
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(Enrolled {
            platform_id,
            region,
        }))
    }

    /// Of these terminals and accounts, those no longer allowed in.
    pub async fn not_active(
        &self,
        devices: &[String],
        lawyers: &[String],
    ) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let client = self.client().await?;
        // Of `ids`, those the query (active ones among `$1`) does not return.
        let missing = async |sql: &str, ids: &[String]| -> Result<Vec<String>, StoreError> {
            let active: Vec<String> = client
                .query(sql, &[&ids])
                .await?
                .into_iter()
                .map(|r| r.get(0))
                .collect();
            Ok(ids
                .iter()
                .filter(|x| !active.contains(x))
                .cloned()
                .collect())
        };
        Ok((
            missing(
                "SELECT device_id FROM terminals WHERE device_id = ANY($1) AND status = 'active'",
                devices,
            )
            .await?,
            missing(
                "SELECT username FROM lawyers WHERE username = ANY($1) AND status = 'active'",
                lawyers,
            )
            .await?,
        ))
    }
}
