//! Printer configuration, embedded in the firmware's TOML file as a `[printer]` table.
//!
//! ```toml
//! [printer]
//! transport = "serial"          # serial | usb | tcp
//! device = "/dev/ttyUSB0"       # or "/dev/usb/lp0", or "192.0.2.10:9100" for tcp
//! baud = 9600
//! flow_control = "none"         # none | hardware (RTS/CTS) | software (XON/XOFF)
//! paper = "80mm"                # 80mm | 58mm
//! gbk_only = false
//! blind = false                 # only for printers that cannot report status
//! status_timeout_ms = 500
//! job_timeout_ms = 10000
//! write_timeout_ms = 5000
//! connect_timeout_ms = 3000
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::encode::EncodeOptions;
use super::layout::PaperWidth;
pub use super::transport::serial::FlowControl;

/// How the printer is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// A serial port, including USB-serial (`/dev/ttyUSB0`, `/dev/ttyACM0`).
    #[default]
    Serial,
    /// The USB printer class device `/dev/usb/lpN`.
    Usb,
    /// Raw TCP to a network printer (port 9100).
    Tcp,
}

/// Everything the driver needs to reach and drive one printer. Every field has a default,
/// so `[printer]` with only `device = "..."` is a valid table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrinterConfig {
    /// `serial` (default), `usb` or `tcp`.
    pub transport: TransportKind,
    /// Serial or USB device path (default `/dev/ttyUSB0`), or `host[:port]` for TCP
    /// (port 9100 when left out). A stable udev symlink survives replugging best.
    pub device: String,
    /// Serial speed in baud (default 9600, the usual factory setting); ignored otherwise.
    pub baud: u32,
    /// Serial handshaking: `none` (default), `hardware` (RTS/CTS) or `software` (XON/XOFF).
    pub flow_control: FlowControl,
    /// Roll width: `80mm` (default, 48 columns) or `58mm` (32 columns).
    pub paper: PaperWidth,
    /// The printer knows only 2-byte GBK: replace characters needing 4-byte GB18030.
    pub gbk_only: bool,
    /// For printers that cannot report status (unidirectional USB): send jobs without any
    /// status query or confirmation. Off by default, when a silent printer is a fault.
    pub blind: bool,
    /// How long to wait for each status reply, in milliseconds (default 500).
    pub status_timeout_ms: u64,
    /// How long, after the last byte of a job, to wait for the printer to confirm it
    /// processed the job, in milliseconds (default 10000; a ticket takes 1-2 s).
    pub job_timeout_ms: u64,
    /// How long a write may be held up (flow control, full buffer) before the job fails,
    /// in milliseconds (default 5000).
    pub write_timeout_ms: u64,
    /// TCP connection timeout in milliseconds (default 3000).
    pub connect_timeout_ms: u64,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        Self {
            transport: TransportKind::Serial,
            device: "/dev/ttyUSB0".into(),
            baud: 9600,
            flow_control: FlowControl::None,
            paper: PaperWidth::Mm80,
            gbk_only: false,
            blind: false,
            status_timeout_ms: 500,
            job_timeout_ms: 10_000,
            write_timeout_ms: 5_000,
            connect_timeout_ms: 3_000,
        }
    }
}

impl PrinterConfig {
    /// A default configuration for a serial device at `device`.
    pub fn serial(device: impl Into<String>) -> Self {
        Self {
            device: device.into(),
            ..Self::default()
        }
    }

    /// Encoder settings implied by this printer.
    pub fn encode_options(&self) -> EncodeOptions {
        EncodeOptions {
            paper: self.paper,
            gbk_only: self.gbk_only,
        }
    }

    /// Status reply timeout.
    pub fn status_timeout(&self) -> Duration {
        Duration::from_millis(self.status_timeout_ms)
    }

    /// Job confirmation timeout.
    pub fn job_timeout(&self) -> Duration {
        Duration::from_millis(self.job_timeout_ms)
    }

    /// Write timeout.
    pub fn write_timeout(&self) -> Duration {
        Duration::from_millis(self.write_timeout_ms)
    }

    /// TCP connection timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
}
