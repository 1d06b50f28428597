//! The ID-card reader as the maintenance menu sees it: its state (connected, SAM id, last
//! read) and a test read whose result is masked before anything shows it. The firmware's
//! reader integration implements [`ReaderDiagnostics`] and hands it to the menu
//! (`MaintenanceController::set_reader`); [`DirectReader`] is an implementation over the
//! driver alone, for a terminal where nothing else holds the reader's port.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate};
use hardware::idcard::{IdCard, Reader, ReaderConfig};

use crate::session::mask::{mask_id_number, mask_name};

/// What is known about the reader.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReaderState {
    pub connected: bool,
    /// The device path it answers on.
    pub device: Option<String>,
    /// The SAM module's id (identifies the device, not a person).
    pub sam_id: Option<String>,
    pub last_read: Option<DateTime<FixedOffset>>,
    /// The last problem, for staff.
    pub last_fault: Option<String>,
}

/// A card read for testing, already masked: safe for the screen (never stored or logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestRead {
    /// e.g. 居民身份证.
    pub card_type: String,
    /// 张* style.
    pub masked_name: String,
    /// First 3 and last 4 characters.
    pub masked_id: String,
    pub id_number_valid: bool,
    pub expired: bool,
}

impl TestRead {
    /// Masks what the card says; the card itself is not kept.
    pub fn from_card(card: &IdCard, today: NaiveDate) -> Self {
        Self {
            card_type: card.card_type().name_zh().to_string(),
            masked_name: mask_name(card.display_name()),
            masked_id: mask_id_number(card.id_number()),
            id_number_valid: card.id_number_valid(),
            expired: card.is_expired_on(today),
        }
    }
}

/// The hook the firmware's reader integration provides to the maintenance menu.
pub trait ReaderDiagnostics: Send + Sync {
    /// What is known now; must not block.
    fn state(&self) -> ReaderState;
    /// Waits up to `timeout` for a card and reads it (`Ok(None)`: no card came). Blocks;
    /// the menu calls it on a background thread.
    fn test_read(&self, timeout: Duration, today: NaiveDate) -> Result<Option<TestRead>, String>;
}

/// Test reads through the driver, opening the port for each read. Use it only where no
/// poller holds the port.
pub struct DirectReader {
    config: ReaderConfig,
    state: Mutex<ReaderState>,
    now: Box<dyn Fn() -> DateTime<FixedOffset> + Send + Sync>,
}

impl DirectReader {
    /// Test reads on the reader `config` describes; `now` stamps the last read.
    pub fn new(
        config: ReaderConfig,
        now: impl Fn() -> DateTime<FixedOffset> + Send + Sync + 'static,
    ) -> Self {
        let state = ReaderState {
            device: Some(config.device.display().to_string()),
            ..Default::default()
        };
        Self {
            config,
            state: Mutex::new(state),
            now: Box::new(now),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ReaderState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ReaderDiagnostics for DirectReader {
    fn state(&self) -> ReaderState {
        self.lock().clone()
    }

    fn test_read(&self, timeout: Duration, today: NaiveDate) -> Result<Option<TestRead>, String> {
        let result = (|| {
            let mut reader = Reader::open_config(&self.config)?;
            let sam = reader.sam_id().ok().map(|s| s.to_string());
            let read = reader.wait_for_card(
                self.config.read_fingerprint,
                timeout,
                self.config.poll_interval(),
            )?;
            Ok::<_, hardware::idcard::ReaderError>((sam, read))
        })();
        let mut state = self.lock();
        match result {
            Ok((sam, read)) => {
                state.connected = true;
                state.last_fault = None;
                if sam.is_some() {
                    state.sam_id = sam;
                }
                let read = read.map(|r| TestRead::from_card(&r.card, today));
                if read.is_some() {
                    state.last_read = Some((self.now)());
                }
                Ok(read)
            }
            Err(e) => {
                state.connected = false;
                state.last_fault = Some(e.to_string());
                Err(e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardware::idcard::sim::Simulator;

    #[test]
    fn a_test_read_through_the_simulator_is_masked() {
        let sim = Simulator::start().unwrap();
        sim.place_sample("resident-ouyang").unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T09:30:00+08:00").unwrap();
        let reader = DirectReader::new(ReaderConfig::for_device(sim.path()), move || at);
        let read = reader
            .test_read(Duration::from_secs(5), at.date_naive())
            .unwrap()
            .expect("the card on the simulated reader");
        assert!(read.masked_name.starts_with("欧阳"), "{read:?}");
        assert!(read.masked_name.ends_with('*'), "{read:?}");
        assert_eq!(read.masked_id.chars().filter(|c| *c == '*').count(), 11);
        assert!(read.id_number_valid);
        let state = reader.state();
        assert!(state.connected);
        assert!(state.sam_id.is_some());
        assert_eq!(state.last_read, Some(at));
    }

    #[test]
    fn a_missing_reader_is_a_clear_error_and_marks_it_disconnected() {
        let reader = DirectReader::new(ReaderConfig::for_device("/nonexistent/reader"), || {
            chrono::Local::now().fixed_offset()
        });
        let today = chrono::Local::now().date_naive();
        let err = reader
            .test_read(Duration::from_millis(100), today)
            .unwrap_err();
        assert!(err.contains("/nonexistent/reader"), "{err}");
        assert!(!reader.state().connected);
    }
}
