//! `legal-kiosk ticket`: issues queue tickets without the touchscreen, e.g. for a citizen
//! staff serve by telephone, or to load-test a terminal. The touchscreen's path: the same
//! ticket service, policy in force, numbering and outbox events (through the queue host on
//! a client terminal).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use clap::Args;

use crate::app::open_queue;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::queue::catalogue::catalogue_in_force;
use crate::events::Events;
use crate::net::Network;
use crate::services::tickets::QueueHost;
use crate::services::{TicketError, TicketRequest, TicketService, wait};
use crate::store::Store;
use crate::store::worker::Worker;

#[derive(Debug, Args)]
pub struct TicketArgs {
    /// Service id, e.g. legal-aid (see content/catalogue/services.toml).
    #[arg(long)]
    service: String,
    /// How many tickets to issue one after another.
    #[arg(long, default_value_t = 1)]
    count: u32,
    /// Print JSON lines instead of plain text.
    #[arg(long)]
    json: bool,
}

pub fn ticket(config: Option<&Path>, args: &TicketArgs) -> Result<()> {
    let config = Config::load(config)?;
    let data_dir = config.data_dir();
    let store = Store::open(&Store::path_in(&data_dir))?;
    let worker = Worker::spawn(store).context("cannot start the store thread")?;
    let catalogue = Arc::new(
        worker
            .call(|s| catalogue_in_force(s.conn()))
            .context("the store thread stopped")?,
    );
    if catalogue.get(&args.service).is_none() {
        let known: Vec<&str> = catalogue.services().iter().map(|s| s.id.as_str()).collect();
        anyhow::bail!(
            "unknown service {:?}; known services: {}",
            args.service,
            known.join(", ")
        );
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // A client terminal asks its host over the network.
    let network = Network::start().context("cannot start the network runtime")?;
    let queue = open_queue(
        &config,
        &data_dir,
        &worker,
        &catalogue,
        &clock,
        &Events::new(),
        &network.handle(),
    )?;
    let host = queue.host.map(|link| link as Arc<dyn QueueHost>);
    let tickets = TicketService::new(queue.shared, host, None, config.kiosk.centre_name.clone());
    let mut out = std::io::stdout().lock();
    for _ in 0..args.count {
        let request = TicketRequest::new(args.service.clone());
        let t = wait(|reply| tickets.issue(request, reply))
            .ok_or_else(|| anyhow!("the store thread stopped"))?
            .map_err(|e| match e {
                TicketError::HostUnreachable => anyhow!("{e}: no ticket issued"),
                other => anyhow!("cannot issue a ticket: {other}"),
            })?;
        // Printed only after the commit: a number shown is a number kept.
        if args.json {
            let line = serde_json::json!({
                "number": t.number,
                "service_id": t.service_id,
                "people_ahead": t.people_ahead,
                "service_day": t.service_day.to_string(),
                "issued_at": t.issued_at.to_rfc3339(),
            });
            writeln!(out, "{line}")?;
        } else {
            writeln!(
                out,
                "{}  {}  前面还有 {} 人",
                t.number, t.service_id, t.people_ahead
            )?;
        }
        out.flush().context("cannot write to standard output")?;
    }
    Ok(())
}
