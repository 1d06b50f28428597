//! The printer thread: ticket jobs go to the printer one at a time, off the UI thread, and
//! each job's outcome comes back through a callback. The device itself is behind
//! [`TicketPrinter`], implemented over the `hardware` crate's printer driver.

use std::sync::mpsc;
use std::thread;

use chrono::NaiveDateTime;

/// What goes on a queue ticket. Built from the issued ticket and the catalogue; never holds
/// personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPrint {
    pub centre_name: String,
    pub service_name: String,
    pub number: String,
    pub people_ahead: u32,
    pub taken_at: NaiveDateTime,
    pub window: Option<String>,
    pub qr_url: String,
    pub reprint: bool,
}

/// How a print ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintOutcome {
    /// On paper. `paper_near_end` asks staff to refill soon.
    Printed { paper_near_end: bool },
    /// Not printed (refused or failed); the reason is for staff, not citizens.
    Failed { reason: String },
}

/// A printer that can print tickets; blocking, with its own timeouts.
pub trait TicketPrinter: Send {
    fn print_ticket(&mut self, ticket: &TicketPrint) -> PrintOutcome;
}

type Done = Box<dyn FnOnce(PrintOutcome) + Send>;

/// A handle to the printer thread.
#[derive(Clone)]
pub struct PrinterHandle {
    tx: mpsc::Sender<(TicketPrint, Done)>,
}

impl PrinterHandle {
    /// Starts the printer thread around `printer`.
    pub fn spawn(mut printer: Box<dyn TicketPrinter>) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<(TicketPrint, Done)>();
        thread::Builder::new()
            .name("printer".into())
            .spawn(move || {
                for (ticket, done) in rx {
                    done(printer.print_ticket(&ticket));
                }
            })?;
        Ok(Self { tx })
    }

    /// Queues a ticket; `done` runs on the printer thread when it is printed or failed.
    pub fn print(&self, ticket: TicketPrint, done: impl FnOnce(PrintOutcome) + Send + 'static) {
        if let Err(mpsc::SendError((_, done))) = self.tx.send((ticket, Box::new(done))) {
            done(PrintOutcome::Failed {
                reason: "the printer thread has stopped".into(),
            });
        }
    }
}
