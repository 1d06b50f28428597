//! The terminal's devices: the ticket printer, the ID-card reader and the GPIO board, each
//! real, simulated or absent.

use hardware::gpio::GpioConfig;
use hardware::idcard::ReaderConfig;
use hardware::printer::PrinterConfig;
use serde::Deserialize;

/// Which printer prints the tickets.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrinterSection {
    /// `simulator` (a simulated ESC/POS printer on a pseudo-terminal that shows each ticket
    /// on the console; the default), `device` (a real printer, see `[printer.driver]`) or
    /// `none` (tickets on screen only).
    pub kind: PrinterKind,
    /// Seconds between status checks while the printer is idle, so that a refilled or
    /// replugged printer is noticed without a ticket being wasted.
    pub status_poll_secs: u64,
    /// The driver's settings: transport, device, baud, flow control, paper width, blind mode,
    /// timeouts. For the simulator only `paper` matters.
    pub driver: PrinterConfig,
}

impl Default for PrinterSection {
    fn default() -> Self {
        Self {
            kind: PrinterKind::Simulator,
            status_poll_secs: 30,
            driver: PrinterConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PrinterKind {
    Simulator,
    Device,
    None,
}

/// The GPIO board: the kernel's lines, or a simulated board for the desktop.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GpioSection {
    /// `device` (the GPIO character device; the default) or `simulator` (a simulated board
    /// driven through the FIFO `<data>/devices/gpio`: `echo presence|away|call > …`).
    pub kind: GpioKind,
    /// Which lines, their polarity and the debounce period: see `[gpio.driver]` in
    /// config/example.toml.
    pub driver: GpioConfig,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GpioKind {
    #[default]
    Device,
    Simulator,
}

/// The ID-card reader.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReaderSection {
    /// `simulator` (a simulated reader with sample cards, placed from the console; the
    /// default), `device` (a real reader, see `[reader.driver]`) or `none`.
    pub kind: ReaderKind,
    /// The driver's settings: device, baud, polling interval, timeouts, port probing.
    pub driver: ReaderConfig,
}

impl Default for ReaderSection {
    fn default() -> Self {
        Self {
            kind: ReaderKind::Simulator,
            driver: ReaderConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ReaderKind {
    Simulator,
    Device,
    None,
}
