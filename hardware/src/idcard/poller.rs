//! The polling thread: finds cards, reads each one once, watches it until it leaves, and
//! keeps the reader alive across faults and unplugging. Everything it learns goes out as
//! [`ReaderEvent`]s.
//!
//! Cadence: find every `poll_interval_ms` (300 ms) while idle. After a good read the
//! module itself refuses to find the same card until it leaves the field (reference §6
//! item 2), so the thread stops finding and instead probes presence every
//! `presence_interval_ms` with a command that works on the selected card (0x30 0x05 by
//! default, §6 item 3); `removal_confirmations` failed probes in a row mean the card is
//! gone. If the module refuses both presence probes (0x21), the card is reported removed
//! right after the read; the module's own protection still prevents a second read of a
//! card that stays.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tracing::{debug, info, warn};

use super::card::CardRead;
use super::command::Command;
use super::config::{PresenceProbe, ReaderConfig};
use super::driver::{Reader, ReaderError};
use super::frame::FrameError;
use super::probe::open_reader;
use super::read::ReadPayloadError;
use super::sam::SamId;
use super::status::{Status, StatusClass};

/// Something the firmware should know about the reader.
#[derive(Debug)]
pub enum ReaderEvent {
    /// The reader answered for the first time since the poller started.
    Connected(ReaderInfo),
    /// A card was read. Sent once per placement.
    CardRead(Box<CardRead>),
    /// A card is on the reader but cannot be read (not an ID card, failed authentication,
    /// unusable data). Sent once until the field is empty again.
    CardUnreadable(CardProblem),
    /// The card read last has left the reader (or the reader was lost while it was on).
    CardRemoved,
    /// The reader has a problem. See [`ReaderFault::is_reader_down`].
    Fault(ReaderFault),
    /// The reader works again after a fault that took it down.
    Reconnected(ReaderInfo),
}

/// What the reader reported about itself when it (re)connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The device that answered (after probing, possibly not the configured one).
    pub device: PathBuf,
    /// The rate it answered at.
    pub baud: u32,
    /// The SAM ID, when the module gave it.
    pub sam_id: Option<SamId>,
}

/// Why a card on the reader could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardProblem {
    /// The module refused it (0x31, 0x32, 0x33, 0x40, 0x47).
    Rejected(Status),
    /// The module read it but the data is not a usable card.
    BadData(ReadPayloadError),
}

/// A reader problem, typed for the session and the maintenance side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderFault {
    /// The SAM is unusable (0x60 self-test failed, 0x66 not authorised).
    Sam(Status),
    /// The reader stopped answering (several commands in a row timed out).
    NoAnswer,
    /// The open device failed (unplugged, broken): it is reopened automatically.
    DeviceLost,
    /// The device could not be opened (missing at start, no permission).
    DeviceUnavailable {
        /// The configured device.
        device: PathBuf,
        /// Why the open failed.
        reason: String,
    },
    /// The reader and the host disagree on the protocol; the reader keeps being used.
    Protocol(ProtocolFault),
}

impl ReaderFault {
    /// True for faults that stop card reading until a [`ReaderEvent::Reconnected`].
    /// Protocol faults are transient and do not.
    pub fn is_reader_down(&self) -> bool {
        !matches!(self, Self::Protocol(_))
    }

    /// Faults of the same kind are reported once, not on every retry.
    fn same_kind(&self, other: &Self) -> bool {
        use ReaderFault::*;
        matches!(
            (self, other),
            (Sam(_), Sam(_))
                | (NoAnswer, NoAnswer)
                | (
                    DeviceLost | DeviceUnavailable { .. },
                    DeviceLost | DeviceUnavailable { .. }
                )
        )
    }
}

/// A transient protocol problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolFault {
    /// The reader refused a command (0x10 checksum, 0x11 length, 0x21 command, 0x23, 0x24,
    /// or an unlisted code).
    Refused {
        /// The command sent.
        command: Command,
        /// The refusal.
        status: Status,
    },
    /// The reader's answer was not a good frame.
    BadFrame {
        /// The command sent.
        command: Command,
        /// What was wrong.
        error: FrameError,
    },
    /// A success answer with data of the wrong shape.
    BadPayload {
        /// The command sent.
        command: Command,
        /// Bytes of data received.
        len: usize,
    },
}

impl std::fmt::Display for CardProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rejected(status) => write!(f, "the reader refused the card: {status}"),
            Self::BadData(e) => write!(f, "the card's data is not usable: {e}"),
        }
    }
}

impl std::fmt::Display for ReaderFault {
    /// For staff: what is wrong with the reader, without any card data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sam(status) => write!(f, "the reader's security module is unusable: {status}"),
            Self::NoAnswer => f.write_str("the reader does not answer"),
            Self::DeviceLost => f.write_str("the reader was disconnected"),
            Self::DeviceUnavailable { device, reason } => {
                write!(
                    f,
                    "cannot open the reader at {}: {reason}",
                    device.display()
                )
            }
            Self::Protocol(fault) => write!(f, "protocol fault: {fault}"),
        }
    }
}

impl std::fmt::Display for ProtocolFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused { command, status } => write!(f, "{command:?} refused: {status}"),
            Self::BadFrame { command, error } => write!(f, "bad answer to {command:?}: {error}"),
            Self::BadPayload { command, len } => {
                write!(
                    f,
                    "answer to {command:?} has {len} bytes of unexpected data"
                )
            }
        }
    }
}

/// Owns the polling thread; dropping it stops the thread.
#[derive(Debug)]
pub struct PollerHandle {
    stop: Arc<AtomicBool>,
    wake: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl PollerHandle {
    /// Stops the thread and waits for it (at most one command's remaining wait slice,
    /// about 100 ms).
    pub fn stop(mut self) {
        self.shutdown();
    }

    /// Whether the thread is still running (it ends on stop or when the event sink refuses
    /// more events).
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.wake.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for PollerHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts the polling thread; events arrive on the returned channel. The thread ends when
/// the handle is stopped or dropped, or when the receiver is dropped.
pub fn spawn_poller(
    config: ReaderConfig,
) -> std::io::Result<(PollerHandle, Receiver<ReaderEvent>)> {
    let (tx, rx) = mpsc::channel();
    let handle = spawn_poller_with(config, move |event| tx.send(event).is_ok())?;
    Ok((handle, rx))
}

/// Starts the polling thread with a custom sink (e.g. one that forwards into the
/// firmware's own channel). The sink returns `false` to stop the thread.
pub fn spawn_poller_with(
    config: ReaderConfig,
    sink: impl FnMut(ReaderEvent) -> bool + Send + 'static,
) -> std::io::Result<PollerHandle> {
    let stop = Arc::new(AtomicBool::new(false));
    let (wake_tx, wake_rx) = mpsc::channel::<()>();
    let thread_stop = Arc::clone(&stop);
    let thread = thread::Builder::new()
        .name("idcard-poller".into())
        .spawn(move || {
            let mut poller = PollLoop::new(config, Box::new(sink), thread_stop);
            poller.run(&wake_rx);
        })?;
    Ok(PollerHandle {
        stop,
        wake: Some(wake_tx),
        thread: Some(thread),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No read card on the reader: find.
    Finding,
    /// A read card stays: probe presence; `misses` failed probes so far.
    Present { misses: u32 },
}

enum Health {
    /// Never connected yet.
    Starting,
    Up,
    Down(ReaderFault),
}

/// Minimum time between two reported protocol faults.
const PROTOCOL_FAULT_QUIET: Duration = Duration::from_secs(10);

/// Whether the sink still wants events.
type Sink = Box<dyn FnMut(ReaderEvent) -> bool + Send>;

struct PollLoop {
    config: ReaderConfig,
    sink: Sink,
    stop: Arc<AtomicBool>,
    reader: Option<Reader>,
    health: Health,
    phase: Phase,
    ever_connected: bool,
    timeouts_in_a_row: u32,
    unreadable_reported: bool,
    probe: Option<PresenceProbe>,
    sink_closed: bool,
    last_protocol_fault: Option<Instant>,
    suppressed_protocol_faults: u64,
}

impl PollLoop {
    fn new(config: ReaderConfig, sink: Sink, stop: Arc<AtomicBool>) -> Self {
        let probe = Some(config.presence_probe);
        Self {
            config,
            sink,
            stop,
            reader: None,
            health: Health::Starting,
            phase: Phase::Finding,
            ever_connected: false,
            timeouts_in_a_row: 0,
            unreadable_reported: false,
            probe,
            sink_closed: false,
            last_protocol_fault: None,
            suppressed_protocol_faults: 0,
        }
    }

    fn run(&mut self, wake: &Receiver<()>) {
        info!(device = %self.config.device.display(), "ID-card poller started");
        loop {
            let pause = self.step();
            if self.sink_closed || self.stop.load(Ordering::Relaxed) {
                break;
            }
            // The wake channel only ever disconnects: that is the stop signal.
            match wake.recv_timeout(pause) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        info!("ID-card poller stopped");
    }

    fn emit(&mut self, event: ReaderEvent) {
        if !(self.sink)(event) {
            self.sink_closed = true;
        }
    }

    /// One unit of work; returns how long to wait before the next.
    fn step(&mut self) -> Duration {
        if matches!(self.health, Health::Up) && self.reader.is_some() {
            match self.phase {
                Phase::Finding => self.find_step(),
                Phase::Present { misses } => self.presence_step(misses),
            }
        } else {
            self.recover_step();
            self.config.recovery_interval()
        }
    }

    /// Opens the device if needed and checks the SAM; reports (re)connection on success.
    fn recover_step(&mut self) {
        if self.reader.is_none() {
            match open_reader(&self.config) {
                Ok(mut reader) => {
                    reader.set_cancel_flag(Arc::clone(&self.stop));
                    info!(device = %reader.path().display(), baud = reader.baud(), "ID-card reader opened");
                    self.reader = Some(reader);
                }
                Err(e) => {
                    self.handle_error(e);
                    return;
                }
            }
        }
        let Some(reader) = self.reader.as_mut() else {
            return;
        };
        match reader.sam_status() {
            Ok(()) => {
                let sam_id = reader.sam_id().ok();
                let info = ReaderInfo {
                    device: reader.path().to_path_buf(),
                    baud: reader.baud(),
                    sam_id,
                };
                self.health = Health::Up;
                self.phase = Phase::Finding;
                self.timeouts_in_a_row = 0;
                if self.ever_connected {
                    info!("ID-card reader recovered");
                    self.emit(ReaderEvent::Reconnected(info));
                } else {
                    self.ever_connected = true;
                    self.emit(ReaderEvent::Connected(info));
                }
            }
            Err(e) => self.handle_error(e),
        }
    }

    fn find_step(&mut self) -> Duration {
        let with_fingerprint = self.config.read_fingerprint;
        let Some(reader) = self.reader.as_mut() else {
            return self.config.recovery_interval();
        };
        match reader.find_select_read(with_fingerprint) {
            Ok(None) => {
                self.timeouts_in_a_row = 0;
                self.unreadable_reported = false;
            }
            Ok(Some(read)) => {
                self.timeouts_in_a_row = 0;
                self.unreadable_reported = false;
                info!(card_type = %read.card.card_type(), "ID card read");
                self.phase = Phase::Present { misses: 0 };
                self.emit(ReaderEvent::CardRead(Box::new(read)));
                return self.config.presence_interval();
            }
            Err(ReaderError::Read(problem)) => {
                // The module read the card, so it will not find it again while it stays:
                // watch for its removal as for a good read.
                self.timeouts_in_a_row = 0;
                warn!(error = %problem, "ID card data unusable");
                self.report_unreadable(CardProblem::BadData(problem));
                self.phase = Phase::Present { misses: 0 };
                return self.config.presence_interval();
            }
            Err(e) => self.handle_error(e),
        }
        self.config.poll_interval()
    }

    fn presence_step(&mut self, misses: u32) -> Duration {
        let Some(probe) = self.probe else {
            return self.card_gone();
        };
        let Some(reader) = self.reader.as_mut() else {
            return self.config.recovery_interval();
        };
        match reader.card_present(probe) {
            Ok(true) => {
                self.timeouts_in_a_row = 0;
                self.phase = Phase::Present { misses: 0 };
            }
            Ok(false) => {
                self.timeouts_in_a_row = 0;
                let misses = misses + 1;
                if misses >= self.config.removal_confirmations.max(1) {
                    return self.card_gone();
                }
                self.phase = Phase::Present { misses };
            }
            Err(ReaderError::Status {
                status: Status::CommandError,
                ..
            }) => {
                self.probe = match probe {
                    PresenceProbe::ManagementNumber => Some(PresenceProbe::AdditionalAddress),
                    PresenceProbe::AdditionalAddress => None,
                };
                warn!(?probe, next = ?self.probe, "presence probe not supported by the module");
                return Duration::ZERO;
            }
            Err(e) => self.handle_error(e),
        }
        self.config.presence_interval()
    }

    fn card_gone(&mut self) -> Duration {
        info!("ID card removed");
        self.phase = Phase::Finding;
        self.unreadable_reported = false;
        self.emit(ReaderEvent::CardRemoved);
        self.config.poll_interval()
    }

    fn report_unreadable(&mut self, problem: CardProblem) {
        if !self.unreadable_reported {
            self.unreadable_reported = true;
            self.emit(ReaderEvent::CardUnreadable(problem));
        }
    }

    fn handle_error(&mut self, error: ReaderError) {
        match error {
            ReaderError::Cancelled => {}
            ReaderError::Open {
                path,
                kind,
                message,
            } => {
                debug!(device = %path.display(), ?kind, "ID-card reader cannot be opened");
                self.go_down(ReaderFault::DeviceUnavailable {
                    device: path,
                    reason: message,
                });
            }
            ReaderError::Io { command, source } => {
                warn!(command = command.name(), error = %source, "ID-card reader lost");
                self.reader = None;
                self.go_down(ReaderFault::DeviceLost);
            }
            ReaderError::NoAnswer { command, .. } => {
                self.timeouts_in_a_row += 1;
                debug!(
                    command = command.name(),
                    count = self.timeouts_in_a_row,
                    "no answer"
                );
                if self.timeouts_in_a_row >= self.config.fault_after_timeouts.max(1) {
                    self.go_down(ReaderFault::NoAnswer);
                }
            }
            ReaderError::Status { command, status } => {
                self.timeouts_in_a_row = 0;
                match status.class() {
                    StatusClass::SamFault => {
                        warn!(command = command.name(), code = status.code(), "SAM fault");
                        self.go_down(ReaderFault::Sam(status));
                    }
                    StatusClass::CardRejected => {
                        info!(
                            command = command.name(),
                            code = status.code(),
                            "card rejected"
                        );
                        self.report_unreadable(CardProblem::Rejected(status));
                    }
                    StatusClass::RetryFromFind | StatusClass::Ok => {
                        debug!(
                            command = command.name(),
                            code = status.code(),
                            "retry from find"
                        );
                    }
                    StatusClass::ProtocolFault => {
                        self.protocol_fault(ProtocolFault::Refused { command, status });
                    }
                }
            }
            ReaderError::Frame { command, source } => {
                self.timeouts_in_a_row = 0;
                self.protocol_fault(ProtocolFault::BadFrame {
                    command,
                    error: source,
                });
            }
            ReaderError::Payload { command, len } => {
                self.timeouts_in_a_row = 0;
                self.protocol_fault(ProtocolFault::BadPayload { command, len });
            }
            ReaderError::Read(problem) => self.report_unreadable(CardProblem::BadData(problem)),
            ReaderError::UnsupportedBaud(baud) => {
                warn!(baud, "unsupported baud rate requested");
            }
        }
    }

    /// Logs and reports a transient protocol fault, at most once per
    /// [`PROTOCOL_FAULT_QUIET`] so a noisy line cannot flood logs and the session.
    fn protocol_fault(&mut self, fault: ProtocolFault) {
        let now = Instant::now();
        if self
            .last_protocol_fault
            .is_some_and(|last| now.duration_since(last) < PROTOCOL_FAULT_QUIET)
        {
            self.suppressed_protocol_faults += 1;
            return;
        }
        warn!(
            ?fault,
            suppressed = self.suppressed_protocol_faults,
            "ID-card reader protocol fault"
        );
        self.last_protocol_fault = Some(now);
        self.suppressed_protocol_faults = 0;
        self.emit(ReaderEvent::Fault(ReaderFault::Protocol(fault)));
    }

    /// Records a fault that takes the reader down; reports it unless one of the same
    /// kind is already reported.
    fn go_down(&mut self, fault: ReaderFault) {
        let already = matches!(&self.health, Health::Down(current) if current.same_kind(&fault));
        if matches!(self.phase, Phase::Present { .. }) {
            // Presence can no longer be watched; do not leave the session waiting.
            self.phase = Phase::Finding;
            self.emit(ReaderEvent::CardRemoved);
        }
        if !already {
            self.emit(ReaderEvent::Fault(fault.clone()));
        }
        self.health = Health::Down(fault);
    }
}
