//! Taking a queue ticket: the one path for the touchscreen, the queue API's issue endpoint
//! (a client terminal asking its host) and `legal-kiosk ticket`. On a standalone or host
//! terminal the ticket comes from this terminal's queue; on a client terminal from its
//! host's, with this terminal's own number range while the host cannot be reached. Either
//! way the policy in force numbers and places it, and a person holding a ticket for the
//! service today gets that one again. Printing it and recording how that went is here too.

mod host;
mod paper;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use host::{HostError, QueueHost};
pub use paper::PrintResult;

use super::queue::QueueShared;
use crate::devices::printing::PrinterHandle;
use crate::domain::queue::import::{
    ImportError, ImportOutcome, ImportRules, OfflineTicket, import_offline,
};
use crate::domain::queue::view::{self, TicketStatus};
use crate::domain::queue::{
    IssueRequest, Numbering, PriorityGroup, QueueError, SeqRange, TicketIdentity, WaitEstimate,
    active_ticket_of, issue, position, waiting_counts,
};

/// What the citizen (or a client terminal, or staff at the command line) asks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketRequest {
    pub service_id: String,
    /// From the citizen's ID card: never a full ID number or a name.
    #[serde(default)]
    pub identity: Option<TicketIdentity>,
    /// A priority group given by staff or a client terminal.
    #[serde(default)]
    pub priority: Option<PriorityGroup>,
    /// Give the ticket this person already holds for the service today, if any.
    #[serde(default)]
    pub one_per_person: bool,
}

impl TicketRequest {
    /// A plain request: no identity, no priority.
    pub fn new(service_id: impl Into<String>) -> Self {
        Self {
            service_id: service_id.into(),
            identity: None,
            priority: None,
            one_per_person: false,
        }
    }
}

/// Where a ticket is issued, which the host records with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// This terminal's own touchscreen or command line.
    Here,
    /// A client terminal, through the queue API.
    Client,
}

/// A ticket issued (or the one the person already held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub number: String,
    pub service_id: String,
    pub seq: u32,
    pub service_day: NaiveDate,
    /// The random token of its live page; the QR code's only content.
    pub token: String,
    pub issued_at: DateTime<FixedOffset>,
    pub people_ahead: u32,
    pub estimate: Option<WaitEstimate>,
    /// What the ticket's QR code holds.
    pub url: String,
    /// The person already held it: shown again, not printed.
    pub already_taken: bool,
    /// Issued from this terminal's own range because the host was unreachable.
    pub offline: bool,
    /// Its row in this terminal's store, if it has one (not when the host issued it).
    pub local_id: Option<i64>,
}

/// Why no ticket was issued.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TicketError {
    #[error("the queue host cannot be reached and this terminal has no offline range")]
    HostUnreachable,
    #[error("unknown service {0:?}")]
    UnknownService(String),
    #[error("{0}")]
    Failed(String),
}

impl From<QueueError> for TicketError {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::UnknownService(s) => TicketError::UnknownService(s),
            other => TicketError::Failed(other.to_string()),
        }
    }
}

impl From<rusqlite::Error> for TicketError {
    fn from(e: rusqlite::Error) -> Self {
        QueueError::Sql(e).into()
    }
}

/// The ticket service; cheap to clone.
#[derive(Clone)]
pub struct TicketService {
    shared: Arc<QueueShared>,
    host: Option<Arc<dyn QueueHost>>,
    printer: Option<PrinterHandle>,
    centre_name: String,
}

impl TicketService {
    /// Tickets from this terminal's queue (`host: None`) or from a host's; printed on
    /// `printer` if there is one.
    pub fn new(
        shared: Arc<QueueShared>,
        host: Option<Arc<dyn QueueHost>>,
        printer: Option<PrinterHandle>,
        centre_name: String,
    ) -> Self {
        Self {
            shared,
            host,
            printer,
            centre_name,
        }
    }

    /// The queue's shared state (catalogue and policy in force, store threads).
    pub fn shared(&self) -> &Arc<QueueShared> {
        &self.shared
    }

    /// Whether tickets come from another terminal's queue.
    pub fn is_client(&self) -> bool {
        self.host.is_some()
    }

    /// Issues a ticket for this terminal's citizen (the touchscreen, the command line).
    pub fn issue(
        &self,
        request: TicketRequest,
        reply: impl FnOnce(Result<Ticket, TicketError>) + Send + 'static,
    ) {
        let Some(host) = self.host.clone() else {
            self.issue_here(request, Origin::Here, reply);
            return;
        };
        let shared = self.shared.clone();
        let offline = host.offline_range();
        let asked = request.clone();
        host.issue(
            request,
            Box::new(move |answer| match answer {
                // The QR code holds this terminal's configured address, never one the host
                // (or whoever answers in its place) sends.
                Ok(ticket) => {
                    let url = shared.ticket_url(&ticket.token);
                    reply(Ok(Ticket { url, ..ticket }))
                }
                Err(HostError::UnknownService(s)) => reply(Err(TicketError::UnknownService(s))),
                Err(HostError::Refused(message)) => reply(Err(TicketError::Failed(message))),
                Err(HostError::Unreachable(reason)) => {
                    tracing::warn!("queue host unreachable while issuing: {reason}");
                    match offline {
                        Some(range) => issue_offline(&shared, asked, range, reply),
                        None => reply(Err(TicketError::HostUnreachable)),
                    }
                }
            }),
        );
    }

    /// Issues a ticket in this terminal's own queue (for itself or for a client terminal),
    /// or finds the one the person already holds; tells the displays.
    pub fn issue_here(
        &self,
        request: TicketRequest,
        origin: Origin,
        reply: impl FnOnce(Result<Ticket, TicketError>) + Send + 'static,
    ) {
        let shared = self.shared.clone();
        let submitted = self.shared.worker.submit(move |s| {
            let result = issue_in(&shared, s.conn(), &request, origin);
            if matches!(&result, Ok(t) if !t.already_taken) {
                shared.changed();
            }
            reply(result);
        });
        if !submitted {
            tracing::error!("the store thread has stopped: no ticket issued");
        }
    }

    /// The live status of the ticket with `token` (`local`: its row is in this terminal's
    /// store, else on the host).
    pub fn status(
        &self,
        token: String,
        local: bool,
        reply: impl FnOnce(Option<TicketStatus>) + Send + 'static,
    ) {
        if let (Some(host), false) = (&self.host, local) {
            host.status(token, Box::new(reply));
            return;
        }
        let (catalogue, policy) = (self.shared.catalogue(), self.shared.policy());
        self.shared.reader.submit(move |s| {
            let status = view::ticket_status(s.conn(), &catalogue, &policy, &token);
            reply(status.unwrap_or_else(|e| {
                tracing::error!("cannot read a ticket's status: {e}");
                None
            }));
        });
    }

    /// How many wait for each service today.
    pub fn waiting_counts(&self, reply: impl FnOnce(HashMap<String, u32>) + Send + 'static) {
        if let Some(host) = &self.host {
            host.waiting_counts(Box::new(reply));
            return;
        }
        let day = self.shared.clock.now().date_naive();
        self.shared.reader.submit(move |s| {
            reply(waiting_counts(s.conn(), day).unwrap_or_else(|e| {
                tracing::error!("cannot count waiting tickets: {e}");
                HashMap::new()
            }));
        });
    }
}

/// Issues `request` in this terminal's queue on the store thread, or finds the ticket the
/// person already holds; with its place by the policy in force.
fn issue_in(
    shared: &QueueShared,
    conn: &mut rusqlite::Connection,
    request: &TicketRequest,
    origin: Origin,
) -> Result<Ticket, TicketError> {
    let (catalogue, policy) = (shared.catalogue(), shared.policy());
    let now = shared.clock.now();
    let held = match request.identity.as_ref().filter(|_| request.one_per_person) {
        Some(identity) => active_ticket_of(
            conn,
            &identity.id_hash,
            &request.service_id,
            now.date_naive(),
        )?,
        None => None,
    };
    let (ticket, already_taken) = match held {
        Some(t) => (t, true),
        None => {
            let issued = issue(
                conn,
                &catalogue,
                &policy,
                &IssueRequest {
                    identity: request.identity.as_ref(),
                    priority: request.priority,
                    numbering: Numbering::Next {
                        reserved: &shared.reserved,
                    },
                    origin: (origin == Origin::Client).then_some("client"),
                    ..IssueRequest::new(&request.service_id, now)
                },
            )?;
            (issued, false)
        }
    };
    let place = position::position(conn, &policy, ticket.id)?;
    Ok(Ticket {
        url: shared.ticket_url(&ticket.token),
        local_id: Some(ticket.id),
        people_ahead: place.map_or(ticket.people_ahead, |p| p.people_ahead),
        estimate: place.and_then(|p| p.estimate),
        number: ticket.number,
        service_id: ticket.service_id,
        seq: ticket.seq,
        service_day: ticket.service_day,
        token: ticket.token,
        issued_at: ticket.issued_at,
        already_taken,
        offline: false,
    })
}

/// Issues from this (client) terminal's own range: the host's queue cannot be seen now, so
/// no people ahead and no estimate.
fn issue_offline(
    shared: &Arc<QueueShared>,
    request: TicketRequest,
    range: SeqRange,
    reply: impl FnOnce(Result<Ticket, TicketError>) + Send + 'static,
) {
    let sh = shared.clone();
    shared.worker.submit(move |s| {
        let (catalogue, policy) = (sh.catalogue(), sh.policy());
        let issued = issue(
            s.conn(),
            &catalogue,
            &policy,
            &IssueRequest {
                identity: request.identity.as_ref(),
                priority: request.priority,
                numbering: Numbering::Offline(range),
                ..IssueRequest::new(&request.service_id, sh.clock.now())
            },
        );
        reply(issued.map_err(TicketError::from).map(|t| {
            tracing::info!(number = %t.number, "ticket issued from the offline range");
            Ticket {
                url: sh.ticket_url(&t.token),
                local_id: Some(t.id),
                number: t.number,
                service_id: t.service_id,
                seq: t.seq,
                service_day: t.service_day,
                token: t.token,
                issued_at: t.issued_at,
                people_ahead: 0,
                estimate: None,
                already_taken: false,
                offline: true,
            }
        }));
    });
}

impl TicketService {
    /// Takes a client terminal's offline tickets into this terminal's queue, each at the
    /// place its time gives it; replies with each ticket's token and what became of it.
    /// `ranges`: the client's own reserved range, if the host knows it, else every range
    /// reserved for clients.
    pub fn take_offline(
        &self,
        tickets: Vec<OfflineTicket>,
        ranges: Option<Vec<SeqRange>>,
        reply: impl FnOnce(Vec<(String, Result<ImportOutcome, ImportError>)>) + Send + 'static,
    ) {
        let shared = self.shared.clone();
        self.shared.worker.submit(move |s| {
            let (catalogue, policy, now) =
                (shared.catalogue(), shared.policy(), shared.clock.now());
            let ranges = ranges.unwrap_or_else(|| shared.reserved.clone());
            let rules = ImportRules {
                ranges: &ranges,
                policy: &policy,
            };
            let results: Vec<_> = tickets
                .into_iter()
                .map(|t| {
                    let outcome = import_offline(s.conn(), &catalogue, &rules, &t, now);
                    match &outcome {
                        Err(ImportError::Sql(e)) => {
                            tracing::error!("cannot take an offline ticket: {e}")
                        }
                        Err(e) => tracing::warn!(number = %t.number, "offline ticket refused: {e}"),
                        Ok(_) => {}
                    }
                    (t.token.clone(), outcome)
                })
                .collect();
            if results.iter().any(|(_, r)| r.is_ok()) {
                shared.changed();
            }
            reply(results);
        });
    }
}
