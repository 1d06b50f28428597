//! Facts about the terminal for the status and about pages: free disk space, uptime,
//! version, licence and where the source is.

use std::path::Path;
use std::time::Duration;

/// The firmware's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The firmware's licence.
pub const LICENCE: &str = "GPL-3.0-only";
/// Where the corresponding source is published.
pub const SOURCE_URL: &str = env!("CARGO_PKG_REPOSITORY");

/// Space on the file system holding `path`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskSpace {
    pub free_bytes: u64,
    pub total_bytes: u64,
}

/// Space on the file system of `path` (the data folder), if it can be asked.
// The statvfs fields are u64 here but u32 on 32-bit boards: the conversions are needed there.
#[allow(clippy::useless_conversion)]
pub fn disk_space(path: &Path) -> Option<DiskSpace> {
    let st = nix::sys::statvfs::statvfs(path).ok()?;
    let frag = u64::from(st.fragment_size());
    Some(DiskSpace {
        free_bytes: u64::from(st.blocks_available()).saturating_mul(frag),
        total_bytes: u64::from(st.blocks()).saturating_mul(frag),
    })
}

/// How long the system has been running (Linux `/proc/uptime`).
pub fn system_uptime() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    let secs: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_secs_f64(secs))
}

/// `3 d 04:05` or `04:05:06`.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (days, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if days > 0 {
        format!("{days} d {h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

/// `1.2 GB` style, in powers of 1000 (as disk sizes are sold).
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_folder_has_a_size() {
        let dir = tempfile::tempdir().unwrap();
        let space = disk_space(dir.path()).unwrap();
        assert!(space.total_bytes > 0 && space.free_bytes <= space.total_bytes);
        assert!(disk_space(Path::new("/nonexistent/folder")).is_none());
    }

    #[test]
    fn durations_and_sizes_read_naturally() {
        assert_eq!(format_duration(Duration::from_secs(3725)), "01:02:05");
        assert_eq!(
            format_duration(Duration::from_secs(3 * 86_400 + 3660)),
            "3 d 01:01"
        );
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(1_234_567_890), "1.2 GB");
    }
}
