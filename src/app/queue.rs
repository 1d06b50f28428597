//! The queue in the assembled kiosk: its shared state, on a client terminal the link to the
//! host's queue, and — unless this terminal is a client of another's queue — the local API
//! for counters and the hall display. The queue's movements go out on the event bus.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::runtime::Handle;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::maintenance::Authenticator;
use crate::domain::queue::Catalogue;
use crate::events::Events;
use crate::queue_api::{HostLink, QueueServer};
use crate::services::QueueShared;
use crate::store::Store;
use crate::store::worker::Worker;

/// The queue as this terminal sees it: its shared state and, on a client terminal, the
/// link to its host (not following yet).
pub struct OpenedQueue {
    pub shared: Arc<QueueShared>,
    pub host: Option<Arc<HostLink>>,
}

/// Opens the queue: its reading connection, the catalogue and policy in force, and on a
/// client terminal the link to the host's queue. The kiosk and `legal-kiosk ticket` share
/// it, so both issue the same way.
pub fn open_queue(
    config: &Config,
    data_dir: &Path,
    worker: &Worker,
    catalogue: &Arc<Catalogue>,
    clock: &Arc<dyn Clock>,
    events: &Events,
    runtime: &Handle,
) -> Result<OpenedQueue> {
    let reader = QueueShared::open_reader(&Store::path_in(data_dir))
        .context("cannot open the queue's reading connection")?;
    let shared = QueueShared::new(
        worker.clone(),
        reader,
        clock.clone(),
        events.clone(),
        config.kiosk.centre_name.clone(),
        config.kiosk.ticket_url_base.clone(),
        config.queue.clients.reserved(),
        config.queue.policy.clone(),
        catalogue.clone(),
    );
    let host = match &config.queue.host {
        Some(host) => {
            let link = HostLink::start(host, events.clone(), runtime.clone())
                .context("cannot start the link to the queue host")?;
            tracing::info!(host = %host.url, "issuing tickets through the queue host");
            Some(link)
        }
        None => None,
    };
    Ok(OpenedQueue { shared, host })
}

/// The local API for counters and the hall display, unless this terminal is a client of
/// another's queue or it is switched off.
/// Beyond this machine it speaks HTTPS: with the installer's certificate, or one the
/// terminal makes in its data folder on first start.
pub(super) fn serve_queue(
    config: &Config,
    data_dir: &Path,
    worker: &Worker,
    clock: &Arc<dyn Clock>,
    queue: &OpenedQueue,
    runtime: &Handle,
) -> Result<Option<QueueServer>> {
    if queue.host.is_some() || !config.queue.server.enabled {
        return Ok(None);
    }
    let lockout = config.maintenance.lockout();
    let login = Authenticator::spawn(worker.clone(), clock.clone(), lockout)
        .context("cannot start the counter login thread")?;
    let mut server = config.queue.server.clone();
    if !server.plain_http() && server.tls_cert.is_none() && server.tls_key.is_none() {
        let (cert, key) = crate::queue_api::tls::default_paths(data_dir);
        if let Err(e) = crate::queue_api::tls::ensure_self_signed(
            &cert,
            &key,
            server.listen,
            &server.host_names,
        ) {
            tracing::error!("the counter and hall pages are not available: {e}");
            return Ok(None);
        }
        server.tls_cert = Some(cert);
        server.tls_key = Some(key);
    }
    let clients = &config.queue.clients;
    match crate::queue_api::start(
        queue.shared.clone(),
        &server,
        clients,
        login,
        lockout,
        runtime,
    ) {
        Ok(server) => Ok(Some(server)),
        Err(e) => {
            // Counters cannot call, but citizens still get numbers: say so loudly.
            tracing::error!("the counter and hall pages are not available: {e}");
            Ok(None)
        }
    }
}
