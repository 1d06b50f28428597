//! The queue host as the ticket service sees it: on a client terminal, tickets, their live
//! status and the waiting counts come from another terminal's queue. The queue API's host
//! link implements this (the service never names the network).

use std::collections::HashMap;

use thiserror::Error;

use super::{Ticket, TicketRequest};
use crate::domain::queue::SeqRange;
use crate::domain::queue::view::TicketStatus;
use crate::services::Reply;

/// Why the host gave no ticket.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HostError {
    /// Not reachable (connection refused, timeout, its store down): the offline range may
    /// serve instead.
    #[error("the queue host cannot be reached: {0}")]
    Unreachable(String),
    #[error("the queue host has no service {0:?}")]
    UnknownService(String),
    /// It answered with another refusal.
    #[error("the queue host refused: {0}")]
    Refused(String),
}

/// Another terminal's queue.
pub trait QueueHost: Send + Sync {
    /// Asks the host for a ticket; the reply runs on the link's thread.
    fn issue(&self, request: TicketRequest, reply: Reply<Result<Ticket, HostError>>);

    /// The live status of the host's ticket `token` (`None`: unknown or unreachable).
    fn status(&self, token: String, reply: Reply<Option<TicketStatus>>);

    /// How many wait for each service at the host (empty when unreachable).
    fn waiting_counts(&self, reply: Reply<HashMap<String, u32>>);

    /// This terminal's own number range for the times the host cannot be reached.
    fn offline_range(&self) -> Option<SeqRange>;
}
