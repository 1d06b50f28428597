//! The queue on the network: the local API that counter PCs and the hall TV use (axum, on
//! localhost unless configured for the LAN), the pages it serves, staff sessions, the live
//! streams, and — on a client terminal — the link to the host terminal's queue. The queue's
//! rules are plain Rust in [`crate::domain::queue`]; its actions are the services in
//! [`crate::services`]. This module only speaks HTTP.

pub mod auth;
pub mod host_link;
pub mod origin;
pub mod pages;
pub mod routes;
mod serve;
pub mod tls;
pub mod wire;

// Its settings are a section of the configuration file.
pub use crate::config::queue_api::{
    ClientTerminal, ClientsConfig, HostConfig, ServerConfig, config_problems,
};
pub use host_link::HostLink;
pub use routes::{QueueServer, ServerError, start};
pub use wire::IssueAnswer;
