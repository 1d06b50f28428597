//! What the heartbeat tells the operations centre about this kiosk: the devices' state as
//! their events left it, whether it is out of service (as stored, so a lock survives a
//! restart and an installer's one-off sync reports it too), and how long it has run.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use provisioning::client::store::HealthSnapshot;
use rusqlite::Connection;

use crate::domain::maintenance::settings::service_state;

/// The running kiosk's health, or a command-line tool's view of a kiosk it is not.
#[derive(Clone, Default)]
pub struct KioskHealth {
    /// The printer, paper and reader, kept up to date from the devices' events.
    pub devices: Arc<Mutex<HealthSnapshot>>,
    /// When the kiosk started; `None` in a command-line tool (uptime 0: no kiosk runs in
    /// this process).
    pub started: Option<Instant>,
    /// What the UI tells the software updater (a citizen there, the first frame up).
    pub updates: crate::updates::UpdateSignals,
}

impl KioskHealth {
    /// The kiosk starting now, its devices' state in `devices`.
    pub fn running(devices: Arc<Mutex<HealthSnapshot>>) -> Self {
        Self {
            devices,
            started: Some(Instant::now()),
            updates: crate::updates::UpdateSignals::default(),
        }
    }

    /// The heartbeat's health now; `conn` is the terminal's store.
    pub fn snapshot(&self, conn: &Connection) -> HealthSnapshot {
        let mut snapshot = self
            .devices
            .lock()
            .map(|h| h.clone())
            .unwrap_or_else(|e| e.into_inner().clone());
        match service_state(conn) {
            Ok(state) => snapshot.locked = state.out_of_service,
            Err(e) => {
                tracing::error!("cannot read the service state for the heartbeat: {e}");
                snapshot
                    .last_error
                    .get_or_insert_with(|| format!("cannot read the service state: {e}"));
            }
        }
        snapshot.uptime_s = self.started.map_or(0, |at| at.elapsed().as_secs());
        snapshot
    }
}
