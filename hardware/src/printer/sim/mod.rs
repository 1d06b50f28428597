//! A thermal printer simulator speaking ESC/POS over a pseudo-terminal (or TCP).
//!
//! It runs on its own thread and behaves like a printer where it matters to the driver:
//! `DLE EOT n` is answered on receipt, even when the printer is stopped; everything else is
//! processed in order only while the printer can print (paper in, cover closed, online),
//! so `GS r 1` is answered only once the job before it came out. Its state can be changed
//! at any time, or at a given byte count of the input (mid-job). Each job (up to a cut) is
//! decoded and handed to subscribers, and can be rendered to PNG.
//!
//! ```no_run
//! use hardware::printer::sim::{SimOptions, SimPrinter, SimChange, PaperLevel};
//! let sim = SimPrinter::start(SimOptions::default()).unwrap();
//! let jobs = sim.subscribe();
//! // configure the driver with `sim.path()`, print, then:
//! for job in jobs.try_iter() { println!("{}", job.to_text()); }
//! sim.apply(SimChange::Paper(PaperLevel::Out));
//! ```

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use tracing::{debug, warn};

use crate::printer::layout::PaperWidth;
use crate::printer::status::{ErrorCause, StatusRequest, XOFF, XON};
use crate::pty::PtyDevice;

pub mod decode;
pub mod render;

pub use decode::{Element, JobAssembler, QrCode, ReceivedJob, Span, decode_jobs};
pub use render::{RenderError, preview_png, render_bytes_png, render_job_png};

/// How much paper is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum PaperLevel {
    /// Plenty.
    #[default]
    Ok,
    /// The near-end sensor sees the end of the roll coming; printing still works.
    NearEnd,
    /// No paper: the printer stops.
    Out,
}

/// Misbehaviour on request, to test the driver against bad printers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Fault {
    /// Behaves.
    #[default]
    None,
    /// Answers nothing at all (dead interface, or a unidirectional printer).
    Silent,
    /// Prints, but never answers `GS r`.
    NoJobConfirmation,
    /// Answers every status query with a byte that is not a valid reply.
    GarbageReplies,
}

/// A change to the simulated printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SimChange {
    /// Paper level.
    Paper(PaperLevel),
    /// Cover open (true) or closed.
    CoverOpen(bool),
    /// Taken offline by a user (true) or back online.
    Offline(bool),
    /// An error (any bit set stops the printer); `ErrorCause::default()` clears it.
    Error(ErrorCause),
    /// A fault mode.
    Fault(Fault),
}

/// The simulated printer's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SimState {
    /// Paper level.
    pub paper: PaperLevel,
    /// Cover open.
    pub cover_open: bool,
    /// Offline by user action.
    pub offline: bool,
    /// Error bits (`DLE EOT 3`).
    pub error: ErrorCause,
    /// Fault mode.
    pub fault: Fault,
}

impl SimState {
    fn apply(&mut self, change: SimChange) {
        match change {
            SimChange::Paper(p) => self.paper = p,
            SimChange::CoverOpen(open) => self.cover_open = open,
            SimChange::Offline(off) => self.offline = off,
            SimChange::Error(e) => self.error = e,
            SimChange::Fault(f) => self.fault = f,
        }
    }

    /// True when the mechanism can print, i.e. buffered data is being processed.
    pub fn can_print(&self) -> bool {
        !(self.cover_open || self.offline || self.paper == PaperLevel::Out || self.error.any())
    }

    /// The reply to `DLE EOT n`, as a real printer computes it.
    pub fn status_reply(&self, request: StatusRequest) -> u8 {
        let flag = |on: bool, bits: u8| if on { bits } else { 0 };
        let paper_out = self.paper == PaperLevel::Out;
        0x12 | match request {
            StatusRequest::Printer => flag(!self.can_print(), 0x08),
            StatusRequest::OfflineCause => {
                flag(self.cover_open, 0x04) | flag(paper_out, 0x20) | flag(self.error.any(), 0x40)
            }
            StatusRequest::ErrorCause => {
                flag(self.error.recoverable, 0x04)
                    | flag(self.error.autocutter, 0x08)
                    | flag(self.error.unrecoverable, 0x20)
                    | flag(self.error.auto_recoverable, 0x40)
            }
            StatusRequest::RollPaper => match self.paper {
                PaperLevel::Ok => 0,
                PaperLevel::NearEnd => 0x0C,
                PaperLevel::Out => 0x60,
            },
        }
    }

    /// The reply to `GS r 1`.
    pub fn paper_sensor_reply(&self) -> u8 {
        match self.paper {
            PaperLevel::Ok => 0x00,
            PaperLevel::NearEnd => 0x03,
            PaperLevel::Out => 0x0C,
        }
    }
}

/// Where the simulated printer is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimAttach {
    /// A pseudo-terminal, reachable at `link` when given (a symlink the simulator creates,
    /// removes on unplug and recreates on replug), else at the pty's own path, which
    /// changes on replug.
    Pty {
        /// Stable path for the driver, e.g. `<data>/printer-sim`.
        link: Option<PathBuf>,
    },
    /// A TCP listener on this address (use port 0 for any free port on 127.0.0.1).
    Tcp(SocketAddr),
}

/// How the simulator is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOptions {
    /// Attachment.
    pub attach: SimAttach,
    /// Roll width, for decoding and rendering.
    pub paper: PaperWidth,
    /// Receive buffer in bytes; the simulator reads no more than this ahead of printing.
    pub buffer: usize,
    /// Print speed in bytes per second; `None` prints instantly.
    pub bytes_per_second: Option<u32>,
    /// Send XOFF when the buffer is three-quarters full and XON when it drains.
    pub xon_xoff: bool,
    /// Read everything and drop what does not fit in the buffer, as a printer whose flow
    /// control is ignored by the host, or miswired.
    pub violate_flow_control: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            attach: SimAttach::Pty { link: None },
            paper: PaperWidth::Mm80,
            buffer: 4096,
            bytes_per_second: None,
            xon_xoff: false,
            violate_flow_control: false,
        }
    }
}

/// The simulator: owns the thread, which stops when this is dropped.
pub struct SimPrinter {
    handle: SimHandle,
    thread: Option<JoinHandle<()>>,
}

/// A cheap, cloneable handle to change and observe a running simulator.
#[derive(Clone)]
pub struct SimHandle {
    shared: Arc<Shared>,
}

struct Shared {
    options: SimOptions,
    state: Mutex<SimState>,
    link: Mutex<SimLink>,
    /// Changes to apply when the input byte count reaches a threshold.
    triggers: Mutex<Vec<(u64, SimChange)>>,
    jobs: Mutex<Vec<ReceivedJob>>,
    subscribers: Mutex<Vec<Sender<ReceivedJob>>>,
    received: Mutex<Vec<u8>>,
    dropped: Mutex<u64>,
    xoffs: Mutex<u64>,
    stop: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimPrinter {
    /// Creates the device and starts the printer thread.
    pub fn start(options: SimOptions) -> io::Result<Self> {
        let link = SimLink::attach(&options.attach)?;
        let shared = Arc::new(Shared {
            options,
            state: Mutex::new(SimState::default()),
            link: Mutex::new(link),
            triggers: Mutex::new(Vec::new()),
            jobs: Mutex::new(Vec::new()),
            subscribers: Mutex::new(Vec::new()),
            received: Mutex::new(Vec::new()),
            dropped: Mutex::new(0),
            xoffs: Mutex::new(0),
            stop: AtomicBool::new(false),
        });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("printer-sim".into())
            .spawn(move || Engine::new(thread_shared).run())?;
        Ok(Self {
            handle: SimHandle { shared },
            thread: Some(thread),
        })
    }

    /// A handle for changing and observing the printer from other threads.
    pub fn handle(&self) -> SimHandle {
        self.handle.clone()
    }
}

impl std::ops::Deref for SimPrinter {
    type Target = SimHandle;
    fn deref(&self) -> &SimHandle {
        &self.handle
    }
}

impl Drop for SimPrinter {
    fn drop(&mut self) {
        self.handle.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl SimHandle {
    /// The device path a driver opens (serial or USB transport), when attached by pty.
    pub fn path(&self) -> Option<PathBuf> {
        lock(&self.shared.link).path()
    }

    /// The `host:port` a driver connects to, when attached by TCP.
    pub fn tcp_address(&self) -> Option<SocketAddr> {
        match &*lock(&self.shared.link) {
            SimLink::Tcp { addr, .. } => Some(*addr),
            SimLink::Pty { .. } => None,
        }
    }

    /// The paper width the simulator decodes and renders for.
    pub fn paper(&self) -> PaperWidth {
        self.shared.options.paper
    }

    /// The current state.
    pub fn state(&self) -> SimState {
        *lock(&self.shared.state)
    }

    /// Changes the state now.
    pub fn apply(&self, change: SimChange) {
        debug!(?change, "printer sim state change");
        lock(&self.shared.state).apply(change);
    }

    /// Changes the state once `bytes` more bytes have been received from now: the way to
    /// open the cover or run out of paper in the middle of a job.
    pub fn apply_after_bytes(&self, bytes: u64, change: SimChange) {
        let now = lock(&self.shared.received).len() as u64;
        lock(&self.shared.triggers).push((now + bytes, change));
    }

    /// A receiver for every job printed from now on.
    pub fn subscribe(&self) -> Receiver<ReceivedJob> {
        let (tx, rx) = mpsc::channel();
        lock(&self.shared.subscribers).push(tx);
        rx
    }

    /// Every job printed so far.
    pub fn jobs(&self) -> Vec<ReceivedJob> {
        lock(&self.shared.jobs).clone()
    }

    /// Every byte received so far, status queries included.
    pub fn received(&self) -> Vec<u8> {
        lock(&self.shared.received).clone()
    }

    /// Bytes dropped because the buffer overflowed (flow control violated).
    pub fn dropped_bytes(&self) -> u64 {
        *lock(&self.shared.dropped)
    }

    /// How many times the printer sent XOFF (its buffer filled up).
    pub fn xoff_count(&self) -> u64 {
        *lock(&self.shared.xoffs)
    }

    /// Sends raw bytes to the driver now, as stale or spurious output (an old status
    /// reply, XON/XOFF, noise); they are in the driver's input when this returns.
    pub fn inject_output(&self, bytes: &[u8]) -> io::Result<()> {
        lock(&self.shared.link).write(bytes)
    }

    /// Unplugs the printer: the device disappears (its symlink is removed) or the TCP
    /// connection closes and the port stops listening.
    pub fn unplug(&self) {
        lock(&self.shared.link).unplug();
    }

    /// Plugs the printer back in at the same path or address.
    pub fn replug(&self) -> io::Result<()> {
        let mut link = lock(&self.shared.link);
        link.replug(&self.shared.options.attach)
    }

    /// Waits until `count` jobs have been printed in total, or `timeout` passes.
    pub fn wait_for_jobs(&self, count: usize, timeout: Duration) -> Vec<ReceivedJob> {
        let deadline = Instant::now() + timeout;
        loop {
            let jobs = self.jobs();
            if jobs.len() >= count || Instant::now() >= deadline {
                return jobs;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// The simulator's end of the wire.
enum SimLink {
    Pty {
        device: Option<PtyDevice>,
        last_path: Option<PathBuf>,
    },
    Tcp {
        addr: SocketAddr,
        listener: Option<TcpListener>,
        stream: Option<TcpStream>,
    },
}

impl SimLink {
    fn attach(attach: &SimAttach) -> io::Result<Self> {
        match attach {
            SimAttach::Pty { link } => {
                let device = match link {
                    Some(path) => PtyDevice::open_linked(path)?,
                    None => PtyDevice::open()?,
                };
                let last_path = Some(device.path().to_path_buf());
                Ok(SimLink::Pty {
                    device: Some(device),
                    last_path,
                })
            }
            SimAttach::Tcp(addr) => {
                let listener = TcpListener::bind(addr)?;
                listener.set_nonblocking(true)?;
                let addr = listener.local_addr()?;
                Ok(SimLink::Tcp {
                    addr,
                    listener: Some(listener),
                    stream: None,
                })
            }
        }
    }

    fn path(&self) -> Option<PathBuf> {
        match self {
            SimLink::Pty { device, last_path } => device
                .as_ref()
                .map(|d| d.path().to_path_buf())
                .or_else(|| last_path.clone()),
            SimLink::Tcp { .. } => None,
        }
    }

    fn unplug(&mut self) {
        match self {
            SimLink::Pty { device, .. } => {
                if let Some(d) = device.take() {
                    d.unplug();
                }
            }
            SimLink::Tcp {
                listener, stream, ..
            } => {
                if let Some(s) = stream.take() {
                    let _ = s.shutdown(std::net::Shutdown::Both);
                }
                *listener = None;
            }
        }
    }

    fn replug(&mut self, attach: &SimAttach) -> io::Result<()> {
        self.unplug();
        *self = match (attach, &*self) {
            (SimAttach::Tcp(_), SimLink::Tcp { addr, .. }) => {
                SimLink::attach(&SimAttach::Tcp(*addr))?
            }
            _ => SimLink::attach(attach)?,
        };
        Ok(())
    }

    /// Reads what the driver sent, waiting at most `timeout`.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        match self {
            SimLink::Pty {
                device: Some(d), ..
            } => d.read_timeout(buf, timeout),
            SimLink::Pty { device: None, .. } => Ok(0),
            SimLink::Tcp {
                listener, stream, ..
            } => {
                if stream.is_none() {
                    if let Some(l) = listener {
                        match l.accept() {
                            Ok((s, _)) => {
                                s.set_nodelay(true)?;
                                *stream = Some(s);
                            }
                            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(0),
                            Err(e) => return Err(e),
                        }
                    } else {
                        return Ok(0);
                    }
                }
                let Some(s) = stream else { return Ok(0) };
                s.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
                match io::Read::read(s, buf) {
                    Ok(0) => {
                        *stream = None; // the driver hung up; wait for the next one
                        Ok(0)
                    }
                    Ok(n) => Ok(n),
                    Err(e) if crate::printer::transport::is_read_timeout(&e) => Ok(0),
                    Err(_) => {
                        *stream = None;
                        Ok(0)
                    }
                }
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            SimLink::Pty {
                device: Some(d), ..
            } => d.write_all(bytes),
            SimLink::Tcp {
                stream: Some(s), ..
            } => io::Write::write_all(s, bytes),
            _ => Ok(()),
        }
    }

    fn is_attached(&self) -> bool {
        match self {
            SimLink::Pty { device, .. } => device.is_some(),
            SimLink::Tcp { listener, .. } => listener.is_some(),
        }
    }
}

/// The printer's firmware loop.
struct Engine {
    shared: Arc<Shared>,
    backlog: Vec<u8>,
    assembler: JobAssembler,
    /// Last two bytes seen, to spot `DLE EOT n` split across reads.
    realtime_tail: Vec<u8>,
    xoff_sent: bool,
    print_budget: f64,
    last_tick: Instant,
    was_attached: bool,
}

impl Engine {
    fn new(shared: Arc<Shared>) -> Self {
        let dots = shared.options.paper.dots();
        Self {
            shared,
            backlog: Vec::new(),
            assembler: JobAssembler::new(dots),
            realtime_tail: Vec::new(),
            xoff_sent: false,
            print_budget: 0.0,
            last_tick: Instant::now(),
            was_attached: true,
        }
    }

    fn run(mut self) {
        let mut buf = [0u8; 1024];
        while !self.shared.stop.load(Ordering::SeqCst) {
            let room = self
                .shared
                .options
                .buffer
                .saturating_sub(self.backlog.len());
            let read_len = if self.shared.options.violate_flow_control {
                buf.len()
            } else {
                room.min(buf.len())
            };
            let n = if read_len == 0 {
                std::thread::sleep(Duration::from_millis(2));
                0
            } else {
                let shared = Arc::clone(&self.shared);
                let mut link = lock(&shared.link);
                let attached = link.is_attached();
                if attached && !self.was_attached {
                    self.power_cycle();
                }
                self.was_attached = attached;
                match link.read(&mut buf[..read_len], Duration::from_millis(5)) {
                    Ok(n) => n,
                    Err(e) => {
                        warn!(error = %e, "printer sim read failed");
                        0
                    }
                }
            };
            if n == 0 && read_len != 0 && !lock(&self.shared.link).is_attached() {
                std::thread::sleep(Duration::from_millis(5));
            }
            self.receive(&buf[..n]);
            self.print();
            self.flow_control();
        }
    }

    /// A replugged printer starts from power-on: empty buffer, fresh page.
    fn power_cycle(&mut self) {
        self.backlog.clear();
        self.assembler = JobAssembler::new(self.shared.options.paper.dots());
        self.realtime_tail.clear();
        self.xoff_sent = false;
    }

    fn send(&self, bytes: &[u8]) {
        if let Err(e) = lock(&self.shared.link).write(bytes) {
            debug!(error = %e, "printer sim could not answer");
        }
    }

    /// Takes received bytes in, applying byte-count triggers at their exact position.
    fn receive(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let count = lock(&self.shared.received).len() as u64;
            let next_trigger = lock(&self.shared.triggers)
                .iter()
                .map(|(at, _)| *at)
                .min()
                .filter(|at| *at < count + bytes.len() as u64);
            let split = match next_trigger {
                Some(at) => usize::try_from(at.saturating_sub(count)).unwrap_or(0),
                None => bytes.len(),
            };
            let (now, later) = bytes.split_at(split);
            self.take_in(now);
            if next_trigger.is_some() {
                self.print();
                self.fire_triggers();
            }
            bytes = later;
        }
        self.fire_triggers();
    }

    fn fire_triggers(&mut self) {
        let count = lock(&self.shared.received).len() as u64;
        let mut triggers = lock(&self.shared.triggers);
        let mut state = lock(&self.shared.state);
        triggers.retain(|(at, change)| {
            if *at <= count {
                state.apply(*change);
                false
            } else {
                true
            }
        });
    }

    fn take_in(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        lock(&self.shared.received).extend_from_slice(bytes);
        self.answer_realtime(bytes);
        let room = self
            .shared
            .options
            .buffer
            .saturating_sub(self.backlog.len());
        let kept = bytes.len().min(room);
        self.backlog.extend_from_slice(&bytes[..kept]);
        if kept < bytes.len() {
            *lock(&self.shared.dropped) += (bytes.len() - kept) as u64;
        }
    }

    /// `DLE EOT n` is answered the moment it arrives, wherever it is in the stream, as the
    /// receive interrupt of a real printer does.
    fn answer_realtime(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.realtime_tail.push(b);
            if self.realtime_tail.len() > 3 {
                self.realtime_tail.remove(0);
            }
            if let [0x10, 0x04, n] = self.realtime_tail[..] {
                if let Some(request) = StatusRequest::from_n(n) {
                    let state = *lock(&self.shared.state);
                    match state.fault {
                        Fault::Silent => {}
                        Fault::GarbageReplies => self.send(&[0xFF]),
                        _ => self.send(&[state.status_reply(request)]),
                    }
                }
                self.realtime_tail.clear();
            }
        }
    }

    /// Processes buffered commands while the mechanism can print.
    fn print(&mut self) {
        let now = Instant::now();
        if let Some(rate) = self.shared.options.bytes_per_second {
            let elapsed = now.duration_since(self.last_tick).as_secs_f64();
            self.print_budget =
                (self.print_budget + elapsed * f64::from(rate)).min(f64::from(rate));
        }
        self.last_tick = now;
        let mut consumed = 0;
        loop {
            let state = *lock(&self.shared.state);
            if !state.can_print() {
                break;
            }
            let Some((command, len)) = decode::parse_command(&self.backlog[consumed..]) else {
                break;
            };
            if self.shared.options.bytes_per_second.is_some() {
                if self.print_budget < len as f64 {
                    break;
                }
                self.print_budget -= len as f64;
            }
            let raw = self.backlog[consumed..consumed + len].to_vec();
            consumed += len;
            if let decode::Command::TransmitStatus(1 | 49) = command
                && state.fault == Fault::None
            {
                self.send(&[state.paper_sensor_reply()]);
            }
            if let Some(job) = self.assembler.apply(command, &raw) {
                self.deliver(job);
            }
        }
        self.backlog.drain(..consumed);
    }

    fn deliver(&self, job: ReceivedJob) {
        debug!(bytes = job.raw.len(), "printer sim printed a job");
        lock(&self.shared.subscribers).retain(|tx| tx.send(job.clone()).is_ok());
        lock(&self.shared.jobs).push(job);
    }

    fn flow_control(&mut self) {
        if !self.shared.options.xon_xoff {
            return;
        }
        let capacity = self.shared.options.buffer;
        if !self.xoff_sent && self.backlog.len() >= capacity * 3 / 4 {
            self.send(&[XOFF]);
            self.xoff_sent = true;
            *lock(&self.shared.xoffs) += 1;
        } else if self.xoff_sent && self.backlog.len() <= capacity / 4 {
            self.send(&[XON]);
            self.xoff_sent = false;
        }
    }
}

/// Starts a simulator for the desktop kiosk at `link` (e.g. `<data>/printer-sim`), 80 or
/// 58 mm, and returns it with a receiver of every printed job.
pub fn start_desktop(
    link: &Path,
    paper: PaperWidth,
) -> io::Result<(SimPrinter, Receiver<ReceivedJob>)> {
    let sim = SimPrinter::start(SimOptions {
        attach: SimAttach::Pty {
            link: Some(link.to_path_buf()),
        },
        paper,
        ..SimOptions::default()
    })?;
    let jobs = sim.subscribe();
    Ok((sim, jobs))
}
