//! Finding the reader among serial ports and rates with the SAM-status command, as vendor
//! SDKs do (reference §1.1: try 115200, 57600, 38400, 19200, 9600 in turn).

use std::path::{Path, PathBuf};

use tracing::debug;

use super::config::ReaderConfig;
use super::driver::{Reader, ReaderError};

/// Expands the probe list: entries ending in `*` match files with that prefix, sorted.
pub fn candidate_devices(patterns: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for pattern in patterns {
        match pattern.strip_suffix('*') {
            None => out.push(PathBuf::from(pattern)),
            Some(prefix) => {
                let prefix = Path::new(prefix);
                let (dir, stem) = match (prefix.parent(), prefix.file_name()) {
                    (Some(dir), Some(stem)) => (dir, stem.to_string_lossy().into_owned()),
                    _ => continue,
                };
                let Ok(entries) = std::fs::read_dir(dir) else {
                    continue;
                };
                let mut matched: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with(&stem))
                    .map(|e| e.path())
                    .collect();
                matched.sort();
                out.extend(matched);
            }
        }
    }
    out
}

/// Opens the reader: the configured device and rate first, then (when probing is enabled)
/// every candidate device at every listed rate. A candidate counts as the reader when it
/// answers SAM status with any well-formed frame, so a reader whose SAM is faulty is
/// still found (and its fault reported) rather than mistaken for no reader.
pub fn open_reader(config: &ReaderConfig) -> Result<Reader, ReaderError> {
    let first = try_device(&config.device, config.baud, config);
    let first_error = match first {
        Ok(reader) => return Ok(reader),
        Err(e) => e,
    };
    if !config.probe.enabled {
        return Err(first_error);
    }
    let excluded: Vec<PathBuf> = config
        .probe
        .exclude
        .iter()
        .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
        .collect();
    for device in candidate_devices(&config.probe.devices) {
        let resolved = device.canonicalize().unwrap_or_else(|_| device.clone());
        if excluded.contains(&resolved) {
            continue;
        }
        for &baud in &config.probe.bauds {
            if device == config.device && baud == config.baud {
                continue;
            }
            match try_device(&device, baud, config) {
                Ok(reader) => return Ok(reader),
                Err(e) => debug!(device = %device.display(), baud, error = %e, "probe miss"),
            }
        }
    }
    Err(first_error)
}

fn try_device(device: &Path, baud: u32, config: &ReaderConfig) -> Result<Reader, ReaderError> {
    let mut reader = Reader::open(device, baud, config.timeouts.clone())?;
    match reader.sam_status() {
        Ok(()) | Err(ReaderError::Status { .. }) => Ok(reader),
        Err(e) => Err(e),
    }
}
