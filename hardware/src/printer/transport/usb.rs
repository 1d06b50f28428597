//! USB printer class device (`/dev/usb/lpN`, the kernel's usblp driver).
//!
//! usblp reads block with no timeout, and a reply nobody read stays in its buffer to be
//! returned by the next read; so the device is opened non-blocking, reads wait with
//! `poll`, and stale replies are drained before each question. A unidirectional printer
//! answers reads with `EINVAL`: it cannot report status (use blind mode for it).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::Transport;

/// A printer on a USB printer-class character device.
pub struct UsbLpTransport {
    file: File,
    description: String,
}

impl UsbLpTransport {
    /// Opens the device read-write and non-blocking.
    pub fn open(path: &str) -> io::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::libc::O_NONBLOCK | nix::libc::O_NOCTTY)
            .open(path)?;
        Ok(Self {
            file,
            description: format!("USB printer {path}"),
        })
    }

    fn wait(&self, flags: PollFlags, timeout: Duration) -> io::Result<bool> {
        let millis = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(self.file.as_fd(), flags)];
        let ready = poll(&mut fds, PollTimeout::from(millis))?;
        if ready == 0 {
            return Ok(false);
        }
        let revents = fds[0].revents().unwrap_or(PollFlags::empty());
        if revents.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL)
            && !revents.contains(flags)
        {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "USB printer disconnected",
            ));
        }
        Ok(true)
    }
}

fn unidirectional(e: io::Error) -> io::Error {
    if e.raw_os_error() == Some(nix::libc::EINVAL) {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "USB printer is unidirectional and cannot report status (use blind mode)",
        )
    } else {
        e
    }
}

impl Transport for UsbLpTransport {
    fn write_all(&mut self, mut bytes: &[u8], timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        while !bytes.is_empty() {
            match self.file.write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() || !self.wait(PollFlags::POLLOUT, left)? {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "printer accepted no data in time",
                        ));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        match self.file.read(buf) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(unidirectional(e)),
        }
        if timeout.is_zero() || !self.wait(PollFlags::POLLIN, timeout)? {
            return Ok(0);
        }
        match self.file.read(buf) {
            Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(unidirectional(e)),
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
