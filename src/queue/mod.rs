//! The queue: which services exist and the tickets issued for them. Plain Rust over the
//! store; later work adds calling, priorities and waiting estimates here.

pub mod admin;
pub mod catalogue;
pub mod tickets;

pub use admin::{ServiceDay, TicketOfToday, find_ticket, restart_numbering, today_by_service};
pub use catalogue::{Catalogue, CatalogueError, Service};
pub use tickets::{
    IssuedTicket, PrintState, QueueError, TicketIdentity, active_ticket_of, issue_ticket,
    record_print, waiting_counts,
};
