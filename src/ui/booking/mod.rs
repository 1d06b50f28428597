//! The `AppointmentBooking` global's controller (预约, and 预约律师 on the video page): the
//! citizen places their ID card, chooses the service, the day and the half hour, types a
//! phone number, confirms; the booking code is shown large and the slip printed. The rules
//! are `domain::booking`; the registry is asked on the network runtime
//! (`sync::booking`) and the answer comes back to this thread through the shell, dropped
//! if the citizen has left meanwhile. The ID number never leaves the card's session: the
//! booking carries its keyed hash (the region's key, as check-in uses) and the masked name.

pub mod view;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use provisioning::booking::{BookAnswer, BookRequest, ServiceDays, SlotsAnswer};
use slint::{ComponentHandle, SharedString};
use zeroize::Zeroizing;

use super::shell::models::{choice, choices};
use super::shell::poster::UiRef;
use super::shell::{Intent, Shell, callback, callback_with};
use super::{AppWindow, AppointmentBooking, BookingStep, Choice, Page};
use crate::domain::booking::{
    BookingSlip, DAYS_SHOWN, MAX_PHONE_DIGITS, Refusal, VIDEO_SERVICE, day_text, service_name,
    slip_note, slot_text, slots_on, spaced_phone, valid_phone,
};
use crate::domain::consult::flow::pick;
use crate::domain::queue::catalogue::Catalogue;
use crate::i18n::Lang;
use crate::services::AppointmentService;
use crate::services::printing::{PrintResult, PrintService};
use crate::sync::SyncControl;

/// What the booking flow needs.
pub struct BookingDeps {
    pub appointments: AppointmentService,
    pub printing: PrintService,
    pub sync: Arc<SyncControl>,
    /// The services' names.
    pub catalogue: Box<dyn Fn() -> Arc<Catalogue>>,
}

/// The citizen's choices so far (wiped when they leave).
#[derive(Default)]
struct Flow {
    /// Came from the video page: the lawyers' video consultation only.
    video_only: bool,
    id_hash: Option<String>,
    /// 张*.
    person: String,
    answer: Option<SlotsAnswer>,
    service: Option<String>,
    day: Option<NaiveDate>,
    slot: Option<NaiveDateTime>,
    phone: String,
    code: String,
}

pub struct BookingController {
    shell: Shell,
    deps: BookingDeps,
    ui: UiRef<Self>,
    flow: RefCell<Flow>,
}

impl BookingController {
    pub fn attach(app: &AppWindow, shell: Shell, deps: BookingDeps) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            deps,
            ui: UiRef::from_weak(me),
            flow: RefCell::default(),
        });
        let me = Rc::downgrade(&this);
        let g = app.global::<AppointmentBooking>();
        g.on_open(callback(&me, |this| this.open(false)));
        g.on_open_video(callback(&me, |this| this.open(true)));
        g.on_choose_service(callback_with(&me, |this, id: SharedString| {
            this.choose_service(id.to_string())
        }));
        g.on_choose_day(callback_with(&me, |this, id: SharedString| {
            this.choose_day(&id)
        }));
        g.on_choose_slot(callback_with(&me, |this, id: SharedString| {
            this.choose_slot(&id)
        }));
        g.on_key(callback_with(&me, |this, k: SharedString| {
            {
                let mut flow = this.flow.borrow_mut();
                if flow.phone.len() < MAX_PHONE_DIGITS && k.bytes().all(|b| b.is_ascii_digit()) {
                    flow.phone.push_str(&k);
                }
            }
            this.show_phone();
        }));
        g.on_backspace(callback(&me, |this| {
            this.flow.borrow_mut().phone.pop();
            this.show_phone();
        }));
        g.on_clear(callback(&me, |this| {
            this.flow.borrow_mut().phone.clear();
            this.show_phone();
        }));
        g.on_phone_done(callback(&me, |this| this.show_confirm()));
        g.on_confirm(callback(&me, |this| this.book()));
        g.on_choose_again(callback(&me, |this| {
            this.flow.borrow_mut().slot = None;
            this.load_slots();
        }));
        g.on_take_ticket(callback(&me, |this| {
            this.shell.request(Intent::OpenServices);
        }));
        g.on_check_in(callback(&me, |this| {
            this.shell.request(Intent::CheckIn);
        }));
        shell.on_home(callback_with(&me, |this, _ended: bool| this.forget()));
        shell.on_back(Page::Booking, callback(&me, |this| this.back()));
        // A card placed while the page asks for it.
        shell.on_session_started(callback(&me, |this| {
            if this.shell.page() == Page::Booking && this.step() == Some(BookingStep::Card) {
                this.with_card();
            }
        }));
        this
    }

    super::shell::with_global!(AppointmentBooking);

    fn step(&self) -> Option<BookingStep> {
        self.shell
            .app()
            .map(|app| app.global::<AppointmentBooking>().get_step())
    }

    fn set_step(&self, step: BookingStep) {
        self.with(|g| g.set_step(step));
    }

    fn forget(&self) {
        *self.flow.borrow_mut() = Flow::default();
        self.with(|g| {
            g.set_step(BookingStep::Card);
            g.set_phone(SharedString::new());
            g.set_person(SharedString::new());
            g.set_code(SharedString::new());
        });
    }

    /// 预约 (from the check-in page) or 预约律师 (from the video page); with a card already
    /// read, on at once.
    fn open(&self, video_only: bool) {
        self.forget();
        self.flow.borrow_mut().video_only = video_only;
        let place = self.deps.printing.centre_name().to_string();
        self.with(|g| {
            g.set_video(video_only);
            g.set_place(place.into());
        });
        self.shell.show(Page::Booking);
        if self.shell.session().has_identity() {
            self.with_card();
        }
    }

    /// The card is read: its number is hashed on the store thread with the region's key
    /// (the number itself goes no further).
    fn with_card(&self) {
        let (id_number, person) = {
            let session = self.shell.session();
            let Some(citizen) = session.citizen() else {
                return;
            };
            (
                Zeroizing::new(citizen.holder.id_number.clone()),
                citizen.greeting_name.clone(),
            )
        };
        self.with(|g| g.set_person(person.clone().into()));
        self.flow.borrow_mut().person = person;
        self.set_step(BookingStep::Working);
        let reply = self
            .shell
            .reply(&self.ui, |this: &Self, hash: Option<String>| {
                let Some(hash) = hash else {
                    return this.refused(Refusal::NotReady);
                };
                this.flow.borrow_mut().id_hash = Some(hash);
                this.load_slots();
            });
        self.deps.appointments.citizen_hash(id_number, reply);
    }

    /// Asks the registry for this platform's free times (again, after a slot was taken).
    fn load_slots(&self) {
        let Some(link) = self.deps.sync.booking() else {
            return self.refused(Refusal::Offline);
        };
        self.set_step(BookingStep::Working);
        let service = self
            .flow
            .borrow()
            .video_only
            .then(|| VIDEO_SERVICE.to_string());
        let reply = self.shell.reply(
            &self.ui,
            |this: &Self, answer: Result<SlotsAnswer, Refusal>| match answer {
                Ok(answer) => this.slots_came(answer),
                Err(refusal) => this.refused(refusal),
            },
        );
        self.deps.sync.net().spawn(async move {
            reply(link.slots(service, DAYS_SHOWN).await);
        });
    }

    fn slots_came(&self, answer: SlotsAnswer) {
        let (service, day) = {
            let mut flow = self.flow.borrow_mut();
            flow.answer = Some(answer);
            (flow.service.clone(), flow.day)
        };
        let services = self.offered();
        match (service, day) {
            // Back after a refusal: the same service and day, refreshed.
            (Some(service), Some(day)) if services.contains(&service) => {
                self.choose_service(service);
                self.choose_day(&day.format("%Y-%m-%d").to_string());
            }
            _ if services.is_empty() => self.refused(Refusal::NotOffered),
            _ if services.len() == 1 => self.choose_service(services[0].clone()),
            _ => self.show_services(&services),
        }
    }

    /// The services offered here, in the registry's order.
    fn offered(&self) -> Vec<String> {
        let flow = self.flow.borrow();
        flow.answer
            .iter()
            .flat_map(|a| &a.services)
            .map(|s| s.service_id.clone())
            .filter(|id| !flow.video_only || id == VIDEO_SERVICE)
            .collect()
    }

    fn name_of(&self, service: &str, lang: Lang) -> String {
        let catalogue = (self.deps.catalogue)();
        service_name(catalogue.get(service).map(|s| &s.name), service, lang)
    }

    fn show_services(&self, services: &[String]) {
        let lang = self.shell.lang();
        let items: Vec<Choice> = services
            .iter()
            .map(|id| choice(id.as_str(), self.name_of(id, lang), ""))
            .collect();
        self.with(|g| {
            g.set_services(choices(items));
            g.set_step(BookingStep::Service);
        });
    }

    fn service_days(&self) -> Option<ServiceDays> {
        let flow = self.flow.borrow();
        let service = flow.service.as_ref()?;
        flow.answer
            .as_ref()?
            .services
            .iter()
            .find(|s| &s.service_id == service)
            .cloned()
    }

    fn choose_service(&self, service: String) {
        let lang = self.shell.lang();
        let name = self.name_of(&service, lang);
        {
            let mut flow = self.flow.borrow_mut();
            flow.service = Some(service);
            flow.day = None;
        }
        let Some(days) = self.service_days() else {
            return self.refused(Refusal::NotOffered);
        };
        let items = view::days_model(&days, lang);
        self.with(|g| {
            g.set_service_name(name.into());
            g.set_days(items);
            g.set_step(BookingStep::Day);
        });
    }

    fn choose_day(&self, id: &str) {
        let Ok(day) = NaiveDate::parse_from_str(id, "%Y-%m-%d") else {
            return;
        };
        let Some(days) = self.service_days() else {
            return;
        };
        let slots = slots_on(&days, day);
        if slots.is_empty() {
            // Taken meanwhile: the day list, refreshed, says so.
            let service = days.service_id.clone();
            return self.choose_service(service);
        }
        self.flow.borrow_mut().day = Some(day);
        let lang = self.shell.lang();
        let items = view::slots_model(&slots, lang);
        self.with(|g| {
            g.set_day_name(day_text(day, lang).into());
            g.set_slots(items);
            g.set_step(BookingStep::Slot);
        });
    }

    fn choose_slot(&self, id: &str) {
        let Ok(start) = NaiveDateTime::parse_from_str(id, "%Y-%m-%dT%H:%M") else {
            return;
        };
        self.flow.borrow_mut().slot = Some(start);
        self.with(|g| g.set_slot_name(slot_text(start, self.shell.lang()).into()));
        self.show_phone();
        self.set_step(BookingStep::Phone);
    }

    fn show_phone(&self) {
        let phone = self.flow.borrow().phone.clone();
        self.with(|g| {
            g.set_phone_valid(valid_phone(&phone));
            g.set_phone(phone.into());
        });
    }

    fn show_confirm(&self) {
        let phone = self.flow.borrow().phone.clone();
        if !valid_phone(&phone) {
            return;
        }
        self.with(|g| {
            g.set_phone(spaced_phone(&phone).into());
            g.set_step(BookingStep::Confirm);
        });
    }

    fn book(&self) {
        let request = {
            let flow = self.flow.borrow();
            let (Some(service), Some(slot), Some(id_hash)) =
                (flow.service.clone(), flow.slot, flow.id_hash.clone())
            else {
                return;
            };
            BookRequest {
                service,
                start: slot.format("%Y-%m-%dT%H:%M").to_string(),
                masked_name: flow.person.clone(),
                id_hash,
                phone: flow.phone.clone(),
            }
        };
        let Some(link) = self.deps.sync.booking() else {
            return self.refused(Refusal::Offline);
        };
        self.set_step(BookingStep::Working);
        let reply = self.shell.reply(
            &self.ui,
            |this: &Self, booked: Result<BookAnswer, Refusal>| match booked {
                Ok(answer) => this.booked(answer),
                Err(refusal) => this.refused(refusal),
            },
        );
        self.deps.sync.net().spawn(async move {
            reply(link.book(request).await);
        });
    }

    fn booked(&self, answer: BookAnswer) {
        let lang = self.shell.lang();
        let Ok(start) = NaiveDateTime::parse_from_str(&answer.start, "%Y-%m-%dT%H:%M") else {
            return self.refused(Refusal::Failed("the registry's start is not a time".into()));
        };
        self.flow.borrow_mut().code = answer.code.clone();
        let video = answer.service_id == VIDEO_SERVICE;
        let slip = BookingSlip {
            code: answer.code.clone(),
            service_name: self.name_of(&answer.service_id, Lang::ZhCn),
            start,
            place: self.deps.printing.centre_name().to_string(),
            masked_name: answer.masked_name,
            video,
        };
        let note = pick(
            lang,
            "正在打印预约凭条…",
            "예약 확인서를 인쇄하고 있습니다…",
            "Printing your booking slip…",
        );
        self.with(|g| {
            g.set_video(video);
            g.set_code(answer.code.into());
            g.set_slot_name(slot_text(start, lang).into());
            g.set_slip_note(note.into());
            g.set_step(BookingStep::Done);
        });
        let reply = self
            .shell
            .reply(&self.ui, |this: &Self, printed: PrintResult| {
                this.printed(printed)
            });
        self.deps.printing.print_booking(&slip, reply);
    }

    fn printed(&self, printed: PrintResult) {
        let lang = self.shell.lang();
        let code = self.flow.borrow().code.clone();
        let note = slip_note(printed == PrintResult::Printed, &code, lang);
        self.with(|g| g.set_slip_note(note.into()));
    }

    fn refused(&self, refusal: Refusal) {
        if let Refusal::Failed(reason) = &refusal {
            tracing::warn!("booking at the kiosk failed: {reason}");
        }
        let lang = self.shell.lang();
        self.with(|g| {
            g.set_message(refusal.message(lang).into());
            g.set_offline(refusal == Refusal::Offline);
            g.set_can_choose_again(refusal.back_to_slots());
            g.set_step(BookingStep::Message);
        });
    }

    /// 返回: one step back; from the first step, home.
    fn back(&self) {
        let Some(step) = self.step() else { return };
        match step {
            BookingStep::Working => {}
            BookingStep::Day if self.offered().len() > 1 => self.show_services(&self.offered()),
            BookingStep::Slot => {
                if let Some(service) = self.flow.borrow().service.clone() {
                    self.choose_service(service);
                }
            }
            BookingStep::Phone => {
                if let Some(day) = self.flow.borrow().day {
                    self.choose_day(&day.format("%Y-%m-%d").to_string());
                }
            }
            BookingStep::Confirm => {
                self.show_phone();
                self.set_step(BookingStep::Phone);
            }
            _ => self.shell.go_home(),
        }
    }
}
