//! `legal-kiosk enroll | status | sync`: the terminal's link to the operations centre, for
//! installers over SSH.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use provisioning::client::{Enrolment, enrol};
use provisioning::identity::DeviceIdentity;

use crate::config::Config;
use crate::store::Store;
use crate::sync::{KioskHealth, SyncPaths, build_client, client_config};

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// The registry, e.g. https://registry.example:8443 (default: registry.url).
    #[arg(long)]
    registry: Option<String>,
    /// The one-time enrolment code from the operations centre.
    #[arg(long)]
    code: String,
    /// The registry's CA certificate (PEM), if the configuration names none; kept in the
    /// data folder.
    #[arg(long, value_name = "PEM")]
    ca: Option<PathBuf>,
    /// A signing key of the operations centre (base64), if the configuration names none;
    /// repeat for a second key during a rotation.
    #[arg(long = "pinned-key", value_name = "BASE64")]
    pinned_keys: Vec<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Poll once (heartbeat, bundles, commands), deliver the outbox, and exit.
    #[arg(long)]
    once: bool,
    /// The installer confirms the registry's clock: a difference from this terminal's clock
    /// over 24 h (no real-time clock, no NTP) is used from now on. Check the time first.
    #[arg(long)]
    accept_registry_clock: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start an async runtime")
}

pub fn enroll(config_path: Option<&Path>, args: &EnrollArgs) -> Result<()> {
    let config = Config::load(config_path)?;
    let data_dir = config.data_dir();
    let paths = SyncPaths::in_data_dir(&data_dir);
    let Some(url) = args.registry.clone().or(config.registry.url.clone()) else {
        bail!("give the registry with --registry URL (or set registry.url)");
    };
    if let Some(dir) = paths.enrolment.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if let Some(ca) = &args.ca {
        std::fs::copy(ca, &paths.ca_certificate)
            .with_context(|| format!("cannot read the CA certificate {}", ca.display()))?;
    }
    if !args.pinned_keys.is_empty() {
        std::fs::write(&paths.pinned_keys, args.pinned_keys.join("\n") + "\n")
            .with_context(|| format!("cannot write {}", paths.pinned_keys.display()))?;
    }
    let client = client_config(&config, &paths, &url)?;
    let identity = DeviceIdentity::load_or_create(&paths.device_key).with_context(|| {
        format!(
            "cannot read or create the device key {}",
            paths.device_key.display()
        )
    })?;
    let enrolment = runtime()?
        .block_on(enrol(
            &client,
            &identity,
            &args.code,
            &crate::sync::hardware_serial(),
        ))
        .map_err(|e| anyhow::anyhow!("enrolment refused: {e}"))?;
    enrolment
        .save(&paths.enrolment)
        .with_context(|| format!("cannot save {}", paths.enrolment.display()))?;
    println!(
        "enrolled as {} on platform {} (region {}) with {}",
        enrolment.device_id, enrolment.platform_id, enrolment.region, enrolment.registry_url
    );
    Ok(())
}

pub fn status(config_path: Option<&Path>, args: &StatusArgs) -> Result<()> {
    let config = Config::load(config_path)?;
    let data_dir = config.data_dir();
    let paths = SyncPaths::in_data_dir(&data_dir);
    let enrolment: Option<Enrolment> = Enrolment::load(&paths.enrolment)
        .with_context(|| format!("cannot read {}", paths.enrolment.display()))?;
    let mut store = Store::open(&Store::path_in(&data_dir))?;
    let conn = store.conn();
    let depth = crate::store::outbox::depth(conn)?;
    let versions: Vec<(String, i64)> = conn
        .prepare("SELECT stream, version FROM bundles ORDER BY stream")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let sync: serde_json::Value = std::fs::read_to_string(&paths.status)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    if args.json {
        let v = serde_json::json!({
            "device_id": enrolment.as_ref().map(|e| &e.device_id),
            "platform_id": enrolment.as_ref().map(|e| &e.platform_id),
            "registry": enrolment.as_ref().map(|e| &e.registry_url),
            "enrolled": enrolment.is_some(),
            "last_contact": sync.get("last_contact"),
            "last_error": sync.get("last_error"),
            "outbox_depth": depth,
            "bundles": versions.iter().map(|(s, v)| (s.clone(), *v)).collect::<std::collections::BTreeMap<_, _>>(),
            "version": env!("CARGO_PKG_VERSION"),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!("legal-kiosk {}", env!("CARGO_PKG_VERSION"));
    match &enrolment {
        Some(e) => {
            println!("device       {}", e.device_id);
            println!("platform     {} (region {})", e.platform_id, e.region);
            println!("registry     {}", e.registry_url);
        }
        None => {
            println!("registry     not enrolled (legal-kiosk enroll --registry URL --code CODE)")
        }
    }
    let contact = sync
        .get("last_contact")
        .and_then(|v| v.as_str())
        .unwrap_or("never");
    println!("last contact {contact}");
    if let Some(err) = sync.get("last_error").and_then(|v| v.as_str()) {
        println!("last error   {err}");
    }
    println!("outbox       {depth} event(s) waiting");
    if versions.is_empty() {
        println!("bundles      none (built-in catalogue, version 0)");
    }
    for (stream, version) in versions {
        println!("bundle       {stream} version {version}");
    }
    Ok(())
}

pub fn sync(config_path: Option<&Path>, args: &SyncArgs) -> Result<()> {
    if !args.once {
        bail!("the kiosk syncs by itself while it runs; use --once to sync now from here");
    }
    let config = Config::load(config_path)?;
    let data_dir = config.data_dir();
    // Commands need the running kiosk: from here they stay open, unacknowledged, and the
    // kiosk gets them at its next poll. The heartbeat says whether the terminal is out of
    // service (as stored) and an uptime of 0: no kiosk runs in this process.
    let client = build_client(&config, &data_dir, KioskHealth::default(), |_| {}, None)?;
    let Some(client) = client else {
        bail!("not enrolled: legal-kiosk enroll --registry URL --code CODE");
    };
    let rt = runtime()?;
    if args.accept_registry_clock {
        let offset = rt
            .block_on(client.http().fetch_date_offset())
            .map_err(|e| anyhow::anyhow!("cannot read the registry's clock: {e}"))?;
        let path = SyncPaths::in_data_dir(&data_dir).clock_confirmation;
        provisioning::client::clock::ClockConfirmation::save(&path, offset)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!(
            "the registry's clock is {} this terminal's: confirmed",
            provisioning::client::clock::describe(offset)
        );
    }
    let poll = rt
        .block_on(client.poll_once())
        .map_err(|e| anyhow::anyhow!("poll failed: {e}"))?;
    for id in &poll.left_open {
        println!(
            "command {id}: left for the kiosk, which carries it out at its next poll once it runs"
        );
    }
    for b in &poll.bundles {
        match &b.outcome {
            Ok(()) => println!("bundle {} version {}: in force", b.stream, b.version),
            Err(e) => println!("bundle {} version {}: refused ({e})", b.stream, b.version),
        }
    }
    let delivered = rt
        .block_on(client.deliver_outbox())
        .map_err(|e| anyhow::anyhow!("outbox delivery failed: {e}"))?;
    println!(
        "delivered {} event(s) in {} batch(es); next poll in {} s",
        delivered.acknowledged,
        delivered.batches,
        poll.next_poll.as_secs()
    );
    Ok(())
}
