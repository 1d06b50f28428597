//! Byte links to a printer: serial, USB printer class (`/dev/usb/lpN`) and TCP.
//!
//! Every read has a timeout (a printer that never answers must not hang the kiosk), and a
//! link can drop the bytes waiting in its input so that an old reply cannot be taken for
//! the answer to a new question.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use escpos::driver::Driver;
use escpos::errors::PrinterError as EscposError;

use super::config::{PrinterConfig, TransportKind};

pub mod serial;
pub mod tcp;
pub mod usb;

pub use serial::SerialTransport;
pub use tcp::TcpTransport;
pub use usb::UsbLpTransport;

/// A bidirectional byte link to a printer.
pub trait Transport: Send {
    /// Writes all of `bytes`, giving up with `TimedOut` when the printer accepts nothing
    /// for `timeout` (flow control held, cable pulled).
    fn write_all(&mut self, bytes: &[u8], timeout: Duration) -> io::Result<()>;

    /// Reads what has arrived, waiting at most `timeout`; `Ok(0)` means nothing came.
    fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;

    /// Discards every byte already waiting in the input; returns how many there were.
    fn drain(&mut self) -> io::Result<usize> {
        let mut buf = [0u8; 256];
        let mut total = 0;
        loop {
            match self.read_timeout(&mut buf, Duration::ZERO)? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    /// A short description for messages, e.g. "serial /dev/ttyUSB0 @ 9600".
    fn describe(&self) -> String;
}

/// Opens the link the configuration names.
pub fn open(config: &PrinterConfig) -> io::Result<Box<dyn Transport>> {
    Ok(match config.transport {
        TransportKind::Serial => Box::new(SerialTransport::open(
            &config.device,
            config.baud,
            config.flow_control,
        )?),
        TransportKind::Usb => Box::new(UsbLpTransport::open(&config.device)?),
        TransportKind::Tcp => Box::new(TcpTransport::connect(
            &config.device,
            config.connect_timeout(),
        )?),
    })
}

/// True for a read that found nothing within its time: no data yet, not a failure.
pub fn is_read_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// True for errors that mean the link is gone (unplugged, closed, reset), as opposed to a
/// printer that is merely slow.
pub fn is_disconnect(e: &io::Error) -> bool {
    !matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// Any [`Transport`] as an `escpos` crate [`Driver`], for code that wants the crate's
/// `Printer` builder directly. Clones share the link.
#[derive(Clone)]
pub struct TransportDriver {
    link: Arc<Mutex<Box<dyn Transport>>>,
    timeout: Duration,
    name: String,
}

impl TransportDriver {
    /// Wraps `link`; reads and writes wait at most `timeout`.
    pub fn new(link: Box<dyn Transport>, timeout: Duration) -> Self {
        let name = link.describe();
        Self {
            link: Arc::new(Mutex::new(link)),
            timeout,
            name,
        }
    }
}

impl Driver for TransportDriver {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        let mut link = self.link.lock().unwrap_or_else(PoisonError::into_inner);
        link.write_all(data, self.timeout)
            .map_err(|e| EscposError::Io(e.to_string()))
    }

    fn read(&self, buf: &mut [u8]) -> escpos::errors::Result<usize> {
        let mut link = self.link.lock().unwrap_or_else(PoisonError::into_inner);
        link.read_timeout(buf, self.timeout)
            .map_err(|e| EscposError::Io(e.to_string()))
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}
