//! Screen brightness through the Linux backlight class (`/sys/class/backlight/<device>/`
//! with `brightness` and `max_brightness`). Boards without one simply have no brightness
//! setting. Writing needs permission on the file (a udev rule for the kiosk's user).

use std::path::{Path, PathBuf};

/// A backlight device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlight {
    dir: PathBuf,
    max: u32,
}

/// The backlight files could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BacklightError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} does not hold a number")]
    NotANumber { path: PathBuf },
}

fn read_number(path: &Path) -> Result<u32, BacklightError> {
    let text = std::fs::read_to_string(path).map_err(|source| BacklightError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    text.trim().parse().map_err(|_| BacklightError::NotANumber {
        path: path.to_path_buf(),
    })
}

impl Backlight {
    /// The first usable device under `class_dir` (e.g. `/sys/class/backlight`), if any.
    pub fn find(class_dir: &Path) -> Option<Self> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(class_dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        dirs.sort();
        dirs.into_iter().find_map(|dir| {
            let max = read_number(&dir.join("max_brightness")).ok()?;
            (max > 0 && dir.join("brightness").exists()).then_some(Self { dir, max })
        })
    }

    /// Brightness now, in percent.
    pub fn percent(&self) -> Result<u32, BacklightError> {
        let raw = read_number(&self.dir.join("brightness"))?;
        Ok((u64::from(raw.min(self.max)) * 100 / u64::from(self.max)) as u32)
    }

    /// Sets the brightness in percent (at least 10 %, so the screen never goes black).
    pub fn set_percent(&self, percent: u32) -> Result<u32, BacklightError> {
        let percent = percent.clamp(10, 100);
        let raw = (u64::from(self.max) * u64::from(percent)).div_ceil(100);
        let path = self.dir.join("brightness");
        std::fs::write(&path, raw.to_string())
            .map_err(|source| BacklightError::Io { path, source })?;
        Ok(percent)
    }
}

#[cfg(test)]
mod tests;
