//! The reader driver: one blocking serial port, one command at a time.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, DataBits, FlowControl, Parity, SerialPort, StopBits};
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

use super::card::CardRead;
use super::command::{Command, CommandTimeouts};
use super::config::{PresenceProbe, ReaderConfig};
use super::frame::{FrameDecoder, FrameError, Response};
use super::read::{ReadPayloadError, parse_additional_addresses, parse_read_payload};
use super::sam::SamId;
use super::status::{Status, StatusClass};

/// Longest single blocking wait, so a cancel request is noticed quickly.
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// What went wrong talking to the reader. Never carries card data.
#[derive(Debug, Error)]
pub enum ReaderError {
    /// The device could not be opened (missing, busy, no permission).
    #[error("cannot open {path}: {message}")]
    Open {
        /// The device path.
        path: PathBuf,
        /// The I/O error class.
        kind: io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// Nothing (or not a whole frame) came back in time.
    #[error("no answer to {} within {timeout:?}", command.name())]
    NoAnswer {
        /// The command sent.
        command: Command,
        /// The time allowed.
        timeout: Duration,
    },
    /// Reading or writing the open device failed: it was unplugged or broke.
    #[error("device I/O failed during {}: {source}", command.name())]
    Io {
        /// The command in progress.
        command: Command,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The reader's answer was not a good frame.
    #[error("bad response to {}: {source}", command.name())]
    Frame {
        /// The command sent.
        command: Command,
        /// What was wrong.
        #[source]
        source: FrameError,
    },
    /// The reader answered with a status other than the expected success.
    #[error("{} refused: {status}", command.name())]
    Status {
        /// The command sent.
        command: Command,
        /// SW3 of the answer.
        status: Status,
    },
    /// A success answer with data of the wrong shape.
    #[error("unexpected {len}-byte answer to {}", command.name())]
    Payload {
        /// The command sent.
        command: Command,
        /// Bytes of data after SW3.
        len: usize,
    },
    /// The read data could not be parsed.
    #[error("card data unusable: {0}")]
    Read(#[from] ReadPayloadError),
    /// The module cannot run at this rate (see [`super::command::BAUD_RATES`]).
    #[error("unsupported baud rate {0}")]
    UnsupportedBaud(u32),
    /// [`Reader::set_cancel_flag`]'s flag was raised while waiting.
    #[error("cancelled")]
    Cancelled,
}

impl ReaderError {
    /// The reader's status byte, when the error is a refusal.
    pub fn status(&self) -> Option<Status> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when the device is gone and must be reopened.
    pub fn is_device_lost(&self) -> bool {
        matches!(self, Self::Io { .. } | Self::Open { .. })
    }
}

/// An open ID-card reader.
pub struct Reader {
    port: Box<dyn SerialPort>,
    decoder: FrameDecoder,
    timeouts: CommandTimeouts,
    path: PathBuf,
    baud: u32,
    cancel: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("path", &self.path)
            .field("baud", &self.baud)
            .finish_non_exhaustive()
    }
}

impl Reader {
    /// Opens `path` at `baud`, 8N1, no flow control.
    pub fn open(path: &Path, baud: u32, timeouts: CommandTimeouts) -> Result<Self, ReaderError> {
        let port = serialport::new(path.to_string_lossy(), baud)
            .data_bits(DataBits::Eight)
            .parity(Parity::None)
            .stop_bits(StopBits::One)
            .flow_control(FlowControl::None)
            .timeout(WAIT_SLICE)
            .open()
            .map_err(|e| {
                let io: io::Error = e.into();
                ReaderError::Open {
                    path: path.to_path_buf(),
                    kind: io.kind(),
                    message: io.to_string(),
                }
            })?;
        Ok(Self {
            port,
            decoder: FrameDecoder::for_responses(),
            timeouts,
            path: path.to_path_buf(),
            baud,
            cancel: None,
        })
    }

    /// Opens the configured device and rate.
    pub fn open_config(config: &ReaderConfig) -> Result<Self, ReaderError> {
        Self::open(&config.device, config.baud, config.timeouts.clone())
    }

    /// The device path this reader was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The UART rate in use.
    pub fn baud(&self) -> u32 {
        self.baud
    }

    /// Makes blocking waits give up with [`ReaderError::Cancelled`] once `flag` is set.
    pub fn set_cancel_flag(&mut self, flag: Arc<AtomicBool>) {
        self.cancel = Some(flag);
    }

    /// Sends `command` and returns the reader's answer whatever its status.
    pub fn command(&mut self, command: Command) -> Result<Response, ReaderError> {
        let timeout = self.timeouts.for_command(command);
        self.exchange(command, &command.frame(), timeout)
    }

    /// Sends arbitrary bytes (diagnostics, protocol tests) and waits up to `timeout` for a
    /// response frame. `command` only labels errors.
    pub fn send_raw(
        &mut self,
        command: Command,
        bytes: &[u8],
        timeout: Duration,
    ) -> Result<Response, ReaderError> {
        self.exchange(command, bytes, timeout)
    }

    /// Sends `command` and requires one of the `ok` statuses.
    fn expect(&mut self, command: Command, ok: &[Status]) -> Result<Response, ReaderError> {
        let response = self.command(command)?;
        if ok.contains(&response.status) {
            Ok(response)
        } else {
            Err(ReaderError::Status {
                command,
                status: response.status,
            })
        }
    }

    /// SAM status check (0x11): `Ok` when the module reports 0x90.
    pub fn sam_status(&mut self) -> Result<(), ReaderError> {
        self.expect(Command::SamStatus, &[Status::Success])
            .map(drop)
    }

    /// Resets the SAM (0x10).
    pub fn reset_sam(&mut self) -> Result<(), ReaderError> {
        self.expect(Command::ResetSam, &[Status::Success]).map(drop)
    }

    /// Reads the SAM ID (0x12), retrying up to three times as vendor code does for the
    /// flaky first read after opening (reference §6 item 7).
    pub fn sam_id(&mut self) -> Result<SamId, ReaderError> {
        let mut last = None;
        for _ in 0..3 {
            match self.expect(Command::SamId, &[Status::Success]) {
                Ok(response) => match SamId::from_bytes(response.data()) {
                    Some(id) => return Ok(id),
                    None => {
                        last = Some(ReaderError::Payload {
                            command: Command::SamId,
                            len: response.data().len(),
                        })
                    }
                },
                Err(e) if e.is_device_lost() || matches!(e, ReaderError::Cancelled) => {
                    return Err(e);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(ReaderError::Cancelled))
    }

    /// Switches the module's UART rate (0x60) and then the port's. `baud` must be one of
    /// [`super::command::BAUD_RATES`].
    pub fn set_baud(&mut self, baud: u32) -> Result<(), ReaderError> {
        let command = Command::set_baud(baud).ok_or(ReaderError::UnsupportedBaud(baud))?;
        self.expect(command, &[Status::Success])?;
        self.port.set_baud_rate(baud).map_err(|e| ReaderError::Io {
            command,
            source: e.into(),
        })?;
        self.baud = baud;
        Ok(())
    }

    /// Find card (0x20 0x01): `true` when a card was found, `false` on 0x80 (no card, or
    /// the card just read is still in the field).
    pub fn find_card(&mut self) -> Result<bool, ReaderError> {
        let response = self.expect(Command::FindCard, &[Status::CardFound, Status::FindFailed])?;
        Ok(response.status == Status::CardFound)
    }

    /// Select card (0x20 0x02).
    pub fn select_card(&mut self) -> Result<(), ReaderError> {
        self.expect(Command::SelectCard, &[Status::Success])
            .map(drop)
    }

    /// Reads text and photo (0x30 0x01), or with fingerprints (0x30 0x10, templates
    /// discarded), after a successful select.
    pub fn read_card(&mut self, with_fingerprint: bool) -> Result<CardRead, ReaderError> {
        let command = if with_fingerprint {
            Command::ReadTextAndFingerprint
        } else {
            Command::ReadText
        };
        let response = self.expect(command, &[Status::Success])?;
        Ok(parse_read_payload(response.data(), with_fingerprint)?)
    }

    /// Find → select → read, each status as the module answered it; `Ok(None)` when no
    /// card was found.
    pub fn find_select_read(
        &mut self,
        with_fingerprint: bool,
    ) -> Result<Option<CardRead>, ReaderError> {
        if !self.find_card()? {
            return Ok(None);
        }
        self.select_card()?;
        self.read_card(with_fingerprint).map(Some)
    }

    /// The whole transaction: find → select → read. `Ok(None)` when there is no card to
    /// read (0x80 to find, 0x81 to select, 0x41 to read: try again later).
    pub fn try_read(&mut self, with_fingerprint: bool) -> Result<Option<CardRead>, ReaderError> {
        match self.find_select_read(with_fingerprint) {
            Err(ReaderError::Status { status, .. })
                if status.class() == StatusClass::RetryFromFind =>
            {
                Ok(None)
            }
            other => other,
        }
    }

    /// Polls [`Reader::try_read`] every `interval` until a card is read or `timeout` passes
    /// (`Ok(None)`). For one-shot tools such as `diag read-card`.
    pub fn wait_for_card(
        &mut self,
        with_fingerprint: bool,
        timeout: Duration,
        interval: Duration,
    ) -> Result<Option<CardRead>, ReaderError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(read) = self.try_read(with_fingerprint)? {
                return Ok(Some(read));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            thread::sleep(interval.min(deadline - now));
        }
    }

    /// After a good read: whether the card is still in the field. `Ok(false)` when the
    /// probe fails the way a missing card does; refusals such as 0x21 (probe unsupported)
    /// or a SAM fault are errors.
    pub fn card_present(&mut self, probe: PresenceProbe) -> Result<bool, ReaderError> {
        let command = match probe {
            PresenceProbe::ManagementNumber => Command::ReadManagementNumber,
            PresenceProbe::AdditionalAddress => Command::ReadAdditionalAddress,
        };
        let response = self.command(command)?;
        match response.status.class() {
            StatusClass::Ok => Ok(true),
            StatusClass::RetryFromFind | StatusClass::CardRejected => Ok(false),
            StatusClass::ProtocolFault | StatusClass::SamFault => Err(ReaderError::Status {
                command,
                status: response.status,
            }),
        }
    }

    /// Additional addresses (0x30 0x03, after select): up to four 70-byte UCS-2 entries,
    /// newest last; empty when the card has none (0x91).
    pub fn additional_address(&mut self) -> Result<Zeroizing<Vec<String>>, ReaderError> {
        let command = Command::ReadAdditionalAddress;
        let response = self.expect(command, &[Status::Success, Status::NoContent])?;
        parse_additional_addresses(response.data()).ok_or_else(|| ReaderError::Payload {
            command,
            len: response.data().len(),
        })
    }

    fn exchange(
        &mut self,
        command: Command,
        bytes: &[u8],
        timeout: Duration,
    ) -> Result<Response, ReaderError> {
        let io_error = |source: io::Error| ReaderError::Io { command, source };
        // A late answer to an earlier, timed-out command must not pass for this one.
        self.decoder.clear();
        self.port
            .clear(ClearBuffer::Input)
            .map_err(|e| io_error(e.into()))?;
        self.port.write_all(bytes).map_err(io_error)?;
        let deadline = Instant::now() + timeout;
        let mut chunk = [0u8; 1024];
        loop {
            if let Some(result) = self.decoder.next_frame() {
                let result = result
                    .and_then(Response::from_frame)
                    .map_err(|source| ReaderError::Frame { command, source });
                if result.is_err() {
                    self.decoder.clear();
                }
                return result;
            }
            if self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
            {
                return Err(ReaderError::Cancelled);
            }
            let now = Instant::now();
            if now >= deadline {
                self.decoder.clear();
                return Err(ReaderError::NoAnswer { command, timeout });
            }
            let wait = (deadline - now).min(WAIT_SLICE);
            self.port
                .set_timeout(wait)
                .map_err(|e| io_error(e.into()))?;
            match self.port.read(&mut chunk) {
                // A terminal that reads end-of-file has hung up.
                Ok(0) => {
                    return Err(io_error(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "device hung up",
                    )));
                }
                Ok(n) => {
                    self.decoder.push(&chunk[..n]);
                    chunk[..n].zeroize();
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(io_error(e)),
            }
        }
    }
}
