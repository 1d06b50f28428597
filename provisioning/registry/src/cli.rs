//! Command line: `serve`, and the ops staff's admin commands on the same database file.

use crate::admin::{self, duration};
use crate::code_key::CodeKey;
use crate::config::ServeConfig;
use crate::login_guard::SourceLimit;
use crate::store::{DbTarget, Store, events, platforms};
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
    /// The registry's database: a SQLite file (created on first use; `PATH` or
    /// `sqlite:PATH`), or PostgreSQL (`postgres://USER@HOST/DB`, several instances may share
    /// it).
    #[arg(
        long,
        global = true,
        env = "KIOSK_REGISTRY_DB",
        default_value = "registry.db"
    )]
    pub db: DbTarget,
    /// The key enrolment codes are hashed with (made on first use, mode 0600); default:
    /// enrolment-code.key beside the database. Keep it out of database backups.
    #[arg(long, global = true, env = "KIOSK_REGISTRY_CODE_KEY")]
    pub code_key: Option<PathBuf>,
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
    /// When platforms' services take appointments: capacity, opening days, holidays.
    #[command(subcommand)]
    Schedule(crate::cli_appointments::ScheduleCommand),
    /// Booking channels (online platform, 12348 hotline, WeChat) and their keys.
    #[command(subcommand)]
    Channel(crate::cli_appointments::ChannelCommand),
    /// Bookings, and the signed `appointments` bundle terminals check citizens in with.
    #[command(subcommand)]
    Appointments(crate::cli_appointments::AppointmentsCommand),
    /// Work orders: list, dispatch, accept, close, return; the classification.
    #[command(subcommand, name = "workorder")]
    WorkOrder(crate::cli_work_orders::WorkOrderCommand),
    /// Signed bundles.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Signed software releases (the kiosk's Debian package).
    #[command(subcommand)]
    Release(crate::cli_updates::ReleaseCommand),
    /// Staged rollouts of a release.
    #[command(subcommand)]
    Rollout(crate::cli_updates::RolloutCommand),
    /// The province's institutions for terminals: import from CSV, publish as a bundle.
    #[command(subcommand)]
    Institutions(crate::cli_institutions::InstitutionsCommand),
    /// The offline map for terminals: publish an MBTiles file (checked, signed, resumable).
    #[command(subcommand)]
    Map(crate::cli_maps::MapCommand),
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
    /// Logins to the operations centre's console (roles and regions).
    #[command(subcommand)]
    Operator(admin::operators::OperatorCommand),
    /// Video-call settings: STUN/TURN servers and the transport policy.
    #[command(subcommand)]
    Video(VideoCommand),
    /// Legal-aid pre-applications: the centres' keys, opening, handling, retention.
    #[command(subcommand, name = "legal-aid")]
    LegalAid(LegalAidCommand),
    /// Bring the database's schema up to date (`serve` does it too; run it first when
    /// several instances share a PostgreSQL database).
    Migrate,
    /// Copy a SQLite registry into PostgreSQL (idempotent: rows already there are kept),
    /// then check that every table holds at least as many rows as the source.
    MigrateStore {
        /// The SQLite registry (`sqlite:PATH` or `PATH`).
        #[arg(long)]
        from: DbTarget,
        /// The PostgreSQL database (`postgres://…`).
        #[arg(long)]
        to: DbTarget,
    },
}

/// `legal-aid` subcommands.
#[derive(Subcommand, Debug)]
pub enum LegalAidCommand {
    /// Make a legal-aid centre's key pair (run it at the centre; needs no database). The
    /// private key goes to --out (mode 0600); send only the printed public key to the
    /// operations centre.
    Keygen {
        /// Region the centre serves (six-digit division code).
        #[arg(long)]
        region: String,
        /// The centre's name, e.g. 西湖区法律援助中心.
        #[arg(long)]
        centre: String,
        /// Where to write the private key (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Register a centre's public key (from `legal-aid keygen`).
    RecipientAdd {
        /// Region the centre serves.
        #[arg(long)]
        region: String,
        /// The centre's name.
        #[arg(long)]
        centre: String,
        /// The public key (base64).
        #[arg(long)]
        public_key: String,
    },
    /// Retire a centre's key: the next published directory leaves it out.
    RecipientRetire {
        /// Key id (la-…).
        key_id: String,
    },
    /// List the registered keys.
    Recipients {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Sign the registered keys as the `legal-aid-recipients` bundle for every terminal.
    Publish {
        /// Version, above every earlier one.
        #[arg(long)]
        version: u64,
        /// Private signing key file.
        #[arg(long)]
        key: PathBuf,
        /// How long terminals accept it.
        #[arg(long, default_value = "365d")]
        valid_for: String,
    },
    /// List pre-applications: routing fields and state only (nothing personal).
    List {
        /// Only this region (330100 covers every 3301xx).
        #[arg(long)]
        region: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Open the pre-applications sealed to a centre's key (all it can open, or --id).
    /// Prints JSON; nothing is logged or stored.
    Open {
        /// The centre's private key file.
        #[arg(long)]
        key: PathBuf,
        /// Only these (repeatable).
        #[arg(long = "id")]
        ids: Vec<i64>,
        /// Write to this new file (mode 0600) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Mark pre-applications handled: their ciphertext is deleted now.
    Handled {
        /// Ids from `legal-aid list`.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Delete the ciphertext of pre-applications older than the retention period now (the
    /// server also does it every hour).
    Purge {
        /// Retention period.
        #[arg(long, default_value = "30d")]
        older_than: String,
    },
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
        /// TURN user name (fixed credentials; prefer --use-auth-secret).
        #[arg(long, default_value = "")]
        username: String,
        /// TURN password (fixed credentials; prefer --use-auth-secret).
        #[arg(long, default_value = "")]
        credential: String,
        /// Time-limited credentials minted per call (coturn `use-auth-secret`): the shared
        /// secret (coturn's `static-auth-secret`) is read from standard input.
        #[arg(long, conflicts_with_all = ["username", "credential"])]
        use_auth_secret: bool,
        /// How long each minted credential lasts (with --use-auth-secret).
        #[arg(long, default_value = "10m", requires = "use_auth_secret")]
        ttl: String,
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
    /// Lawyers' password checks (Argon2id, 19 MiB each) run at the same time, on their own
    /// threads; further logins wait a few seconds, then are told to retry (429).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub max_concurrent_password_checks: u16,
    /// Login attempts one address may make per minute (all at once, then one at a time).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub login_attempts_per_minute: u32,
    /// Enrolment attempts one address may make per minute (successful ones are not counted).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub enrol_attempts_per_minute: u32,
    /// Requests one address may make to the booking channels' API per minute (a hotline's
    /// agents share their exchange's address).
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub channel_requests_per_minute: u32,
    /// How long a legal-aid pre-application's ciphertext is kept when no centre marks it
    /// handled (checked every hour).
    #[arg(long, default_value = "30d")]
    pub legal_aid_retention: String,
    /// An MBTiles file (raster, png or jpg) the operations console draws its map from;
    /// without one the console lists platforms instead.
    #[arg(long)]
    pub map_tiles: Option<PathBuf>,
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
        /// The service user (USER or USER:GROUP) the server's private key is given to, so the
        /// service can read it and nobody else can (mode 0600). Run as root.
        #[arg(long)]
        owner: Option<String>,
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
    /// Print the public half of the registry's command key (made if missing, beside the
    /// enrolment-code key): pin it on terminals as `command_keys` (commands only).
    CommandKey,
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
    /// Recompute the demand analysis's rollups from the stored events (after an upgrade
    /// from a registry without them, or if they are ever in doubt).
    Rebuild,
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
    init_tracing("info");
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk-registry: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to standard error at `RUST_LOG`'s levels, else at `default_level`: the registry's
/// and the simulated terminal's.
pub fn init_tracing(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The enrolment-code key: `--code-key`, else beside the SQLite file (in the working
/// folder for PostgreSQL).
fn code_key_path(db: &DbTarget, given: Option<&std::path::Path>) -> PathBuf {
    given.map_or_else(
        || CodeKey::default_path_for(db),
        std::path::Path::to_path_buf,
    )
}

fn open(db: &DbTarget) -> Result<Store> {
    Store::open_blocking(db).with_context(|| format!("cannot open the database {db}"))
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let now = chrono::Utc::now();
    match cli.command {
        Command::Migrate => {
            let (before, after) = crate::store::migrate(&cli.db)
                .with_context(|| format!("cannot migrate the database {}", cli.db))?;
            println!("schema at version {after} (was {before})");
            Ok(())
        }
        Command::MigrateStore { from, to } => {
            let (Some(path), DbTarget::Postgres(url)) = (from.sqlite_path(), &to) else {
                anyhow::bail!("migrate-store copies --from sqlite:PATH --to postgres://…");
            };
            let report = crate::store::copy::sqlite_to_postgres(path, url)?;
            for t in &report {
                println!(
                    "{:<22} sqlite {:>9}  copied {:>9}  postgres {:>9}",
                    t.table, t.source, t.copied, t.target
                );
            }
            println!("every row of {from} is in {to}");
            Ok(())
        }
        Command::Serve(args) => {
            let code_key = code_key_path(&cli.db, cli.code_key.as_deref());
            serve(cli.db, code_key, args)
        }
        Command::Tls(TlsCommand::Init { dir, names, owner }) => {
            let owner = owner
                .as_deref()
                .map(crate::files::resolve_owner)
                .transpose()?;
            let files = crate::tls::init_pki_for(&dir, &names, owner)?;
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
            let keys = open(&cli.db)?.keys()?;
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
        Command::Keys(KeysCommand::CommandKey) => {
            let code_key = code_key_path(&cli.db, cli.code_key.as_deref());
            let key =
                crate::command_key::load_or_create(&crate::command_key::path_beside(&code_key))?;
            println!(
                "{}",
                provisioning::keys::public_key_to_base64(&key.verifying_key())
            );
            Ok(())
        }
        Command::Platform(command) => platform(&open(&cli.db)?, command),
        Command::Schedule(command) => crate::cli_appointments::schedule(&open(&cli.db)?, command),
        Command::Channel(command) => crate::cli_appointments::channel(&open(&cli.db)?, command),
        Command::WorkOrder(command) => crate::cli_work_orders::run(&open(&cli.db)?, command),
        Command::Appointments(command) => {
            crate::cli_appointments::appointments(&open(&cli.db)?, command)
        }
        Command::Code(CodeCommand::Create {
            platform,
            valid_for,
        }) => {
            let valid_for = duration::parse(&valid_for).map_err(|e| anyhow!(e))?;
            let key = CodeKey::load_or_create(&code_key_path(&cli.db, cli.code_key.as_deref()))?;
            let code = open(&cli.db)?.create_code(&key, &platform, now + valid_for)?;
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
            let rows = open(&cli.db)?.bundles()?;
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
            let rows = open(&cli.db)?.terminals_health(platform.as_deref(), now, overdue)?;
            if json {
                return print_json(&rows);
            }
            admin::report::terminals_text(&rows, &mut std::io::stdout().lock())?;
            Ok(())
        }
        Command::Terminal(TerminalCommand::Revoke { device_id }) => {
            open(&cli.db)?.revoke(&device_id)?;
            println!("terminal {device_id} revoked");
            Ok(())
        }
        Command::Command(command) => command_cmd(&open(&cli.db)?, command),
        Command::Release(command) => crate::cli_updates::release(&open(&cli.db)?, command),
        Command::Rollout(command) => crate::cli_updates::rollout(&open(&cli.db)?, command),
        Command::Institutions(command) => crate::cli_institutions::run(&open(&cli.db)?, command),
        Command::Map(command) => crate::cli_maps::run(&open(&cli.db)?, command),
        Command::Lawyer(command) => lawyer_cmd(&open(&cli.db)?, command),
        Command::Operator(command) => admin::operators::run(&open(&cli.db)?, command),
        Command::Video(command) => video_cmd(&open(&cli.db)?, command),
        Command::LegalAid(command) => legal_aid_cmd(&cli.db, command),
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
            let sink: Box<dyn std::io::Write + Send> = match &out {
                Some(path) => Box::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                ),
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            };
            let mut writer = admin::report::events_csv(sink);
            let n = open(&cli.db)?.export(&filter, &mut |row| {
                admin::report::write_event(&mut writer, &row)
                    .map_err(|e| crate::store::StoreError::Invalid(e.to_string()))
            })?;
            writer.flush()?;
            eprintln!("{n} events exported");
            Ok(())
        }
        Command::Stats(StatsCommand::Rebuild) => {
            let n = open(&cli.db)?.stats_rebuild()?;
            println!("statistics rebuilt from {n} events");
            Ok(())
        }
        Command::Stats(StatsCommand::Tickets {
            from,
            to,
            platform,
            json,
        }) => {
            let rows = open(&cli.db)?.tickets_per_service_day(
                from.as_deref(),
                to.as_deref(),
                platform.as_deref(),
            )?;
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

fn serve(db: DbTarget, code_key: PathBuf, args: ServeArgs) -> Result<()> {
    let mut config = ServeConfig::new(args.listen, db, args.cert, args.key);
    config.command_key = crate::command_key::path_beside(&code_key);
    config.code_key = code_key;
    config.poll_interval_s = args.poll_interval;
    config.overdue_after_polls = args.overdue_after_polls;
    config.request_timeout = std::time::Duration::from_secs(args.request_timeout);
    config.max_concurrent_ingest = args.max_concurrent_ingest;
    config.login.max_concurrent_hashes = usize::from(args.max_concurrent_password_checks);
    config.login.source = SourceLimit::per_minute(args.login_attempts_per_minute);
    config.enrol_limit = SourceLimit::per_minute(args.enrol_attempts_per_minute);
    config.channel_limit = SourceLimit::per_minute(args.channel_requests_per_minute);
    config.map_tiles = args.map_tiles;
    config.legal_aid_retention = duration::parse(&args.legal_aid_retention)
        .map_err(|e| anyhow!("--legal-aid-retention: {e}"))?;
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
            store.platform_upsert(&platforms::Platform {
                id: id.clone(),
                name,
                region,
                address,
            })?;
            println!("platform {id} saved");
        }
        PlatformCommand::List { json } => {
            let rows = store.platforms()?;
            if json {
                return print_json(&rows);
            }
            for p in rows {
                println!("{:<16} {:<8} {}  {}", p.id, p.region, p.name, p.address);
            }
        }
        PlatformCommand::Remove { id } => {
            store.platform_remove(&id)?;
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
            let rows = store.lawyers()?;
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
            store.lawyer_disable(&username)?;
            println!("lawyer {username} disabled");
        }
    }
    Ok(())
}

fn write_private_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

fn legal_aid_cmd(db: &DbTarget, command: LegalAidCommand) -> Result<()> {
    use admin::legal_aid;
    match command {
        LegalAidCommand::Keygen {
            region,
            centre,
            out,
        } => {
            let r = legal_aid::keygen(&out, &region, &centre)?;
            println!(
                "key {} for {} ({}) written to {} — keep it at the centre, never on the \
                 registry server.\nRegister its public key at the operations centre with:\n  \
                 kiosk-registry legal-aid recipient-add --region {} --centre '{}' --public-key {}",
                r.key_id,
                r.centre,
                r.region,
                out.display(),
                r.region,
                r.centre,
                r.public_key
            );
        }
        LegalAidCommand::RecipientAdd {
            region,
            centre,
            public_key,
        } => {
            let bytes = {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(public_key.trim())
                    .map_err(|_| anyhow!("--public-key is not base64"))?
            };
            let recipient = provisioning::sealing::Recipient {
                key_id: provisioning::sealing::key_id(&bytes),
                region,
                centre,
                public_key: public_key.trim().to_string(),
            };
            open(db)?.add_recipient(&recipient)?;
            println!(
                "key {} registered for {} ({}); publish with `legal-aid publish`",
                recipient.key_id, recipient.centre, recipient.region
            );
        }
        LegalAidCommand::RecipientRetire { key_id } => {
            open(db)?.retire_recipient(&key_id)?;
            println!("key {key_id} retired; publish a new directory with `legal-aid publish`");
        }
        LegalAidCommand::Recipients { json } => {
            let rows = open(db)?.recipients()?;
            if json {
                return print_json(&rows);
            }
            for r in rows {
                println!(
                    "{:<20} {:<8} {:<10} {}",
                    r.recipient.key_id,
                    r.recipient.region,
                    if r.retired_at.is_some() {
                        "retired"
                    } else {
                        "in use"
                    },
                    r.recipient.centre
                );
            }
        }
        LegalAidCommand::Publish {
            version,
            key,
            valid_for,
        } => {
            let valid_for = duration::parse(&valid_for).map_err(|e| anyhow!(e))?;
            let (manifest, directory) =
                legal_aid::publish(&open(db)?, version, valid_for, &admin::keys::load(&key)?)?;
            println!(
                "published {} v{} with {} centre key(s), expires {}",
                manifest.stream,
                manifest.version,
                directory.recipients.len(),
                manifest.expires_at
            );
        }
        LegalAidCommand::List { region, json } => {
            let rows = legal_aid::list(&open(db)?, region.as_deref())?;
            if json {
                return print_json(&rows);
            }
            for r in rows {
                println!(
                    "{:<8} {:<26} {:<16} {:<8} {:<20} {:<10} {}",
                    r.id, r.received_at, r.platform_id, r.region, r.recipient, r.state, r.detail
                );
            }
        }
        LegalAidCommand::Open { key, ids, out } => {
            let key = provisioning::sealing::RecipientSecret::read(&key)?;
            let opened = legal_aid::open(&open(db)?, &key, &ids)?;
            let text = zeroize::Zeroizing::new(serde_json::to_string_pretty(&opened)?);
            match out {
                Some(path) => {
                    write_private_file(&path, text.as_bytes())?;
                    eprintln!(
                        "{} pre-application(s) written to {}",
                        opened.len(),
                        path.display()
                    );
                }
                None => println!("{}", text.as_str()),
            }
        }
        LegalAidCommand::Handled { ids } => {
            legal_aid::handled(&open(db)?, &ids)?;
            println!(
                "{} pre-application(s) handled; their ciphertext is deleted",
                ids.len()
            );
        }
        LegalAidCommand::Purge { older_than } => {
            let retention = duration::parse(&older_than).map_err(|e| anyhow!(e))?;
            let n = legal_aid::apply_retention(&open(db)?, retention, chrono::Utc::now())?;
            println!("{n} pre-application(s) past the retention period: ciphertext deleted");
        }
    }
    Ok(())
}

fn video_cmd(store: &Store, command: VideoCommand) -> Result<()> {
    match command {
        VideoCommand::IceAdd {
            url,
            username,
            credential,
            use_auth_secret,
            ttl,
        } => {
            if use_auth_secret {
                let ttl = duration::parse(&ttl).map_err(|e| anyhow!("--ttl: {e}"))?;
                let mut secret = zeroize::Zeroizing::new(String::new());
                std::io::stdin()
                    .read_line(&mut secret)
                    .context("cannot read the shared secret from standard input")?;
                let secret = secret.trim_end_matches(['\r', '\n']);
                let ttl_s = u64::try_from(ttl.num_seconds()).unwrap_or(0);
                store.add_rest_ice_server(&url, secret, ttl_s)?;
                println!("ICE server {url} saved: credentials minted per call, valid {ttl_s} s");
            } else {
                store.add_ice_server(&url, &username, &credential)?;
                println!("ICE server {url} saved");
            }
        }
        VideoCommand::IceRemove { url } => {
            store.remove_ice_server(&url)?;
            println!("ICE server {url} removed");
        }
        VideoCommand::Policy { policy } => {
            let policy = match policy {
                PolicyName::All => provisioning::signalling::IceTransportPolicy::All,
                PolicyName::Relay => provisioning::signalling::IceTransportPolicy::Relay,
            };
            store.set_policy(policy)?;
            println!("ICE transport policy saved");
        }
        VideoCommand::Show { json } => {
            let config = store.ice_config()?;
            let servers: Vec<serde_json::Value> = config
                .servers
                .iter()
                .map(|s| {
                    let auth = match &s.credentials {
                        crate::video::turn::Credentials::None => serde_json::json!("none"),
                        crate::video::turn::Credentials::Static { username, .. } => {
                            serde_json::json!({ "fixed": username })
                        }
                        crate::video::turn::Credentials::Rest { ttl, .. } => {
                            serde_json::json!({ "minted_per_call_ttl_s": ttl.as_secs() })
                        }
                    };
                    serde_json::json!({ "url": s.url, "credentials": auth })
                })
                .collect();
            if json {
                return print_json(&serde_json::json!({
                    "ice_transport_policy": config.policy, "ice_servers": servers,
                }));
            }
            println!("policy: {:?}", config.policy);
            for s in &config.servers {
                let who = match &s.credentials {
                    crate::video::turn::Credentials::None => String::new(),
                    crate::video::turn::Credentials::Static { username, .. } => {
                        format!(" (fixed user {username})")
                    }
                    crate::video::turn::Credentials::Rest { ttl, .. } => {
                        format!(" (credentials minted per call, valid {} s)", ttl.as_secs())
                    }
                };
                println!("{}{who}", s.url);
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
            let rows = store.commands(terminal.as_deref(), chrono::Utc::now())?;
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
            let logs = store.command_logs(&command_id)?;
            let logs = logs.ok_or_else(|| anyhow!("no logs uploaded for {command_id}"))?;
            std::io::stdout().lock().write_all(logs.as_bytes())?;
        }
    }
    Ok(())
}
