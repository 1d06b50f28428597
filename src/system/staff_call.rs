//! Calls for staff: 呼叫工作人员 on screen or the call-staff button raises one; it shows on
//! screen (the button says staff are coming), blinks the status light, goes to the
//! operations centre through the outbox, and stays until staff answer it (the maintenance
//! menu calls [`StaffCalls::answer`]) or it expires. Lives on the UI thread.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use slint::{ComponentHandle, Timer, TimerMode};

use super::status::TerminalStatus;
use crate::clock::Clock;
use crate::store::outbox;
use crate::store::worker::Worker;
use crate::ui::{AppWindow, CallSource, System};

/// Where a call came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOrigin {
    /// 呼叫工作人员 on the touchscreen.
    Screen,
    /// The physical call-staff button.
    Button,
}

impl From<CallSource> for CallOrigin {
    fn from(source: CallSource) -> Self {
        match source {
            CallSource::Screen => CallOrigin::Screen,
            CallSource::Button => CallOrigin::Button,
        }
    }
}

/// A call waiting for staff. Holds nothing about the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffCall {
    /// Random; ties the call to its end in the operations centre's records.
    pub call_id: String,
    pub origin: CallOrigin,
    pub raised_at: DateTime<FixedOffset>,
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallEnd {
    /// Staff came and said so in the maintenance menu.
    Answered,
    /// Nobody answered within the configured time.
    Expired,
}

#[derive(Serialize)]
struct Ended<'a> {
    call_id: &'a str,
    origin: CallOrigin,
    raised_at: DateTime<FixedOffset>,
    ended: CallEnd,
}

/// The staff-call state of the terminal.
pub struct StaffCalls {
    me: Weak<StaffCalls>,
    app: slint::Weak<AppWindow>,
    worker: Worker,
    clock: Arc<dyn Clock>,
    status: TerminalStatus,
    expire_after: Duration,
    expiry: Timer,
    current: RefCell<Option<StaffCall>>,
}

impl StaffCalls {
    /// Connects 呼叫工作人员 (`System.call-staff`) to the staff calls.
    pub fn attach(
        app: &AppWindow,
        worker: Worker,
        clock: Arc<dyn Clock>,
        status: TerminalStatus,
        expire_after: Duration,
    ) -> Rc<Self> {
        let this = Rc::new_cyclic(|me| Self {
            me: me.clone(),
            app: app.as_weak(),
            worker,
            clock,
            status,
            expire_after,
            expiry: Timer::default(),
            current: RefCell::new(None),
        });
        let me = this.me.clone();
        app.global::<System>().on_call_staff(move |source| {
            if let Some(this) = me.upgrade() {
                this.raise(source.into());
            }
        });
        let me = this.me.clone();
        app.global::<System>().on_answer_call(move || {
            if let Some(this) = me.upgrade() {
                this.answer();
            }
        });
        this
    }

    /// Raises a call, unless one is already waiting (pressing again changes nothing).
    /// Returns whether a new call was raised.
    pub fn raise(&self, origin: CallOrigin) -> bool {
        if self.current.borrow().is_some() {
            return false;
        }
        let call = StaffCall {
            call_id: crate::ids::random_hex(),
            origin,
            raised_at: self.clock.now(),
        };
        tracing::info!(origin = ?origin, "a citizen called for staff");
        let event = call.clone();
        self.worker.submit(move |store| {
            if let Err(e) = outbox::append(
                store.conn(),
                outbox::kind::STAFF_CALLED,
                &event,
                event.raised_at,
            ) {
                tracing::error!("cannot record the staff call: {e}");
            }
        });
        *self.current.borrow_mut() = Some(call);
        let me = self.me.clone();
        self.expiry
            .start(TimerMode::SingleShot, self.expire_after, move || {
                if let Some(this) = me.upgrade() {
                    this.end(CallEnd::Expired);
                }
            });
        self.show(true);
        true
    }

    /// Staff came: ends the waiting call and returns it (for the maintenance menu).
    pub fn answer(&self) -> Option<StaffCall> {
        self.end(CallEnd::Answered)
    }

    /// The call waiting for staff, if any.
    pub fn waiting(&self) -> Option<StaffCall> {
        self.current.borrow().clone()
    }

    fn end(&self, how: CallEnd) -> Option<StaffCall> {
        let call = self.current.borrow_mut().take()?;
        self.expiry.stop();
        tracing::info!(ended = ?how, "staff call ended");
        let at = self.clock.now();
        let ended = call.clone();
        self.worker.submit(move |store| {
            let event = Ended {
                call_id: &ended.call_id,
                origin: ended.origin,
                raised_at: ended.raised_at,
                ended: how,
            };
            if let Err(e) = outbox::append(store.conn(), outbox::kind::STAFF_CALL_ENDED, &event, at)
            {
                tracing::error!("cannot record the end of the staff call: {e}");
            }
        });
        self.show(false);
        Some(call)
    }

    fn show(&self, waiting: bool) {
        self.status.set_staff_call(waiting);
        if let Some(app) = self.app.upgrade() {
            app.global::<System>().set_staff_call_active(waiting);
        }
    }
}
