//! Taking a ticket: the service tap issues a number on the store thread, shows it, and sends
//! the ticket to the printer thread; whatever the printer does, the number stays valid.

use slint::ComponentHandle;

use super::controller::KioskController;
use super::{AppWindow, Nav, Page, Queue, TicketStage, TicketView};
use crate::devices::printing::PrintOutcome;
use crate::domain::queue::{self, Catalogue, IssuedTicket, PrintState};
use crate::queue_api::{DeskError, DeskTicket, IssueAsk};

impl KioskController {
    /// The citizen chose `service_id`.
    pub fn take_ticket(&self, service_id: String) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let (session, catalogue, can_print) = {
            let mut shared = self.shared();
            shared.current_service = Some(service_id.clone());
            shared.current_ticket = None;
            (shared.session, shared.catalogue.clone(), shared.can_print)
        };
        app.global::<Queue>().set_ticket(TicketView {
            stage: TicketStage::Issuing,
            ..Default::default()
        });
        app.global::<Nav>().set_page(Page::Ticket);

        let weak = self.app.clone();
        let shared = self.shared.clone();
        let poster = self.deps.poster.clone();
        // A printer known not to print (paper out, unplugged…) is not tried: the citizen sees
        // at once that the number is on screen only.
        let printer = self.deps.printer.clone().filter(|_| can_print);
        let worker = self.deps.worker.clone();
        let clock = self.deps.clock.clone();
        let centre_name = self.deps.kiosk.centre_name.clone();
        // A copy for the desk; it is wiped when dropped there.
        let identity = self.citizen.borrow().as_ref().map(|c| c.identity.clone());
        let ask = IssueAsk {
            service_id: service_id.clone(),
            identity,
            priority: None,
            one_per_person: self.deps.queue.one_ticket_per_person,
        };
        self.deps.desk.issue(ask, move |issued| {
            let ticket = match issued {
                Ok(ticket) => ticket,
                Err(DeskError::HostUnreachable) => {
                    tracing::warn!(service = %service_id, "no ticket: the queue host is unreachable");
                    post_stage(&poster, &weak, &shared, session, TicketStage::HostUnreachable);
                    return;
                }
                Err(e) => {
                    tracing::error!(service = %service_id, "cannot issue a ticket: {e}");
                    post_stage(&poster, &weak, &shared, session, TicketStage::IssueFailed);
                    return;
                }
            };
            if ticket.already_taken {
                post_ticket(&poster, &weak, &shared, session, &ticket, TicketStage::AlreadyTaken);
                return;
            }
            tracing::info!(number = %ticket.number, service = %service_id, "ticket issued");
            let first_stage = if printer.is_some() {
                TicketStage::Printing
            } else {
                TicketStage::ScreenOnly
            };
            post_ticket(&poster, &weak, &shared, session, &ticket, first_stage);
            let local_id = ticket.local_id;
            let record = move |state: PrintState, error: Option<String>| {
                let Some(ticket_id) = local_id else { return };
                worker.submit(move |store| {
                    let at = clock.now();
                    let recorded =
                        queue::record_print(store.conn(), ticket_id, state, error.as_deref(), at);
                    if let Err(e) = recorded {
                        tracing::error!("cannot record how ticket {ticket_id} printed: {e}");
                    }
                });
            };
            let Some(printer) = printer else {
                record(PrintState::ScreenOnly, None);
                return;
            };
            let print = desk_paper_ticket(&ticket, &catalogue, &centre_name);
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
                record(state, error);
            });
        });
    }

    /// The queue changed: the ticket on screen shows its new people-ahead and estimate.
    pub fn refresh_ticket_position(&self) {
        let (current, session) = {
            let shared = self.shared();
            (shared.current_ticket.clone(), shared.session)
        };
        let Some(current) = current.filter(|c| !c.offline) else {
            return;
        };
        let (weak, shared, poster) = (
            self.app.clone(),
            self.shared.clone(),
            self.deps.poster.clone(),
        );
        self.deps
            .desk
            .status(current.token.clone(), current.local, move |status| {
                let Some(status) = status else { return };
                post_to_session(&poster, &weak, &shared, session, move |app, shared| {
                    let still = shared
                        .current_ticket
                        .as_ref()
                        .is_some_and(|c| c.token == current.token);
                    if !still {
                        return;
                    }
                    let queue = app.global::<Queue>();
                    let mut view = queue.get_ticket();
                    if let Some(ahead) = status.people_ahead {
                        view.people_ahead = i32::try_from(ahead).unwrap_or(i32::MAX);
                    }
                    set_estimate(&mut view, status.estimate);
                    queue.set_ticket(view);
                });
            });
    }

    /// A client terminal's link to its queue host went up or down.
    pub fn set_host_reachable(&self, reachable: bool, offline_issuing: bool) {
        if let Some(app) = self.app.upgrade() {
            let queue = app.global::<Queue>();
            queue.set_host_unreachable(!reachable);
            queue.set_offline_issuing(offline_issuing);
        }
    }
}

fn set_estimate(view: &mut TicketView, estimate: Option<crate::domain::queue::WaitEstimate>) {
    view.has_estimate = estimate.is_some();
    if let Some(e) = estimate {
        view.wait_low = i32::try_from(e.low_minutes).unwrap_or(i32::MAX);
        view.wait_high = i32::try_from(e.high_minutes).unwrap_or(i32::MAX);
    }
}

/// The paper ticket for a ticket from the desk: Chinese, since ticket printers print
/// GB18030; people ahead and the estimate as the queue stands.
pub fn desk_paper_ticket(
    ticket: &DeskTicket,
    catalogue: &Catalogue,
    centre_name: &str,
) -> hardware::printer::TicketContent {
    let service = catalogue.get(&ticket.service_id);
    let mut content = hardware::printer::TicketContent::new(
        centre_name,
        service.map_or(ticket.service_id.as_str(), |s| s.name.zh_cn.as_str()),
        &ticket.number,
        ticket.people_ahead,
        ticket.issued_at.naive_local(),
        ticket.url.clone(),
    );
    content.window = service
        .and_then(|s| s.window.as_ref())
        .map(|w| w.zh_cn.clone());
    content.wait_estimate = ticket.estimate.map(|e| e.text_zh());
    if ticket.offline {
        content.notice = "叫号系统暂时无法连接，本号码有效，请留意叫号".into();
    }
    content
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
    ticket: &DeskTicket,
    stage: TicketStage,
) {
    let (ticket, weak, shared) = (ticket.clone(), weak.clone(), shared.clone());
    poster.post(move || {
        let Some(app) = weak.upgrade() else { return };
        let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
        // Only for the citizen who took it.
        if shared.session != session {
            return;
        }
        shared.current_ticket = Some(super::controller::TicketOnScreen {
            token: ticket.token.clone(),
            local: ticket.local_id.is_some(),
            offline: ticket.offline,
        });
        let service_name = shared
            .catalogue
            .get(&ticket.service_id)
            .map(|s| s.name.text(shared.lang).to_string())
            .unwrap_or_default();
        let mut view = TicketView {
            number: ticket.number.clone().into(),
            service_name: service_name.into(),
            people_ahead: i32::try_from(ticket.people_ahead).unwrap_or(i32::MAX),
            taken_at: ticket.issued_at.format("%H:%M").to_string().into(),
            stage,
            offline: ticket.offline,
            ..Default::default()
        };
        set_estimate(&mut view, ticket.estimate);
        app.global::<Queue>().set_ticket(view);
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
