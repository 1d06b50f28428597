//! The store's operations for request handlers (async): SQLite's run on the blocking pool,
//! PostgreSQL's on the connection pool.

use super::enrolment::{self, Enrolled, NewTerminal, Refusal};
use super::terminals::TerminalAuth;
use super::{Store, StoreError, bundles, commands, events, lawyers, legal_aid, platforms};
use super::{terminals, video};
use crate::code_key::CodeKey;
use crate::store::lawyers::Lawyer;
use crate::store::platforms::Platform;
use crate::video::turn::IceConfig;
use chrono::{DateTime, Utc};
use provisioning::command::SignedCommand;
use provisioning::protocol::{BundleOffer, CommandAck, Event, EventBatchResponse, Heartbeat};
use provisioning::scope::TerminalPlacement;
use std::sync::Arc;

/// An enrolment request with owned fields (moved to the blocking pool).
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The code as typed.
    pub code: String,
    /// Device id derived from the key.
    pub device_id: String,
    /// Public key, base64.
    pub public_key: String,
    /// Board serial.
    pub hardware_serial: String,
    /// Firmware version.
    pub app_version: String,
}

impl Enrolment {
    fn borrowed(&self) -> NewTerminal<'_> {
        NewTerminal {
            code: &self.code,
            device_id: &self.device_id,
            public_key: &self.public_key,
            hardware_serial: &self.hardware_serial,
            app_version: &self.app_version,
        }
    }
}

impl Store {
    /// Looks a terminal up by device id.
    pub async fn auth_info(&self, device_id: &str) -> Result<Option<TerminalAuth>, StoreError> {
        match self {
            Self::Sqlite(s) => {
                let id = device_id.to_string();
                s.call(move |c| terminals::auth_info(c, &id)).await
            }
            Self::Postgres(p) => p.auth_info(device_id).await,
        }
    }

    /// Stores an event batch in one transaction.
    pub async fn ingest(
        &self,
        placement: &TerminalPlacement,
        batch: Vec<Event>,
    ) -> Result<EventBatchResponse, StoreError> {
        match self {
            Self::Sqlite(s) => {
                let p = placement.clone();
                s.call(move |c| events::ingest(c, &p.device_id, &p.platform_id, &batch))
                    .await
            }
            Self::Postgres(pg) => {
                pg.ingest(
                    &placement.device_id,
                    &placement.platform_id,
                    &placement.region,
                    &batch,
                )
                .await
            }
        }
    }

    /// A poll: records the heartbeat, returns bundle offers and open commands.
    pub async fn poll(
        &self,
        placement: &TerminalPlacement,
        heartbeat: Heartbeat,
        now: DateTime<Utc>,
    ) -> Result<(Vec<BundleOffer>, Vec<SignedCommand>), StoreError> {
        match self {
            Self::Sqlite(s) => {
                let placement = placement.clone();
                s.call(move |c| {
                    let tx = c.transaction()?;
                    terminals::record_heartbeat(&tx, &placement.device_id, &heartbeat)?;
                    let offers = bundles::offers(&tx, &placement, &heartbeat.bundles, now)?;
                    let open = commands::take_open(&tx, &placement.device_id, now)?;
                    tx.commit()?;
                    Ok((offers, open))
                })
                .await
            }
            Self::Postgres(p) => p.poll(placement, &heartbeat, now).await,
        }
    }

    /// A bundle's JSON for this terminal.
    pub async fn bundle_body(
        &self,
        stream: &str,
        version: u64,
        placement: &TerminalPlacement,
    ) -> Result<Option<String>, StoreError> {
        match self {
            Self::Sqlite(s) => {
                let (stream, placement) = (stream.to_string(), placement.clone());
                s.call(move |c| bundles::body_for(c, &stream, version, &placement))
                    .await
            }
            Self::Postgres(p) => p.bundle_body(stream, version, placement).await,
        }
    }

    /// Records a command acknowledgement; returns the state now recorded.
    pub async fn acknowledge(
        &self,
        device_id: &str,
        command_id: &str,
        ack: CommandAck,
    ) -> Result<String, StoreError> {
        match self {
            Self::Sqlite(s) => {
                let (d, id) = (device_id.to_string(), command_id.to_string());
                s.call(move |c| commands::acknowledge(c, &d, &id, &ack))
                    .await
            }
            Self::Postgres(p) => p.acknowledge(device_id, command_id, &ack).await,
        }
    }

    /// Stores uploaded logs.
    pub async fn store_logs(
        &self,
        device_id: &str,
        command_id: &str,
        logs: String,
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => {
                let (d, id) = (device_id.to_string(), command_id.to_string());
                s.call(move |c| commands::store_logs(c, &d, &id, &logs))
                    .await
            }
            Self::Postgres(p) => p.store_logs(device_id, command_id, &logs).await,
        }
    }

    /// Consumes an enrolment code and records the terminal.
    pub async fn enrol(
        &self,
        key: Arc<CodeKey>,
        request: Enrolment,
        now: DateTime<Utc>,
    ) -> Result<Result<Enrolled, Refusal>, StoreError> {
        match self {
            Self::Sqlite(s) => {
                s.call(move |c| enrolment::enrol(c, &key, &request.borrowed(), now))
                    .await
            }
            Self::Postgres(p) => p.enrol(&key, &request.borrowed(), now).await,
        }
    }

    /// An account and its password hash.
    pub async fn lawyer_login_info(
        &self,
        username: &str,
    ) -> Result<Option<(Lawyer, String)>, StoreError> {
        match self {
            Self::Sqlite(s) => {
                let u = username.to_string();
                s.call(move |c| lawyers::get(c, &u)).await
            }
            Self::Postgres(p) => p.lawyer(username).await,
        }
    }

    /// The ICE servers and policy.
    pub async fn ice_config_async(&self) -> Result<IceConfig, StoreError> {
        match self {
            Self::Sqlite(s) => s.call(|c| video::ice_config(c)).await,
            Self::Postgres(p) => p.ice_config().await,
        }
    }

    /// One platform.
    pub async fn platform_async(&self, id: &str) -> Result<Option<Platform>, StoreError> {
        match self {
            Self::Sqlite(s) => {
                let id = id.to_string();
                s.call(move |c| platforms::get(c, &id)).await
            }
            Self::Postgres(p) => p.platform(id).await,
        }
    }

    /// Of these terminals and accounts, those no longer allowed in.
    pub async fn not_active(
        &self,
        devices: Vec<String>,
        accounts: Vec<String>,
    ) -> Result<(Vec<String>, Vec<String>), StoreError> {
        match self {
            Self::Sqlite(s) => {
                s.call(move |c| {
                    Ok((
                        terminals::not_active_among(c, &devices)?,
                        lawyers::not_active_among(c, &accounts)?,
                    ))
                })
                .await
            }
            Self::Postgres(p) => p.not_active(&devices, &accounts).await,
        }
    }

    /// Deletes the ciphertext of pre-applications received before `cutoff`.
    pub async fn delete_expired_async(
        &self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        match self {
            Self::Sqlite(s) => {
                s.call(move |c| legal_aid::delete_expired(c, cutoff, now))
                    .await
            }
            Self::Postgres(p) => p.delete_expired(cutoff, now).await,
        }
    }

    /// Whether the database answers and its schema is the one this build expects
    /// (`/readyz`); the reason when not.
    pub async fn readiness(&self) -> Result<(), String> {
        match self {
            Self::Sqlite(s) => s
                .call(|c| {
                    Ok(c.query_row("SELECT COUNT(*) FROM platforms", [], |r| r.get::<_, i64>(0))?)
                })
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Self::Postgres(p) => {
                let version = p.version().await.map_err(|e| e.to_string())?;
                let latest = super::pg::schema::latest();
                if version == latest {
                    Ok(())
                } else {
                    Err(format!(
                        "database schema at version {version}, this registry needs {latest} (run `kiosk-registry migrate`)"
                    ))
                }
            }
        }
    }
}
