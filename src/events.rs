//! Events up: what happens by itself (a device's health changes, the operations centre locks
//! the terminal, a bundle comes into force, the queue moves, someone walks up) is published
//! here as a typed event; the UI and other listeners (the status light, the heartbeat)
//! subscribe. Nothing that publishes knows who listens, so nothing below the UI names it.
//!
//! Listeners run on the publisher's thread and must be quick: the UI's listener only posts
//! to the UI thread. Events that describe a state (the printer's health, out of service…)
//! are kept: a listener that subscribes late hears the latest of each at once, so no part
//! of the terminal starts out wrong because it was wired after a device first reported.

use std::sync::{Arc, Mutex};

use crate::devices::printing::PrinterHealth;
use crate::domain::maintenance::settings::{HomeNotice, ServiceState};

/// Something the terminal's parts tell each other.
#[derive(Debug, Clone, PartialEq)]
pub enum KioskEvent {
    /// The printer's health changed (first check included).
    Printer(PrinterHealth),
    /// The card reader went down (`Some(reason)`, for staff) or works again (`None`).
    ReaderFault(Option<String>),
    /// Staff or the operations centre took the terminal out of service or back.
    ServiceState(ServiceState),
    /// The operations centre's notice for the home screen (an empty text clears it).
    HomeNotice(HomeNotice),
    /// A bundle of this stream came into force: what it feeds must be read again.
    ContentChanged { stream: String },
    /// The queue moved (a ticket issued, called, finished…): positions on screen refresh.
    QueueChanged,
    /// A client terminal's link to its queue host went up or down.
    QueueHost {
        reachable: bool,
        offline_issuing: bool,
    },
    /// The operations centre asked for a restart.
    RestartRequested,
    /// A citizen called for staff (`true`) or the call was answered or expired (`false`).
    StaffCall { waiting: bool },
    /// The presence sensor saw someone arrive (`true`) or leave (`false`).
    Presence(bool),
}

impl KioskEvent {
    /// For events that describe a state: which state (the latest of each is kept).
    fn state_slot(&self) -> Option<u8> {
        match self {
            KioskEvent::Printer(_) => Some(0),
            KioskEvent::ReaderFault(_) => Some(1),
            KioskEvent::ServiceState(_) => Some(2),
            KioskEvent::HomeNotice(_) => Some(3),
            KioskEvent::QueueHost { .. } => Some(4),
            KioskEvent::StaffCall { .. } => Some(5),
            KioskEvent::Presence(_) => Some(6),
            KioskEvent::ContentChanged { .. }
            | KioskEvent::QueueChanged
            | KioskEvent::RestartRequested => None,
        }
    }
}

type Listener = Arc<dyn Fn(&KioskEvent) + Send + Sync>;

#[derive(Default)]
struct Bus {
    listeners: Vec<Listener>,
    /// The latest event of each state, by slot.
    states: std::collections::BTreeMap<u8, KioskEvent>,
}

/// The terminal's event bus; cheap to clone.
#[derive(Clone, Default)]
pub struct Events {
    bus: Arc<Mutex<Bus>>,
}

impl Events {
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `listener` with the latest state of everything known so far, then with every
    /// event published from now on.
    pub fn subscribe(&self, listener: impl Fn(&KioskEvent) + Send + Sync + 'static) {
        let listener: Listener = Arc::new(listener);
        let states: Vec<KioskEvent> = {
            let mut bus = self.bus.lock().unwrap_or_else(|e| e.into_inner());
            bus.listeners.push(listener.clone());
            bus.states.values().cloned().collect()
        };
        for state in &states {
            listener(state);
        }
    }

    /// Tells every listener, in the order they subscribed.
    pub fn publish(&self, event: KioskEvent) {
        // Not under the lock: a listener may subscribe or publish in turn.
        let listeners = {
            let mut bus = self.bus.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(slot) = event.state_slot() {
                bus.states.insert(slot, event.clone());
            }
            bus.listeners.clone()
        };
        for listener in listeners {
            listener(&event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listener_hears_every_event_in_order() {
        let events = Events::new();
        let heard = Arc::new(Mutex::new(Vec::new()));
        for name in ["light", "screen"] {
            let heard = heard.clone();
            events.subscribe(move |e| heard.lock().unwrap().push((name, e.clone())));
        }
        events.publish(KioskEvent::QueueChanged);
        events.publish(KioskEvent::RestartRequested);
        let heard = heard.lock().unwrap();
        assert_eq!(
            *heard,
            vec![
                ("light", KioskEvent::QueueChanged),
                ("screen", KioskEvent::QueueChanged),
                ("light", KioskEvent::RestartRequested),
                ("screen", KioskEvent::RestartRequested),
            ]
        );
    }

    #[test]
    fn a_late_listener_hears_the_latest_state_but_not_past_happenings() {
        let events = Events::new();
        events.publish(KioskEvent::StaffCall { waiting: true });
        events.publish(KioskEvent::StaffCall { waiting: false });
        events.publish(KioskEvent::QueueChanged);
        let heard = Arc::new(Mutex::new(Vec::new()));
        let h = heard.clone();
        events.subscribe(move |e| h.lock().unwrap().push(e.clone()));
        assert_eq!(
            *heard.lock().unwrap(),
            vec![KioskEvent::StaffCall { waiting: false }]
        );
    }

    #[test]
    fn a_listener_may_publish_from_inside_a_listener() {
        let events = Events::new();
        let heard = Arc::new(Mutex::new(0));
        let (e2, h2) = (events.clone(), heard.clone());
        events.subscribe(move |e| {
            *h2.lock().unwrap() += 1;
            if *e == KioskEvent::RestartRequested {
                e2.publish(KioskEvent::QueueChanged);
            }
        });
        events.publish(KioskEvent::RestartRequested);
        assert_eq!(*heard.lock().unwrap(), 2);
    }
}
