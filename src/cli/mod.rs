//! The command line: `legal-kiosk` runs the kiosk; subcommands serve installers and staff.
//! Every command prints plain text, exits non-zero with a clear message on failure.

mod run;
mod screenshot;
mod ticket;

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
    /// Issue queue tickets without the touchscreen (e.g. for a citizen served by phone).
    Ticket(ticket::TicketArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::system::logging::init();
    let result = match cli.command.unwrap_or(Command::Run) {
        Command::Run => run::run(cli.config.as_deref()),
        Command::Screenshot(args) => screenshot::screenshot(cli.config.as_deref(), &args),
        Command::Ticket(args) => ticket::ticket(cli.config.as_deref(), &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("legal-kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
}
