//! Finding a mounted USB stick: a mount point under `/media` or `/run/media` (where
//! udisks or usbmount put removable drives), read from `/proc/self/mounts`.

use std::path::{Path, PathBuf};

/// Mount points listed in `mounts` (the format of `/proc/self/mounts`) that lie under one
/// of `roots`, in the order listed.
pub fn sticks_in(mounts: &str, roots: &[PathBuf]) -> Vec<PathBuf> {
    mounts
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .map(|p| PathBuf::from(unescape(p)))
        .filter(|p| roots.iter().any(|r| p.starts_with(r) && p != r))
        .collect()
}

/// `/proc/self/mounts` escapes blanks in paths as octal (`\040`).
fn unescape(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && let Some(v) = bytes
                .get(i + 1..i + 4)
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|d| u8::from_str_radix(d, 8).ok())
        {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mounted USB sticks now (none when `/proc/self/mounts` cannot be read).
pub fn mounted_sticks(roots: &[PathBuf]) -> Vec<PathBuf> {
    std::fs::read_to_string(Path::new("/proc/self/mounts"))
        .map(|m| sticks_in(&m, roots))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mounts_under_the_roots_count() {
        let mounts = "/dev/mmcblk0p2 / ext4 rw 0 0\n\
                      /dev/sda1 /media/kiosk/KINGSTON vfat rw 0 0\n\
                      tmpfs /run tmpfs rw 0 0\n\
                      /dev/sdb1 /run/media/staff/My\\040Stick exfat rw 0 0\n";
        let roots = [PathBuf::from("/media"), PathBuf::from("/run/media")];
        assert_eq!(
            sticks_in(mounts, &roots),
            [
                PathBuf::from("/media/kiosk/KINGSTON"),
                PathBuf::from("/run/media/staff/My Stick")
            ]
        );
        assert!(sticks_in("tmpfs /media tmpfs rw 0 0\n", &roots).is_empty());
    }
}
