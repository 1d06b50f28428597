//! A simulated ID-card reader module speaking the real protocol over a pseudo-terminal,
//! so the real driver runs unchanged in tests and on a developer's desktop.
//!
//! It behaves like the module (reference §6.1): find → 0x80 with no card; find → 0x9F,
//! select → 0x90, read → text + photo with a card; after a good read, find → 0x80 while
//! the card stays (the module's protection), and the presence probes (0x30 0x05,
//! 0x30 0x03) keep succeeding until it is removed; bad checksum → 0x10; bad or
//! incomplete length → 0x11; unknown command → 0x21. Faults, fragmented answers and
//! unplugging are injected from code or from a [`scenario::Scenario`].

pub mod card;
pub mod samples;
pub mod scenario;

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use thiserror::Error;

pub use card::SimCard;
pub use scenario::{Scenario, ScenarioError, Step};

use crate::idcard::command::Command;
use crate::idcard::frame::{FrameDecoder, FrameError, Response};
use crate::idcard::sam::SamId;
use crate::idcard::status::Status;
use crate::pty::PtyDevice;

/// How long the simulator waits for the rest of a started command before answering 0x11.
const INCOMPLETE_FRAME_TIMEOUT: Duration = Duration::from_millis(150);
/// Longest wait on the terminal before control requests are looked at again.
const IDLE_WAIT: Duration = Duration::from_millis(50);

/// The SAM ID the simulator reports.
pub const SIM_SAM_ID: SamId = SamId {
    part1: 5,
    part2: 1,
    part3: 20240101,
    part4: 1,
    part5: 42,
};

/// A fault to inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimFault {
    /// Until cleared, every command answers 0x60 (SAM self-test failed).
    SamSelfTest,
    /// Until cleared, every command answers 0x66 (SAM not authorised).
    SamUnauthorised,
    /// Until cleared, nothing is answered.
    Silent,
    /// The next command is answered with this SW3 and no data.
    NextStatus(u8),
    /// The next read answers 0x41 (the card moved away mid-read).
    ReadFails,
    /// The next answer has a wrong checksum.
    CorruptChecksum,
    /// These bytes go out before the next answer.
    Garbage(Vec<u8>),
}

/// How answers are written: in pieces of `size` bytes with `delay` between them.
/// `size == 0` (the default) writes each answer at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Chunking {
    /// Bytes per write; 0 for whole answers.
    pub size: usize,
    /// Pause between pieces.
    pub delay: Duration,
}

/// What the simulator has received, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimStats {
    /// Find commands.
    pub finds: u64,
    /// Select commands.
    pub selects: u64,
    /// Successful reads (text + photo), the number of times card data left the module.
    pub reads_served: u64,
    /// Presence probes (0x30 0x05 and 0x30 0x03).
    pub presence_probes: u64,
    /// SAM status commands.
    pub sam_status: u64,
    /// Frames refused for checksum or length, and unknown commands.
    pub rejected_frames: u64,
}

/// Why a control request failed.
#[derive(Debug, Error)]
pub enum SimError {
    /// No sample with this id.
    #[error("unknown sample card '{0}'")]
    UnknownSample(String),
    /// Opening the new terminal on replug failed.
    #[error("replug failed: {0}")]
    Replug(#[source] io::Error),
    /// The simulator thread has ended.
    #[error("simulator thread has stopped")]
    Stopped,
}

#[derive(Default)]
struct ModuleState {
    card: Option<SimCard>,
    stage: Stage,
    /// A good read happened since the card was placed: find answers 0x80 until removal.
    read_done: bool,
    persistent: Option<SimFault>,
    one_shot: VecDeque<SimFault>,
    chunking: Chunking,
    stats: SimStats,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Stage {
    #[default]
    Idle,
    Found,
    Selected,
}

enum Control {
    Unplug(Sender<()>),
    Replug(Sender<io::Result<PathBuf>>),
    Stop,
}

/// A running simulated reader. Dropping it stops the thread and removes its link.
pub struct Simulator {
    state: Arc<Mutex<ModuleState>>,
    control: Sender<Control>,
    path: Arc<Mutex<PathBuf>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("path", &self.path())
            .finish()
    }
}

impl Simulator {
    /// Starts a simulator behind the symbolic link `link` (replacing what is there), e.g.
    /// `<data>/idcard-reader`; configure the driver with that path. Unplug/replug keep
    /// the path.
    pub fn start_linked(link: &Path) -> io::Result<Self> {
        Self::start_with(PtyDevice::open_linked(link)?, Some(link.to_path_buf()))
    }

    /// Starts a simulator on a bare pseudo-terminal (its path changes on replug).
    pub fn start() -> io::Result<Self> {
        Self::start_with(PtyDevice::open()?, None)
    }

    fn start_with(device: PtyDevice, link: Option<PathBuf>) -> io::Result<Self> {
        let state = Arc::new(Mutex::new(ModuleState::default()));
        let path = Arc::new(Mutex::new(device.path().to_path_buf()));
        let (control, control_rx) = mpsc::channel();
        let worker = Worker {
            state: Arc::clone(&state),
            path: Arc::clone(&path),
            link,
            device: Some(device),
            decoder: FrameDecoder::for_commands(),
            last_byte: Instant::now(),
        };
        let thread = thread::Builder::new()
            .name("idcard-sim".into())
            .spawn(move || worker.run(&control_rx))?;
        Ok(Self {
            state,
            control,
            path,
            thread: Some(thread),
        })
    }

    /// The path a driver opens.
    pub fn path(&self) -> PathBuf {
        lock(&self.path).clone()
    }

    /// Lays `card` on the reader, replacing any card there.
    pub fn place(&self, card: SimCard) {
        let mut state = self.lock();
        state.card = Some(card);
        state.stage = Stage::Idle;
        state.read_done = false;
    }

    /// Lays the sample card `id` on the reader.
    pub fn place_sample(&self, id: &str) -> Result<(), SimError> {
        let card = samples::sample(id).ok_or_else(|| SimError::UnknownSample(id.to_string()))?;
        self.place(card);
        Ok(())
    }

    /// Takes the card away.
    pub fn remove(&self) {
        let mut state = self.lock();
        state.card = None;
        state.stage = Stage::Idle;
        state.read_done = false;
    }

    /// The id of the card on the reader.
    pub fn card_id(&self) -> Option<String> {
        self.lock().card.as_ref().map(|c| c.id().to_string())
    }

    /// Injects a fault (persistent ones replace each other; one-shot ones queue).
    pub fn inject(&self, fault: SimFault) {
        let mut state = self.lock();
        match fault {
            SimFault::SamSelfTest | SimFault::SamUnauthorised | SimFault::Silent => {
                state.persistent = Some(fault);
            }
            other => state.one_shot.push_back(other),
        }
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        let mut state = self.lock();
        state.persistent = None;
        state.one_shot.clear();
    }

    /// Changes how answers are split.
    pub fn set_chunking(&self, chunking: Chunking) {
        self.lock().chunking = chunking;
    }

    /// Counters of what the simulator received.
    pub fn stats(&self) -> SimStats {
        self.lock().stats
    }

    /// Unplugs the device: its link disappears and the terminal closes.
    pub fn unplug(&self) -> Result<(), SimError> {
        let (tx, rx) = mpsc::channel();
        self.control
            .send(Control::Unplug(tx))
            .map_err(|_| SimError::Stopped)?;
        rx.recv().map_err(|_| SimError::Stopped)
    }

    /// Plugs a fresh device back in (under the same link, if there is one).
    pub fn replug(&self) -> Result<(), SimError> {
        let (tx, rx) = mpsc::channel();
        self.control
            .send(Control::Replug(tx))
            .map_err(|_| SimError::Stopped)?;
        let path = rx
            .recv()
            .map_err(|_| SimError::Stopped)?
            .map_err(SimError::Replug)?;
        *lock(&self.path) = path;
        Ok(())
    }

    /// Carries out one scenario step (waits block the caller).
    pub fn apply(&self, step: &Step) -> Result<(), SimError> {
        match step {
            Step::Place(id) => self.place_sample(id)?,
            Step::Remove => self.remove(),
            Step::Wait(duration) => thread::sleep(*duration),
            Step::Fault(fault) => self.inject(fault.clone()),
            Step::Clear => self.clear_faults(),
            Step::Chunk(chunking) => self.set_chunking(*chunking),
            Step::Unplug => self.unplug()?,
            Step::Replug => self.replug()?,
        }
        Ok(())
    }

    /// Plays a scenario on the calling thread, step by step.
    pub fn play(&self, scenario: &Scenario) -> Result<(), SimError> {
        scenario.steps.iter().try_for_each(|step| self.apply(step))
    }

    fn lock(&self) -> MutexGuard<'_, ModuleState> {
        lock(&self.state)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.control.send(Control::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Locks, recovering from a poisoned mutex (the state stays usable).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Worker {
    state: Arc<Mutex<ModuleState>>,
    path: Arc<Mutex<PathBuf>>,
    link: Option<PathBuf>,
    device: Option<PtyDevice>,
    decoder: FrameDecoder,
    last_byte: Instant,
}

impl Worker {
    fn run(mut self, control: &Receiver<Control>) {
        let mut buf = [0u8; 512];
        loop {
            let message = match self.device.as_mut() {
                None => match control.recv_timeout(IDLE_WAIT) {
                    Ok(message) => Some(message),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                },
                Some(device) => {
                    match device.read_timeout(&mut buf, IDLE_WAIT) {
                        Ok(0) => {
                            if self.decoder.has_partial()
                                && self.last_byte.elapsed() > INCOMPLETE_FRAME_TIMEOUT
                            {
                                self.decoder.clear();
                                self.refuse(Status::LengthError);
                            }
                        }
                        Ok(n) => {
                            self.last_byte = Instant::now();
                            self.decoder.push(&buf[..n]);
                            self.serve_frames();
                        }
                        // The driver side closed and reopened: nothing to do but go on.
                        Err(_) => thread::sleep(IDLE_WAIT),
                    }
                    match control.try_recv() {
                        Ok(message) => Some(message),
                        Err(mpsc::TryRecvError::Empty) => None,
                        Err(mpsc::TryRecvError::Disconnected) => return,
                    }
                }
            };
            match message {
                None => {}
                Some(Control::Stop) => return,
                Some(Control::Unplug(done)) => {
                    if let Some(device) = self.device.take() {
                        device.unplug();
                    }
                    self.decoder.clear();
                    let _ = done.send(());
                }
                Some(Control::Replug(done)) => {
                    let opened = match &self.link {
                        Some(link) => PtyDevice::open_linked(link),
                        None => PtyDevice::open(),
                    };
                    let reply = opened.map(|device| {
                        let path = device.path().to_path_buf();
                        *lock(&self.path) = path.clone();
                        self.device = Some(device);
                        path
                    });
                    let _ = done.send(reply);
                }
            }
        }
    }

    fn serve_frames(&mut self) {
        while let Some(result) = self.decoder.next_frame() {
            match result {
                Ok(frame) => {
                    let command = Command::from_body(frame.body());
                    self.answer(command);
                }
                Err(FrameError::Checksum { .. }) => self.refuse(Status::ChecksumError),
                Err(FrameError::Length { .. } | FrameError::TooLong(_)) => {
                    self.refuse(Status::LengthError)
                }
            }
        }
    }

    fn refuse(&mut self, status: Status) {
        let mut state = lock(&self.state);
        state.stats.rejected_frames += 1;
        if state.persistent == Some(SimFault::Silent) {
            return;
        }
        let chunking = state.chunking;
        drop(state);
        self.send(&Response::new(status, &[]), &[], false, chunking);
    }

    fn answer(&mut self, command: Option<Command>) {
        let mut state = lock(&self.state);
        let Some(command) = command else {
            state.stats.rejected_frames += 1;
            let chunking = state.chunking;
            let silent = state.persistent == Some(SimFault::Silent);
            drop(state);
            if !silent {
                self.send(
                    &Response::new(Status::CommandError, &[]),
                    &[],
                    false,
                    chunking,
                );
            }
            return;
        };
        let response = respond(&mut state, command);
        let garbage = match state.one_shot.front() {
            Some(SimFault::Garbage(bytes)) => {
                let bytes = bytes.clone();
                state.one_shot.pop_front();
                bytes
            }
            _ => Vec::new(),
        };
        let corrupt = if state.one_shot.front() == Some(&SimFault::CorruptChecksum) {
            state.one_shot.pop_front();
            true
        } else {
            false
        };
        let chunking = state.chunking;
        drop(state);
        if let Some(response) = response {
            self.send(&response, &garbage, corrupt, chunking);
        }
    }

    fn send(&mut self, response: &Response, garbage: &[u8], corrupt: bool, chunking: Chunking) {
        let Ok(mut bytes) = response.encode() else {
            return;
        };
        if corrupt && let Some(last) = bytes.last_mut() {
            *last ^= 0x5A;
        }
        let mut wire = garbage.to_vec();
        wire.extend_from_slice(&bytes);
        let Some(device) = self.device.as_mut() else {
            return;
        };
        let size = if chunking.size == 0 {
            wire.len()
        } else {
            chunking.size
        };
        for (i, piece) in wire.chunks(size.max(1)).enumerate() {
            if i > 0 && !chunking.delay.is_zero() {
                thread::sleep(chunking.delay);
            }
            if device.write_all(piece).is_err() {
                return;
            }
        }
        bytes.clear();
    }
}

/// The module's answer to `command` in `state`; `None` when it stays silent.
fn respond(state: &mut ModuleState, command: Command) -> Option<Response> {
    match command {
        Command::FindCard => state.stats.finds += 1,
        Command::SelectCard => state.stats.selects += 1,
        Command::SamStatus => state.stats.sam_status += 1,
        Command::ReadManagementNumber | Command::ReadAdditionalAddress => {
            state.stats.presence_probes += 1
        }
        _ => {}
    }
    match &state.persistent {
        Some(SimFault::Silent) => return None,
        Some(SimFault::SamSelfTest) => return Some(Response::new(Status::SamSelfTestFailed, &[])),
        Some(SimFault::SamUnauthorised) => {
            return Some(Response::new(Status::SamUnauthorised, &[]));
        }
        _ => {}
    }
    if let Some(SimFault::NextStatus(code)) = state.one_shot.front() {
        let code = *code;
        state.one_shot.pop_front();
        return Some(Response::new(Status::from_code(code), &[]));
    }
    let is_read = matches!(command, Command::ReadText | Command::ReadTextAndFingerprint);
    if is_read && state.one_shot.front() == Some(&SimFault::ReadFails) {
        state.one_shot.pop_front();
        state.stage = Stage::Idle;
        return Some(Response::new(Status::ReadFailed, &[]));
    }
    let ok = |data: &[u8]| Some(Response::new(Status::Success, data));
    match command {
        Command::ResetSam
        | Command::SamStatus
        | Command::SetBaud(_)
        | Command::SetMaxRfBytes(_) => ok(&[]),
        Command::SamId => ok(&SIM_SAM_ID.to_bytes()),
        Command::FindCard => {
            if state.card.is_some() && !state.read_done {
                state.stage = Stage::Found;
                Some(Response::new(Status::CardFound, &[0; 4]))
            } else {
                Some(Response::new(Status::FindFailed, &[]))
            }
        }
        Command::SelectCard => {
            if state.card.is_some() && state.stage == Stage::Found {
                state.stage = Stage::Selected;
                ok(&[0; 8])
            } else {
                Some(Response::new(Status::SelectFailed, &[]))
            }
        }
        Command::ReadText | Command::ReadTextAndFingerprint => {
            let card = match (&state.card, state.stage) {
                (Some(card), Stage::Selected) => card,
                _ => return Some(Response::new(Status::ReadFailed, &[])),
            };
            let payload = if command == Command::ReadText {
                card.read_payload()
            } else {
                card.read_payload_with_fingerprints()
            };
            state.read_done = true;
            state.stats.reads_served += 1;
            ok(&payload)
        }
        Command::ReadManagementNumber => match (&state.card, state.stage) {
            (Some(_), Stage::Selected) => ok(&[0x30; 28]),
            _ => Some(Response::new(Status::ReadFailed, &[])),
        },
        Command::ReadAdditionalAddress => match (&state.card, state.stage) {
            (Some(card), Stage::Selected) => {
                let payload = card.additional_address_payload();
                if payload.is_empty() {
                    Some(Response::new(Status::NoContent, &[]))
                } else {
                    ok(&payload)
                }
            }
            _ => Some(Response::new(Status::ReadFailed, &[])),
        },
    }
}

/// The read response frame the simulator would send for `card` (for benchmarks and
/// decoder tests).
pub fn read_response_frame(card: &SimCard) -> Vec<u8> {
    Response::new(Status::Success, &card.read_payload())
        .encode()
        .unwrap_or_default()
}
