//! Releases and rollouts, on either store (SQL written once, see [`super::portable`]): the
//! package kept in chunks so that it streams to terminals without being held in memory,
//! rollouts moved on or paused from the terminals' reported update states.

use super::portable::{Row, Statement, Value};
use super::{Store, StoreError, now_text};
use crate::rollout::{self, Decision, Member, Rollout, RolloutState, Stage, StageCounts};
use provisioning::bundle::PinnedKeys;
use provisioning::protocol::{UpdateOffer, UpdateReport, UpdateState};
use provisioning::release::verify::parse_manifest;
use provisioning::release::{ReleaseManifest, SignedRelease, signed_bytes, version};
use provisioning::scope::TerminalPlacement;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use std::cmp::Ordering;

/// Bytes per stored chunk: what one streaming download holds in memory at a time.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// A published release, for `release list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedRelease {
    /// Debian version.
    pub version: String,
    /// Package name.
    pub package: String,
    /// Architecture.
    pub architecture: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// When it was stored.
    pub published_at: String,
}

/// What a download needs: the size, the hash (for `ETag`), the number of chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageInfo {
    /// Bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Invalid(message.into())
}

fn rollout_from(row: Row) -> Result<Rollout, StoreError> {
    let stages: Vec<Stage> =
        serde_json::from_str(row[2].text()).map_err(|e| invalid(format!("stored stages: {e}")))?;
    Ok(Rollout {
        id: row[0].text().to_string(),
        release: row[1].text().to_string(),
        stages,
        success_threshold: row[3].int().clamp(0, 100) as u8,
        error_threshold: row[4].int().clamp(0, 100) as u8,
        max_bytes_per_s: row[5].int().max(0) as u64,
        state: RolloutState::parse(row[6].text())
            .ok_or_else(|| invalid(format!("stored rollout state {:?}", row[6].text())))?,
        current_stage: row[7].int().max(0) as usize,
        reason: row[8].opt_text(),
    })
}

fn state_name(state: UpdateState) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn state_from(name: &str) -> Option<UpdateState> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

impl Store {
    /// Stores a signed release and its package after checking that a registered key signed
    /// it, that the manifest is well formed, that the package matches its size and SHA-256
    /// and that the version is new.
    pub async fn release_publish(
        &self,
        release: &SignedRelease,
        package: Vec<u8>,
    ) -> Result<ReleaseManifest, StoreError> {
        let key = &release.signature.public_key;
        let known = self
            .rows(
                "SELECT name FROM signing_keys WHERE public_key = ?1",
                vec![key.as_str().into()],
            )
            .await?;
        if known.is_empty() {
            return Err(super::bundles::unknown_signer());
        }
        PinnedKeys::from_base64(&[key])
            .map_err(|e| invalid(e.to_string()))?
            .verify(
                key,
                &release.signature.signature,
                &signed_bytes(&release.manifest),
            )
            .map_err(|_| invalid("release signature does not verify"))?;
        let manifest = parse_manifest(&release.manifest).map_err(|e| invalid(e.to_string()))?;
        if manifest.size != package.len() as u64
            || manifest.sha256 != hex::encode(Sha256::digest(&package))
        {
            return Err(invalid(
                "the package does not match its manifest's size and SHA-256",
            ));
        }
        let exists = self
            .rows(
                "SELECT version FROM releases WHERE version = ?1",
                vec![manifest.version.as_str().into()],
            )
            .await?;
        if !exists.is_empty() {
            return Err(invalid(format!(
                "release {} is already published",
                manifest.version
            )));
        }
        let body = serde_json::to_string(release).map_err(|e| invalid(e.to_string()))?;
        let mut statements: Vec<Statement> = vec![(
            "INSERT INTO releases (version, package, architecture, size, sha256, signed_by, body, published_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            vec![
                manifest.version.as_str().into(),
                manifest.package.as_str().into(),
                manifest.architecture.as_str().into(),
                (manifest.size as i64).into(),
                manifest.sha256.as_str().into(),
                key.as_str().into(),
                body.into(),
                now_text().into(),
            ],
        )];
        for (i, chunk) in package.chunks(CHUNK_BYTES).enumerate() {
            statements.push((
                "INSERT INTO release_chunks (version, idx, data) VALUES (?1, ?2, ?3)",
                vec![
                    manifest.version.as_str().into(),
                    (i as i64).into(),
                    chunk.to_vec().into(),
                ],
            ));
        }
        self.exec_all(statements).await?;
        Ok(manifest)
    }

    /// Published releases, oldest first.
    pub async fn releases(&self) -> Result<Vec<PublishedRelease>, StoreError> {
        let rows = self
            .rows(
                "SELECT version, package, architecture, size, sha256, published_at FROM releases ORDER BY published_at",
                vec![],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| PublishedRelease {
                version: r[0].text().into(),
                package: r[1].text().into(),
                architecture: r[2].text().into(),
                size: r[3].int().max(0) as u64,
                sha256: r[4].text().into(),
                published_at: r[5].text().into(),
            })
            .collect())
    }

    /// A release's package size and hash, if it is published.
    pub async fn package_info(&self, version: &str) -> Result<Option<PackageInfo>, StoreError> {
        let rows = self
            .rows(
                "SELECT size, sha256 FROM releases WHERE version = ?1",
                vec![version.into()],
            )
            .await?;
        Ok(rows.into_iter().next().map(|r| PackageInfo {
            size: r[0].int().max(0) as u64,
            sha256: r[1].text().into(),
        }))
    }

    /// One chunk of a package ([`CHUNK_BYTES`] each but the last).
    pub async fn package_chunk(&self, version: &str, index: u64) -> Result<Vec<u8>, StoreError> {
        let rows = self
            .rows(
                "SELECT data FROM release_chunks WHERE version = ?1 AND idx = ?2",
                vec![version.into(), (index as i64).into()],
            )
            .await?;
        rows.into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .map(Value::into_bytes)
            .ok_or_else(|| StoreError::NotFound(format!("release {version} chunk {index}")))
    }

    /// Starts a rollout of a published release (one rollout running or paused at a time).
    pub async fn rollout_create(&self, rollout: &Rollout) -> Result<(), StoreError> {
        if self.package_info(&rollout.release).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "no release {} (run `release publish` first)",
                rollout.release
            )));
        }
        let active = self
            .rows(
                "SELECT id FROM rollouts WHERE state IN ('running', 'paused')",
                vec![],
            )
            .await?;
        if let Some(row) = active.first() {
            return Err(invalid(format!(
                "rollout {} is still running or paused: cancel it first",
                row[0].text()
            )));
        }
        let stages = serde_json::to_string(&rollout.stages).map_err(|e| invalid(e.to_string()))?;
        let now = now_text();
        self.exec_all(vec![(
            "INSERT INTO rollouts (id, release_version, stages, success_threshold, error_threshold, max_bytes_per_s, state, current_stage, reason, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', 0, NULL, ?7, ?7)",
            vec![
                rollout.id.as_str().into(),
                rollout.release.as_str().into(),
                stages.into(),
                i64::from(rollout.success_threshold).into(),
                i64::from(rollout.error_threshold).into(),
                (rollout.max_bytes_per_s as i64).into(),
                now.into(),
            ],
        )])
        .await?;
        Ok(())
    }

    /// A rollout by id, or the newest one.
    pub async fn rollout(&self, id: Option<&str>) -> Result<Rollout, StoreError> {
        let rows = match id {
            Some(id) => {
                self.rows(
                    "SELECT id, release_version, stages, success_threshold, error_threshold, max_bytes_per_s, state, current_stage, reason FROM rollouts WHERE id = ?1",
                    vec![id.into()],
                )
                .await?
            }
            None => {
                self.rows(
                    "SELECT id, release_version, stages, success_threshold, error_threshold, max_bytes_per_s, state, current_stage, reason FROM rollouts ORDER BY created_at DESC LIMIT 1",
                    vec![],
                )
                .await?
            }
        };
        let row = rows.into_iter().next().ok_or_else(|| {
            StoreError::NotFound(
                id.map_or("no rollout yet".into(), |id| format!("no rollout {id}")),
            )
        })?;
        rollout_from(row)
    }

    /// Pauses, resumes or cancels a rollout; refuses a change its state does not allow.
    pub async fn rollout_set_state(
        &self,
        id: &str,
        to: RolloutState,
        reason: Option<String>,
    ) -> Result<Rollout, StoreError> {
        let from: &[RolloutState] = match to {
            RolloutState::Paused => &[RolloutState::Running],
            RolloutState::Running => &[RolloutState::Paused],
            RolloutState::Cancelled => &[RolloutState::Running, RolloutState::Paused],
            RolloutState::Completed => return Err(invalid("a rollout completes by itself")),
        };
        let current = self.rollout(Some(id)).await?;
        if !from.contains(&current.state) {
            return Err(invalid(format!(
                "rollout {id} is {}: it cannot become {}",
                current.state.as_str(),
                to.as_str()
            )));
        }
        self.exec_all(vec![(
            "UPDATE rollouts SET state = ?2, reason = ?3, updated_at = ?4 WHERE id = ?1 AND state = ?5",
            vec![
                id.into(),
                to.as_str().into(),
                reason.into(),
                now_text().into(),
                current.state.as_str().into(),
            ],
        )])
        .await?;
        self.rollout(Some(id)).await
    }

    /// The rollout's per-stage counts, after moving it on or pausing it as the terminals'
    /// reports say.
    pub async fn rollout_status(
        &self,
        id: Option<&str>,
    ) -> Result<(Rollout, Vec<StageCounts>), StoreError> {
        let mut rollout = self.rollout(id).await?;
        let members = self.members(&rollout.release).await?;
        let (mut counts, decision) = rollout::evaluate(&rollout, &members);
        if decision != Decision::Stay {
            self.apply(&rollout, &decision).await?;
            rollout = self.rollout(Some(&rollout.id)).await?;
            counts = rollout::evaluate(&rollout, &members).0;
        }
        Ok((rollout, counts))
    }

    async fn members(&self, release: &str) -> Result<Vec<Member>, StoreError> {
        let rows = self
            .rows(
                "SELECT t.device_id, t.platform_id, p.region, t.app_version, u.state
                 FROM terminals t JOIN platforms p ON p.id = t.platform_id
                 LEFT JOIN terminal_updates u ON u.device_id = t.device_id AND u.version = ?1
                 WHERE t.status = 'active'",
                vec![release.into()],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Member {
                placement: TerminalPlacement {
                    device_id: r[0].text().into(),
                    platform_id: r[1].text().into(),
                    region: r[2].text().into(),
                },
                app_version: r[3].opt_text(),
                reported: state_from(r[4].text()),
            })
            .collect())
    }

    async fn apply(&self, rollout: &Rollout, decision: &Decision) -> Result<(), StoreError> {
        let (stage, state, reason) = match decision {
            Decision::Stay => return Ok(()),
            Decision::Advance(stage) => (*stage, RolloutState::Running, None),
            Decision::Complete => (rollout.stages.len() - 1, RolloutState::Completed, None),
            Decision::Pause(why) => (
                rollout.current_stage,
                RolloutState::Paused,
                Some(why.clone()),
            ),
        };
        tracing::info!(rollout = rollout.id, ?decision, "rollout moves");
        // Only from the state it was evaluated in: two instances deciding alike change it once.
        self.exec_all(vec![(
            "UPDATE rollouts SET current_stage = ?2, state = ?3, reason = ?4, updated_at = ?5
             WHERE id = ?1 AND state = 'running' AND current_stage = ?6",
            vec![
                rollout.id.as_str().into(),
                (stage as i64).into(),
                state.as_str().into(),
                reason.into(),
                now_text().into(),
                (rollout.current_stage as i64).into(),
            ],
        )])
        .await?;
        Ok(())
    }

    /// At a poll: records the terminal's update report (moving its rollout on when it
    /// changed) and returns the release its stage offers it, if any.
    pub async fn update_poll(
        &self,
        placement: &TerminalPlacement,
        app_version: &str,
        report: Option<&UpdateReport>,
    ) -> Result<Option<UpdateOffer>, StoreError> {
        let mut changed = false;
        if let Some(report) = report {
            let n = self
                .exec_all(vec![(
                    "INSERT INTO terminal_updates (device_id, version, state, detail, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (device_id) DO UPDATE SET version = excluded.version,
                       state = excluded.state, detail = excluded.detail, updated_at = excluded.updated_at
                     WHERE terminal_updates.version <> excluded.version OR terminal_updates.state <> excluded.state",
                    vec![
                        placement.device_id.as_str().into(),
                        report.version.as_str().into(),
                        state_name(report.state).into(),
                        report.detail.clone().into(),
                        now_text().into(),
                    ],
                )])
                .await?;
            changed = n.first().is_some_and(|n| *n > 0);
        }
        let running = self
            .rows(
                "SELECT id FROM rollouts WHERE state = 'running' ORDER BY created_at DESC LIMIT 1",
                vec![],
            )
            .await?;
        let Some(id) = running.first().map(|r| r[0].text().to_string()) else {
            return Ok(None);
        };
        let rollout = if changed {
            self.rollout_status(Some(&id)).await?.0
        } else {
            self.rollout(Some(&id)).await?
        };
        let offered = rollout.state == RolloutState::Running
            && rollout::stage_of(&rollout.stages, &rollout.id, placement)
                .is_some_and(|s| s <= rollout.current_stage)
            && version::is_valid(app_version)
            && version::compare(app_version, &rollout.release) == Ordering::Less
            && !report.is_some_and(|r| {
                r.version == rollout.release
                    && matches!(
                        r.state,
                        UpdateState::Failed | UpdateState::RolledBack | UpdateState::Healthy
                    )
            });
        if !offered {
            return Ok(None);
        }
        let body = self
            .rows(
                "SELECT body FROM releases WHERE version = ?1",
                vec![rollout.release.as_str().into()],
            )
            .await?;
        let release: SignedRelease = body
            .first()
            .and_then(|r| serde_json::from_str(r[0].text()).ok())
            .ok_or_else(|| invalid(format!("stored release {} is unreadable", rollout.release)))?;
        Ok(Some(UpdateOffer {
            release,
            rollout_id: rollout.id,
            max_bytes_per_s: rollout.max_bytes_per_s,
        }))
    }
}
