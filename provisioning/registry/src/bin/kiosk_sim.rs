//! `kiosk-sim`: a simulated terminal running the real sync client over a SQLite outbox. For
//! pilots (check a registry end to end before any real terminal), the crash tests and the
//! benchmarks.

use anyhow::{Context as _, Result, anyhow};
use clap::{Args, Parser, Subcommand};
use provisioning::client::{ClientConfig, Enrolment, HealthSnapshot, Stores, SyncClient};
use provisioning::identity::DeviceIdentity;
use provisioning::protocol::{DeviceState, PaperLevel};
use provisioning::sqlite_store::SqliteStore;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// A simulated legal-kiosk terminal.
#[derive(Parser, Debug)]
#[command(name = "kiosk-sim", version, about)]
struct Cli {
    #[command(flatten)]
    terminal: TerminalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
struct TerminalArgs {
    /// Folder with the terminal's key, enrolment and SQLite store (created if missing).
    #[arg(long, global = true, default_value = "kiosk-sim-data")]
    data: PathBuf,
    /// Registry URL (https://…); required for enrol, stored at enrolment.
    #[arg(long, global = true)]
    registry: Option<String>,
    /// The registry's CA certificate (PEM).
    #[arg(long, global = true)]
    ca: Option<PathBuf>,
    /// Pinned signing public keys (base64), once or twice.
    #[arg(long = "pin", global = true)]
    pins: Vec<String>,
    /// Keys trusted for commands only (the registry's command key), once or twice.
    #[arg(long = "command-pin", global = true)]
    command_pins: Vec<String>,
    /// Events per delivery batch.
    #[arg(long, global = true, default_value_t = 200)]
    batch: usize,
    /// The firmware version this terminal says it runs (a Debian version, for rollouts).
    #[arg(long, global = true)]
    app_version: Option<String>,
    /// Paper level reported in heartbeats: ok, near_end, out, unknown.
    #[arg(long, global = true, default_value = "unknown", value_parser = wire_name::<PaperLevel>)]
    paper: PaperLevel,
    /// Printer state reported: ok, fault, disconnected, unknown.
    #[arg(long, global = true, default_value = "unknown", value_parser = wire_name::<DeviceState>)]
    printer: DeviceState,
    /// ID-card reader state reported: ok, fault, disconnected, unknown.
    #[arg(long, global = true, default_value = "unknown", value_parser = wire_name::<DeviceState>)]
    reader: DeviceState,
}

/// A value by its name on the wire (`near_end`, `fault`, …).
fn wire_name<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("{s:?} is not one of the names the heartbeat uses"))
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Enrol with a one-time code.
    Enrol {
        /// The code.
        #[arg(long)]
        code: String,
        /// Board serial to report.
        #[arg(long, default_value = "SIM-0001")]
        serial: String,
    },
    /// Write synthetic ticket events to the outbox (no network).
    Enqueue {
        /// How many.
        #[arg(long, default_value_t = 1)]
        count: usize,
        /// Service id in the payload.
        #[arg(long, default_value = "mediation")]
        service: String,
    },
    /// Deliver the outbox until it is empty (retrying with backoff), print a JSON report.
    Deliver {
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 600)]
        timeout: u64,
    },
    /// One poll (heartbeat, bundles, commands) and one delivery; print a JSON report.
    SyncOnce {
        /// Pause after each bundle file written (crash tests).
        #[arg(long, default_value_t = 0)]
        apply_pause_ms: u64,
    },
    /// Run the sync loop for a while.
    Run {
        /// Seconds to run.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Print the terminal's state as JSON.
    Status,
    /// One poll whose heartbeat reports where this terminal is with a release; prints the
    /// update offered, if any, as JSON (`{"offer": {"version", "rollout_id"}}`).
    ReportUpdate {
        /// The release's version (none: report nothing, only ask).
        #[arg(long, requires = "state")]
        version: Option<String>,
        /// offered, downloading, downloaded, postponed, installing, installed, healthy,
        /// failed, rolled_back.
        #[arg(long)]
        state: Option<String>,
        /// Why (failed, rolled_back).
        #[arg(long)]
        detail: Option<String>,
    },
    /// The installer's confirmation of the registry's clock: measure how far it is from this
    /// terminal's and, with --yes, keep that difference as confirmed (needed above 24 h).
    ConfirmClock {
        /// Keep the difference (without it, only print it).
        #[arg(long)]
        yes: bool,
    },
}

fn main() -> ExitCode {
    kiosk_registry::cli::init_tracing("warn");
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk-sim: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let t = &cli.terminal;
    std::fs::create_dir_all(&t.data)
        .with_context(|| format!("cannot create {}", t.data.display()))?;
    let identity = Arc::new(DeviceIdentity::load_or_create(&t.data.join("device.key"))?);
    let store = Arc::new(SqliteStore::open(&t.data.join("kiosk.db"))?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match &cli.command {
        Command::Enqueue { count, service } => {
            let day = chrono::Local::now().format("%Y-%m-%d").to_string();
            let start = store.depth_hint();
            let events: Vec<_> = (0..*count)
                .map(|i| {
                    let payload = serde_json::json!({
                        "service_id": service, "number": format!("A{:03}", (start + i as u64) % 1000),
                        "service_day": day, "issued_at": chrono::Local::now().to_rfc3339(),
                    });
                    ("ticket.issued".to_string(), payload)
                })
                .collect();
            store.enqueue_many(&events)?;
            println!("{}", serde_json::json!({ "enqueued": count }));
            Ok(())
        }
        Command::Status => {
            let enrolment = Enrolment::load(&t.data.join("enrolment.json"))?;
            use provisioning::client::{BundleStore as _, OutboxStore as _};
            println!(
                "{}",
                serde_json::json!({
                    "public_key": identity.public_key_base64(),
                    "enrolment": enrolment,
                    "outbox_depth": store.depth()?,
                    "bundles": store.current_versions()?,
                    "lock": store.state("lock")?,
                    "notice": store.state("notice")?,
                })
            );
            Ok(())
        }
        Command::Enrol { code, serial } => {
            let config = config(t, t.registry.as_deref())?;
            let enrolment = runtime.block_on(provisioning::client::enrol(
                &config, &identity, code, serial,
            ))?;
            enrolment.save(&t.data.join("enrolment.json"))?;
            println!("{}", serde_json::to_string(&enrolment)?);
            Ok(())
        }
        Command::Deliver { timeout } => {
            let client = client(t, identity, store)?;
            runtime.block_on(deliver_until_empty(&client, Duration::from_secs(*timeout)))
        }
        Command::SyncOnce { apply_pause_ms } => {
            store.set_apply_pause(Duration::from_millis(*apply_pause_ms));
            let client = client(t, identity, store)?;
            runtime.block_on(async {
                let report = client.poll_once().await?;
                let delivered = client.deliver_outbox().await?;
                let bundles: Vec<_> = report
                    .bundles
                    .iter()
                    .map(|b| serde_json::json!({ "stream": b.stream, "version": b.version, "error": b.outcome.as_ref().err().map(|e| e.to_string()) }))
                    .collect();
                let commands: Vec<_> = report.commands.iter().map(|(id, s)| serde_json::json!({ "command_id": id, "state": s })).collect();
                println!("{}", serde_json::json!({ "bundles": bundles, "commands": commands, "delivered": delivered.acknowledged }));
                Ok(())
            })
        }
        Command::ReportUpdate {
            version,
            state,
            detail,
        } => {
            let update = match (version, state) {
                (Some(version), Some(state)) => Some(provisioning::protocol::UpdateReport {
                    version: version.clone(),
                    state: serde_json::from_value(serde_json::json!(state))
                        .map_err(|_| anyhow!("unknown update state {state:?}"))?,
                    detail: detail.clone(),
                }),
                _ => None,
            };
            let client = client(t, identity, store.clone())?;
            // After `client`, which reports the devices' state: this report adds the update.
            store.set_health(provisioning::client::HealthSnapshot {
                update,
                printer: t.printer,
                paper: t.paper,
                reader: t.reader,
                ..Default::default()
            });
            let report = runtime.block_on(client.poll_once())?;
            let offer = report.update.map(|u| {
                let version = provisioning::release::verify::parse_manifest(&u.release.manifest)
                    .map(|m| m.version)
                    .unwrap_or_default();
                serde_json::json!({ "version": version, "rollout_id": u.rollout_id, "max_bytes_per_s": u.max_bytes_per_s })
            });
            println!("{}", serde_json::json!({ "offer": offer }));
            Ok(())
        }
        Command::ConfirmClock { yes } => {
            let enrolment = Enrolment::load(&t.data.join("enrolment.json"))?;
            let registry = t.registry.clone().or(enrolment.map(|e| e.registry_url));
            let config = config(t, registry.as_deref())?;
            let offset = runtime.block_on(provisioning::client::clock::measure(&config))?;
            let described = provisioning::client::clock::describe(offset);
            if *yes {
                provisioning::client::clock::ClockConfirmation::save(&clock_file(t), offset)?;
                println!("the registry's clock is {described} this terminal's: confirmed");
            } else {
                println!("the registry's clock is {described} this terminal's (not confirmed)");
            }
            Ok(())
        }
        Command::Run { seconds } => {
            let client = Arc::new(client(t, identity, store)?);
            runtime.block_on(async {
                let handle = client.spawn();
                tokio::time::sleep(Duration::from_secs(*seconds)).await;
                handle.stop();
                println!("{:?}", handle.status());
                Ok(())
            })
        }
    }
}

trait DepthHint {
    fn depth_hint(&self) -> u64;
}

impl DepthHint for SqliteStore {
    fn depth_hint(&self) -> u64 {
        use provisioning::client::OutboxStore as _;
        self.depth().unwrap_or(0)
    }
}

async fn deliver_until_empty(client: &SyncClient, timeout: Duration) -> Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut backoff =
        provisioning::client::Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
    let mut total = 0;
    loop {
        match client.deliver_outbox().await {
            Ok(report) => {
                total += report.acknowledged;
                println!("{}", serde_json::json!({ "delivered": total }));
                return Ok(());
            }
            Err(e) if e.is_transient() && tokio::time::Instant::now() < deadline => {
                let wait = backoff.next_delay(e.retry_after());
                eprintln!("kiosk-sim: {e}; retrying in {wait:?}");
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn config(t: &TerminalArgs, registry: Option<&str>) -> Result<ClientConfig> {
    let registry = registry.ok_or_else(|| anyhow!("--registry is required"))?;
    let ca = t.ca.as_deref().ok_or_else(|| anyhow!("--ca is required"))?;
    let default_version = concat!("kiosk-sim ", env!("CARGO_PKG_VERSION"));
    let mut config = ClientConfig::new(
        registry,
        ca,
        t.pins.clone(),
        t.app_version.as_deref().unwrap_or(default_version),
    );
    config.outbox_batch_size = t.batch;
    config.command_keys = t.command_pins.clone();
    config.clock_confirmation = Some(clock_file(t));
    Ok(config)
}

/// The installer's confirmation of a large clock difference.
fn clock_file(t: &TerminalArgs) -> PathBuf {
    t.data.join("clock-confirmation.json")
}

fn client(
    t: &TerminalArgs,
    identity: Arc<DeviceIdentity>,
    store: Arc<SqliteStore>,
) -> Result<SyncClient> {
    let enrolment = Enrolment::load(&t.data.join("enrolment.json"))?
        .ok_or_else(|| anyhow!("not enrolled: run `kiosk-sim enrol` first"))?;
    if t.pins.is_empty() {
        return Err(anyhow!(
            "--pin is required (the registry's signing public key)"
        ));
    }
    let config = config(
        t,
        Some(t.registry.as_deref().unwrap_or(&enrolment.registry_url)),
    )?;
    // The devices' state as the options say (the lock comes from the store's commands).
    store.set_health(HealthSnapshot {
        printer: t.printer,
        paper: t.paper,
        reader: t.reader,
        ..HealthSnapshot::default()
    });
    let stores = Stores {
        outbox: store.clone(),
        bundles: store.clone(),
        commands: store.clone(),
        health: store,
    };
    Ok(SyncClient::new(config, identity, enrolment, stores)?)
}
