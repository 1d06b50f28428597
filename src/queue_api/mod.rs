//! The queue on the network: the local API that counter PCs and the hall TV use (axum, on
//! localhost unless configured for the LAN), the pages it serves, staff sessions, the live
//! streams, and — on a client terminal — the link to the host terminal's queue. The queue's
//! rules themselves are plain Rust in [`crate::domain::queue`].

pub mod auth;
pub mod config;
pub mod desk;
pub mod host_link;
pub mod hub;
pub mod pages;
pub mod server;
pub mod shared;

pub use config::{ClientsConfig, HostConfig, ServerConfig, config_problems};
pub use desk::{Desk, DeskError, DeskTicket};
pub use host_link::HostLink;
pub use hub::QueueEvents;
pub use server::{IssueAnswer, IssueAsk, QueueServer, ServerError, start};
pub use shared::QueueShared;
