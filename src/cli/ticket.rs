//! `legal-kiosk ticket`: issues queue tickets without the touchscreen, e.g. for a citizen
//! staff serve by telephone, or to load-test a terminal. Same store, same outbox events.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::queue::{Catalogue, issue_ticket};
use crate::store::Store;

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
    let catalogue = Catalogue::built_in();
    if catalogue.get(&args.service).is_none() {
        let known: Vec<&str> = catalogue.services().iter().map(|s| s.id.as_str()).collect();
        anyhow::bail!(
            "unknown service {:?}; known services: {}",
            args.service,
            known.join(", ")
        );
    }
    let mut store = Store::open(&Store::path_in(&config.data_dir()))?;
    let mut out = std::io::stdout().lock();
    for _ in 0..args.count {
        let t = issue_ticket(
            store.conn(),
            &catalogue,
            &args.service,
            SystemClock.now(),
            None,
        )?;
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
