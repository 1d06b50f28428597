//! A client terminal's link to its host's queue: tickets are issued by the host; the host's
//! hall stream says when positions change and whether the host is reachable (both go out on
//! the event bus). While it is not, and if configured, tickets come from this terminal's own
//! number range and are handed to the host once it is back (oldest first, each once). The
//! ticket service sees the link as its [`QueueHost`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use thiserror::Error;
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use super::wire::IssueAnswer;
use crate::clock::Clock;
use crate::config::queue_api::HostConfig;
use crate::domain::queue::import::{self, OfflineTicket};
use crate::domain::queue::{SeqRange, view::TicketStatus};
use crate::events::{Events, KioskEvent};
use crate::net::spawn_until;
use crate::services::tickets::{HostError as IssueError, QueueHost};
use crate::services::{Reply, Ticket, TicketRequest};
use crate::store::worker::Worker;

/// How long the kiosk waits for the host before using its own range.
const HOST_WAIT: Duration = Duration::from_secs(2);

/// Why a request to the host failed.
#[derive(Debug, Error)]
pub enum HostError {
    /// Not reachable (connection refused, timeout, the host's store down).
    #[error("the queue host cannot be reached: {0}")]
    Unreachable(String),
    /// The host answered with a refusal.
    #[error("the queue host refused: {status}: {message}")]
    Refused { status: u16, message: String },
}

/// The link. Its tasks (on the kiosk's network runtime) end when the link is dropped.
pub struct HostLink {
    me: Weak<HostLink>,
    base: String,
    token: String,
    client: reqwest::Client,
    /// Before a request to the host counts as failed (the configured `timeout_ms`).
    timeout: Duration,
    runtime: Handle,
    /// Whether the host answered last time (`None` before the first try); held while the
    /// change goes out, so that listeners hear the changes in order.
    reachable: Mutex<Option<bool>>,
    events: Events,
    /// This terminal's own range for offline tickets, if configured.
    pub offline_range: Option<SeqRange>,
    stop: CancellationToken,
}

impl Drop for HostLink {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The link could not be set up.
#[derive(Debug, Error)]
pub enum LinkError {
    #[error("cannot set up the HTTP client for the queue host: {0}")]
    Client(String),
}

fn http_client(timeout: Duration, pinned: Option<&str>) -> Result<reqwest::Client, LinkError> {
    // HTTPS to the host accepts only its pinned certificate; without a pin (a host on this
    // machine, plain HTTP) no certificate is trusted at all.
    let tls = super::tls::client_config(pinned).map_err(|e| LinkError::Client(e.to_string()))?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| LinkError::Client(e.to_string()))
}

impl HostLink {
    /// Sets up the link, its work to run on `runtime`; reachability and the host's changes
    /// will go out on `events` once [`HostLink::follow`] is called.
    pub fn start(
        config: &HostConfig,
        events: Events,
        runtime: Handle,
    ) -> Result<Arc<Self>, LinkError> {
        let timeout = Duration::from_millis(config.timeout_ms.max(100));
        let client = http_client(timeout, config.cert_sha256.as_deref())?;
        Ok(Arc::new_cyclic(|me| Self {
            me: me.clone(),
            base: config.url.trim_end_matches('/').to_string(),
            token: config.token.clone(),
            client,
            timeout,
            runtime,
            reachable: Mutex::new(None),
            events,
            offline_range: config.offline_range(),
            stop: CancellationToken::new(),
        }))
    }

    /// Follows the host's stream (reachability and changes go out on the bus) and hands
    /// offline tickets over through `worker`, while the link lives. Call it once the
    /// listeners have subscribed: they hear every change from the first.
    pub fn follow(&self, worker: Worker, clock: Arc<dyn Clock>) {
        let timeout = self.timeout;
        self.spawn(follow_host(self.me.clone(), worker, clock, timeout));
    }

    /// Runs `task` on the network runtime while the link lives.
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        spawn_until(&self.runtime, &self.stop, task);
    }

    /// Whether the host answered last time (`None` before the first try).
    pub fn reachable(&self) -> Option<bool> {
        *self.reachable.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_reachable(&self, up: bool) {
        let mut reachable = self.reachable.lock().unwrap_or_else(|e| e.into_inner());
        if *reachable == Some(up) {
            return;
        }
        *reachable = Some(up);
        if up {
            tracing::info!(host = %self.base, "queue host reachable");
        } else {
            tracing::warn!(host = %self.base, "queue host unreachable");
        }
        self.events.publish(KioskEvent::QueueHost {
            reachable: up,
            offline_issuing: self.offline_range.is_some(),
        });
    }

    async fn send<R: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        timeout: Duration,
    ) -> Result<R, HostError> {
        let answer = request
            .bearer_auth(&self.token)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| {
                self.set_reachable(false);
                HostError::Unreachable(e.to_string())
            })?;
        let status = answer.status();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            self.set_reachable(false);
            return Err(HostError::Unreachable("the host's store is down".into()));
        }
        self.set_reachable(true);
        if !status.is_success() {
            let body: serde_json::Value = answer.json().await.unwrap_or_default();
            return Err(HostError::Refused {
                status: status.as_u16(),
                message: body["message"].as_str().unwrap_or("").to_string(),
            });
        }
        answer
            .json()
            .await
            .map_err(|e| HostError::Unreachable(format!("unreadable answer: {e}")))
    }

    /// Asks the host for a ticket.
    pub async fn issue(
        &self,
        ask: &TicketRequest,
        timeout: Duration,
    ) -> Result<IssueAnswer, HostError> {
        let request = self
            .client
            .post(format!("{}/api/issue", self.base))
            .json(ask);
        self.send(request, timeout).await
    }

    /// A ticket's status on the host.
    pub async fn ticket_status(
        &self,
        token: &str,
        timeout: Duration,
    ) -> Result<TicketStatus, HostError> {
        let request = self
            .client
            .get(format!("{}/api/tickets/{token}", self.base));
        self.send(request, timeout).await
    }

    /// The host's hall view (waiting counts per service).
    pub async fn hall(&self, timeout: Duration) -> Result<serde_json::Value, HostError> {
        let request = self.client.get(format!("{}/api/hall", self.base));
        self.send(request, timeout).await
    }

    /// Hands `tickets` to the host; returns the tokens it took (or knew already).
    async fn import(
        &self,
        tickets: &[OfflineTicket],
        timeout: Duration,
    ) -> Result<Vec<String>, HostError> {
        let request = self
            .client
            .post(format!("{}/api/import", self.base))
            .json(&serde_json::json!({ "tickets": tickets }));
        let answer: serde_json::Value = self.send(request, timeout).await?;
        let mut taken = Vec::new();
        for r in answer["results"].as_array().into_iter().flatten() {
            let outcome = r["outcome"].as_str().unwrap_or("");
            let token = r["token"].as_str().unwrap_or("");
            if matches!(outcome, "imported" | "already_known") {
                taken.push(token.to_string());
            } else {
                tracing::error!(
                    "the queue host refused an offline ticket: {}",
                    r["message"].as_str().unwrap_or("no reason given")
                );
            }
        }
        Ok(taken)
    }
}

impl QueueHost for HostLink {
    fn issue(&self, request: TicketRequest, reply: Reply<Result<Ticket, IssueError>>) {
        let Some(link) = self.me.upgrade() else {
            return reply(Err(IssueError::Unreachable("the link has stopped".into())));
        };
        self.spawn(async move {
            reply(match link.issue(&request, HOST_WAIT).await {
                Ok(answer) => answer.into_ticket().ok_or_else(|| {
                    IssueError::Refused("the host's answer has an unreadable time or token".into())
                }),
                Err(HostError::Refused { status: 404, .. }) => {
                    Err(IssueError::UnknownService(request.service_id))
                }
                Err(HostError::Refused { message, .. }) => Err(IssueError::Refused(message)),
                Err(HostError::Unreachable(reason)) => Err(IssueError::Unreachable(reason)),
            });
        });
    }

    fn status(&self, token: String, reply: Reply<Option<TicketStatus>>) {
        let Some(link) = self.me.upgrade() else {
            return reply(None);
        };
        self.spawn(async move {
            reply(link.ticket_status(&token, HOST_WAIT).await.ok());
        });
    }

    fn waiting_counts(&self, reply: Reply<HashMap<String, u32>>) {
        let Some(link) = self.me.upgrade() else {
            return reply(HashMap::new());
        };
        self.spawn(async move {
            let hall = link.hall(HOST_WAIT).await.unwrap_or_default();
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
            reply(counts);
        });
    }

    fn offline_range(&self) -> Option<SeqRange> {
        self.offline_range
    }
}

/// Follows the host's hall stream while the link lives: each message is a change; a broken
/// stream means unreachable (retried with backoff). Offline tickets go over on every
/// (re)connection and then every ten seconds.
async fn follow_host(
    link: Weak<HostLink>,
    worker: Worker,
    clock: Arc<dyn Clock>,
    timeout: Duration,
) {
    let mut backoff = Duration::from_millis(500);
    loop {
        let Some(l) = link.upgrade() else { return };
        let url = format!("{}/api/hall/stream", l.base);
        let response = l.client.get(&url).send().await;
        match response {
            Ok(mut r) if r.status().is_success() => {
                l.set_reachable(true);
                backoff = Duration::from_millis(500);
                hand_over(&l, &worker, &*clock, timeout).await;
                l.events.publish(KioskEvent::QueueChanged);
                let mut tick = tokio::time::interval(Duration::from_secs(10));
                tick.tick().await;
                loop {
                    tokio::select! {
                        chunk = r.chunk() => match chunk {
                            Ok(Some(bytes)) => {
                                // Keep-alive comments start with ':'; events carry data.
                                if bytes.windows(5).any(|w| w == b"data:") {
                                    l.events.publish(KioskEvent::QueueChanged);
                                }
                            }
                            _ => break,
                        },
                        _ = tick.tick() => hand_over(&l, &worker, &*clock, timeout).await,
                    }
                }
                l.set_reachable(false);
                l.events.publish(KioskEvent::QueueChanged);
            }
            Ok(r) => {
                tracing::warn!(status = %r.status(), "the queue host refused its stream");
                l.set_reachable(false);
            }
            Err(_) => l.set_reachable(false),
        }
        drop(l);
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

/// Hands pending offline tickets to the host and marks those it took.
async fn hand_over(link: &HostLink, worker: &Worker, clock: &dyn Clock, timeout: Duration) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    worker.submit(move |s| {
        let _ = tx.send(import::pending_offline(s.conn()));
    });
    let pending = match rx.await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            tracing::error!("cannot list offline tickets: {e}");
            return;
        }
        Err(_) => return,
    };
    if pending.is_empty() {
        return;
    }
    match link.import(&pending, timeout).await {
        Ok(taken) => {
            let at = clock.now();
            let n = taken.len();
            worker.submit(move |s| {
                for token in &taken {
                    if let Err(e) = import::mark_handed_over(s.conn(), token, at) {
                        tracing::error!("cannot mark an offline ticket handed over: {e}");
                    }
                }
            });
            tracing::info!(tickets = n, "offline tickets handed to the queue host");
        }
        Err(e) => tracing::warn!("offline tickets not handed over yet: {e}"),
    }
}
