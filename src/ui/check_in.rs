//! The `AppointmentCheckIn` global's controller (预约签到): the citizen places their ID card
//! (or has placed it already) or types the booking code; the appointment service finds the
//! booking and issues the ticket, which the queue's ticket page shows and prints. Every
//! other ending is said in plain words with what to do.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{Datelike as _, NaiveDateTime};
use slint::{ComponentHandle, SharedString};
use zeroize::Zeroizing;

use super::shell::poster::UiRef;
use super::shell::{Intent, Shell, callback, callback_with};
use super::{AppWindow, AppointmentCheckIn, CheckInStep, Page};
use crate::domain::consult::flow::pick;
use crate::i18n::Lang;
use crate::services::AppointmentService;
use crate::services::appointments::{CheckIn, CheckInBy, VIDEO_CHECK_IN};

/// Characters a booking code has (typed: a dash or space may be added).
const MAX_CODE_CHARS: usize = 10;

pub struct CheckInController {
    shell: Shell,
    appointments: AppointmentService,
    ui: UiRef<Self>,
    code: RefCell<String>,
}

impl CheckInController {
    pub fn attach(app: &AppWindow, shell: Shell, appointments: AppointmentService) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            appointments,
            ui: UiRef::from_weak(me),
            code: RefCell::default(),
        });
        let me = Rc::downgrade(&this);
        let g = app.global::<AppointmentCheckIn>();
        g.on_open(callback(&me, |this| this.open()));
        g.on_key(callback_with(&me, |this, k: SharedString| {
            {
                let mut code = this.code.borrow_mut();
                if code.chars().count() < MAX_CODE_CHARS {
                    code.push_str(&k);
                }
            }
            this.show_code();
        }));
        g.on_backspace(callback(&me, |this| {
            this.code.borrow_mut().pop();
            this.show_code();
        }));
        g.on_clear(callback(&me, |this| {
            this.code.borrow_mut().clear();
            this.show_code();
        }));
        g.on_submit(callback(&me, |this| {
            let code = this.code.borrow().clone();
            this.check_in(CheckInBy::Code(code));
        }));
        shell.on_home(callback_with(&me, |this, _ended: bool| {
            this.code.borrow_mut().clear();
            this.with(|g| {
                g.set_code(SharedString::new());
                g.set_step(CheckInStep::Entry);
            });
        }));
        let m = me.clone();
        shell.on_intent(move |intent| match (m.upgrade(), intent) {
            (Some(this), Intent::CheckIn) => {
                this.open();
                true
            }
            _ => false,
        });
        // A card placed while the page asks for it.
        shell.on_session_started(callback(&me, |this| {
            if this.shell.page() == Page::CheckIn && this.step() == Some(CheckInStep::Entry) {
                this.check_in_by_card();
            }
        }));
        this
    }

    super::shell::with_global!(AppointmentCheckIn);

    fn step(&self) -> Option<CheckInStep> {
        self.shell
            .app()
            .map(|app| app.global::<AppointmentCheckIn>().get_step())
    }

    /// 预约签到 on the home screen; with a card already read, at once.
    fn open(&self) {
        self.code.borrow_mut().clear();
        self.with(|g| {
            g.set_code(SharedString::new());
            g.set_step(CheckInStep::Entry);
        });
        self.shell.show(Page::CheckIn);
        if self.shell.session().has_identity() {
            self.check_in_by_card();
        }
    }

    fn show_code(&self) {
        let code = self.code.borrow().clone();
        self.with(|g| g.set_code(code.into()));
    }

    fn check_in_by_card(&self) {
        let by = {
            let session = self.shell.session();
            let Some(citizen) = session.citizen() else {
                return;
            };
            CheckInBy::Card {
                id_number: Zeroizing::new(citizen.holder.id_number.clone()),
                identity: Some(citizen.identity.clone()),
            }
        };
        self.check_in(by);
    }

    fn check_in(&self, by: CheckInBy) {
        self.with(|g| g.set_step(CheckInStep::Working));
        let reply = self
            .shell
            .reply(&self.ui, |this: &Self, done: CheckIn| this.done(done));
        self.appointments.check_in(by, reply);
    }

    fn done(&self, done: CheckIn) {
        let lang = self.shell.lang();
        // A booked video consultation (checked in now, or a moment ago and the call was
        // left): straight to the call. A terminal that cannot make calls says where to go
        // instead.
        let video = match &done {
            CheckIn::VideoCall { .. } => true,
            CheckIn::Already { ticket, .. } => ticket == VIDEO_CHECK_IN,
            _ => false,
        };
        if video && self.shell.request(Intent::BookedVideoCall) {
            return;
        }
        if let CheckIn::CheckedIn { ticket, .. } = done {
            // The queue's ticket page shows it and prints it, as for any ticket.
            self.shell.request(Intent::ShowTicket(ticket));
            return;
        }
        let (message, warning) = message(&done, lang);
        self.with(|g| {
            g.set_message(message.into());
            g.set_warning(warning);
            g.set_step(CheckInStep::Message);
        });
    }
}

fn when(t: NaiveDateTime, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{}月{}日 {}", t.month(), t.day(), t.format("%H:%M")),
        Lang::KoKr => format!("{}월 {}일 {}", t.month(), t.day(), t.format("%H:%M")),
        Lang::En => t.format("%-d %b %H:%M").to_string(),
    }
}

/// What the citizen reads when no new ticket was issued, and whether it is a problem.
fn message(done: &CheckIn, lang: Lang) -> (String, bool) {
    match done {
        CheckIn::VideoCall { .. } => (
            pick(
                lang,
                "您已签到。本机现在不能视频通话，请到视频咨询区，或找工作人员。",
                "체크인되었습니다. 이 단말기에서는 지금 화상 통화를 할 수 없습니다. 화상 상담 구역으로 가시거나 직원에게 문의하세요.",
                "You are checked in. This terminal cannot make video calls right now: please go to the video consultation area, or ask a member of staff.",
            )
            .to_string(),
            true,
        ),
        CheckIn::Already { ticket, .. } if ticket == VIDEO_CHECK_IN => (
            pick(
                lang,
                "这个视频咨询预约已经签到过了。请到视频咨询区，或找工作人员。",
                "이 화상 상담 예약은 이미 체크인했습니다. 화상 상담 구역으로 가시거나 직원에게 문의하세요.",
                "This video consultation has already checked in. Please go to the video consultation area, or ask a member of staff.",
            )
            .to_string(),
            false,
        ),
        CheckIn::Already { ticket, .. } => (
            match lang {
                Lang::ZhCn => format!("这个预约已经签到过了。您的号码是 {ticket}，请留意叫号。"),
                Lang::KoKr => format!("이 예약은 이미 체크인했습니다. 번호는 {ticket}입니다. 호출을 기다려 주세요."),
                Lang::En => format!("This appointment has already checked in. Your number is {ticket}; please wait to be called."),
            },
            false,
        ),
        CheckIn::Early { booking, opens } => (
            match lang {
                Lang::ZhCn => format!(
                    "您预约的时间是 {}。{} 起可以签到，请稍后再来。",
                    when(booking.start, lang),
                    opens.format("%H:%M")
                ),
                Lang::KoKr => format!(
                    "예약 시간은 {}입니다. {}부터 체크인할 수 있으니 잠시 후에 다시 오세요.",
                    when(booking.start, lang),
                    opens.format("%H:%M")
                ),
                Lang::En => format!(
                    "Your appointment is at {}. Check-in opens at {}; please come back then.",
                    when(booking.start, lang),
                    opens.format("%H:%M")
                ),
            },
            false,
        ),
        CheckIn::LateAskStaff { booking } => (
            match lang {
                Lang::ZhCn => format!(
                    "您预约的时间是 {}，签到时间已经过了。请找工作人员。",
                    when(booking.start, lang)
                ),
                Lang::KoKr => format!(
                    "예약 시간은 {}이었고 체크인 시간이 지났습니다. 직원에게 문의하세요.",
                    when(booking.start, lang)
                ),
                Lang::En => format!(
                    "Your appointment was at {} and check-in has closed. Please ask a member of staff.",
                    when(booking.start, lang)
                ),
            },
            true,
        ),
        CheckIn::OtherDay { booking } => (
            match lang {
                Lang::ZhCn => format!("您的预约是 {}，不是今天。请到时再来。", when(booking.start, lang)),
                Lang::KoKr => format!("예약은 {}이며 오늘이 아닙니다. 그때 다시 오세요.", when(booking.start, lang)),
                Lang::En => format!("Your appointment is on {}, not today. Please come back then.", when(booking.start, lang)),
            },
            true,
        ),
        CheckIn::NotFound => (
            pick(
                lang,
                "没有找到您今天的预约。请核对预约码，或找工作人员。",
                "오늘 예약을 찾지 못했습니다. 예약 코드를 확인하시거나 직원에게 문의하세요.",
                "No appointment was found for today. Please check the code, or ask a member of staff.",
            )
            .to_string(),
            true,
        ),
        CheckIn::NoBookings => (
            pick(
                lang,
                "本机还没有收到今天的预约名单。请找工作人员。",
                "이 단말기에 오늘 예약 목록이 아직 없습니다. 직원에게 문의하세요.",
                "This terminal has not received today's appointments. Please ask a member of staff.",
            )
            .to_string(),
            true,
        ),
        CheckIn::TicketFailed(_) | CheckIn::CheckedIn { .. } => (
            pick(
                lang,
                "现在无法取号。请找工作人员。",
                "지금은 번호표를 뽑을 수 없습니다. 직원에게 문의하세요.",
                "No number can be taken right now. Please ask a member of staff.",
            )
            .to_string(),
            true,
        ),
    }
}
