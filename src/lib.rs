//! legal-kiosk: firmware for the self-service terminals of public legal service centres.
//!
//! Domain services (queue, …) are plain Rust over one SQLite store; the Slint UI is a view
//! driven by controllers in [`ui`]; devices live in the `hardware` crate; the operations
//! centre's contract in the `provisioning` crate. See DESIGN.md for the architecture.

pub mod app;
pub mod card_reader;
pub mod cli;
pub mod clock;
pub mod config;
pub mod consult;
pub mod content;
pub mod i18n;
pub mod ids;
pub mod legal_aid;
pub mod maintenance;
pub mod outbox;
pub mod printing;
pub mod queue;
pub mod queue_api;
pub mod rating;
pub mod sealed_outbox;
pub mod session;
pub mod store;
pub mod sync;
pub mod system;
pub mod ui;
pub mod video;
pub mod worker;
