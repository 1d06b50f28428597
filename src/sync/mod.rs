//! The link to the operations centre: enrolment, the sync loop (heartbeats, outbox delivery,
//! signed bundles, commands) from the `provisioning` crate's client, wired to this
//! terminal's store and state.

pub mod booking;
pub mod commands;
pub mod control;
pub mod health;
pub mod link;
pub mod map;
pub mod setup;
pub mod store;

pub use crate::domain::queue::catalogue::catalogue_in_force;
pub use control::{LinkState, SyncControl};
pub use health::KioskHealth;
pub use map::{MapFetcher, map_in_force};
pub use setup::{SyncPaths, SyncRuntime, build_client, client_config, start};
pub use store::KioskSyncStore;

/// The machine's serial number where the platform has one (Raspberry Pi), else its machine id.
pub fn hardware_serial() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("Serial").and_then(|r| r.split(':').nth(1)))
        .map(|s| s.trim().to_string())
        .or_else(|| {
            std::fs::read_to_string("/etc/machine-id")
                .ok()
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
