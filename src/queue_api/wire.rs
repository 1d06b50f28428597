//! What host and client terminals say to each other over the queue API, beside the ticket
//! request itself ([`TicketRequest`](crate::services::TicketRequest)).

use serde::{Deserialize, Serialize};

use crate::domain::queue::WaitEstimate;
use crate::domain::queue::import::OfflineTicket;
use crate::services::Ticket;

/// The host's answer to a ticket request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueAnswer {
    pub id: i64,
    pub token: String,
    pub number: String,
    pub service_id: String,
    pub seq: u32,
    pub service_day: String,
    pub issued_at: String,
    pub people_ahead: u32,
    pub estimate: Option<WaitEstimate>,
    /// The host's page of the ticket. A client terminal does not use it: its QR codes are
    /// built from its own configuration and the token.
    #[serde(default)]
    pub url: String,
    /// The person already held this ticket.
    pub already_taken: bool,
}

impl IssueAnswer {
    /// The answer for a ticket the host issued in its own queue.
    pub fn from_ticket(t: Ticket) -> Self {
        Self {
            id: t.local_id.unwrap_or_default(),
            service_day: t.service_day.format("%Y-%m-%d").to_string(),
            issued_at: t.issued_at.to_rfc3339(),
            token: t.token,
            number: t.number,
            service_id: t.service_id,
            seq: t.seq,
            people_ahead: t.people_ahead,
            estimate: t.estimate,
            url: t.url,
            already_taken: t.already_taken,
        }
    }

    /// The ticket as this (client) terminal shows and prints it; it has no row here. Its
    /// `url` is left empty: the ticket service builds it from this terminal's configuration.
    /// `None` when the answer's times or token are not what the host's API writes.
    pub fn into_ticket(self) -> Option<Ticket> {
        let token_ok = self.token.len() == 32 && self.token.chars().all(|c| c.is_ascii_hexdigit());
        if !token_ok {
            return None;
        }
        Some(Ticket {
            issued_at: chrono::DateTime::parse_from_rfc3339(&self.issued_at).ok()?,
            service_day: chrono::NaiveDate::parse_from_str(&self.service_day, "%Y-%m-%d").ok()?,
            number: self.number,
            service_id: self.service_id,
            seq: self.seq,
            token: self.token,
            people_ahead: self.people_ahead,
            estimate: self.estimate,
            url: String::new(),
            already_taken: self.already_taken,
            offline: false,
            local_id: None,
        })
    }
}

/// A client terminal hands over the tickets it issued offline.
#[derive(Debug, Serialize, Deserialize)]
pub struct ImportBody {
    pub tickets: Vec<OfflineTicket>,
}
