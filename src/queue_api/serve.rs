//! The accept loop of the queue API: TLS (when configured) with a handshake deadline,
//! HTTP/1.1 and HTTP/2, and limits so that a flood of connections from the LAN cannot take
//! the terminal's file descriptors and memory from sync, the card reader and video: a cap
//! on connections in all and per source address (connections over it are closed at once),
//! and idle connections closed. Each request carries its peer's address (`ConnectInfo`).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// The limits of the accept loop.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub max_connections: usize,
    pub max_per_source: usize,
    pub idle: Duration,
    pub handshake: Duration,
}

/// Connections open per source address.
#[derive(Default)]
struct PerSource(Mutex<HashMap<IpAddr, usize>>);

struct SourceSlot {
    all: Arc<PerSource>,
    ip: IpAddr,
}

impl PerSource {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<SourceSlot> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(ip).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(SourceSlot {
            all: self.clone(),
            ip,
        })
    }
}

impl Drop for SourceSlot {
    fn drop(&mut self) {
        let mut map = self.all.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` until `stop` is cancelled; returns once every connection has
/// closed.
pub(super) async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
    stop: CancellationToken,
) {
    let max = limits.max_connections.max(1);
    let connections = Arc::new(Semaphore::new(max));
    let sources = Arc::new(PerSource::default());
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: pause instead of spinning.
                tracing::warn!("queue API: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "queue API connection limit reached; closing");
            continue;
        };
        let Some(slot) = sources.take(peer.ip(), limits.max_per_source.max(1)) else {
            tracing::debug!(%peer, "queue API: too many connections from this address; closing");
            continue;
        };
        let (app, tls) = (app.clone(), tls.clone());
        tokio::spawn(stop.clone().run_until_cancelled_owned(async move {
            let _held = (permit, slot);
            connection(stream, peer, app, tls, limits).await;
        }));
    }
    // Every connection holds a permit until its task has ended and its socket is closed.
    drop(listener);
    let _ = connections
        .acquire_many(u32::try_from(max).unwrap_or(u32::MAX))
        .await;
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
) {
    // Small writes go out at once: an SSE event held back by Nagle's algorithm waits for
    // the display's delayed ACK (40 ms on Linux) before it leaves.
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!("cannot set TCP_NODELAY on a queue API connection: {e}");
    }
    let activity = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let stream = Watched {
        inner: stream,
        activity: activity.clone(),
        started,
    };
    let app = tower::ServiceBuilder::new()
        .map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        )
        .service(app);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.handshake);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(32);
    let idle = idle_watch(activity, started, limits.idle);
    match tls {
        Some(acceptor) => {
            let tls = match tokio::time::timeout(limits.handshake, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, "queue API: TLS handshake failed: {e}");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "queue API: TLS handshake timed out");
                    return;
                }
            };
            let conn = builder
                .serve_connection_with_upgrades(TokioIo::new(tls), TowerToHyperService::new(app));
            tokio::select! {
                result = conn => if let Err(e) = result {
                    tracing::debug!(%peer, "queue API connection ended: {e}");
                },
                _ = idle => tracing::debug!(%peer, "queue API connection idle; closed"),
            }
        }
        None => {
            let conn = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(app),
            );
            tokio::select! {
                result = conn => if let Err(e) = result {
                    tracing::debug!(%peer, "queue API connection ended: {e}");
                },
                _ = idle => tracing::debug!(%peer, "queue API connection idle; closed"),
            }
        }
    }
}

/// Ends once nothing was read or written for `idle`.
async fn idle_watch(activity: Arc<AtomicU64>, started: Instant, idle: Duration) {
    let idle_ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX).max(1);
    loop {
        let last = activity.load(Ordering::Relaxed);
        let now = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let quiet = now.saturating_sub(last);
        if quiet >= idle_ms {
            return;
        }
        tokio::time::sleep(Duration::from_millis(idle_ms - quiet)).await;
    }
}

/// A stream that notes when it last moved bytes.
struct Watched {
    inner: TcpStream,
    activity: Arc<AtomicU64>,
    started: Instant,
}

impl Watched {
    fn moved(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.activity.store(now, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.moved();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.moved();
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
