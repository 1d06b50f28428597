//! The `Queue` global's controller: the services with how many wait for each, the ticket a
//! citizen takes (issued, then printed; whatever the printer does, the number stays valid
//! on screen), its live position, and a client terminal's link to its queue host.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use super::shell::poster::UiRef;
use super::shell::{Intent, Shell, callback, callback_with};
use super::{AppWindow, Page, Queue, ServiceEntry, TicketStage, TicketView};
use crate::domain::queue::{Catalogue, WaitEstimate};
use crate::i18n::Lang;
use crate::services::printing::{PrintResult, PrintService};
use crate::services::tickets::{Ticket, TicketError, TicketRequest, TicketService};

/// The ticket on screen, whose position follows the queue.
#[derive(Debug, Clone)]
struct TicketOnScreen {
    token: String,
    service_id: String,
    /// Its row is in this terminal's store (else on the queue host).
    local: bool,
    /// Issued from the offline range: no live position.
    offline: bool,
}

pub struct QueueController {
    shell: Shell,
    tickets: TicketService,
    printing: PrintService,
    /// One ticket per person and service a day (when a card was read).
    one_per_person: bool,
    ui: UiRef<Self>,
    current: RefCell<Option<TicketOnScreen>>,
}

impl QueueController {
    pub fn attach(
        app: &AppWindow,
        shell: Shell,
        tickets: TicketService,
        printing: PrintService,
        one_per_person: bool,
    ) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            tickets,
            printing,
            one_per_person,
            ui: UiRef::from_weak(me),
            current: RefCell::new(None),
        });
        let me = Rc::downgrade(&this);
        let queue = app.global::<Queue>();
        queue.on_take_ticket(callback_with(&me, |this, id: SharedString| {
            this.take_ticket(id.to_string())
        }));
        queue.on_finish(callback(&me, |this| this.shell.go_home()));
        shell.on_back(Page::Services, {
            let shell = shell.clone();
            move || shell.go_home()
        });
        let m = me.clone();
        shell.on_intent(move |intent| {
            let Some(this) = m.upgrade() else {
                return false;
            };
            match intent {
                Intent::OpenServices => this.open_services(),
                Intent::TakeTicket { service } => this.take_ticket(service.clone()),
                Intent::ShowTicket(ticket) => {
                    this.shell.show(Page::Ticket);
                    this.issued(Ok((**ticket).clone()));
                }
                _ => return false,
            }
            true
        });
        let m = me.clone();
        shell.on_home(move |_| {
            if let Some(this) = m.upgrade() {
                this.current.borrow_mut().take();
                this.with(|q| q.set_ticket(TicketView::default()));
            }
        });
        let m = me.clone();
        shell.on_lang(move |lang| {
            if let Some(this) = m.upgrade() {
                this.show_in(lang);
            }
        });
        this.push_services(&HashMap::new());
        this
    }

    super::shell::with_global!(Queue);

    /// Shows the services with fresh waiting counts.
    fn open_services(&self) {
        self.push_services(&HashMap::new());
        self.shell.show(Page::Services);
        let reply = self.shell.reply(&self.ui, |this: &Self, counts| {
            this.push_services(&counts);
        });
        self.tickets.waiting_counts(reply);
    }

    fn push_services(&self, waiting: &HashMap<String, u32>) {
        let model = services_model(
            &self.tickets.shared().catalogue(),
            self.shell.lang(),
            waiting,
        );
        self.with(|q| q.set_services(model));
    }

    /// The citizen chose a language: names change, the counts shown stay.
    fn show_in(&self, lang: Lang) {
        let counts: HashMap<String, u32> = match self.shell.app() {
            Some(app) => app
                .global::<Queue>()
                .get_services()
                .iter()
                .map(|s| (s.id.to_string(), u32::try_from(s.waiting).unwrap_or(0)))
                .collect(),
            None => return,
        };
        self.push_services(&counts);
        let current = self.current.borrow().clone();
        if let Some(current) = current {
            let name = service_name(
                &self.tickets.shared().catalogue(),
                &current.service_id,
                lang,
            );
            self.with(|q| {
                let mut view = q.get_ticket();
                view.service_name = name.into();
                q.set_ticket(view);
            });
        }
    }

    /// A newer catalogue came into force: the services page shows it without a restart.
    pub fn catalogue_changed(&self) {
        self.push_services(&HashMap::new());
        if self.shell.page() == Page::Services {
            self.open_services();
        }
    }

    /// The citizen chose `service_id`.
    pub fn take_ticket(&self, service_id: String) {
        self.current.borrow_mut().take();
        self.with(|q| {
            q.set_ticket(TicketView {
                stage: TicketStage::Issuing,
                ..Default::default()
            })
        });
        self.shell.show(Page::Ticket);
        // A copy for the desk; it is wiped when dropped there.
        let identity = self.shell.session().citizen().map(|c| c.identity.clone());
        let request = TicketRequest {
            identity,
            one_per_person: self.one_per_person,
            ..TicketRequest::new(service_id)
        };
        let reply = self.shell.reply(&self.ui, Self::issued);
        self.tickets.issue(request, reply);
    }

    fn issued(&self, issued: Result<Ticket, TicketError>) {
        let ticket = match issued {
            Ok(ticket) => ticket,
            Err(TicketError::HostUnreachable) => {
                tracing::warn!("no ticket: the queue host is unreachable");
                return self.show_stage(TicketStage::HostUnreachable);
            }
            Err(e) => {
                tracing::error!("cannot issue a ticket: {e}");
                return self.show_stage(TicketStage::IssueFailed);
            }
        };
        if ticket.already_taken {
            return self.show_ticket(&ticket, TicketStage::AlreadyTaken);
        }
        tracing::info!(number = %ticket.number, service = %ticket.service_id, "ticket issued");
        // A printer known not to print (paper out, unplugged…) is not tried: the citizen
        // sees at once that the number is on screen only.
        let printing = self.printing.available();
        self.show_ticket(
            &ticket,
            if printing {
                TicketStage::Printing
            } else {
                TicketStage::ScreenOnly
            },
        );
        let reply = self.shell.reply(&self.ui, |this: &Self, printed| {
            this.show_stage(match printed {
                PrintResult::Printed => TicketStage::Printed,
                PrintResult::Failed(_) => TicketStage::PrintFailed,
                PrintResult::Unavailable => TicketStage::ScreenOnly,
            })
        });
        self.tickets.print(&ticket, printing, reply);
    }

    fn show_ticket(&self, ticket: &Ticket, stage: TicketStage) {
        *self.current.borrow_mut() = Some(TicketOnScreen {
            token: ticket.token.clone(),
            service_id: ticket.service_id.clone(),
            local: ticket.local_id.is_some(),
            offline: ticket.offline,
        });
        let mut view = TicketView {
            number: ticket.number.clone().into(),
            service_name: service_name(
                &self.tickets.shared().catalogue(),
                &ticket.service_id,
                self.shell.lang(),
            )
            .into(),
            people_ahead: i32::try_from(ticket.people_ahead).unwrap_or(i32::MAX),
            taken_at: ticket.issued_at.format("%H:%M").to_string().into(),
            stage,
            offline: ticket.offline,
            ..Default::default()
        };
        set_estimate(&mut view, ticket.estimate);
        self.with(|q| q.set_ticket(view));
    }

    fn show_stage(&self, stage: TicketStage) {
        self.with(|q| {
            let mut view = q.get_ticket();
            view.stage = stage;
            q.set_ticket(view);
        });
    }

    /// The queue moved: the ticket on screen shows its new people-ahead and estimate.
    pub fn queue_changed(&self) {
        let Some(current) = self.current.borrow().clone().filter(|c| !c.offline) else {
            return;
        };
        let token = current.token.clone();
        let reply = self.shell.reply(&self.ui, move |this: &Self, status| {
            let Some(status) = status else { return };
            let still = this
                .current
                .borrow()
                .as_ref()
                .is_some_and(|c| c.token == token);
            if !still {
                return;
            }
            let status: crate::domain::queue::view::TicketStatus = status;
            this.with(|q| {
                let mut view = q.get_ticket();
                if let Some(ahead) = status.people_ahead {
                    view.people_ahead = i32::try_from(ahead).unwrap_or(i32::MAX);
                }
                set_estimate(&mut view, status.estimate);
                q.set_ticket(view);
            });
        });
        self.tickets.status(current.token, current.local, reply);
    }

    /// A client terminal's link to its queue host went up or down.
    pub fn host_reachable(&self, reachable: bool, offline_issuing: bool) {
        self.with(|q| {
            q.set_host_unreachable(!reachable);
            q.set_offline_issuing(offline_issuing);
        });
    }
}

fn set_estimate(view: &mut TicketView, estimate: Option<WaitEstimate>) {
    view.has_estimate = estimate.is_some();
    if let Some(e) = estimate {
        view.wait_low = i32::try_from(e.low_minutes).unwrap_or(i32::MAX);
        view.wait_high = i32::try_from(e.high_minutes).unwrap_or(i32::MAX);
    }
}

fn service_name(catalogue: &Catalogue, service_id: &str, lang: Lang) -> String {
    catalogue
        .get(service_id)
        .map(|s| s.name.text(lang).to_string())
        .unwrap_or_default()
}

/// The services in `lang`, with how many people wait for each.
fn services_model(
    catalogue: &Catalogue,
    lang: Lang,
    waiting: &HashMap<String, u32>,
) -> ModelRc<ServiceEntry> {
    let entries: Vec<ServiceEntry> = catalogue
        .services()
        .iter()
        .map(|s| ServiceEntry {
            id: s.id.clone().into(),
            name: s.name.text(lang).into(),
            description: s.description.text(lang).into(),
            prefix: s.prefix.to_string().into(),
            waiting: i32::try_from(waiting.get(&s.id).copied().unwrap_or(0)).unwrap_or(i32::MAX),
        })
        .collect();
    ModelRc::new(VecModel::from(entries))
}
