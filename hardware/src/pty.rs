//! Pseudo-terminals for the device simulators.
//!
//! A simulator owns the master side and a driver opens the slave side by path, exactly as
//! it would open `/dev/ttyUSB0`; so the real driver code runs in tests and on a developer's
//! desktop. A simulator can also expose the device under a stable symbolic link and remove
//! it, which is how an unplugged USB device looks to the driver.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::pty::{PtyMaster, grantpt, posix_openpt, ptsname_r, unlockpt};
use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

/// The master side of a pseudo-terminal, with the slave's path for the driver.
#[derive(Debug)]
pub struct PtyDevice {
    master: File,
    /// Held open so that the master never reads EIO while the driver closes and reopens.
    _slave: File,
    slave_path: PathBuf,
    link: Option<PathBuf>,
}

impl PtyDevice {
    /// Opens a new pseudo-terminal in raw mode (no echo, no line discipline).
    pub fn open() -> io::Result<Self> {
        let master: PtyMaster = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        let slave_path = PathBuf::from(ptsname_r(&master)?);
        let slave = File::options().read(true).write(true).open(&slave_path)?;
        let mut termios = tcgetattr(slave.as_fd())?;
        cfmakeraw(&mut termios);
        tcsetattr(slave.as_fd(), SetArg::TCSANOW, &termios)?;
        let master_fd: OwnedFd = master.into();
        Ok(Self {
            master: File::from(master_fd),
            _slave: slave,
            slave_path,
            link: None,
        })
    }

    /// Opens a pseudo-terminal and makes `link` a symbolic link to its slave, replacing
    /// whatever was there. Drivers configured with `link` keep working across replugs.
    pub fn open_linked(link: &Path) -> io::Result<Self> {
        let mut device = Self::open()?;
        match std::fs::remove_file(link) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::os::unix::fs::symlink(&device.slave_path, link)?;
        device.link = Some(link.to_path_buf());
        Ok(device)
    }

    /// The path a driver opens: the link when there is one, else the slave itself.
    pub fn path(&self) -> &Path {
        self.link.as_deref().unwrap_or(&self.slave_path)
    }

    /// Reads what the driver wrote, waiting at most `timeout`. `Ok(0)` means nothing came.
    pub fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let millis = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(self.master.as_fd(), PollFlags::POLLIN)];
        let ready = poll(&mut fds, PollTimeout::from(millis))?;
        if ready == 0 {
            return Ok(0);
        }
        self.master.read(buf)
    }

    /// Sends bytes to the driver.
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.master.write_all(bytes)?;
        self.master.flush()
    }

    /// Simulates unplugging: the link disappears and the terminal closes.
    pub fn unplug(self) {
        if let Some(link) = &self.link {
            let _ = std::fs::remove_file(link);
        }
    }
}

impl Drop for PtyDevice {
    fn drop(&mut self) {
        // A dropped simulator is an unplugged device; leave no dangling link behind.
        if let Some(link) = &self.link
            && std::fs::read_link(link).ok().as_deref() == Some(self.slave_path.as_path())
        {
            let _ = std::fs::remove_file(link);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_cross_the_terminal_unchanged_both_ways() {
        let mut dev = PtyDevice::open().expect("open pty");
        let mut slave = File::options()
            .read(true)
            .write(true)
            .open(dev.path())
            .expect("open slave");
        // Bytes a line discipline would alter (CR, ^C, ^S, DEL) must pass untouched.
        let bytes = [0x0d, 0x0a, 0x03, 0x13, 0x11, 0x7f, 0x1b, 0x40, 0xaa];
        slave.write_all(&bytes).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while got.len() < bytes.len() {
            let n = dev.read_timeout(&mut buf, Duration::from_secs(2)).unwrap();
            assert!(n > 0, "timed out after {got:?}");
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, bytes);
        dev.write_all(&bytes).unwrap();
        let mut back = [0u8; 9];
        slave.read_exact(&mut back).unwrap();
        assert_eq!(back, bytes);
    }

    #[test]
    fn unplug_removes_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("printer");
        let dev = PtyDevice::open_linked(&link).unwrap();
        assert!(File::open(&link).is_ok());
        dev.unplug();
        assert!(File::open(&link).is_err());
        let again = PtyDevice::open_linked(&link).unwrap();
        assert_eq!(again.path(), link.as_path());
        assert!(File::open(&link).is_ok());
    }
}
