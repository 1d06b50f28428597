//! `legal-kiosk diag …`: hardware checks for installers and staff over SSH. Each prints plain
//! text (or JSON with `--json`) and exits non-zero with a clear message when the device is
//! not right.

mod printer;
mod reader;

use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum DiagCommand {
    /// Print one sample ticket on a printer (or render it to a PNG with --preview).
    PrintTicket(printer::PrintTicketArgs),
    /// Show the printer's status: online, paper, cover, errors.
    Printer(printer::PrinterArgs),
    /// Wait for one ID card on the reader and show what it says (masked by default).
    ReadCard(reader::ReadCardArgs),
    /// Show the card reader's status and SAM id.
    Reader(reader::ReaderArgs),
}

pub fn diag(command: &DiagCommand) -> Result<()> {
    match command {
        DiagCommand::PrintTicket(args) => printer::print_ticket(args),
        DiagCommand::Printer(args) => printer::status(args),
        DiagCommand::ReadCard(args) => reader::read_card(args),
        DiagCommand::Reader(args) => reader::reader(args),
    }
}
