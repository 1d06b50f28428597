//! Real-time status (`DLE EOT n`) and paper-sensor (`GS r 1`) replies.
//!
//! Every `DLE EOT` reply has the fixed pattern `0xx1xx10`; a byte that does not is not a
//! status (it may be XON/XOFF, noise, or a reply to something else) and decodes to an error.
//! The `GS r` reply has the pattern `0xx0xxxx`, so the two can never be confused.

use std::fmt;

use serde::{Deserialize, Serialize};

/// XON, which a printer under software flow control sends when it can take more data.
pub const XON: u8 = 0x11;
/// XOFF, which a printer under software flow control sends when its buffer is nearly full.
pub const XOFF: u8 = 0x13;
/// `GS r 1`: send the paper sensor status once everything before it has been processed.
pub const PAPER_SENSOR_REQUEST: [u8; 3] = [0x1D, 0x72, 0x01];

/// Which real-time status a `DLE EOT n` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusRequest {
    /// n = 1: printer status (offline, drawer, feed button).
    Printer = 1,
    /// n = 2: why the printer is offline (cover, paper end, error).
    OfflineCause = 2,
    /// n = 3: which error occurred.
    ErrorCause = 3,
    /// n = 4: roll paper sensor (near end, end).
    RollPaper = 4,
}

impl StatusRequest {
    /// The 3-byte `DLE EOT n` command (not the `escpos` crate's 4-byte form).
    pub fn command(self) -> [u8; 3] {
        [0x10, 0x04, self as u8]
    }

    /// The request a `DLE EOT n` byte stands for, if `n` is one we know.
    pub fn from_n(n: u8) -> Option<Self> {
        match n {
            1 => Some(Self::Printer),
            2 => Some(Self::OfflineCause),
            3 => Some(Self::ErrorCause),
            4 => Some(Self::RollPaper),
            _ => None,
        }
    }
}

/// A reply byte that does not have the pattern its request requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("printer sent {byte:#04x} in reply to {request}, which is not a valid reply")]
pub struct BadReply {
    /// What was asked.
    pub request: ReplyKind,
    /// What came back.
    pub byte: u8,
}

/// The kind of reply a byte was decoded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplyKind {
    /// A `DLE EOT n` reply.
    Status(StatusRequest),
    /// A `GS r 1` reply.
    PaperSensor,
}

impl fmt::Display for ReplyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyKind::Status(r) => write!(f, "DLE EOT {}", *r as u8),
            ReplyKind::PaperSensor => f.write_str("GS r 1"),
        }
    }
}

/// True when `byte` has the fixed `DLE EOT` reply pattern `0xx1xx10`.
pub fn is_status_reply(byte: u8) -> bool {
    byte & 0x93 == 0x12
}

/// True when `byte` has the `GS r` reply pattern `0xx0xxxx`.
pub fn is_paper_sensor_reply(byte: u8) -> bool {
    byte & 0x90 == 0x00
}

const fn bit(byte: u8, n: u8) -> bool {
    byte & (1 << n) != 0
}

/// `DLE EOT 1`: printer status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrinterByte {
    /// Bit 2: drawer kick-out connector pin 3 is high.
    pub drawer_pin_high: bool,
    /// Bit 3: the printer is offline.
    pub offline: bool,
    /// Bit 5: waiting for online recovery.
    pub waiting_recovery: bool,
    /// Bit 6: the feed button is being pressed.
    pub feed_button: bool,
}

/// `DLE EOT 2`: offline causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OfflineCause {
    /// Bit 2: the cover is open.
    pub cover_open: bool,
    /// Bit 3: paper is being fed by the feed button.
    pub feeding_by_button: bool,
    /// Bit 5: printing stopped because the paper ran out.
    pub paper_end_stop: bool,
    /// Bit 6: an error occurred (ask `DLE EOT 3` which).
    pub error: bool,
}

/// `DLE EOT 3`: error causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorCause {
    /// Bit 2: recoverable (mechanical) error.
    pub recoverable: bool,
    /// Bit 3: autocutter error (paper jam at the cutter).
    pub autocutter: bool,
    /// Bit 5: unrecoverable error.
    pub unrecoverable: bool,
    /// Bit 6: automatically recoverable error (head temperature etc.).
    pub auto_recoverable: bool,
}

impl ErrorCause {
    /// True when any error bit is set.
    pub fn any(&self) -> bool {
        self.recoverable || self.autocutter || self.unrecoverable || self.auto_recoverable
    }
}

impl fmt::Display for ErrorCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.autocutter {
            parts.push("cutter jammed (切刀错误)");
        }
        if self.unrecoverable {
            parts.push("unrecoverable error, power-cycle the printer (不可恢复错误)");
        }
        if self.auto_recoverable {
            parts.push("print head too hot, it will recover (打印头过热)");
        }
        if self.recoverable {
            parts.push("mechanical error (机械错误)");
        }
        if parts.is_empty() {
            parts.push("unspecified error");
        }
        f.write_str(&parts.join(", "))
    }
}

/// `DLE EOT 4`: roll paper sensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RollPaper {
    /// Bits 2-3: paper roll near its end.
    pub near_end: bool,
    /// Bits 5-6: no paper.
    pub paper_end: bool,
}

/// A `GS r 1` reply: the paper sensor seen once the job before it was processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaperSensor {
    /// Bits 0-1: near end.
    pub near_end: bool,
    /// Bits 2-3: paper end.
    pub paper_end: bool,
}

fn check(request: StatusRequest, byte: u8) -> Result<u8, BadReply> {
    if is_status_reply(byte) {
        Ok(byte)
    } else {
        Err(BadReply {
            request: ReplyKind::Status(request),
            byte,
        })
    }
}

/// Decodes a `DLE EOT 1` reply.
pub fn decode_printer(byte: u8) -> Result<PrinterByte, BadReply> {
    let b = check(StatusRequest::Printer, byte)?;
    Ok(PrinterByte {
        drawer_pin_high: bit(b, 2),
        offline: bit(b, 3),
        waiting_recovery: bit(b, 5),
        feed_button: bit(b, 6),
    })
}

/// Decodes a `DLE EOT 2` reply.
pub fn decode_offline_cause(byte: u8) -> Result<OfflineCause, BadReply> {
    let b = check(StatusRequest::OfflineCause, byte)?;
    Ok(OfflineCause {
        cover_open: bit(b, 2),
        feeding_by_button: bit(b, 3),
        paper_end_stop: bit(b, 5),
        error: bit(b, 6),
    })
}

/// Decodes a `DLE EOT 3` reply.
pub fn decode_error_cause(byte: u8) -> Result<ErrorCause, BadReply> {
    let b = check(StatusRequest::ErrorCause, byte)?;
    Ok(ErrorCause {
        recoverable: bit(b, 2),
        autocutter: bit(b, 3),
        unrecoverable: bit(b, 5),
        auto_recoverable: bit(b, 6),
    })
}

/// Decodes a `DLE EOT 4` reply.
pub fn decode_roll_paper(byte: u8) -> Result<RollPaper, BadReply> {
    let b = check(StatusRequest::RollPaper, byte)?;
    Ok(RollPaper {
        near_end: b & 0x0C != 0,
        paper_end: b & 0x60 != 0,
    })
}

/// Decodes a `GS r 1` reply.
pub fn decode_paper_sensor(byte: u8) -> Result<PaperSensor, BadReply> {
    if !is_paper_sensor_reply(byte) {
        return Err(BadReply {
            request: ReplyKind::PaperSensor,
            byte,
        });
    }
    Ok(PaperSensor {
        near_end: byte & 0x03 != 0,
        paper_end: byte & 0x0C != 0,
    })
}

/// The printer's state as the kiosk needs it, from `DLE EOT` 1, 2, 4 (and 3 on error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrinterStatus {
    /// `DLE EOT 1` reply.
    pub printer: PrinterByte,
    /// `DLE EOT 2` reply.
    pub offline_cause: OfflineCause,
    /// `DLE EOT 3` reply, asked only when `DLE EOT 2` reports an error.
    pub error_cause: Option<ErrorCause>,
    /// `DLE EOT 4` reply.
    pub roll_paper: RollPaper,
}

impl PrinterStatus {
    /// The printer reports it is offline.
    pub fn offline(&self) -> bool {
        self.printer.offline
    }

    /// The cover is open.
    pub fn cover_open(&self) -> bool {
        self.offline_cause.cover_open
    }

    /// No paper: by the roll sensor or because printing stopped at paper end.
    pub fn paper_end(&self) -> bool {
        self.roll_paper.paper_end || self.offline_cause.paper_end_stop
    }

    /// The roll is nearly used up: change it soon.
    pub fn paper_near_end(&self) -> bool {
        self.roll_paper.near_end
    }

    /// An error is reported (details in `error_cause` when the printer gave them).
    pub fn error(&self) -> bool {
        self.offline_cause.error || self.error_cause.is_some_and(|e| e.any())
    }

    /// Why a job would be refused now, if it would be.
    pub fn refusal(&self) -> Option<Refusal> {
        if self.cover_open() {
            Some(Refusal::CoverOpen)
        } else if self.paper_end() {
            Some(Refusal::PaperEnd)
        } else if self.error() {
            Some(Refusal::Error(self.error_cause.unwrap_or_default()))
        } else if self.offline() {
            Some(Refusal::Offline)
        } else {
            None
        }
    }

    /// True when the printer can take a job.
    pub fn ready(&self) -> bool {
        self.refusal().is_none()
    }
}

impl fmt::Display for PrinterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.refusal() {
            Some(r) => write!(f, "not ready: {r}")?,
            None => f.write_str("ready (就绪)")?,
        }
        if self.paper_near_end() {
            f.write_str("; paper near end, change the roll soon (纸将尽)")?;
        }
        Ok(())
    }
}

/// A state in which the printer cannot print, so a job is not even sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// The paper roll is used up.
    PaperEnd,
    /// The cover is open.
    CoverOpen,
    /// The printer reports an error.
    Error(ErrorCause),
    /// Offline for another reason (e.g. paused).
    Offline,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::PaperEnd => f.write_str("out of paper, load a new roll (缺纸)"),
            Refusal::CoverOpen => f.write_str("printer cover is open, close it (打印机盖未关)"),
            Refusal::Error(e) => write!(f, "printer error: {e}"),
            Refusal::Offline => f.write_str("printer is offline (脱机)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_the_three_byte_form() {
        assert_eq!(StatusRequest::Printer.command(), [0x10, 0x04, 0x01]);
        assert_eq!(StatusRequest::RollPaper.command(), [0x10, 0x04, 0x04]);
    }
}
