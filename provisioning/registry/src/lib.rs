//! The reference registry of the operations centre: the HTTPS server terminals talk to, and the
//! admin commands the ops staff use on the same SQLite file.

#![warn(missing_docs)]

pub mod admin;
pub mod app;
pub mod appointments;
pub mod auth;
pub mod cli;
pub mod cli_appointments;
pub mod cli_institutions;
pub mod cli_maps;
pub mod cli_updates;
pub mod cli_work_orders;
pub mod code_key;
pub mod command_key;
pub mod config;
pub mod directory;
pub mod error;
pub mod files;
#[cfg(any(fuzzing, test))]
pub mod fuzz;
pub mod institutions;
pub mod login_guard;
pub mod map_publish;
pub mod peer;
pub mod revocation;
pub mod rollout;
pub mod routes;
pub mod server;
pub mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod tls;
pub mod video;
pub mod work_orders;
