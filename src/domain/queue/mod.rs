//! The queue: which services exist, the tickets issued for them, and calling them at the
//! counters by the centre's policy (priorities with an anti-starvation bound), with waiting
//! estimates, the daily reset, and the hand-over of a client terminal's offline tickets.
//! Plain Rust over the store; the network side is `queue_api`.

pub mod admin;
pub mod calling;
pub mod catalogue;
pub mod counters;
pub mod day;
pub mod estimate;
pub mod import;
pub mod lifecycle;
pub mod notice;
pub mod policy;
pub mod position;
pub mod rows;
pub mod state;
pub mod tickets;
pub mod view;

#[cfg(test)]
mod tests;

pub use admin::{ServiceDay, TicketOfToday, find_ticket, restart_numbering, today_by_service};
pub use calling::{CallError, CallNext, Ctx, Recall, TicketRow};
pub use catalogue::{Catalogue, CatalogueError, Service};
pub use estimate::WaitEstimate;
pub use lifecycle::{Action, Command, Transition};
pub use policy::{CallMode, CounterDef, Policy, PolicyError, PriorityGroup, policy_in_force};
pub use position::Position;
pub use state::TicketState;
pub use tickets::{
    IssueRequest, IssuedTicket, Numbering, PrintState, QueueError, SeqRange, TicketIdentity,
    active_ticket_of, issue, issue_ticket, record_print, waiting_counts,
};
