//! The citizen's session on screen: a card read greets them by their masked name and lets
//! their tickets carry their minimised identity; the session ends (and is wiped) when they
//! finish, go home, or walk away.

use slint::ComponentHandle;

use super::controller::KioskController;
use super::{CardNote, Kiosk, Nav, Page};
use crate::devices::card_reader::CardEvent;
use crate::session::Citizen;

impl KioskController {
    /// Handles what happened at the card reader (on the UI thread).
    pub fn on_card(&self, event: CardEvent) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let kiosk = app.global::<Kiosk>();
        match event {
            CardEvent::Citizen(citizen) => {
                // A new card starts a new session: whoever was here before is forgotten.
                if self.citizen.borrow().is_some() {
                    self.end_session();
                }
                self.card_present.set(true);
                self.start_session(*citizen);
                self.touched();
            }
            CardEvent::Rejected(_) => {
                kiosk.set_card_note(CardNote::Rejected);
                self.touched();
            }
            CardEvent::Unreadable => {
                kiosk.set_card_note(CardNote::Unreadable);
                self.touched();
            }
            CardEvent::Removed => {
                // Taking the card away on the home screen ends the session; in the middle of
                // a flow the citizen finishes it first (the ticket stays on screen), and the
                // session ends with it.
                self.card_present.set(false);
                let at_home = app.global::<Nav>().get_page() == Page::Home;
                if at_home && self.citizen.borrow().is_some() {
                    self.end_session();
                }
            }
            CardEvent::ReaderDown { .. } => kiosk.set_reader_available(false),
            CardEvent::ReaderUp => kiosk.set_reader_available(true),
        }
    }

    fn start_session(&self, citizen: Citizen) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let kiosk = app.global::<Kiosk>();
        kiosk.set_greeting(citizen.greeting_name.clone().into());
        kiosk.set_card_note(if citizen.card_expired {
            CardNote::Expired
        } else {
            CardNote::None
        });
        *self.citizen.borrow_mut() = Some(citizen);
    }

    /// Wipes the session's identity from memory and from the screen.
    pub(super) fn forget_citizen(&self) {
        // Dropping the citizen zeroizes every field.
        self.citizen.borrow_mut().take();
        self.card_present.set(false);
        if let Some(app) = self.app.upgrade() {
            let kiosk = app.global::<Kiosk>();
            kiosk.set_greeting(Default::default());
            kiosk.set_card_note(CardNote::None);
        }
    }

    /// Whether the kiosk holds anything about a citizen right now.
    pub fn has_identity(&self) -> bool {
        self.citizen.borrow().is_some()
    }
}
