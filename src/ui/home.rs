//! The `Kiosk` global's controller: the home screen around the citizen — the greeting once
//! a card is read and what to say about a card, the language and text size, the date and
//! time, the operations centre's notice, out of service, whether tickets print, whether the
//! reader works, and 还在吗？ before the idle timeout.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use slint::{ComponentHandle, SharedString, Timer, TimerMode};

use super::datetime::{date_text, time_text};
use super::shell::{Shell, callback, callback_with};
use super::{AppWindow, CardNote, Kiosk};
use crate::devices::card_reader::CardEvent;
use crate::devices::printing::PrinterHealth;
use crate::domain::maintenance::settings::{HomeNotice, ServiceState};
use crate::i18n::Lang;

pub struct HomeController {
    shell: Shell,
    /// The operations centre's notice for the home screen, with its end.
    notice: RefCell<HomeNotice>,
    clock_timer: Timer,
}

impl HomeController {
    pub fn attach(app: &AppWindow, shell: Shell, centre_name: &str, printing: bool) -> Rc<Self> {
        let this = Rc::new(Self {
            shell: shell.clone(),
            notice: RefCell::default(),
            clock_timer: Timer::default(),
        });
        let me = Rc::downgrade(&this);
        let kiosk = app.global::<Kiosk>();
        kiosk.set_centre_name(centre_name.into());
        kiosk.set_printing_available(printing);
        kiosk.on_select_language(callback_with(&me, |this, code: SharedString| {
            if let Some(lang) = Lang::from_code(&code) {
                this.shell.set_lang(lang);
            }
        }));
        kiosk.on_toggle_large_text(callback(&me, |this| {
            let on = !this.shell.session().large_text();
            this.shell.set_large_text(on);
        }));
        kiosk.on_still_here(callback(&me, |this| this.shell.touched()));
        Self::listen(&me, &shell);
        this.tick();
        let ticking = me.clone();
        this.clock_timer
            .start(TimerMode::Repeated, Duration::from_secs(1), move || {
                if let Some(this) = ticking.upgrade() {
                    this.tick();
                }
            });
        this
    }

    fn listen(me: &Weak<Self>, shell: &Shell) {
        let m = me.clone();
        shell.on_lang(move |lang| {
            if let Some(this) = m.upgrade() {
                this.with(|k| k.set_language(lang.code().into()));
                this.tick();
            }
        });
        let m = me.clone();
        shell.on_idle_warning(move |left| {
            if let Some(this) = m.upgrade() {
                this.with(|k| match left {
                    Some(left) => {
                        k.set_idle_seconds_left(i32::try_from(left).unwrap_or(i32::MAX));
                        k.set_idle_warning(true);
                    }
                    None => k.set_idle_warning(false),
                });
            }
        });
        let m = me.clone();
        shell.on_home(move |ended| {
            if let Some(this) = m.upgrade()
                && ended
            {
                this.with(|k| {
                    k.set_greeting(SharedString::new());
                    k.set_card_note(CardNote::None);
                });
            }
        });
        let m = me.clone();
        shell.on_session_started(move || {
            if let Some(this) = m.upgrade() {
                let (greeting, expired) = match this.shell.session().citizen() {
                    Some(c) => (c.greeting_name.clone(), c.card_expired),
                    None => return,
                };
                this.with(|k| {
                    k.set_greeting(greeting.into());
                    k.set_card_note(if expired {
                        CardNote::Expired
                    } else {
                        CardNote::None
                    });
                });
            }
        });
    }

    super::shell::with_global!(Kiosk);

    /// What happened at the card reader.
    pub fn on_card(&self, event: CardEvent) {
        match event {
            CardEvent::Citizen(citizen) => self.shell.start_session(*citizen),
            CardEvent::Rejected(_) => {
                self.with(|k| k.set_card_note(CardNote::Rejected));
                self.shell.touched();
            }
            CardEvent::Unreadable => {
                self.with(|k| k.set_card_note(CardNote::Unreadable));
                self.shell.touched();
            }
            CardEvent::Removed => self.shell.card_removed(),
            CardEvent::ReaderDown { .. } => self.with(|k| k.set_reader_available(false)),
            CardEvent::ReaderUp => self.with(|k| k.set_reader_available(true)),
        }
    }

    /// The printer's health changed: tickets print, or are shown on screen only.
    pub fn on_printer(&self, health: &PrinterHealth) {
        let can_print = health.can_print();
        self.with(|k| k.set_printing_available(can_print));
    }

    /// Shows (or lifts) the out-of-service screen.
    pub fn on_service_state(&self, state: &ServiceState) {
        self.with(|k| {
            k.set_out_of_service(state.out_of_service);
            k.set_service_notice(state.notice.clone().into());
        });
    }

    /// Shows the operations centre's notice (an empty text clears it).
    pub fn on_notice(&self, notice: HomeNotice) {
        *self.notice.borrow_mut() = notice;
        self.tick();
    }

    /// The clock, the date in the citizen's language, and the notice until it ends. Only
    /// what changed is set, so an idle home screen is not redrawn every second.
    fn tick(&self) {
        let now = self.shell.clock().now();
        let lang = self.shell.lang();
        let notice = SharedString::from(self.notice.borrow().text_at(now));
        let (date, time) = (
            SharedString::from(date_text(now, lang)),
            SharedString::from(time_text(now)),
        );
        self.with(|k| {
            if k.get_home_notice() != notice {
                k.set_home_notice(notice);
            }
            if k.get_date_text() != date {
                k.set_date_text(date);
            }
            if k.get_time_text() != time {
                k.set_time_text(time);
            }
        });
    }
}
