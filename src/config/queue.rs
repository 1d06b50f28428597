//! The queue's settings until the operations centre's policy arrives, and how this terminal
//! takes part in a centre's queue (server, host or client: `queue_api`).

use serde::Deserialize;

use super::queue_api::{ClientsConfig, HostConfig, ServerConfig};

/// Queue rules the terminal applies until the operations centre's policy arrives.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// A citizen who identified with their ID card gets one active ticket per service per
    /// day; asking again shows the ticket they hold.
    pub one_ticket_per_person: bool,
    /// Age from which the card's holder counts as elderly (priority group).
    pub priority_age: u32,
    /// The local API, counter and hall pages (`[queue.server]`).
    pub server: ServerConfig,
    /// Counters, priorities and recalls until a `settings` bundle brings `queue-policy.toml`
    /// (`[queue.policy]`, same keys as that file).
    pub policy: crate::domain::queue::Policy,
    /// Makes this terminal a client of another terminal's queue (`[queue.host]`).
    pub host: Option<HostConfig>,
    /// Client terminals this terminal hosts the queue for (`[queue.clients]`).
    pub clients: ClientsConfig,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            one_ticket_per_person: true,
            priority_age: 60,
            server: Default::default(),
            policy: Default::default(),
            host: None,
            clients: Default::default(),
        }
    }
}
