//! Command line: `serve`, and the ops staff's admin commands on the same database file.

use crate::admin::{self, duration};
use crate::config::ServeConfig;
use crate::store::{Store, bundles, commands, enrolment, events, platforms, terminals};
use anyhow::{Context as _, Result, anyhow};
use clap::{Args, Parser, Subcommand};
use provisioning::command::CommandAction;
use provisioning::scope::Scope;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Reference registry of the legal-kiosk operations centre.
#[derive(Parser, Debug)]
#[command(name = "kiosk-registry", version, about, long_about = None)]
pub struct Cli {
    /// The registry's SQLite file (created on first use).
    #[arg(
        long,
        global = true,
        env = "KIOSK_REGISTRY_DB",
        default_value = "registry.db"
    )]
    pub db: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTPS server terminals talk to.
    Serve(ServeArgs),
    /// Certificates for a pilot: a self-signed CA and a server certificate.
    #[command(subcommand)]
    Tls(TlsCommand),
    /// Signing keys for bundles and commands.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Platforms (service centres).
    #[command(subcommand)]
    Platform(PlatformCommand),
    /// One-time enrolment codes.
    #[command(subcommand)]
    Code(CodeCommand),
    /// Signed bundles.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Terminals and their health.
    #[command(subcommand)]
    Terminal(TerminalCommand),
    /// Commands to terminals.
    #[command(subcommand)]
    Command(CommandCommand),
    /// Received events.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Statistics over received events.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Lawyers' logins for the video-call console.
    #[command(subcommand)]
    Lawyer(LawyerCommand),
    /// Video-call settings: STUN/TURN servers and the transport policy.
    #[command(subcommand)]
    Video(VideoCommand),
}

/// `lawyer` subcommands.
#[derive(Subcommand, Debug)]
pub enum LawyerCommand {
    /// Create a lawyer's login (or replace its name, regions and password). The password is
    /// read from standard input (one line, at least 10 characters) and stored as an Argon2id
    /// hash.
    Add {
        /// Login name (letters, digits, '-', '_', '.').
        #[arg(long)]
        username: String,
        /// Name shown on the console, e.g. 王律师.
        #[arg(long)]
        name: String,
        /// Region served (repeatable); 330000 covers every district of the province.
        #[arg(long = "region", required = true)]
        regions: Vec<String>,
    },
    /// List lawyers' logins.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Disable a login.
    Disable {
        /// Login name.
        username: String,
    },
}

/// Transport policies for `video policy`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum PolicyName {
    /// Direct and relayed paths.
    All,
    /// Only TURN relays.
    Relay,
}

/// `video` subcommands.
#[derive(Subcommand, Debug)]
pub enum VideoCommand {
    /// Add a STUN or TURN server handed to terminals and consoles (e.g. the centre's coturn).
    IceAdd {
        /// stun:host:port, turn:host:port[?transport=tcp] or turns:host:port.
        #[arg(long)]
        url: String,
        /// TURN user name.
        #[arg(long, default_value = "")]
        username: String,
        /// TURN password.
        #[arg(long, default_value = "")]
        credential: String,
    },
    /// Remove a STUN or TURN server.
    IceRemove {
        /// Its URL.
        #[arg(long)]
        url: String,
    },
    /// Only relayed (TURN) paths, or all paths.
    Policy {
        /// all or relay.
        #[arg(value_enum)]
        policy: PolicyName,
    },
    /// Show the ICE settings terminals and consoles receive.
    Show {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `serve` options.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// Server certificate chain (PEM), e.g. from `tls init`.
    #[arg(long)]
    pub cert: PathBuf,
    /// Server private key (PEM).
    #[arg(long)]
    pub key: PathBuf,
    /// Poll interval suggested to terminals, in seconds.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(5..=86_400))]
    pub poll_interval: u32,
    /// Missed polls after which a terminal is shown as overdue.
    #[arg(long, default_value_t = 3)]
    pub overdue_after_polls: u32,
    /// Seconds a request may take to arrive and be answered; slower clients get 408.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_timeout: u64,
    /// Event batches written at the same time; more are told to retry later (429). 0 pauses
    /// event intake (e.g. during database maintenance): terminals keep their outbox.
    #[arg(long, default_value_t = 16)]
    pub max_concurrent_ingest: usize,
}

/// `tls` subcommands.
#[derive(Subcommand, Debug)]
pub enum TlsCommand {
    /// Create ca.pem, ca.key, server.pem and server.key in a folder.
    Init {
        /// Folder for the four files (must not hold them yet).
        #[arg(long)]
        dir: PathBuf,
        /// Host names and IP addresses the terminals use to reach the server.
        #[arg(long = "name", required = true)]
        names: Vec<String>,
    },
}

/// `keys` subcommands.
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a signing key: private key file (0600) and register its public key.
    Create {
        /// A name for the key, e.g. `ops-2026`.
        #[arg(long)]
        name: String,
        /// Where to write the private key (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Register the public key of a signing key made elsewhere.
    Register {
        /// A name for the key.
        #[arg(long)]
        name: String,
        /// Base64 public key.
        #[arg(long)]
        public_key: String,
    },
    /// List registered keys (their public halves, to pin on terminals).
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `platform` subcommands.
#[derive(Subcommand, Debug)]
pub enum PlatformCommand {
    /// Add a platform or update it.
    Add {
        /// Platform id.
        #[arg(long)]
        id: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// Region (six-digit administrative division code).
        #[arg(long)]
        region: String,
        /// Street address.
        #[arg(long, default_value = "")]
        address: String,
    },
    /// List platforms.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Remove a platform without terminals.
    Remove {
        /// Platform id.
        id: String,
    },
}

/// `code` subcommands.
#[derive(Subcommand, Debug)]
pub enum CodeCommand {
    /// Create a one-time enrolment code bound to a platform.
    Create {
        /// Platform the terminal will belong to.
        #[arg(long)]
        platform: String,
        /// How long the code stays valid (e.g. 30m, 24h).
        #[arg(long, default_value = "24h")]
        valid_for: String,
    },
}

/// `bundle` subcommands.
#[derive(Subcommand, Debug)]
pub enum BundleCommand {
    /// Sign every file under a folder as a bundle and publish it.
    Publish {
        /// Stream, e.g. catalogue, settings, legal-aid-rules, institutions.
        #[arg(long)]
        stream: String,
        /// Version, above every earlier one of the stream.
        #[arg(long)]
        version: u64,
        /// Folder with the files.
        #[arg(long)]
        dir: PathBuf,
        /// Private signing key file.
        #[arg(long)]
        key: PathBuf,
        /// Target: all, region:CODE, platform:ID or terminal:ID.
        #[arg(long, default_value = "all")]
        scope: String,
        /// How long terminals accept it (e.g. 90d).
        #[arg(long, default_value = "90d")]
        valid_for: String,
    },
    /// List published bundles.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `terminal` subcommands.
#[derive(Subcommand, Debug)]
pub enum TerminalCommand {
    /// List terminals with their health.
    List {
        /// Only one platform.
        #[arg(long)]
        platform: Option<String>,
        /// Poll interval used to judge "overdue", seconds.
        #[arg(long, default_value_t = 30)]
        poll_interval: u32,
        /// Missed polls after which a terminal is overdue.
        #[arg(long, default_value_t = 3)]
        overdue_after_polls: u32,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a terminal: its requests are refused and its key cannot enrol again.
    Revoke {
        /// Device id.
        device_id: String,
    },
}

/// Actions of `command send`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ActionName {
    /// Out of service with a notice (`--text`).
    Lock,
    /// Back in service.
    Unlock,
    /// Show a notice (`--text`) on the home screen.
    Notice,
    /// Reload content (`--stream` for one stream).
    Reload,
    /// Upload recent logs.
    UploadLogs,
    /// Restart the kiosk application.
    Restart,
}

/// `command` subcommands.
#[derive(Subcommand, Debug)]
pub enum CommandCommand {
    /// Sign and queue a command for a terminal.
    Send {
        /// Device id.
        #[arg(long)]
        terminal: String,
        /// What to do.
        #[arg(long, value_enum)]
        action: ActionName,
        /// Notice text for lock and notice.
        #[arg(long)]
        text: Option<String>,
        /// Stream for reload.
        #[arg(long)]
        stream: Option<String>,
        /// Private signing key file.
        #[arg(long)]
        key: PathBuf,
        /// How long the terminal may still carry it out.
        #[arg(long, default_value = "1h")]
        valid_for: String,
    },
    /// List commands and their acknowledgement states.
    List {
        /// Only one terminal.
        #[arg(long)]
        terminal: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Print the logs uploaded for an upload-logs command.
    Logs {
        /// Command id.
        command_id: String,
    },
}

/// `events` subcommands.
#[derive(Subcommand, Debug)]
pub enum EventsCommand {
    /// Export events as CSV.
    Export {
        /// Only this kind (e.g. ticket.issued).
        #[arg(long)]
        kind: Option<String>,
        /// Only this platform.
        #[arg(long)]
        platform: Option<String>,
        /// Only this terminal.
        #[arg(long)]
        terminal: Option<String>,
        /// Received at or after (RFC 3339, e.g. 2026-11-01T00:00:00Z).
        #[arg(long)]
        since: Option<String>,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `stats` subcommands.
#[derive(Subcommand, Debug)]
pub enum StatsCommand {
    /// Tickets per service per day per platform (from ticket.issued events).
    Tickets {
        /// First service day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Last service day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        /// Only this platform.
        #[arg(long)]
        platform: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// Entry point: runs the command line, prints errors plainly, exits 1 on failure.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk-registry: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn open(db: &std::path::Path) -> Result<Store> {
    Store::open(db).with_context(|| format!("cannot open the database {}", db.display()))
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let now = chrono::Utc::now();
    match cli.command {
        Command::Serve(args) => serve(cli.db, args),
        Command::Tls(TlsCommand::Init { dir, names }) => {
            let files = crate::tls::init_pki(&dir, &names)?;
            println!(
                "CA certificate (copy to every terminal): {}",
                files.ca_cert.display()
            );
            println!(
                "CA private key (keep offline):          {}",
                files.ca_key.display()
            );
            println!(
                "server certificate:                     {}",
                files.server_cert.display()
            );
            println!(
                "server private key:                     {}",
                files.server_key.display()
            );
            Ok(())
        }
        Command::Keys(KeysCommand::Create { name, out }) => {
            let public = admin::keys::create(&open(&cli.db)?, &name, &out)?;
            println!(
                "created {} ({name}); pin this public key on terminals:\n{public}",
                out.display()
            );
            Ok(())
        }
        Command::Keys(KeysCommand::Register { name, public_key }) => {
            admin::keys::register(&open(&cli.db)?, &name, &public_key)
        }
        Command::Keys(KeysCommand::List { json }) => {
            let keys = open(&cli.db)?.with(|c| bundles::keys(c))?;
            if json {
                let rows: Vec<_> = keys
                    .iter()
                    .map(|(n, k)| serde_json::json!({ "name": n, "public_key": k }))
                    .collect();
                return print_json(&rows);
            }
            keys.iter()
                .for_each(|(name, key)| println!("{name:<20} {key}"));
            Ok(())
        }
        Command::Platform(command) => platform(&open(&cli.db)?, command),
        Command::Code(CodeCommand::Create {
            platform,
            valid_for,
        }) => {
            let valid_for = duration::parse(&valid_for).map_err(|e| anyhow!(e))?;
            let code =
                open(&cli.db)?.with(|c| enrolment::create_code(c, &platform, now + valid_for))?;
            println!("{code}");
            eprintln!(
                "one-time code for platform {platform}, valid until {}",
                now + valid_for
            );
            Ok(())
        }
        Command::Bundle(BundleCommand::Publish {
            stream,
            version,
            dir,
            key,
            scope,
            valid_for,
        }) => {
            let scope = Scope::parse(&scope).ok_or_else(|| {
                anyhow!("scope must be all, region:CODE, platform:ID or terminal:ID")
            })?;
            let valid_for = duration::parse(&valid_for).map_err(|e| anyhow!(e))?;
            let payload = admin::bundles::payload_from_dir(&dir)?;
            let key = admin::keys::load(&key)?;
            let (manifest, _) = admin::bundles::publish(
                &open(&cli.db)?,
                &stream,
                version,
                scope,
                valid_for,
                &payload,
                &key,
            )?;
            println!(
                "published {} v{} for {} ({} files, {} bytes, expires {})",
                manifest.stream,
                manifest.version,
                manifest.scope.describe(),
                payload.files.len(),
                manifest.payload_size,
                manifest.expires_at
            );
            Ok(())
        }
        Command::Bundle(BundleCommand::List { json }) => {
            let rows = open(&cli.db)?.with(|c| bundles::list(c))?;
            if json {
                return print_json(&rows);
            }
            for b in rows {
                println!(
                    "{:<20} v{:<6} {:<24} {:>10} B  expires {}",
                    b.stream, b.version, b.scope, b.payload_size, b.expires_at
                );
            }
            Ok(())
        }
        Command::Terminal(TerminalCommand::List {
            platform,
            poll_interval,
            overdue_after_polls,
            json,
        }) => {
            let overdue = chrono::Duration::seconds(
                i64::from(poll_interval) * i64::from(overdue_after_polls),
            );
            let rows = open(&cli.db)?
                .with(|c| terminals::list_health(c, platform.as_deref(), now, overdue))?;
            if json {
                return print_json(&rows);
            }
            admin::report::terminals_text(&rows, &mut std::io::stdout().lock())?;
            Ok(())
        }
        Command::Terminal(TerminalCommand::Revoke { device_id }) => {
            open(&cli.db)?.with(|c| terminals::revoke(c, &device_id))?;
            println!("terminal {device_id} revoked");
            Ok(())
        }
        Command::Command(command) => command_cmd(&open(&cli.db)?, command),
        Command::Lawyer(command) => lawyer_cmd(&open(&cli.db)?, command),
        Command::Video(command) => video_cmd(&open(&cli.db)?, command),
        Command::Events(EventsCommand::Export {
            kind,
            platform,
            terminal,
            since,
            out,
        }) => {
            let filter = events::EventFilter {
                kind,
                platform,
                device: terminal,
                since,
            };
            let sink: Box<dyn std::io::Write> = match &out {
                Some(path) => Box::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                ),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut writer = admin::report::events_csv(sink);
            let n = open(&cli.db)?.with(|c| {
                events::export(c, &filter, |row| {
                    admin::report::write_event(&mut writer, &row)
                        .map_err(|e| crate::store::StoreError::Invalid(e.to_string()))
                })
            })?;
            writer.flush()?;
            eprintln!("{n} events exported");
            Ok(())
        }
        Command::Stats(StatsCommand::Tickets {
            from,
            to,
            platform,
            json,
        }) => {
            let rows = open(&cli.db)?.with(|c| {
                events::tickets_per_service_day(
                    c,
                    from.as_deref(),
                    to.as_deref(),
                    platform.as_deref(),
                )
            })?;
            if json {
                return print_json(&rows);
            }
            println!(
                "{:<16} {:<10} {:<24} {:>8}",
                "platform", "day", "service", "tickets"
            );
            for r in rows {
                println!(
                    "{:<16} {:<10} {:<24} {:>8}",
                    r.platform_id, r.service_day, r.service_id, r.tickets
                );
            }
            Ok(())
        }
    }
}

fn serve(db: PathBuf, args: ServeArgs) -> Result<()> {
    let mut config = ServeConfig::new(args.listen, db, args.cert, args.key);
    config.poll_interval_s = args.poll_interval;
    config.overdue_after_polls = args.overdue_after_polls;
    config.request_timeout = std::time::Duration::from_secs(args.request_timeout);
    config.max_concurrent_ingest = args.max_concurrent_ingest;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = crate::server::start(config).await?;
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        tracing::info!("stopping");
        server.stop().await;
        Ok(())
    })
}

fn platform(store: &Store, command: PlatformCommand) -> Result<()> {
    match command {
        PlatformCommand::Add {
            id,
            name,
            region,
            address,
        } => {
            store.with(|c| {
                platforms::upsert(
                    c,
                    &platforms::Platform {
                        id: id.clone(),
                        name,
                        region,
                        address,
                    },
                )
            })?;
            println!("platform {id} saved");
        }
        PlatformCommand::List { json } => {
            let rows = store.with(|c| platforms::list(c))?;
            if json {
                return print_json(&rows);
            }
            for p in rows {
                println!("{:<16} {:<8} {}  {}", p.id, p.region, p.name, p.address);
            }
        }
        PlatformCommand::Remove { id } => {
            store.with(|c| platforms::remove(c, &id))?;
            println!("platform {id} removed");
        }
    }
    Ok(())
}

fn lawyer_cmd(store: &Store, command: LawyerCommand) -> Result<()> {
    match command {
        LawyerCommand::Add {
            username,
            name,
            regions,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            admin::lawyers::add(store, &username, &name, &regions, password)?;
            println!("lawyer {username} saved (regions {})", regions.join(", "));
        }
        LawyerCommand::List { json } => {
            let rows = store.with(|c| crate::store::lawyers::list(c))?;
            if json {
                return print_json(&rows);
            }
            for l in rows {
                println!(
                    "{:<20} {:<10} {:<24} {}",
                    l.username,
                    l.status,
                    l.regions.join(","),
                    l.display_name
                );
            }
        }
        LawyerCommand::Disable { username } => {
            store.with(|c| crate::store::lawyers::disable(c, &username))?;
            println!("lawyer {username} disabled");
        }
    }
    Ok(())
}

fn video_cmd(store: &Store, command: VideoCommand) -> Result<()> {
    use crate::store::video;
    match command {
        VideoCommand::IceAdd {
            url,
            username,
            credential,
        } => {
            store.with(|c| video::add_ice_server(c, &url, &username, &credential))?;
            println!("ICE server {url} saved");
        }
        VideoCommand::IceRemove { url } => {
            store.with(|c| video::remove_ice_server(c, &url))?;
            println!("ICE server {url} removed");
        }
        VideoCommand::Policy { policy } => {
            let policy = match policy {
                PolicyName::All => provisioning::signalling::IceTransportPolicy::All,
                PolicyName::Relay => provisioning::signalling::IceTransportPolicy::Relay,
            };
            store.with(|c| video::set_policy(c, policy))?;
            println!("ICE transport policy saved");
        }
        VideoCommand::Show { json } => {
            let settings = store.with(|c| video::ice_settings(c))?;
            if json {
                return print_json(&settings);
            }
            println!("policy: {:?}", settings.ice_transport_policy);
            for s in settings.ice_servers {
                let who = if s.username.is_empty() {
                    String::new()
                } else {
                    format!(" (user {})", s.username)
                };
                println!("{}{who}", s.urls.join(" "));
            }
        }
    }
    Ok(())
}

fn command_cmd(store: &Store, command: CommandCommand) -> Result<()> {
    match command {
        CommandCommand::Send {
            terminal,
            action,
            text,
            stream,
            key,
            valid_for,
        } => {
            let need_text = || {
                text.clone()
                    .ok_or_else(|| anyhow!("--text is required for this action"))
            };
            let action = match action {
                ActionName::Lock => CommandAction::Lock {
                    notice: need_text()?,
                },
                ActionName::Unlock => CommandAction::Unlock,
                ActionName::Notice => CommandAction::Notice {
                    text: need_text()?,
                    until: None,
                },
                ActionName::Reload => CommandAction::Reload { stream },
                ActionName::UploadLogs => CommandAction::UploadLogs { max_bytes: None },
                ActionName::Restart => CommandAction::Restart,
            };
            let valid_for = duration::parse(&valid_for).map_err(|e| anyhow!(e))?;
            let id = admin::commands::send(
                store,
                &terminal,
                action,
                valid_for,
                &admin::keys::load(&key)?,
            )?;
            println!("{id}");
        }
        CommandCommand::List { terminal, json } => {
            let rows =
                store.with(|c| commands::list(c, terminal.as_deref(), chrono::Utc::now()))?;
            if json {
                return print_json(&rows);
            }
            for r in rows {
                println!(
                    "{:<44} {:<20} {:<12} {:<10} {}",
                    r.command_id,
                    r.device_id,
                    r.action,
                    r.state,
                    r.detail.unwrap_or_default()
                );
            }
        }
        CommandCommand::Logs { command_id } => {
            let logs = store.with(|c| commands::logs(c, &command_id))?;
            let logs = logs.ok_or_else(|| anyhow!("no logs uploaded for {command_id}"))?;
            std::io::stdout().lock().write_all(logs.as_bytes())?;
        }
    }
    Ok(())
}
