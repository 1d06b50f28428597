//! The kiosk's ticket desk: where the touchscreen's tickets come from and where their live
//! positions are read. On a standalone or host terminal that is its own queue; on a client
//! terminal it is the host's, with this terminal's own number range as the fallback.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use thiserror::Error;

use super::host_link::{HostError, HostLink};
use super::hub::QueueEvents;
use super::server::{IssueAnswer, IssueAsk, issue_blocking};
use super::shared::QueueShared;
use crate::domain::queue::view::{self, TicketStatus};
use crate::domain::queue::{IssueRequest, Numbering, QueueError, WaitEstimate, issue};

/// A ticket the desk issued (or found the citizen already holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskTicket {
    pub number: String,
    pub service_id: String,
    pub token: String,
    pub issued_at: DateTime<FixedOffset>,
    pub people_ahead: u32,
    pub estimate: Option<WaitEstimate>,
    /// What the ticket's QR code holds.
    pub url: String,
    /// The citizen already held it: shown again, not printed.
    pub already_taken: bool,
    /// Issued from this terminal's own range because the host was unreachable.
    pub offline: bool,
    /// Its row in this terminal's store (for recording how printing went), if it has one.
    pub local_id: Option<i64>,
}

/// Why no ticket was issued.
#[derive(Debug, Error)]
pub enum DeskError {
    #[error("the queue host cannot be reached and this terminal has no offline range")]
    HostUnreachable,
    #[error("unknown service {0:?}")]
    UnknownService(String),
    #[error("{0}")]
    Failed(String),
}

impl From<QueueError> for DeskError {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::UnknownService(s) => DeskError::UnknownService(s),
            other => DeskError::Failed(other.to_string()),
        }
    }
}

enum Kind {
    Local,
    Remote(Arc<HostLink>),
}

/// The desk; cheap to clone.
#[derive(Clone)]
pub struct Desk {
    shared: Arc<QueueShared>,
    kind: Arc<Kind>,
}

/// How long the kiosk waits for the host before using its own range.
const HOST_WAIT: Duration = Duration::from_secs(2);

fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok()
}

impl DeskTicket {
    fn from_answer(a: IssueAnswer, local: bool, fallback_time: DateTime<FixedOffset>) -> Self {
        Self {
            issued_at: parse_time(&a.issued_at).unwrap_or(fallback_time),
            number: a.number,
            service_id: a.service_id,
            token: a.token,
            people_ahead: a.people_ahead,
            estimate: a.estimate,
            url: a.url,
            already_taken: a.already_taken,
            offline: false,
            local_id: local.then_some(a.id),
        }
    }
}

impl Desk {
    /// This terminal's own queue.
    pub fn local(shared: Arc<QueueShared>) -> Self {
        Self {
            shared,
            kind: Arc::new(Kind::Local),
        }
    }

    /// The queue of the host behind `link`.
    pub fn remote(shared: Arc<QueueShared>, link: Arc<HostLink>) -> Self {
        Self {
            shared,
            kind: Arc::new(Kind::Remote(link)),
        }
    }

    /// The change signal: the kiosk refreshes a ticket's position on it.
    pub fn events(&self) -> &QueueEvents {
        &self.shared.events
    }

    /// The host link of a client terminal.
    pub fn host(&self) -> Option<&Arc<HostLink>> {
        match &*self.kind {
            Kind::Remote(link) => Some(link),
            Kind::Local => None,
        }
    }

    /// Issues a ticket; `done` runs on a worker thread with the result.
    pub fn issue(
        &self,
        ask: IssueAsk,
        done: impl FnOnce(Result<DeskTicket, DeskError>) + Send + 'static,
    ) {
        let shared = self.shared.clone();
        match &*self.kind {
            Kind::Local => {
                let now = shared.clock.now();
                let sh = shared.clone();
                let submitted = shared.worker.submit(move |s| {
                    let result = issue_blocking(&sh, s.conn(), ask, None)
                        .map(|a| DeskTicket::from_answer(a, true, now))
                        .map_err(DeskError::from);
                    if matches!(&result, Ok(t) if !t.already_taken) {
                        sh.events.notify();
                    }
                    done(result);
                });
                if !submitted {
                    tracing::error!("the store thread has stopped: no ticket issued");
                }
            }
            Kind::Remote(link) => {
                let link = link.clone();
                link.clone().spawn(async move {
                    let now = shared.clock.now();
                    match link.issue(&ask, HOST_WAIT).await {
                        Ok(answer) => done(Ok(DeskTicket::from_answer(answer, false, now))),
                        Err(HostError::Refused { status: 404, .. }) => {
                            done(Err(DeskError::UnknownService(ask.service_id)))
                        }
                        Err(HostError::Refused { message, .. }) => {
                            done(Err(DeskError::Failed(message)))
                        }
                        Err(HostError::Unreachable(reason)) => {
                            tracing::warn!("queue host unreachable while issuing: {reason}");
                            match link.offline_range {
                                Some(range) => issue_offline(shared, ask, range, done),
                                None => done(Err(DeskError::HostUnreachable)),
                            }
                        }
                    }
                });
            }
        }
    }

    /// The live status of the ticket with `token`; `done` runs on a worker thread.
    pub fn status(
        &self,
        token: String,
        local: bool,
        done: impl FnOnce(Option<TicketStatus>) + Send + 'static,
    ) {
        let shared = self.shared.clone();
        match (&*self.kind, local) {
            (Kind::Remote(link), false) => {
                let link2 = link.clone();
                link.spawn(async move {
                    done(link2.ticket_status(&token, HOST_WAIT).await.ok());
                });
            }
            _ => {
                let (catalogue, policy) = (shared.catalogue(), shared.policy());
                shared.reader.submit(move |s| {
                    done(
                        view::ticket_status(s.conn(), &catalogue, &policy, &token).unwrap_or_else(
                            |e| {
                                tracing::error!("cannot read a ticket's status: {e}");
                                None
                            },
                        ),
                    )
                });
            }
        }
    }

    /// How many wait for each service; `done` runs on a worker thread.
    pub fn waiting_counts(&self, done: impl FnOnce(HashMap<String, u32>) + Send + 'static) {
        match &*self.kind {
            Kind::Local => {
                let day = self.shared.clock.now().date_naive();
                self.shared.reader.submit(move |s| {
                    done(
                        crate::domain::queue::waiting_counts(s.conn(), day).unwrap_or_else(|e| {
                            tracing::error!("cannot count waiting tickets: {e}");
                            HashMap::new()
                        }),
                    )
                });
            }
            Kind::Remote(link) => {
                let link2 = link.clone();
                link.spawn(async move {
                    let hall = link2.hall(HOST_WAIT).await.unwrap_or_default();
                    let counts = hall["services"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|s| {
                            Some((
                                s["service_id"].as_str()?.to_string(),
                                u32::try_from(s["waiting"].as_u64()?).ok()?,
                            ))
                        })
                        .collect();
                    done(counts);
                });
            }
        }
    }
}

/// Issues from this (client) terminal's own range.
fn issue_offline(
    shared: Arc<QueueShared>,
    ask: IssueAsk,
    range: crate::domain::queue::SeqRange,
    done: impl FnOnce(Result<DeskTicket, DeskError>) + Send + 'static,
) {
    let sh = shared.clone();
    shared.worker.submit(move |s| {
        let (catalogue, policy) = (sh.catalogue(), sh.policy());
        let now = sh.clock.now();
        let issued = issue(
            s.conn(),
            &catalogue,
            &policy,
            &IssueRequest {
                identity: ask.identity.as_ref(),
                priority: ask.priority,
                numbering: Numbering::Offline(range),
                ..IssueRequest::new(&ask.service_id, now)
            },
        );
        let result = issued.map_err(DeskError::from).map(|t| {
            tracing::info!(number = %t.number, "ticket issued from the offline range");
            DeskTicket {
                url: sh.ticket_url(&t.token),
                number: t.number,
                service_id: t.service_id,
                token: t.token,
                issued_at: t.issued_at,
                // The host's queue cannot be seen now: no people-ahead, no estimate.
                people_ahead: 0,
                estimate: None,
                already_taken: false,
                offline: true,
                local_id: Some(t.id),
            }
        });
        done(result);
    });
}
