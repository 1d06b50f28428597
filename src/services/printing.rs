//! Printing for the citizen: whether the printer can print right now (followed from its
//! health), and guidance slips laid out and sent to the printer thread. A printer known not
//! to print is not tried: the citizen is told at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hardware::printer::Document;

use crate::clock::Clock;
use crate::devices::printing::booking::booking_document;
use crate::devices::printing::place::place_document;
use crate::devices::printing::slip::slip_document;
use crate::devices::printing::{PrintOutcome, PrinterHandle, PrinterHealth};
use crate::domain::booking::BookingSlip;
use crate::domain::consult::GuidanceSlip;
use crate::domain::institutions::Place;

/// The printer as the citizen-facing services use it; cheap to clone.
#[derive(Clone)]
pub struct PrintService {
    printer: Option<PrinterHandle>,
    /// Whether the printer can print now, as its last health report said.
    ready: Arc<AtomicBool>,
    centre_name: String,
    clock: Arc<dyn Clock>,
}

/// Why nothing was printed, or how printing ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintResult {
    Printed,
    /// The printer could not print it (the reason is for staff and logs).
    Failed(String),
    /// No printer, or one known not to print now: nothing was tried.
    Unavailable,
}

impl From<PrintOutcome> for PrintResult {
    fn from(outcome: PrintOutcome) -> Self {
        match outcome {
            PrintOutcome::Printed { .. } => PrintResult::Printed,
            PrintOutcome::Failed { reason, .. } => PrintResult::Failed(reason),
        }
    }
}

impl PrintService {
    pub fn new(printer: Option<PrinterHandle>, centre_name: String, clock: Arc<dyn Clock>) -> Self {
        Self {
            ready: Arc::new(AtomicBool::new(printer.is_some())),
            printer,
            centre_name,
            clock,
        }
    }

    /// Whether the terminal has a printer at all.
    pub fn configured(&self) -> bool {
        self.printer.is_some()
    }

    /// Whether a citizen's paper can be expected now.
    pub fn available(&self) -> bool {
        self.printer.is_some() && self.ready.load(Ordering::SeqCst)
    }

    /// The printer's health changed.
    pub fn health_changed(&self, health: &PrinterHealth) {
        self.ready.store(health.can_print(), Ordering::SeqCst);
    }

    /// The printer thread, for what prints documents of its own (tickets, staff test pages).
    pub fn printer(&self) -> Option<&PrinterHandle> {
        self.printer.as_ref()
    }

    pub fn centre_name(&self) -> &str {
        &self.centre_name
    }

    /// Prints a guidance slip (consultation outcome or self-check result).
    pub fn print_slip(
        &self,
        slip: &GuidanceSlip,
        reply: impl FnOnce(PrintResult) + Send + 'static,
    ) {
        let document = slip_document(slip, &self.centre_name, self.clock.now().naive_local());
        self.print(document, "guidance slip", reply);
    }

    /// Prints the slip that takes the citizen to `place` (made in Chinese).
    pub fn print_place(&self, place: &Place, reply: impl FnOnce(PrintResult) + Send + 'static) {
        let document = place_document(place, &self.centre_name, self.clock.now().naive_local());
        self.print(document, "institution slip", reply);
    }

    /// Prints the receipt of a request left at the terminal.
    pub fn print_receipt(
        &self,
        filed: &crate::services::work_orders::Filed,
        reply: impl FnOnce(PrintResult) + Send + 'static,
    ) {
        let document = crate::devices::printing::receipt::receipt_document(
            &filed.category,
            &filed.receipt,
            &self.centre_name,
            self.clock.now().naive_local(),
        );
        self.print(document, "request receipt", reply);
    }

    /// Prints the confirmation slip of a booking made at the kiosk.
    pub fn print_booking(
        &self,
        slip: &BookingSlip,
        reply: impl FnOnce(PrintResult) + Send + 'static,
    ) {
        let document = booking_document(slip, self.clock.now().naive_local());
        self.print(document, "booking slip", reply);
    }

    /// Prints `document` if the printer can print now.
    pub fn print(
        &self,
        document: Document,
        what: &'static str,
        reply: impl FnOnce(PrintResult) + Send + 'static,
    ) {
        let Some(printer) = self.printer.as_ref().filter(|_| self.available()) else {
            reply(PrintResult::Unavailable);
            return;
        };
        printer.print_document(document, move |outcome| {
            reply(match outcome {
                PrintOutcome::Printed { .. } => PrintResult::Printed,
                PrintOutcome::Failed { reason, .. } => {
                    tracing::warn!("{what} not printed: {reason}");
                    PrintResult::Failed(reason)
                }
            })
        });
    }
}
