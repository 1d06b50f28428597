//! What the devices' health leaves for the operations centre: each change of the printer's
//! health (not printing, paper low, working again) and of the card reader's (down, ready)
//! is an outbox event.

use super::{StoreAccess, ignore};
use crate::devices::printing::PrinterHealth;
use crate::store::outbox;

#[derive(Clone)]
pub struct DeviceHealthService {
    store: StoreAccess,
}

impl DeviceHealthService {
    pub fn new(store: StoreAccess) -> Self {
        Self { store }
    }

    /// The printer's health changed.
    pub fn printer(&self, health: &PrinterHealth) {
        match serde_json::to_value(health) {
            Ok(payload) => self
                .store
                .record(outbox::kind::PRINTER_HEALTH, payload, ignore),
            Err(e) => tracing::error!("cannot record the printer's health: {e}"),
        }
    }

    /// The card reader went down (`Some(reason)`) or is ready (`None`).
    pub fn reader(&self, fault: Option<&str>) {
        let payload = match fault {
            Some(reason) => serde_json::json!({ "state": "down", "reason": reason }),
            None => serde_json::json!({ "state": "ready" }),
        };
        self.store
            .record(outbox::kind::READER_HEALTH, payload, ignore);
    }
}
