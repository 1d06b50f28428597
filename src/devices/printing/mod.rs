//! The printer thread and every paper layout: documents (queue tickets, guidance slips, the
//! test page) go to the printer one at a time, off the UI thread; the outcome of each job
//! comes back through a callback; between jobs the thread watches the printer's status so
//! the home screen and staff know when printing is impossible (paper out, cover open,
//! unplugged) and when it works again. `hardware` prints documents; the layouts are here.

pub mod booking;
mod health;
pub mod place;
pub mod receipt;
pub mod slip;
pub mod test_page;
pub mod ticket;

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use hardware::printer::{Document, Printer, PrinterError, PrinterStatus};

pub use health::{PrinterHealth, health_after_job, health_from_status};
pub use ticket::{PaperTicket, ticket_document};

/// How a print ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintOutcome {
    /// On paper. `paper_near_end` asks staff to refill soon.
    Printed { paper_near_end: bool },
    /// Not printed, or not completely; the number stays valid. The reason is for staff.
    Failed {
        reason: String,
        nothing_printed: bool,
    },
}

type Done = Box<dyn FnOnce(PrintOutcome) + Send>;
type StatusDone = Box<dyn FnOnce(Result<PrinterStatus, String>) + Send>;

enum Job {
    /// A ticket, a guidance slip, the maintenance menu's test page.
    Document(Box<Document>, Done),
    /// A status query on request (the maintenance menu's "check now").
    Status(StatusDone),
}

/// A handle to the printer thread; cheap to clone.
#[derive(Clone)]
pub struct PrinterHandle {
    tx: mpsc::Sender<Job>,
}

impl PrinterHandle {
    /// Starts the printer thread around `printer`. It checks the printer's status at once
    /// and then every `poll` while idle; `on_health` runs (on the printer thread) each time
    /// the health changes, starting with the first check.
    pub fn spawn(
        mut printer: Printer,
        poll: Duration,
        on_health: impl Fn(&PrinterHealth) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("printer".into())
            .spawn(move || {
                let mut health = health_from_status(printer.status());
                on_health(&health);
                loop {
                    let next = match rx.recv_timeout(poll) {
                        Ok(Job::Document(doc, done)) => {
                            let result = printer.print(&doc);
                            let next = health_after_job(&result, &health, || printer.status());
                            done(outcome(result));
                            next
                        }
                        Ok(Job::Status(done)) => match printer.status() {
                            Ok(status) => {
                                done(Ok(status));
                                health_from_status(Ok(status))
                            }
                            Err(e) => {
                                done(Err(e.to_string()));
                                health_from_status(Err(e))
                            }
                        },
                        Err(RecvTimeoutError::Timeout) => health_from_status(printer.status()),
                        Err(RecvTimeoutError::Disconnected) => return,
                    };
                    if next != health {
                        health = next;
                        on_health(&health);
                    }
                }
            })?;
        Ok(Self { tx })
    }

    /// Queues a document; `done` runs on the printer thread once it printed or failed.
    pub fn print_document(&self, doc: Document, done: impl FnOnce(PrintOutcome) + Send + 'static) {
        if let Err(mpsc::SendError(Job::Document(_, done))) =
            self.tx.send(Job::Document(Box::new(doc), Box::new(done)))
        {
            done(PrintOutcome::Failed {
                reason: "the printer thread has stopped".into(),
                nothing_printed: true,
            });
        }
    }

    /// Asks the printer for its status now; `done` runs on the printer thread with the
    /// status or the reason there is none (blind printer, no answer, unplugged).
    pub fn query_status(&self, done: impl FnOnce(Result<PrinterStatus, String>) + Send + 'static) {
        if let Err(mpsc::SendError(Job::Status(done))) = self.tx.send(Job::Status(Box::new(done))) {
            done(Err("the printer thread has stopped".into()));
        }
    }
}

fn outcome(result: Result<hardware::printer::PrintReport, PrinterError>) -> PrintOutcome {
    match result {
        Ok(report) => PrintOutcome::Printed {
            paper_near_end: report.paper_near_end,
        },
        Err(e) => PrintOutcome::Failed {
            reason: e.to_string(),
            nothing_printed: e.nothing_printed(),
        },
    }
}
