//! The ID-card reader as the kiosk sees it: the driver's poller (real or simulated reader)
//! on its own thread, turned into session events. A card is turned into a [`Citizen`] on
//! the poller's thread and dropped there, so the full card never reaches the UI thread.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use hardware::idcard::sim::Simulator;
use hardware::idcard::{PollerHandle, ReaderConfig, ReaderEvent, spawn_poller_with};

use crate::clock::Clock;
use crate::config::{Config, ReaderKind};
use crate::session::{CardRejected, Citizen, HashKey};

/// What happened at the reader, minimised for the session.
#[derive(Debug)]
pub enum CardEvent {
    /// A valid card was read: a citizen is at the screen.
    Citizen(Box<Citizen>),
    /// A card was read but not accepted.
    Rejected(CardRejected),
    /// Something is on the reader that cannot be read as an ID card.
    Unreadable,
    /// The card left the reader.
    Removed,
    /// The reader cannot read cards (fault, unplugged, silent); the reason is for staff.
    ReaderDown { reason: String },
    /// The reader works (again).
    ReaderUp,
}

/// The running reader. Dropping it stops the poller (and the simulator).
pub struct CardReader {
    /// The simulated reader, when configured.
    pub sim: Option<Simulator>,
    _poller: PollerHandle,
}

/// Starts the reader the configuration asks for (`None` for `kind = "none"`); each event
/// goes to `on_event` on the poller's thread.
pub fn start(
    config: &Config,
    data_dir: &Path,
    clock: Arc<dyn Clock>,
    on_event: impl FnMut(CardEvent) + Send + 'static,
) -> Result<Option<CardReader>> {
    let (driver, sim) = match config.reader.kind {
        ReaderKind::None => return Ok(None),
        ReaderKind::Device => (config.reader.driver.clone(), None),
        ReaderKind::Simulator => {
            let dir = data_dir.join("devices");
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let link = dir.join("idcard");
            let sim =
                Simulator::start_linked(&link).context("cannot start the simulated card reader")?;
            tracing::info!(device = %link.display(), "simulated card reader started");
            let driver = ReaderConfig {
                device: link,
                ..config.reader.driver.clone()
            };
            (driver, Some(sim))
        }
    };
    // A client terminal hashes with its host's key: one ticket per person holds across
    // the centre's terminals.
    let shared_key = config
        .queue
        .host
        .as_ref()
        .and_then(|h| h.id_hash_key.as_deref());
    let key = match shared_key {
        Some(hex) => {
            HashKey::from_hex(hex).context("queue.host.id_hash_key is not 64 hex digits")?
        }
        None => HashKey::load_or_create(&data_dir.join("keys/id-hash.key"))
            .context("cannot read or create the terminal's ID hash key")?,
    };
    let priority_age = config.queue.priority_age;
    let mut on_event = on_event;
    let poller = spawn_poller_with(driver, move |event| {
        if let Some(event) = minimise(event, &key, clock.as_ref(), priority_age) {
            on_event(event);
        }
        true
    })
    .context("cannot start the card reader thread")?;
    Ok(Some(CardReader {
        sim,
        _poller: poller,
    }))
}

/// Turns a driver event into a session event; the card read is dropped (wiped) here.
fn minimise(
    event: ReaderEvent,
    key: &HashKey,
    clock: &dyn Clock,
    priority_age: u32,
) -> Option<CardEvent> {
    Some(match event {
        ReaderEvent::CardRead(read) => {
            let today = clock.now().date_naive();
            match Citizen::from_card(&read.card, key, today, priority_age) {
                Ok(citizen) => CardEvent::Citizen(Box::new(citizen)),
                Err(rejected) => {
                    tracing::warn!("card not accepted: {rejected}");
                    CardEvent::Rejected(rejected)
                }
            }
        }
        ReaderEvent::CardUnreadable(problem) => {
            tracing::info!("unreadable card: {problem}");
            CardEvent::Unreadable
        }
        ReaderEvent::CardRemoved => CardEvent::Removed,
        ReaderEvent::Fault(fault) if fault.is_reader_down() => {
            tracing::warn!("card reader down: {fault}");
            CardEvent::ReaderDown {
                reason: fault.to_string(),
            }
        }
        ReaderEvent::Fault(fault) => {
            tracing::warn!("card reader protocol fault: {fault}");
            return None;
        }
        ReaderEvent::Connected(info) | ReaderEvent::Reconnected(info) => {
            tracing::info!(device = %info.device.display(), "card reader ready");
            CardEvent::ReaderUp
        }
    })
}
