//! Network printer on a raw TCP port (9100, "JetDirect").

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::Transport;

/// The raw printing port most network printers listen on.
pub const DEFAULT_PORT: u16 = 9100;

/// A printer reached over TCP.
pub struct TcpTransport {
    stream: TcpStream,
    description: String,
}

impl TcpTransport {
    /// Connects to `address` (`host` or `host:port`; port 9100 when not given).
    pub fn connect(address: &str, timeout: Duration) -> io::Result<Self> {
        let with_port = if address.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && !host.ends_with(':') && port.parse::<u16>().is_ok()
        }) {
            address.to_string()
        } else {
            format!("{address}:{DEFAULT_PORT}")
        };
        let mut last = io::Error::new(io::ErrorKind::NotFound, "address resolved to nothing");
        for addr in with_port.to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    return Ok(Self {
                        stream,
                        description: format!("network printer {with_port}"),
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

impl Transport for TcpTransport {
    fn write_all(&mut self, bytes: &[u8], timeout: Duration) -> io::Result<()> {
        self.stream
            .set_write_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        self.stream.write_all(bytes).map_err(|e| {
            if e.kind() == io::ErrorKind::WouldBlock {
                io::Error::new(io::ErrorKind::TimedOut, "printer accepted no data in time")
            } else {
                e
            }
        })
    }

    fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let result = if timeout.is_zero() {
            self.stream.set_nonblocking(true)?;
            let r = self.stream.read(buf);
            self.stream.set_nonblocking(false)?;
            r
        } else {
            self.stream.set_read_timeout(Some(timeout))?;
            self.stream.read(buf)
        };
        match result {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "printer closed the connection",
            )),
            Ok(n) => Ok(n),
            Err(e) if super::is_read_timeout(&e) => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
