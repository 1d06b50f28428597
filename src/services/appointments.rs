//! Checking in for an appointment (issue 20): the citizen places their ID card or types the
//! booking code; the booking is found among those the operations centre synced for this
//! platform (offline too), its window is checked, and a ticket is issued in the appointment
//! priority group — or, late, as configured. The check-in and its event for the centre are
//! recorded together; the same booking cannot check in twice. Missed appointments are
//! recorded once their window has closed, by [`AppointmentService::sweep_missed`] (every
//! minute), not on the check-in's path.

use chrono::NaiveDateTime;
use zeroize::Zeroizing;

use super::tickets::{Ticket, TicketError, TicketRequest, TicketService};
use super::{ServiceError, StoreAccess};
use crate::domain::appointments::{
    Appointments, Arrival, Booking, LatePolicy, Window, checked_in, record_check_in, record_missed,
};
use crate::domain::booking::VIDEO_SERVICE;
use crate::domain::queue::PriorityGroup;
use crate::session::identity::TicketIdentity;

/// What a video consultation's check-in records where a ticket number would be.
pub const VIDEO_CHECK_IN: &str = "VIDEO";

/// How the citizen says who they are.
pub enum CheckInBy {
    /// The number read from their ID card, in memory only (wiped on drop).
    Card {
        id_number: Zeroizing<String>,
        identity: Option<TicketIdentity>,
    },
    /// The booking code, as typed.
    Code(String),
}

/// How a check-in ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckIn {
    /// A ticket was issued: with the appointment's priority, or (late, `normal-ticket`) without.
    CheckedIn {
        booking: Booking,
        ticket: Box<Ticket>,
        late: bool,
    },
    /// This booking already checked in here, with this ticket.
    Already { booking: Booking, ticket: String },
    /// Too early: check-in opens at `opens`.
    Early {
        booking: Booking,
        opens: NaiveDateTime,
    },
    /// Too late, and the centre wants staff to decide.
    LateAskStaff { booking: Booking },
    /// The booking is for another day.
    OtherDay { booking: Booking },
    /// No booking for this card today, or no such code.
    NotFound,
    /// No bookings have reached this terminal (none published, or not yet synced).
    NoBookings,
    /// The ticket could not be issued.
    TicketFailed(String),
    /// A booked video consultation with a lawyer checked in: no counter ticket; the video
    /// call follows.
    VideoCall { booking: Booking },
}

#[derive(Clone)]
pub struct AppointmentService {
    store: StoreAccess,
    tickets: TicketService,
    window: Window,
}

/// What the store thread decided before any ticket.
enum Found {
    Issue { booking: Booking, late: bool },
    Done(CheckIn),
}

impl AppointmentService {
    pub fn new(store: StoreAccess, tickets: TicketService, window: Window) -> Self {
        Self {
            store,
            tickets,
            window,
        }
    }

    /// Checks the citizen in; `reply` hears how it ended.
    pub fn check_in(&self, by: CheckInBy, reply: impl FnOnce(CheckIn) + Send + 'static) {
        let window = self.window;
        let (identity, by) = match by {
            CheckInBy::Card {
                id_number,
                identity,
            } => (identity, Lookup::Card(id_number)),
            CheckInBy::Code(code) => (None, Lookup::Code(code)),
        };
        let this = self.clone();
        self.store.run(
            move |store, at| -> Result<Found, ServiceError> {
                let conn = store.conn();
                let Some(appointments) = Appointments::in_force(conn) else {
                    return Ok(Found::Done(CheckIn::NoBookings));
                };
                let now = at.naive_local();
                let booking = match &by {
                    Lookup::Card(number) => {
                        let today = appointments.by_card(number, now.date());
                        // The earliest of today's bookings not yet checked in.
                        let mut open = None;
                        for b in &today {
                            if checked_in(conn, &b.code)?.is_none() {
                                open = Some(*b);
                                break;
                            }
                        }
                        open.or(today.first().copied()).cloned()
                    }
                    Lookup::Code(code) => appointments.by_code(code).cloned(),
                };
                let Some(booking) = booking else {
                    return Ok(Found::Done(CheckIn::NotFound));
                };
                if let Some(ticket) = checked_in(conn, &booking.code)? {
                    return Ok(Found::Done(CheckIn::Already { booking, ticket }));
                }
                Ok(match window.arrival(&booking, now) {
                    Arrival::InWindow => Found::Issue {
                        booking,
                        late: false,
                    },
                    Arrival::Late if window.late == LatePolicy::NormalTicket => Found::Issue {
                        booking,
                        late: true,
                    },
                    Arrival::Late => Found::Done(CheckIn::LateAskStaff { booking }),
                    Arrival::Early { opens } => Found::Done(CheckIn::Early { booking, opens }),
                    Arrival::OtherDay => Found::Done(CheckIn::OtherDay { booking }),
                })
            },
            move |found| match found {
                Ok(Found::Done(done)) => reply(done),
                Ok(Found::Issue { booking, late }) if booking.service_id == VIDEO_SERVICE => {
                    this.video_call(booking, late, reply)
                }
                Ok(Found::Issue { booking, late }) => this.issue(booking, late, identity, reply),
                Err(e) => {
                    tracing::error!("cannot check an appointment in: {e}");
                    reply(CheckIn::TicketFailed(e.to_string()))
                }
            },
        );
    }

    /// A booked video consultation: the check-in is recorded (and reported) like any other,
    /// without a counter ticket; the screen goes on to the video call.
    fn video_call(
        &self,
        booking: Booking,
        late: bool,
        reply: impl FnOnce(CheckIn) + Send + 'static,
    ) {
        let shown = booking.clone();
        self.store.run(
            move |store, at| -> Result<bool, ServiceError> {
                let tx = store.conn().unchecked_transaction()?;
                let added = record_check_in(&tx, &booking, VIDEO_CHECK_IN, late, at)?;
                tx.commit()?;
                Ok(added)
            },
            move |recorded| {
                if let Err(e) = &recorded {
                    // The call still goes ahead; staff see the log.
                    tracing::error!("video appointment check-in not recorded: {e}");
                }
                reply(CheckIn::VideoCall { booking: shown })
            },
        );
    }

    /// The keyed hash of the number on the citizen's card under the region's key, as a
    /// booking made at this terminal carries it (`None`: no `appointments` bundle in force
    /// yet, so no key, or a number that is not well formed). The number stays in memory.
    pub fn citizen_hash(
        &self,
        id_number: Zeroizing<String>,
        reply: impl FnOnce(Option<String>) + Send + 'static,
    ) {
        self.store.run(
            move |store, _at| -> Result<Option<String>, ServiceError> {
                Ok(Appointments::in_force(store.conn()).and_then(|a| a.hash_of(&id_number)))
            },
            move |hash| reply(hash.ok().flatten()),
        );
    }

    fn issue(
        &self,
        booking: Booking,
        late: bool,
        identity: Option<TicketIdentity>,
        reply: impl FnOnce(CheckIn) + Send + 'static,
    ) {
        let request = TicketRequest {
            identity,
            priority: (!late).then_some(PriorityGroup::Appointment),
            ..TicketRequest::new(booking.service_id.clone())
        };
        let store = self.store.clone();
        self.tickets
            .issue(request, move |issued: Result<Ticket, TicketError>| {
                let ticket = match issued {
                    Ok(ticket) => ticket,
                    Err(e) => return reply(CheckIn::TicketFailed(e.to_string())),
                };
                let number = ticket.number.clone();
                let shown = booking.clone();
                store.run(
                    move |store, at| -> Result<bool, ServiceError> {
                        let tx = store.conn().unchecked_transaction()?;
                        let added = record_check_in(&tx, &booking, &number, late, at)?;
                        tx.commit()?;
                        Ok(added)
                    },
                    move |recorded| {
                        if let Err(e) = &recorded {
                            // The ticket stands: the citizen is served; staff see the log.
                            tracing::error!(
                                "check-in with ticket {} not recorded: {e}",
                                ticket.number
                            );
                        }
                        reply(CheckIn::CheckedIn {
                            booking: shown,
                            ticket: Box::new(ticket),
                            late,
                        })
                    },
                );
            });
    }

    /// Records the appointments whose window has closed without a check-in (run now and
    /// then: the operations centre learns of a missed appointment without anyone at the
    /// kiosk).
    pub fn sweep_missed(&self) {
        let window = self.window;
        self.store.run(
            move |store, at| -> Result<usize, ServiceError> {
                let conn = store.conn();
                Ok(match Appointments::in_force(conn) {
                    Some(a) => record_missed(conn, &a, &window, at)?,
                    None => 0,
                })
            },
            |recorded| match recorded {
                Ok(0) => {}
                Ok(n) => tracing::info!("{n} appointments missed"),
                Err(e) => tracing::error!("cannot record missed appointments: {e}"),
            },
        );
    }
}

enum Lookup {
    Card(Zeroizing<String>),
    Code(String),
}
