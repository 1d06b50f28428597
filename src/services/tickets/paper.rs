//! Printing a ticket and keeping how that went with it (for reprints and statistics; a
//! failure is also owed to the operations centre). Whatever the printer does, the number
//! stays valid: the citizen has it on screen.

use super::{Ticket, TicketService};
use crate::devices::printing::{PaperTicket, PrintOutcome, ticket_document};
use crate::domain::queue::{PrintState, record_print};
pub use crate::services::printing::PrintResult;

impl TicketService {
    /// Whether this terminal has a ticket printer at all.
    pub fn has_printer(&self) -> bool {
        self.printer.is_some()
    }

    /// Prints `ticket` unless `try_printer` is false (a printer known not to print is not
    /// tried, so the citizen sees at once that the number is on screen only), then records
    /// the outcome with the ticket. The reply runs on the printer or the store thread.
    pub fn print(
        &self,
        ticket: &Ticket,
        try_printer: bool,
        reply: impl FnOnce(PrintResult) + Send + 'static,
    ) {
        let record = self.recorder(ticket.local_id);
        let printer = self.printer.clone().filter(|_| try_printer);
        let Some(printer) = printer else {
            record(PrintState::ScreenOnly, None);
            reply(PrintResult::Unavailable);
            return;
        };
        let paper = PaperTicket {
            number: ticket.number.clone(),
            service_id: ticket.service_id.clone(),
            people_ahead: ticket.people_ahead,
            estimate: ticket.estimate,
            issued_at: ticket.issued_at.naive_local(),
            url: ticket.url.clone(),
            offline: ticket.offline,
            reprint: false,
            notice: None,
        };
        let doc = ticket_document(&paper, &self.shared.catalogue(), &self.centre_name);
        let number = ticket.number.clone();
        printer.print_document(doc, move |outcome| match outcome {
            PrintOutcome::Printed { .. } => {
                record(PrintState::Printed, None);
                reply(PrintResult::Printed);
            }
            PrintOutcome::Failed { reason, .. } => {
                tracing::warn!(number = %number, "ticket not printed: {reason}");
                record(PrintState::Failed, Some(reason.clone()));
                reply(PrintResult::Failed(reason));
            }
        });
    }

    /// Records how printing went for the ticket in row `local_id` (a ticket the host issued
    /// has no row here: the host does not know about this printer).
    fn recorder(
        &self,
        local_id: Option<i64>,
    ) -> impl FnOnce(PrintState, Option<String>) + Send + 'static {
        let (worker, clock) = (self.shared.worker.clone(), self.shared.clock.clone());
        move |state, error| {
            let Some(ticket_id) = local_id else { return };
            worker.submit(move |store| {
                let at = clock.now();
                if let Err(e) = record_print(store.conn(), ticket_id, state, error.as_deref(), at) {
                    tracing::error!("cannot record how ticket {ticket_id} printed: {e}");
                }
            });
        }
    }
}
