//! Calls for staff: 呼叫工作人员 on screen or the call-staff button raises one; it goes to
//! the operations centre through the outbox and stays until staff answer it (in the
//! maintenance menu) or it expires. The terminal hears of each change on the event bus
//! (the screen shows it, the status light blinks). A call holds nothing about the citizen.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::{StoreAccess, ignore};
use crate::events::{Events, KioskEvent};
use crate::store::outbox;

/// Where a call came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOrigin {
    /// 呼叫工作人员 on the touchscreen.
    Screen,
    /// The physical call-staff button.
    Button,
}

/// A call waiting for staff.
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

/// The terminal's staff call; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct StaffCallService {
    store: StoreAccess,
    events: Events,
    current: Arc<Mutex<Option<StaffCall>>>,
}

impl StaffCallService {
    pub fn new(store: StoreAccess, events: Events) -> Self {
        Self {
            store,
            events,
            current: Arc::default(),
        }
    }

    /// Raises a call, unless one is already waiting (pressing again changes nothing).
    /// Returns the new call.
    pub fn raise(&self, origin: CallOrigin) -> Option<StaffCall> {
        let call = {
            let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
            if current.is_some() {
                return None;
            }
            let call = StaffCall {
                call_id: crate::ids::random_hex(),
                origin,
                raised_at: self.store.clock.now(),
            };
            *current = Some(call.clone());
            call
        };
        tracing::info!(origin = ?origin, "a citizen called for staff");
        let payload = serde_json::to_value(&call).unwrap_or_default();
        self.store
            .record(outbox::kind::STAFF_CALLED, payload, ignore);
        self.events.publish(KioskEvent::StaffCall { waiting: true });
        Some(call)
    }

    /// Staff came: ends the waiting call and returns it.
    pub fn answer(&self) -> Option<StaffCall> {
        self.end(CallEnd::Answered, None)
    }

    /// Ends the call `call_id` if it is still waiting (its time ran out).
    pub fn expire(&self, call_id: &str) -> Option<StaffCall> {
        self.end(CallEnd::Expired, Some(call_id))
    }

    /// The call waiting for staff, if any.
    pub fn waiting(&self) -> Option<StaffCall> {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn end(&self, how: CallEnd, only: Option<&str>) -> Option<StaffCall> {
        let call = {
            let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
            if only.is_some_and(|id| current.as_ref().is_none_or(|c| c.call_id != id)) {
                return None;
            }
            current.take()?
        };
        tracing::info!(ended = ?how, "staff call ended");
        let payload = serde_json::to_value(Ended {
            call_id: &call.call_id,
            origin: call.origin,
            raised_at: call.raised_at,
            ended: how,
        })
        .unwrap_or_default();
        self.store
            .record(outbox::kind::STAFF_CALL_ENDED, payload, ignore);
        self.events
            .publish(KioskEvent::StaffCall { waiting: false });
        Some(call)
    }
}
