//! The link to the operations centre: enrolment, the sync loop (heartbeats, outbox delivery,
//! signed bundles, commands) from the `provisioning` crate's client, wired to this
//! terminal's store and state.

pub mod commands;
pub mod setup;
pub mod store;

pub use setup::{SyncPaths, SyncRuntime, build_client, client_config, start};
pub use store::{KioskSyncStore, catalogue_in_force};
