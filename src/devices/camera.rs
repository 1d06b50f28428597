//! The camera as a reader of receipts: the QR code of a request's receipt held before it
//! (see `devices::printing::receipt`), read on a thread of its own so that the page stays
//! live, and stoppable when the citizen gives up.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use kiosk_video::MediaConfig;

/// How long the camera looks for a receipt before the page says it saw none.
pub const SCAN_LIMIT: Duration = Duration::from_secs(30);

/// How a scan ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scanned {
    /// A receipt's code.
    Receipt(String),
    /// No receipt seen in time, or the citizen stopped.
    Nothing,
    /// The camera could not start (said to staff in the log).
    CameraFailed,
}

/// Reads receipts with the `[video.media]` camera.
#[derive(Clone)]
pub struct ReceiptReader {
    media: MediaConfig,
    /// The stop flag of the scan under way.
    current: Arc<Mutex<Option<Arc<AtomicBool>>>>,
}

impl ReceiptReader {
    pub fn new(media: MediaConfig) -> Self {
        Self {
            media,
            current: Arc::default(),
        }
    }

    /// Looks for a receipt until one is read, [`SCAN_LIMIT`] passes or [`Self::stop`]; `reply`
    /// hears how it ended, on the reading thread.
    pub fn scan(&self, reply: impl FnOnce(Scanned) + Send + 'static) {
        let stop = Arc::new(AtomicBool::new(false));
        // A new scan replaces one under way (the old one's flag is set).
        if let Some(previous) = self.current().replace(stop.clone()) {
            previous.store(true, Ordering::Relaxed);
        }
        let media = self.media.clone();
        let spawned = std::thread::Builder::new()
            .name("receipt-scan".into())
            .spawn(move || {
                let read = kiosk_video::scan_qr(&media, SCAN_LIMIT, stop, |text| {
                    provisioning::work_orders::receipt_in(text).is_some()
                });
                reply(match read {
                    Ok(Some(text)) => provisioning::work_orders::receipt_in(&text)
                        .map_or(Scanned::Nothing, |code| Scanned::Receipt(code.to_owned())),
                    Ok(None) => Scanned::Nothing,
                    Err(e) => {
                        tracing::error!("no receipt can be read: {e}");
                        Scanned::CameraFailed
                    }
                });
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start reading receipts: {e}");
        }
    }

    /// Stops the scan under way, if any.
    pub fn stop(&self) {
        if let Some(stop) = self.current().take() {
            stop.store(true, Ordering::Relaxed);
        }
    }

    fn current(&self) -> MutexGuard<'_, Option<Arc<AtomicBool>>> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
