//! The HTTPS server: TLS with a handshake deadline, HTTP/1.1 and HTTP/2 (upgrades for
//! the video-call signalling WebSockets), a connection cap, graceful stop.

use crate::app::{AppState, router};
use crate::config::ServeConfig;
use crate::store::Store;
use anyhow::{Context as _, Result};
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// A running server.
pub struct RunningServer {
    /// The address it listens on (useful with port 0).
    pub addr: SocketAddr,
    /// The video-call hub (for tests and tools: which calls are in progress).
    pub video: Arc<crate::video::Hub>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// Stops accepting and waits for the accept loop to end (open connections are dropped).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Opens the store, binds and starts serving on the current tokio runtime.
pub async fn start(config: ServeConfig) -> Result<RunningServer> {
    let tls = crate::tls::server_config(&config.tls_cert, &config.tls_key)?;
    let store = Store::open(&config.database)
        .await
        .with_context(|| format!("cannot open the database {}", config.database))?;
    let code_key = crate::code_key::CodeKey::load_or_create(&config.code_key)?;
    let command_key = crate::command_key::load_or_create(&config.command_key)?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let mut state = AppState::new(store, code_key, config);
    state.command_key = Arc::new(command_key);
    if let Store::Postgres(pg) = &state.store {
        state.relay = Some(crate::video::relay::Relay::start(
            pg.clone(),
            state.video.clone(),
            stopped.clone(),
        ));
    }
    let video = state.video.clone();
    tokio::spawn(refresh_call_queues(state.video.clone(), stopped.clone()));
    tokio::spawn(crate::revocation::watch(state.clone(), stopped.clone()));
    tokio::spawn(legal_aid_retention(state.clone(), stopped.clone()));
    tokio::spawn(crate::routes::ops::alerts::watch(
        state.clone(),
        stopped.clone(),
    ));
    if let Store::Postgres(pg) = &state.store {
        tokio::spawn(prune_nonces(pg.clone(), stopped.clone()));
    }
    let task = tokio::spawn(accept_loop(
        listener,
        TlsAcceptor::from(tls),
        state,
        stopped,
    ));
    tracing::info!(%addr, "registry listening");
    Ok(RunningServer {
        addr,
        video,
        stop,
        task,
    })
}

/// Consoles show how long each citizen has waited: refresh every few seconds.
async fn refresh_call_queues(hub: Arc<crate::video::Hub>, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(
        provisioning::signalling::limits::PING_INTERVAL_SECS,
    ));
    loop {
        tokio::select! {
            _ = tick.tick() => hub.refresh(),
            _ = stopped.changed() => {
                hub.shutdown();
                return;
            }
        }
    }
}

/// The shared replay guard forgets nonces whose requests are refused for their age anyway.
async fn prune_nonces(pg: crate::store::pg::PgStore, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopped.changed() => return,
        }
        if let Err(e) = pg.prune_nonces(chrono::Utc::now().timestamp()).await {
            tracing::warn!("pruning request nonces: {e}");
        }
    }
}

/// Deletes the ciphertext of legal-aid pre-applications past the retention period, at start
/// and every hour.
async fn legal_aid_retention(state: AppState, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopped.changed() => return,
        }
        let retention = state.config.legal_aid_retention;
        let now = chrono::Utc::now();
        let deleted = state.store.delete_expired_async(now - retention, now).await;
        match deleted {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                n,
                "legal-aid pre-applications past retention: ciphertext deleted"
            ),
            Err(e) => tracing::warn!("legal-aid retention: {e}"),
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    state: AppState,
    mut stopped: watch::Receiver<bool>,
) {
    let handshake_timeout = state.config.handshake_timeout;
    let connections = Arc::new(Semaphore::new(state.config.max_connections));
    let app = router(state);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopped.changed() => return,
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "connection limit reached; closing");
            continue;
        };
        let (acceptor, app, mut stopped) = (acceptor.clone(), app.clone(), stopped.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let _ = stream.set_nodelay(true);
            let tls = match tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, "TLS handshake failed: {e}");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out");
                    return;
                }
            };
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(15));
            builder
                .http2()
                .timer(TokioTimer::new())
                .keep_alive_interval(Duration::from_secs(30));
            // Handlers that limit per client (logins, enrolment) read the peer from here.
            let app = tower::ServiceBuilder::new()
                .map_request(
                    move |mut request: axum::http::Request<hyper::body::Incoming>| {
                        request.extensions_mut().insert(ConnectInfo(peer));
                        request
                    },
                )
                .service(app);
            let connection = builder
                .serve_connection_with_upgrades(TokioIo::new(tls), TowerToHyperService::new(app));
            tokio::select! {
                result = connection => if let Err(e) = result { tracing::debug!(%peer, "connection ended: {e}") },
                _ = stopped.changed() => {}
            }
        });
    }
}
