//! The local API (axum) and the pages it serves, on the kiosk's one network runtime. A thin adapter: each route parses the request, calls a service (actions run on
//! the store thread, one at a time, each one transaction) or reads a view on a second
//! connection, and maps the result to HTTP. Views are pushed to the hall and counter pages
//! as server-sent events within milliseconds of a change.
//!
//! | method | path | who | what |
//! |---|---|---|---|
//! | GET | `/counter`, `/hall`, `/t/{token}` | anyone | the pages |
//! | POST | `/api/login` `{name, pin}` | anyone | staff login: session cookie |
//! | POST | `/api/logout` | staff | ends the session |
//! | GET | `/api/me` | staff | who is logged in |
//! | GET | `/api/state`, `/api/stream` | staff | counters, waiting list, today's counts (JSON, SSE) |
//! | POST | `/api/counters/{id}/{open,close,pause,resume,call-next,recall,start,finish,no-show}` | staff | counter actions |
//! | POST | `/api/counters/{id}/transfer` `{service_id}` | staff | to another service's queue |
//! | POST | `/api/counters/{id}/call` `{number}` | staff | call a number out of order |
//! | POST | `/api/priority` `{number, group}` | staff | set a waiting ticket's priority group |
//! | PUT | `/api/notice` `{text}` | staff | the hall's notice |
//! | GET | `/api/hall`, `/api/hall/stream` | anyone | the hall display (JSON, SSE) |
//! | GET | `/api/tickets/{token}` | anyone with the token | one ticket's live position |
//! | POST | `/api/issue`, `/api/import` | client terminals | issue a ticket; hand over offline tickets |
//! | GET | `/api/health` | anyone | liveness for client terminals |
//!
//! Every request must be for one of the terminal's names (see [`crate::queue_api::origin`]);
//! on any address but loopback the API speaks only HTTPS ([`crate::queue_api::tls`]), and
//! the accept loop ([`crate::queue_api::serve`]) caps and times out connections.

mod auth;
mod counter;
mod error;
mod guard;
mod hall;
mod import;
mod sse;
mod tickets;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::json;
use thiserror::Error;
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use super::auth::{Sessions, TerminalTokens};
use super::origin::HostCheck;
use super::serve::Limits;
use super::tls::TlsError;
use super::{pages, tls};
use crate::config::queue_api::{ClientsConfig, ServerConfig};
use crate::domain::maintenance::{Authenticator, LockoutPolicy};
use crate::services::{CounterService, QueueShared, TicketService};

/// The server could not start.
#[derive(Debug, Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "the queue API listens on {0}, beyond this machine, and needs HTTPS: set \
         [queue.server] tls_cert and tls_key"
    )]
    NoCertificate(SocketAddr),
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// The running server. Dropping it stops it and closes every connection.
pub struct QueueServer {
    /// Where it listens (the real port when configured with port 0).
    pub addr: SocketAddr,
    stop: CancellationToken,
    /// Says when the accept loop and every connection have ended.
    ended: Option<std::sync::mpsc::Receiver<()>>,
}

/// How long stopping waits for the connections to close.
const STOP_WAIT: Duration = Duration::from_secs(2);

impl QueueServer {
    /// Stops the server and waits until its connections are closed.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.cancel();
        if let Some(ended) = self.ended.take() {
            // Bounded: stopping from inside the runtime must not wait for itself.
            let _ = ended.recv_timeout(STOP_WAIT);
        }
    }
}

impl Drop for QueueServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[derive(Clone)]
struct AppState {
    shared: Arc<QueueShared>,
    counter: CounterService,
    tickets: TicketService,
    sessions: Arc<Sessions>,
    login: Authenticator,
    terminals: Arc<TerminalTokens>,
    streams: Arc<sse::Streams>,
    /// Wrong PINs by source address and by account.
    guesses: Arc<auth::LoginGuesses>,
    hosts: Arc<HostCheck>,
    /// Listeners of each stream at most.
    max_streams: usize,
}

impl AppState {
    fn new(
        shared: Arc<QueueShared>,
        sessions: Sessions,
        login: Authenticator,
        terminals: TerminalTokens,
        config: &ServerConfig,
        lockout: LockoutPolicy,
    ) -> Self {
        Self {
            counter: CounterService::new(shared.clone()),
            // Issues in this terminal's queue for client terminals: no host, no printer here.
            tickets: TicketService::new(shared.clone(), None, None, shared.centre_name.clone()),
            streams: sse::Streams::following(&shared.events),
            shared,
            sessions: Arc::new(sessions),
            login,
            terminals: Arc::new(terminals),
            guesses: Arc::new(auth::LoginGuesses::new(lockout)),
            hosts: Arc::new(HostCheck::new(&config.host_names)),
            max_streams: config.max_streams,
        }
    }
}

/// Starts the API on `config.listen`, its tasks on `runtime`: HTTPS with the configured
/// certificate, or plain HTTP on a loopback address. Wrong PINs lock a source address, or
/// an account, for the lengths of `lockout`.
pub fn start(
    shared: Arc<QueueShared>,
    config: &ServerConfig,
    clients: &ClientsConfig,
    login: Authenticator,
    lockout: LockoutPolicy,
    runtime: &Handle,
) -> Result<QueueServer, ServerError> {
    let bind_err = |source| ServerError::Bind {
        addr: config.listen,
        source,
    };
    let acceptor = if config.plain_http() {
        None
    } else {
        match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
            _ => return Err(ServerError::NoCertificate(config.listen)),
        }
    };
    let listener = std::net::TcpListener::bind(config.listen).map_err(bind_err)?;
    listener.set_nonblocking(true).map_err(bind_err)?;
    let addr = listener.local_addr().map_err(bind_err)?;
    let sessions = Sessions::new(
        Duration::from_secs(config.session_idle_minutes * 60),
        Duration::from_secs(config.session_max_hours * 3600),
    )
    .secure(acceptor.is_some());
    let terminals = TerminalTokens::from_config(&clients.token_sha256, &clients.terminal);
    let state = AppState::new(shared, sessions, login, terminals, config, lockout);
    let limits = Limits {
        max_connections: config.max_connections,
        max_per_source: config.max_connections_per_source,
        idle: Duration::from_secs(config.idle_timeout_secs),
        handshake: Duration::from_secs(10),
    };
    let stop = CancellationToken::new();
    let (ended_tx, ended) = std::sync::mpsc::channel();
    let listener = {
        // Registering the socket with the reactor needs the runtime's context.
        let _entered = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(bind_err)?
    };
    let (serving, until) = (runtime.clone(), stop.clone());
    runtime.spawn(async move {
        sse::spawn_publishers(&state, &serving, &until);
        guard::spawn_session_sweep(&state, &serving, &until);
        super::serve::serve(listener, router(state), acceptor, limits, until).await;
        let _ = ended_tx.send(());
    });
    tracing::info!(%addr, https = !config.plain_http(), "queue API listening");
    Ok(QueueServer {
        addr,
        stop,
        ended: Some(ended),
    })
}

/// The API's routes over `shared`, for the fuzz target (`crate::fuzz::queue_api`): one
/// member of staff logged in (the `Cookie` header value is returned) and the client terminal
/// token whose SHA-256 is `terminal_token_sha256` accepted.
#[cfg(any(fuzzing, test))]
pub fn fuzz_router(
    shared: Arc<QueueShared>,
    login: Authenticator,
    terminal_token_sha256: String,
) -> (Router, String) {
    let sessions = Sessions::new(Duration::from_secs(3600), Duration::from_secs(12 * 3600));
    let state = AppState::new(
        shared,
        sessions,
        login,
        TerminalTokens::from_hex(&[terminal_token_sha256]),
        &ServerConfig::default(),
        LockoutPolicy::default(),
    );
    let token = state.sessions.create(crate::queue_api::auth::StaffLogin {
        name: "王芳".into(),
        role: crate::domain::maintenance::Role::Staff,
    });
    (
        router(state),
        format!("{}={token}", crate::queue_api::auth::COOKIE),
    )
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/counter") }))
        .route("/counter", get(|| async { pages::page(&pages::COUNTER) }))
        .route("/hall", get(|| async { pages::page(&pages::HALL) }))
        .route("/t/{token}", get(|| async { pages::page(&pages::TICKET) }))
        .route("/assets/{file}", get(asset))
        .route("/api/health", get(|| async { Json(json!({ "ok": true })) }))
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/api/state", get(counter::staff_state))
        .route("/api/stream", get(counter::staff_stream))
        .route("/api/hall", get(hall::hall_state))
        .route("/api/hall/stream", get(hall::hall_stream))
        .route("/api/tickets/{token}", get(tickets::ticket_status))
        .route("/api/counters/{id}/{action}", post(counter::counter_action))
        .route("/api/counters/{id}/transfer", post(counter::transfer))
        .route("/api/counters/{id}/call", post(counter::call_number))
        .route("/api/priority", post(counter::set_priority))
        .route("/api/notice", put(counter::set_notice))
        .route("/api/issue", post(tickets::issue_for_terminal))
        .route("/api/import", post(import::import_for_terminal))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::for_this_terminal,
        ))
        .with_state(state)
}

async fn asset(Path(file): Path<String>) -> Response {
    match pages::asset(&file) {
        Some((mime, body)) => ([(header::CONTENT_TYPE, mime)], body).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
