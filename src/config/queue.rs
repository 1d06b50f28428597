//! The queue's settings until the operations centre's policy arrives, and how this terminal
//! takes part in a centre's queue (server, host or client: `queue_api`).

use serde::Deserialize;

use crate::domain::appointments::{LatePolicy, Window};

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
    /// Checking in for an appointment (`[queue.appointments]`).
    pub appointments: AppointmentsConfig,
}

/// When a booking may check in at the kiosk for an appointment-priority ticket.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppointmentsConfig {
    /// Minutes before the booked time from which check-in opens.
    pub early_minutes: u32,
    /// Minutes after the booked time until which check-in stays open.
    pub late_minutes: u32,
    /// After that: `normal-ticket` (a ticket without the appointment's priority; the
    /// appointment counts as missed) or `staff` (no ticket from the kiosk; ask the staff).
    pub late: LatePolicy,
}

impl Default for AppointmentsConfig {
    fn default() -> Self {
        let w = Window::default();
        Self {
            early_minutes: w.early_minutes as u32,
            late_minutes: w.late_minutes as u32,
            late: w.late,
        }
    }
}

impl AppointmentsConfig {
    pub fn window(&self) -> Window {
        Window {
            early_minutes: i64::from(self.early_minutes),
            late_minutes: i64::from(self.late_minutes),
            late: self.late,
        }
    }
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
            appointments: Default::default(),
        }
    }
}
