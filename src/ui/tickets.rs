//! Taking a ticket: the service tap issues a number on the store thread, shows it, and sends
//! the ticket to the printer thread; whatever the printer does, the number stays valid.

use slint::ComponentHandle;

use super::controller::KioskController;
use super::{AppWindow, Nav, Page, Queue, TicketStage, TicketView};
use crate::printing::PrintOutcome;
use crate::queue::{self, Catalogue, IssuedTicket, PrintState};

impl KioskController {
    /// The citizen chose `service_id`.
    pub fn take_ticket(&self, service_id: String) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let (session, catalogue, can_print) = {
            let mut shared = self.shared();
            shared.current_service = Some(service_id.clone());
            (shared.session, shared.catalogue.clone(), shared.can_print)
        };
        app.global::<Queue>().set_ticket(TicketView {
            stage: TicketStage::Issuing,
            ..Default::default()
        });
        app.global::<Nav>().set_page(Page::Ticket);

        let now = self.deps.clock.now();
        let weak = self.app.clone();
        let shared = self.shared.clone();
        let poster = self.deps.poster.clone();
        // A printer known not to print (paper out, unplugged…) is not tried: the citizen sees
        // at once that the number is on screen only.
        let printer = self.deps.printer.clone().filter(|_| can_print);
        let worker = self.deps.worker.clone();
        let clock = self.deps.clock.clone();
        let centre_name = self.deps.kiosk.centre_name.clone();
        let url_base = self.deps.kiosk.ticket_url_base.clone();
        // A copy for the store thread; it is wiped when dropped there.
        let identity = self.citizen.borrow().as_ref().map(|c| c.identity.clone());
        let one_per_person = self.deps.queue.one_ticket_per_person;
        self.deps.worker.submit(move |store| {
            if let Some(identity) = identity.as_ref().filter(|_| one_per_person) {
                match queue::active_ticket_of(
                    store.conn(),
                    &identity.id_hash,
                    &service_id,
                    now.date_naive(),
                ) {
                    Ok(Some(held)) => {
                        post_ticket(
                            &poster,
                            &weak,
                            &shared,
                            session,
                            &held,
                            TicketStage::AlreadyTaken,
                        );
                        return;
                    }
                    Ok(None) => {}
                    Err(e) => tracing::error!("cannot look up the citizen's tickets: {e}"),
                }
            }
            let issued = queue::issue_ticket(
                store.conn(),
                &catalogue,
                &service_id,
                now,
                identity.as_ref(),
            );
            let ticket = match issued {
                Ok(ticket) => ticket,
                Err(e) => {
                    tracing::error!(service = %service_id, "cannot issue a ticket: {e}");
                    post_stage(&poster, &weak, &shared, session, TicketStage::IssueFailed);
                    return;
                }
            };
            tracing::info!(number = %ticket.number, service = %service_id, "ticket issued");
            let first_stage = if printer.is_some() {
                TicketStage::Printing
            } else {
                TicketStage::ScreenOnly
            };
            post_ticket(&poster, &weak, &shared, session, &ticket, first_stage);

            let Some(printer) = printer else {
                let recorded =
                    queue::record_print(store.conn(), ticket.id, PrintState::ScreenOnly, None, now);
                if let Err(e) = recorded {
                    tracing::error!("cannot record a screen-only ticket: {e}");
                }
                return;
            };
            let print = paper_ticket(&ticket, &catalogue, &centre_name, &url_base);
            let ticket_id = ticket.id;
            let number = ticket.number.clone();
            printer.print(print, move |outcome| {
                let (stage, state, error) = match outcome {
                    PrintOutcome::Printed { .. } => {
                        (TicketStage::Printed, PrintState::Printed, None)
                    }
                    PrintOutcome::Failed { reason, .. } => {
                        tracing::warn!(number = %number, "ticket not printed: {reason}");
                        (TicketStage::PrintFailed, PrintState::Failed, Some(reason))
                    }
                };
                post_stage(&poster, &weak, &shared, session, stage);
                worker.submit(move |store| {
                    let at = clock.now();
                    let recorded =
                        queue::record_print(store.conn(), ticket_id, state, error.as_deref(), at);
                    if let Err(e) = recorded {
                        tracing::error!("cannot record how ticket {ticket_id} printed: {e}");
                    }
                });
            });
        });
    }
}

/// The paper ticket for an issued number: Chinese, since ticket printers print GB18030.
pub fn paper_ticket(
    ticket: &IssuedTicket,
    catalogue: &Catalogue,
    centre_name: &str,
    url_base: &str,
) -> hardware::printer::TicketContent {
    let service = catalogue.get(&ticket.service_id);
    let mut content = hardware::printer::TicketContent::new(
        centre_name,
        service.map_or(ticket.service_id.as_str(), |s| s.name.zh_cn.as_str()),
        &ticket.number,
        ticket.people_ahead,
        ticket.issued_at.naive_local(),
        format!("{url_base}{}", ticket.token),
    );
    content.window = service
        .and_then(|s| s.window.as_ref())
        .map(|w| w.zh_cn.clone());
    content
}

type Shared = std::sync::Arc<std::sync::Mutex<super::controller::Shared>>;

/// Runs `f` on the UI thread if the citizen who took the ticket is still there.
fn post_to_session(
    poster: &super::Poster,
    weak: &slint::Weak<AppWindow>,
    shared: &Shared,
    session: u64,
    f: impl FnOnce(&AppWindow, &super::controller::Shared) + Send + 'static,
) {
    let (weak, shared) = (weak.clone(), shared.clone());
    poster.post(move || {
        let Some(app) = weak.upgrade() else { return };
        let shared = shared.lock().unwrap_or_else(|e| e.into_inner());
        if shared.session == session {
            f(&app, &shared);
        }
    });
}

fn post_ticket(
    poster: &super::Poster,
    weak: &slint::Weak<AppWindow>,
    shared: &Shared,
    session: u64,
    ticket: &IssuedTicket,
    stage: TicketStage,
) {
    let ticket = ticket.clone();
    post_to_session(poster, weak, shared, session, move |app, shared| {
        let service_name = shared
            .catalogue
            .get(&ticket.service_id)
            .map(|s| s.name.text(shared.lang).to_string())
            .unwrap_or_default();
        app.global::<Queue>().set_ticket(TicketView {
            number: ticket.number.into(),
            service_name: service_name.into(),
            people_ahead: i32::try_from(ticket.people_ahead).unwrap_or(i32::MAX),
            taken_at: ticket.issued_at.format("%H:%M").to_string().into(),
            stage,
        });
    });
}

fn post_stage(
    poster: &super::Poster,
    weak: &slint::Weak<AppWindow>,
    shared: &Shared,
    session: u64,
    stage: TicketStage,
) {
    post_to_session(poster, weak, shared, session, move |app, _| {
        let queue = app.global::<Queue>();
        let mut view = queue.get_ticket();
        view.stage = stage;
        queue.set_ticket(view);
    });
}
