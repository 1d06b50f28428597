//! Serial link through `serialport`, with the flow control the `escpos` crate's own serial
//! driver cannot set.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serialport::{ClearBuffer, SerialPort};

use super::Transport;

/// Serial handshaking, as set by the printer's DIP switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowControl {
    /// No handshaking: data beyond the printer's buffer may be lost.
    #[default]
    None,
    /// RTS/CTS (wire the printer's DTR or RTS busy line to the host's CTS).
    Hardware,
    /// XON/XOFF bytes from the printer.
    Software,
}

impl From<FlowControl> for serialport::FlowControl {
    fn from(f: FlowControl) -> Self {
        match f {
            FlowControl::None => serialport::FlowControl::None,
            FlowControl::Hardware => serialport::FlowControl::Hardware,
            FlowControl::Software => serialport::FlowControl::Software,
        }
    }
}

/// A printer on a serial port (`/dev/ttyUSB0`, `/dev/ttyACM0`, `/dev/ttyS0`), 8N1.
pub struct SerialTransport {
    port: Box<dyn SerialPort>,
    description: String,
}

impl SerialTransport {
    /// Opens `path` at `baud` with the given flow control.
    pub fn open(path: &str, baud: u32, flow: FlowControl) -> io::Result<Self> {
        let port = serialport::new(path, baud)
            .flow_control(flow.into())
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(io::Error::from)?;
        Ok(Self {
            port,
            description: format!("serial {path} @ {baud} baud, flow control {flow:?}"),
        })
    }
}

impl Transport for SerialTransport {
    fn write_all(&mut self, mut bytes: &[u8], timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        while !bytes.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "printer accepted no data in time",
                ));
            }
            self.port.set_timeout(left)?;
            match self.port.write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.port.set_timeout(timeout)?;
        match self.port.read(buf) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "serial device closed",
            )),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn drain(&mut self) -> io::Result<usize> {
        let waiting = self.port.bytes_to_read().map_err(io::Error::from)?;
        self.port
            .clear(ClearBuffer::Input)
            .map_err(io::Error::from)?;
        Ok(waiting as usize)
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
