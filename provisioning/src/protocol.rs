//! Every message exchanged between a terminal and the registry. Requests are JSON with unknown
//! fields refused; see `provisioning/openapi.json` for the same contract as an OpenAPI 3
//! document.

use crate::bundle::SignedBundle;
use crate::command::SignedCommand;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Endpoint paths (axum-style `{param}` placeholders).
pub mod paths {
    /// `POST`: enrol a terminal with a one-time code (not signed by a device yet).
    pub const ENROL: &str = "/v1/enrol";
    /// `POST`: heartbeat; answers the poll interval, bundle offers and pending commands.
    pub const POLL: &str = "/v1/poll";
    /// `POST`: deliver a batch of outbox events.
    pub const EVENTS: &str = "/v1/events";
    /// `GET`: download a signed bundle offered in a poll answer.
    pub const BUNDLE: &str = "/v1/bundles/{stream}/{version}";
    /// `POST`: acknowledge a command with its state.
    pub const COMMAND_ACK: &str = "/v1/commands/{command_id}/ack";
    /// `POST`: upload recent logs (plain text) for an `upload-logs` command.
    pub const COMMAND_LOGS: &str = "/v1/commands/{command_id}/logs";
    /// `GET`: a release's package (`.deb`), streamed; `Range: bytes=N-` resumes.
    pub const RELEASE_PACKAGE: &str = "/v1/releases/{version}/package";
    /// `GET`: a published map file (MBTiles) by its SHA-256, resumable with `Range`.
    pub const MAP_FILE: &str = "/v1/maps/{sha256}";
    /// `GET`: liveness of the registry (no authentication).
    pub const HEALTH: &str = "/healthz";
    /// Readiness: database reachable, schema current.
    pub const READY: &str = "/readyz";

    /// `BUNDLE` with its parameters filled in.
    pub fn bundle(stream: &str, version: u64) -> String {
        format!("/v1/bundles/{stream}/{version}")
    }

    /// `COMMAND_ACK` with its parameter filled in.
    pub fn command_ack(command_id: &str) -> String {
        format!("/v1/commands/{command_id}/ack")
    }

    /// `MAP_FILE` with its parameter filled in.
    pub fn map_file(sha256: &str) -> String {
        format!("/v1/maps/{sha256}")
    }

    /// `RELEASE_PACKAGE` with its parameter filled in.
    pub fn release_package(version: &str) -> String {
        format!("/v1/releases/{version}/package")
    }

    /// `COMMAND_LOGS` with its parameter filled in.
    pub fn command_logs(command_id: &str) -> String {
        format!("/v1/commands/{command_id}/logs")
    }
}

/// Limits both sides agree on.
pub mod limits {
    /// Most events the registry accepts in one batch.
    pub const MAX_EVENTS_PER_BATCH: usize = 500;
    /// Largest JSON request body (events batch, heartbeat, enrolment), in bytes.
    pub const MAX_JSON_BODY_BYTES: usize = 2 * 1024 * 1024;
    /// Largest log upload, in bytes.
    pub const MAX_LOG_UPLOAD_BYTES: usize = 4 * 1024 * 1024;
    /// Longest event kind, in bytes.
    pub const MAX_EVENT_KIND_BYTES: usize = 64;
    /// Longest idempotency key, in bytes.
    pub const MAX_IDEMPOTENCY_KEY_BYTES: usize = 128;
}

/// `POST /v1/enrol`: a new terminal proves it holds `public_key` and presents a code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The one-time enrolment code the installer typed (case and dashes do not matter).
    pub code: String,
    /// The terminal's Ed25519 public key, base64.
    pub public_key: String,
    /// The board's serial number, for the ops staff's inventory.
    pub hardware_serial: String,
    /// The firmware version.
    pub app_version: String,
    /// Base64 signature by the device key over [`enrolment_proof_message`].
    pub proof: String,
}

/// What the device key signs at enrolment: binds the code to the key and the serial.
pub fn enrolment_proof_message(code: &str, public_key: &str, hardware_serial: &str) -> Vec<u8> {
    format!("legal-kiosk enrol v1\n{code}\n{public_key}\n{hardware_serial}").into_bytes()
}

/// Normalises an enrolment code as typed: upper case, without spaces and dashes.
pub fn normalise_enrolment_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Answer to a successful enrolment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolResponse {
    /// The device id to send with every request from now on.
    pub device_id: String,
    /// The platform (service centre) the code bound the terminal to.
    pub platform_id: String,
    /// The platform's region code.
    pub region: String,
    /// Seconds until the first poll.
    pub poll_interval_s: u32,
    /// The registry's clock.
    pub server_time: DateTime<Utc>,
}

/// State of a peripheral as the terminal sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    /// Working.
    Ok,
    /// Present but reporting a fault.
    Fault,
    /// Not connected.
    Disconnected,
    /// Not checked yet.
    #[default]
    Unknown,
}

/// Paper in the ticket printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PaperLevel {
    /// Enough paper.
    Ok,
    /// The near-end sensor is on.
    NearEnd,
    /// Out of paper.
    Out,
    /// Not known.
    #[default]
    Unknown,
}

/// `POST /v1/poll`: the terminal's health, sent at every poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    /// Firmware version.
    pub app_version: String,
    /// Version in force per bundle stream.
    pub bundles: BTreeMap<String, u64>,
    /// Ticket printer state.
    pub printer: DeviceState,
    /// Paper level.
    pub paper: PaperLevel,
    /// ID-card reader state.
    pub reader: DeviceState,
    /// Events waiting in the outbox.
    pub outbox_depth: u64,
    /// The last error the terminal wants the centre to see (no personal data).
    pub last_error: Option<String>,
    /// Whether the terminal is locked out of service.
    pub locked: bool,
    /// Seconds since the kiosk application started.
    pub uptime_s: u64,
    /// Where the terminal stands with a software update, if one is under way or ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateReport>,
}

/// A terminal's progress with a release, as rollouts count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateState {
    /// Offered, not started.
    Offered,
    /// Package being downloaded.
    Downloading,
    /// Downloaded and verified; waiting for a quiet moment.
    Downloaded,
    /// Staff postponed the install by a day.
    Postponed,
    /// The install helper runs.
    Installing,
    /// Installed; the new version has not confirmed its health yet.
    Installed,
    /// The new version confirmed its health: committed.
    Healthy,
    /// Refused or failed before anything changed (signature, hash, download, install).
    Failed,
    /// Installed but unhealthy: the previous version was reinstalled.
    RolledBack,
}

/// `Heartbeat::update`: the release and the terminal's state with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateReport {
    /// The release's version.
    pub version: String,
    /// Where the terminal is with it.
    pub state: UpdateState,
    /// Why, for `failed` and `rolled_back` (no personal data; at most 500 bytes).
    pub detail: Option<String>,
}

/// `PollResponse::update`: a release this terminal's rollout stage offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateOffer {
    /// The signed manifest (the terminal verifies it against its pinned keys).
    pub release: crate::release::SignedRelease,
    /// The rollout offering it.
    pub rollout_id: String,
    /// Download no faster than this many bytes per second (0: no limit).
    pub max_bytes_per_s: u64,
}

/// A bundle newer than what the terminal reported, available for download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleOffer {
    /// The stream, e.g. `catalogue`.
    pub stream: String,
    /// Its version.
    pub version: u64,
    /// Payload size in bytes (from the manifest).
    pub payload_size: u64,
}

/// Answer to a poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollResponse {
    /// Seconds until the next poll (the client adds jitter).
    pub poll_interval_s: u32,
    /// The registry's clock.
    pub server_time: DateTime<Utc>,
    /// Bundles newer than those reported.
    pub bundles: Vec<BundleOffer>,
    /// Commands not yet closed by the terminal, oldest first.
    pub commands: Vec<SignedCommand>,
    /// A software update for this terminal, if its rollout stage has started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateOffer>,
}

/// One outbox row on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Per-device sequence number (the outbox's `seq`).
    pub seq: i64,
    /// Made when the event was written; the registry stores each key once per device.
    pub idempotency_key: String,
    /// What happened, e.g. `ticket.issued`.
    pub kind: String,
    /// A JSON object (see the crate README for the payloads the statistics read).
    pub payload: serde_json::Value,
    /// RFC 3339 with offset, when the event was written.
    pub created_at: String,
}

/// `POST /v1/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// Events in sequence order, at most [`limits::MAX_EVENTS_PER_BATCH`].
    pub events: Vec<Event>,
}

/// Answer to an event batch: the registry has durably stored everything it lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBatchResponse {
    /// Sequence numbers now safe to delete from the outbox.
    pub acknowledged: Vec<i64>,
    /// How many were new.
    pub stored: u32,
    /// How many the registry already had (same idempotency key).
    pub duplicates: u32,
    /// How many were malformed and kept aside for the ops staff instead of the statistics.
    pub quarantined: u32,
}

/// How far a command has got on the terminal (the states follow hawkBit DDI's feedback).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandState {
    /// Received, not started.
    Received,
    /// Being carried out.
    Proceeding,
    /// Done.
    Succeeded,
    /// Tried and failed.
    Failed,
    /// Refused without trying (expired, not for this terminal, bad signature).
    Rejected,
}

impl CommandState {
    /// Whether the command is closed (the registry stops re-sending it).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Rejected)
    }

    /// The wire name, e.g. `succeeded`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Proceeding => "proceeding",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Rejected => "rejected",
        }
    }
}

/// `POST /v1/commands/{command_id}/ack`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandAck {
    /// The state reached.
    pub state: CommandState,
    /// A short explanation for the ops staff (no personal data).
    pub detail: Option<String>,
}

/// `GET /v1/bundles/{stream}/{version}` answers a [`SignedBundle`].
pub type BundleResponse = SignedBundle;

/// Machine-readable reason of an error answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON, has unknown fields or wrong types.
    BadRequest,
    /// The body is larger than the endpoint accepts.
    PayloadTooLarge,
    /// The client sent too slowly.
    RequestTimeout,
    /// Missing or invalid request signature, unknown device, replay, clock skew.
    Unauthenticated,
    /// The terminal has been revoked by the ops staff.
    TerminalRevoked,
    /// No such enrolment code.
    EnrolmentCodeUnknown,
    /// The code was already used.
    EnrolmentCodeUsed,
    /// The code has expired.
    EnrolmentCodeExpired,
    /// No such resource (or not for this terminal).
    NotFound,
    /// Slow down; see `Retry-After`.
    RateLimited,
    /// Authenticated, but outside what the account may see or do (its role or regions).
    Forbidden,
    /// The registry failed; try again later.
    Internal,
    /// Booking: the terminal's platform takes no appointments for this service.
    UnknownService,
    /// Booking: not a slot of the schedule (closed day, holiday, outside hours).
    NotASlot,
    /// Booking: the slot has begun or is over.
    PastTime,
    /// Booking: the slot is further ahead than bookings are taken.
    TooFarAhead,
    /// Booking: no place left in the slot.
    SlotFull,
    /// Booking: the person already has a booking for this service at this platform that day.
    DuplicateBooking,
    /// A code this client does not know (newer registry).
    #[serde(other)]
    Unknown,
}

/// Body of every 4xx/5xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Machine-readable reason.
    pub error: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_refused() {
        let text = r#"{"events":[],"extra":1}"#;
        assert!(serde_json::from_str::<EventBatch>(text).is_err());
    }

    #[test]
    fn enrolment_codes_normalise() {
        assert_eq!(normalise_enrolment_code(" 7kq4-m2xh p9 "), "7KQ4M2XHP9");
    }

    #[test]
    fn unknown_error_codes_from_a_newer_registry_still_parse() {
        let e: ApiError = serde_json::from_str(r#"{"error":"brand_new","message":"m"}"#).unwrap();
        assert_eq!(e.error, ErrorCode::Unknown);
    }
}
