//! The printer driver the firmware calls: status, print with checks before and after.
//!
//! Before a job: `DLE EOT` 1, 2, 4 (and 3 on error). A printer with no paper, an open
//! cover, an error or offline gets nothing. After the job: `GS r 1`, whose answer comes only
//! once the printer has processed everything before it, so an answer proves the ticket
//! came out. The link is opened lazily and reopened after an unplug, so one `Printer` value
//! lives as long as the kiosk. Blocking with timeouts: run it on its own thread.

use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use tracing::{debug, info, warn};

use super::config::{PrinterConfig, TransportKind};
use super::document::Document;
use super::encode::{EncodeError, encode};
use super::status::{
    BadReply, PAPER_SENSOR_REQUEST, PrinterStatus, Refusal, StatusRequest, XOFF, XON,
    decode_error_cause, decode_offline_cause, decode_paper_sensor, decode_printer,
    decode_roll_paper, is_paper_sensor_reply, is_status_reply,
};
use super::transport::{self, Transport, is_disconnect};

/// What happened to a job that was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PrintReport {
    /// Bytes sent to the printer.
    pub bytes: usize,
    /// The status read before the job; `None` in blind mode.
    pub status_before: Option<PrinterStatus>,
    /// The roll is nearly used up: printed, but staff should change the roll soon.
    pub paper_near_end: bool,
    /// The printer confirmed it processed the whole job (`GS r 1` answered). Always false
    /// in blind mode.
    pub confirmed: bool,
    /// Sent in blind mode: no status was read and nothing proves the ticket came out.
    pub blind: bool,
}

/// Why a job that was (at least partly) sent did not complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum JobFailure {
    /// The printer stopped during the job for this reason (cover opened, paper ran out).
    #[error("printer stopped: {0}")]
    Stopped(Refusal),
    /// The printer did not confirm the job within the timeout and reports no reason.
    #[error("printer did not confirm the job within {0:?}")]
    NotConfirmed(Duration),
    /// The printer stopped accepting data (flow control held too long).
    #[error("printer stopped accepting data")]
    WriteStalled,
    /// The link broke during the job (unplugged, connection reset).
    #[error("connection lost: {0}")]
    Disconnected(String),
}

/// Errors of the printer driver. [`PrinterError::nothing_printed`] tells whether the paper
/// can have been touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum PrinterError {
    /// The printer reported a state in which it cannot print; nothing was sent.
    #[error("printing refused, nothing printed: {0}")]
    Refused(Refusal),
    /// The job was sent but did not complete; part of it may be on paper.
    #[error("printing failed mid-job after {bytes_sent} bytes: {cause}")]
    JobFailed {
        /// What went wrong.
        cause: JobFailure,
        /// How many bytes of the job had been sent.
        bytes_sent: usize,
    },
    /// The device could not be opened or vanished; nothing was sent.
    #[error("printer unavailable ({device}): {reason}")]
    Unavailable {
        /// The configured device.
        device: String,
        /// The system's reason.
        reason: String,
    },
    /// The printer did not answer a status query; nothing was sent.
    #[error(
        "printer does not answer status queries ({query}); check power and cable, \
         or configure blind mode for a printer that cannot report status"
    )]
    NoResponse {
        /// The query that went unanswered, e.g. "DLE EOT 1".
        query: String,
    },
    /// The printer answered with a byte that is not a valid reply; nothing was sent.
    #[error("printer sent an invalid reply: {0}")]
    InvalidReply(BadReply),
    /// The document could not be encoded; nothing was sent.
    #[error("ticket could not be encoded: {0}")]
    Encode(#[from] EncodeError),
    /// Status was asked of a printer configured as blind.
    #[error("printer is configured as blind: it cannot report status")]
    Blind,
}

/// Broad classes of [`PrinterError`] for the firmware's reaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorClass {
    /// Refused before sending: paper end, cover open, error, offline.
    Refused,
    /// Sent but not completed.
    FailedMidJob,
    /// Device missing, silent or garbled; nothing sent.
    Unavailable,
    /// A bug or bad data on our side (encoding); nothing sent.
    BadDocument,
}

impl PrinterError {
    /// The broad class of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            PrinterError::Refused(_) => ErrorClass::Refused,
            PrinterError::JobFailed { .. } => ErrorClass::FailedMidJob,
            PrinterError::Unavailable { .. }
            | PrinterError::NoResponse { .. }
            | PrinterError::InvalidReply(_)
            | PrinterError::Blind => ErrorClass::Unavailable,
            PrinterError::Encode(_) => ErrorClass::BadDocument,
        }
    }

    /// True when nothing reached the printer, so no partial ticket can exist.
    pub fn nothing_printed(&self) -> bool {
        !matches!(self, PrinterError::JobFailed { .. })
    }
}

/// A thermal printer, reached through the configured transport.
pub struct Printer {
    config: PrinterConfig,
    link: Option<Box<dyn Transport>>,
}

impl Printer {
    /// A printer that opens its device on first use; never fails.
    pub fn new(config: PrinterConfig) -> Self {
        Self { config, link: None }
    }

    /// A printer on a link opened elsewhere (a transport of the caller's own, such as the
    /// in-memory one the fuzz targets feed); reopened from `config` if the link drops.
    pub fn with_transport(config: PrinterConfig, link: Box<dyn Transport>) -> Self {
        Self {
            config,
            link: Some(link),
        }
    }

    /// A printer whose device is opened now, failing if it cannot be.
    pub fn open(config: &PrinterConfig) -> Result<Self, PrinterError> {
        let mut printer = Self::new(config.clone());
        printer.link()?;
        Ok(printer)
    }

    /// The configuration in force.
    pub fn config(&self) -> &PrinterConfig {
        &self.config
    }

    /// Closes the device; the next call reopens it.
    pub fn close(&mut self) {
        self.link = None;
    }

    /// Encodes a document for this printer's paper width and character set.
    pub fn encode(&self, doc: &Document) -> Result<Vec<u8>, EncodeError> {
        encode(doc, &self.config.encode_options())
    }

    /// Reads the printer's status (`DLE EOT` 1, 2, 4, and 3 when an error is reported).
    pub fn status(&mut self) -> Result<PrinterStatus, PrinterError> {
        if self.config.blind {
            return Err(PrinterError::Blind);
        }
        let had_link = self.link.is_some() && !self.device_vanished();
        match self.status_once() {
            // An old handle to a replugged device fails once; a fresh one may work.
            Err(PrinterError::Unavailable { .. }) if had_link => self.status_once(),
            // A burst of line noise; ask again once with a clean input buffer.
            Err(PrinterError::InvalidReply(bad)) => {
                warn!(%bad, "printer status reply invalid; asking again");
                self.status_once()
            }
            other => other,
        }
    }

    /// Encodes and prints a document.
    pub fn print(&mut self, doc: &Document) -> Result<PrintReport, PrinterError> {
        let bytes = self.encode(doc)?;
        self.print_bytes(&bytes)
    }

    /// Prints an already encoded job: checks status, sends, waits for confirmation.
    pub fn print_bytes(&mut self, job: &[u8]) -> Result<PrintReport, PrinterError> {
        if self.config.blind {
            return self.print_blind(job);
        }
        let status = self.status()?;
        if let Some(refusal) = status.refusal() {
            info!(%refusal, "print refused");
            return Err(PrinterError::Refused(refusal));
        }
        self.send(job)?;
        let sensor = self.confirm(job.len())?;
        let report = PrintReport {
            bytes: job.len(),
            status_before: Some(status),
            paper_near_end: status.paper_near_end() || sensor.near_end || sensor.paper_end,
            confirmed: true,
            blind: false,
        };
        debug!(
            bytes = job.len(),
            near_end = report.paper_near_end,
            "job confirmed"
        );
        Ok(report)
    }

    fn print_blind(&mut self, job: &[u8]) -> Result<PrintReport, PrinterError> {
        if self.device_vanished() {
            self.link = None;
        }
        let had_link = self.link.is_some();
        match self.send(job) {
            Err(PrinterError::JobFailed {
                cause: JobFailure::Disconnected(_),
                bytes_sent: 0,
            }) if had_link => {
                self.link = None;
                self.send(job)?;
            }
            other => other?,
        }
        Ok(PrintReport {
            bytes: job.len(),
            status_before: None,
            paper_near_end: false,
            confirmed: false,
            blind: true,
        })
    }

    fn status_once(&mut self) -> Result<PrinterStatus, PrinterError> {
        if self.device_vanished() {
            self.link = None;
        }
        let printer = decode_printer(self.query(StatusRequest::Printer)?)
            .map_err(PrinterError::InvalidReply)?;
        let offline_cause = decode_offline_cause(self.query(StatusRequest::OfflineCause)?)
            .map_err(PrinterError::InvalidReply)?;
        let error_cause = if offline_cause.error {
            Some(
                decode_error_cause(self.query(StatusRequest::ErrorCause)?)
                    .map_err(PrinterError::InvalidReply)?,
            )
        } else {
            None
        };
        let roll_paper = decode_roll_paper(self.query(StatusRequest::RollPaper)?)
            .map_err(PrinterError::InvalidReply)?;
        Ok(PrinterStatus {
            printer,
            offline_cause,
            error_cause,
            roll_paper,
        })
    }

    /// Asks one `DLE EOT n` and returns the reply byte, unchecked beyond skipping XON/XOFF.
    fn query(&mut self, request: StatusRequest) -> Result<u8, PrinterError> {
        let timeout = self.config.status_timeout();
        let write_timeout = self.config.write_timeout();
        let device = self.config.device.clone();
        let link = self.link()?;
        let result = (|| {
            let stale = link.drain()?;
            if stale > 0 {
                debug!(stale, "discarded stale bytes before status query");
            }
            link.write_all(&request.command(), write_timeout)?;
            read_reply(link.as_mut(), timeout, |b| b != XON && b != XOFF)
        })();
        match result {
            Ok(Some(byte)) => Ok(byte),
            Ok(None) => Err(PrinterError::NoResponse {
                query: format!("DLE EOT {}", request as u8),
            }),
            Err(e) if is_disconnect(&e) => {
                self.link = None;
                Err(unavailable(&device, &e))
            }
            Err(_) => Err(PrinterError::NoResponse {
                query: format!("DLE EOT {}", request as u8),
            }),
        }
    }

    fn send(&mut self, job: &[u8]) -> Result<(), PrinterError> {
        // Written in chunks so a failure can say how much had gone out.
        const CHUNK: usize = 256;
        let write_timeout = self.config.write_timeout();
        let device = self.config.device.clone();
        let link = self.link()?;
        let mut bytes_sent = 0;
        for chunk in job.chunks(CHUNK) {
            if let Err(e) = link.write_all(chunk, write_timeout) {
                let cause = if is_disconnect(&e) {
                    self.link = None;
                    warn!(device, error = %e, "printer link lost while sending");
                    JobFailure::Disconnected(e.to_string())
                } else {
                    JobFailure::WriteStalled
                };
                return Err(PrinterError::JobFailed { cause, bytes_sent });
            }
            bytes_sent += chunk.len();
        }
        Ok(())
    }

    /// Sends `GS r 1` and waits for its answer, which proves the job was processed.
    fn confirm(&mut self, bytes_sent: usize) -> Result<super::status::PaperSensor, PrinterError> {
        let job_timeout = self.config.job_timeout();
        let write_timeout = self.config.write_timeout();
        let failed = |cause| PrinterError::JobFailed { cause, bytes_sent };
        let link = self.link()?;
        let result = (|| {
            // A late answer to an earlier job must not be taken for this one's.
            link.drain()?;
            link.write_all(&PAPER_SENSOR_REQUEST, write_timeout)?;
            // Status replies, XON/XOFF and noise are not the answer; only `0xx0xxxx` is.
            read_reply(link.as_mut(), job_timeout, is_paper_sensor_reply)
        })();
        match result {
            Ok(Some(byte)) => decode_paper_sensor(byte).map_err(PrinterError::InvalidReply),
            Ok(None) => {
                // Ask why: real-time status is answered even when the printer has stopped.
                let cause = match self.status_once() {
                    Ok(status) => match status.refusal() {
                        Some(refusal) => JobFailure::Stopped(refusal),
                        None => JobFailure::NotConfirmed(job_timeout),
                    },
                    Err(_) => JobFailure::NotConfirmed(job_timeout),
                };
                warn!(%cause, "job not confirmed");
                Err(failed(cause))
            }
            Err(e) if is_disconnect(&e) => {
                self.link = None;
                Err(failed(JobFailure::Disconnected(e.to_string())))
            }
            Err(_) => Err(failed(JobFailure::NotConfirmed(job_timeout))),
        }
    }

    /// The open link, opening the device first when needed.
    fn link(&mut self) -> Result<&mut Box<dyn Transport>, PrinterError> {
        if self.link.is_none() {
            let link =
                transport::open(&self.config).map_err(|e| unavailable(&self.config.device, &e))?;
            info!(link = %link.describe(), "printer opened");
            self.link = Some(link);
        }
        self.link.as_mut().ok_or_else(|| PrinterError::Unavailable {
            device: self.config.device.clone(),
            reason: "not open".into(),
        })
    }

    /// True when a device file we hold open is no longer at its path (unplugged), so the
    /// handle is stale even if the kernel has not said so yet.
    fn device_vanished(&self) -> bool {
        self.link.is_some()
            && self.config.transport != TransportKind::Tcp
            && !Path::new(&self.config.device).exists()
    }
}

fn unavailable(device: &str, e: &io::Error) -> PrinterError {
    PrinterError::Unavailable {
        device: device.to_string(),
        reason: e.to_string(),
    }
}

/// Reads until a byte `accept` takes arrives or `timeout` passes (`Ok(None)`). Bytes it
/// skips are logged, never trusted.
fn read_reply(
    link: &mut dyn Transport,
    timeout: Duration,
    accept: impl Fn(u8) -> bool,
) -> io::Result<Option<u8>> {
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 1];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        if link.read_timeout(&mut buf, left)? == 1 {
            if accept(buf[0]) {
                return Ok(Some(buf[0]));
            }
            debug!(
                byte = buf[0],
                status_like = is_status_reply(buf[0]),
                "skipped byte"
            );
        }
    }
}
