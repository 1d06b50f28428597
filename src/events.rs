//! Events up: what happens by itself (a device's health changes, the operations centre locks
//! the terminal, a bundle comes into force, the queue moves, someone walks up) is published
//! here as a typed event; the UI and other listeners (the status light, the heartbeat)
//! subscribe. Nothing that publishes knows who listens, so nothing below the UI names it.
//!
//! Listeners run on the publisher's thread and must be quick: the UI's listener only posts
//! to the UI thread.

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
}

type Listener = Arc<dyn Fn(&KioskEvent) + Send + Sync>;

/// The terminal's event bus; cheap to clone.
#[derive(Clone, Default)]
pub struct Events {
    listeners: Arc<Mutex<Vec<Listener>>>,
}

impl Events {
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `listener` with every event published from now on.
    pub fn subscribe(&self, listener: impl Fn(&KioskEvent) + Send + Sync + 'static) {
        self.listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::new(listener));
    }

    /// Tells every listener, in the order they subscribed.
    pub fn publish(&self, event: KioskEvent) {
        // Not under the lock: a listener may subscribe or publish in turn.
        let listeners = self
            .listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
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
