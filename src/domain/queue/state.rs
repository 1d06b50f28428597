//! Where a ticket is in its life. The store keeps the state as text (the `tickets.state`
//! CHECK constraint lists the same six words); queries bind these values rather than
//! spelling them in SQL, so the enum is the one place that names them.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};

/// A ticket's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// In its service's queue.
    Waiting,
    /// Called to a counter (maybe recalled), the citizen not there yet.
    Called,
    /// The citizen is at the counter.
    Serving,
    /// Served.
    Done,
    /// Called and not come (may be called again by number).
    NoShow,
    /// Closed without service: left at the end of the day, or handed to the queue host.
    Cancelled,
}

impl TicketState {
    /// Every state, in the order of a ticket's life.
    pub const ALL: [TicketState; 6] = [
        TicketState::Waiting,
        TicketState::Called,
        TicketState::Serving,
        TicketState::Done,
        TicketState::NoShow,
        TicketState::Cancelled,
    ];

    /// At a counter: called or being served.
    pub const AT_COUNTER: [TicketState; 2] = [TicketState::Called, TicketState::Serving];

    /// Not finished yet: the person still holds the ticket.
    pub const ACTIVE: [TicketState; 3] = [
        TicketState::Waiting,
        TicketState::Called,
        TicketState::Serving,
    ];

    /// Left open when a day closes (cancelled then, as `day_end`).
    pub const UNSERVED: [TicketState; 2] = [TicketState::Waiting, TicketState::Called];

    /// As stored and as the API and pages show it.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Waiting => "waiting",
            TicketState::Called => "called",
            TicketState::Serving => "serving",
            TicketState::Done => "done",
            TicketState::NoShow => "no_show",
            TicketState::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for TicketState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ToSql for TicketState {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for TicketState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Self::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("no ticket state {text:?}").into()))
    }
}

#[cfg(test)]
mod tests;
