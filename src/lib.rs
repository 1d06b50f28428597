//! legal-kiosk: firmware for the self-service terminals of public legal service centres.
//!
//! Application services and domain rules are plain Rust over one SQLite store; the Slint UI
//! is a view driven by controllers in [`ui`]; devices live in the `hardware` crate; the
//! operations centre's contract in the `provisioning` crate. ARCHITECTURE.md names the
//! layers and what each may use.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod devices;
pub mod domain;
pub mod events;
#[cfg(any(fuzzing, test))]
pub mod fuzz;
pub mod i18n;
pub mod ids;
pub mod net;
pub mod queue_api;
pub mod services;
pub mod session;
pub mod store;
pub mod sync;
pub mod system;
pub mod ui;
pub mod updates;
pub mod video;
