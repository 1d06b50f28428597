//! The command line: `legal-kiosk` runs the kiosk; subcommands serve installers and staff.
//! Every command prints plain text, exits non-zero with a clear message on failure.

mod console;
mod diag;
mod legal_aid;
mod queue;
mod registry;
mod run;
mod screenshot;
mod staff;
mod ticket;
mod update;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "legal-kiosk",
    version,
    about = "Self-service terminal of a public legal service centre (公共法律服务智能终端)"
)]
pub struct Cli {
    /// Configuration file (TOML). Without it, everything runs on this machine with
    /// simulated devices; see config/example.toml.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the kiosk (the default when no command is given).
    Run,
    /// Render a page to a PNG without any display, for documentation and translators.
    Screenshot(screenshot::ScreenshotArgs),
    /// Hardware checks: printer, card reader.
    #[command(subcommand)]
    Diag(diag::DiagCommand),
    /// Enrol this terminal with the operations centre's registry (one-time code).
    Enroll(registry::EnrollArgs),
    /// Show the terminal's link to the operations centre: device id, last contact, outbox.
    Status(registry::StatusArgs),
    /// Sync with the operations centre now.
    Sync(registry::SyncArgs),
    /// Issue queue tickets without the touchscreen (e.g. for a citizen served by phone).
    Ticket(ticket::TicketArgs),
    /// Staff accounts for the maintenance menu: add, remove, list, set-pin, unlock.
    Staff(staff::StaffArgs),
    /// Evaluate a legal-aid self-check case from a file (for rule authors).
    LegalAid(legal_aid::LegalAidArgs),
    /// Terminals sharing one queue: make a client terminal's token.
    #[command(subcommand)]
    Queue(queue::QueueCommand),
    /// Check a release and its package as the update helper does (signature by a pinned
    /// key, package, architecture, newer than this version, size and SHA-256).
    VerifyRelease(update::VerifyReleaseArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::system::logging::init();
    let result = match cli.command.unwrap_or(Command::Run) {
        Command::Run => match run::run(cli.config.as_deref()) {
            Ok(run::Ended::RestartRequested) => return ExitCode::from(run::RESTART_EXIT_STATUS),
            Ok(run::Ended::Closed) => Ok(()),
            Err(e) => Err(e),
        },
        Command::Screenshot(args) => screenshot::screenshot(cli.config.as_deref(), &args),
        Command::Diag(command) => diag::diag(&command),
        Command::Enroll(args) => registry::enroll(cli.config.as_deref(), &args),
        Command::Status(args) => registry::status(cli.config.as_deref(), &args),
        Command::Sync(args) => registry::sync(cli.config.as_deref(), &args),
        Command::Ticket(args) => ticket::ticket(cli.config.as_deref(), &args),
        Command::Staff(args) => staff::staff(cli.config.as_deref(), &args),
        Command::LegalAid(args) => legal_aid::legal_aid(cli.config.as_deref(), &args),
        Command::Queue(command) => queue::queue(cli.config.as_deref(), &command),
        Command::VerifyRelease(args) => update::verify_release(cli.config.as_deref(), &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("legal-kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
}
