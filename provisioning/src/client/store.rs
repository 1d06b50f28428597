//! The traits the firmware implements on its store. All methods are blocking (SQLite); the
//! client calls them on tokio's blocking pool.

use crate::bundle::{BundleError, VerifiedBundle};
use crate::command::CommandBody;
use crate::protocol::{CommandState, DeviceState, Event, PaperLevel};
use std::collections::BTreeMap;

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
#[error("terminal store: {0}")]
pub struct StoreError(pub Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    /// An error from a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into().into())
    }

    /// An error from any error type.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(error))
    }
}

/// The outbox: events owed to the centre, in `seq` order.
pub trait OutboxStore: Send + Sync {
    /// Up to `max` rows with the lowest `seq`, oldest first. The payload column is parsed as
    /// JSON; a row whose payload does not parse is sent as a JSON string (the registry keeps
    /// it aside) rather than blocking the queue.
    fn pending_batch(&self, max: usize) -> Result<Vec<Event>, StoreError>;
    /// Deletes these rows: the registry has stored them.
    fn acknowledge(&self, seqs: &[i64]) -> Result<(), StoreError>;
    /// Counts a failed attempt on these rows (`attempts += 1`, `last_error`).
    fn record_failure(&self, seqs: &[i64], error: &str) -> Result<(), StoreError>;
    /// Rows waiting.
    fn depth(&self) -> Result<u64, StoreError>;
}

/// Bundles in force.
pub trait BundleStore: Send + Sync {
    /// Version in force per stream (a stream with none is absent).
    fn current_versions(&self) -> Result<BTreeMap<String, u64>, StoreError>;
    /// Checks, before anything changes, that the terminal can use a verified bundle's content
    /// (parses every file and checks what the firmware needs). A refusal is reported to the
    /// registry and the bundle in force stays. The default accepts everything.
    fn check(&self, bundle: &VerifiedBundle) -> Result<(), BundleError> {
        let _ = bundle;
        Ok(())
    }
    /// Puts a verified bundle in force atomically: after a crash at any point either the old
    /// bundle or the new one is in force, never a mix. Must refuse (error) a version not above
    /// the one in force, checked inside the same transaction.
    fn apply(&self, bundle: &VerifiedBundle) -> Result<(), StoreError>;
}

/// What became of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    /// Final state: `Succeeded`, `Failed` or `Rejected`.
    pub state: CommandState,
    /// Explanation for the ops staff.
    pub detail: Option<String>,
    /// For `upload-logs`: the log text to upload (no personal data).
    pub logs: Option<String>,
}

/// Carries out commands.
pub trait CommandSink: Send + Sync {
    /// Carries out a verified, unexpired command addressed to this terminal. Must be
    /// idempotent by `command_id`: for an id already carried out, return the recorded outcome
    /// without acting again (the registry re-sends until it gets a final acknowledgement).
    fn execute(&self, command: &CommandBody) -> CommandOutcome;

    /// Whether this process carries out commands. A tool that syncs beside the application
    /// (an installer's one-off sync while the application is stopped) answers `false`:
    /// verified commands then stay open, unacknowledged, for the application's next poll.
    fn carries_out_commands(&self) -> bool {
        true
    }
}

/// The terminal's health for the heartbeat (the client adds versions and outbox depth).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthSnapshot {
    /// Ticket printer.
    pub printer: DeviceState,
    /// Paper.
    pub paper: PaperLevel,
    /// ID-card reader.
    pub reader: DeviceState,
    /// Last error worth reporting (no personal data).
    pub last_error: Option<String>,
    /// Out of service.
    pub locked: bool,
    /// Seconds since the application started.
    pub uptime_s: u64,
    /// The software update under way or last ended, if any.
    pub update: Option<crate::protocol::UpdateReport>,
}

/// Reports the terminal's health.
pub trait HealthSource: Send + Sync {
    /// The current health.
    fn snapshot(&self) -> HealthSnapshot;
}
