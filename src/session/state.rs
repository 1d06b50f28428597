//! Who is at the screen, in plain Rust: a session starts with a card or a touch and ends
//! when the citizen finishes, walks away (idle) or takes their card off the reader on the
//! home screen. Ending wipes what the session knew and advances its [`Epoch`], so late
//! results meant for this citizen never reach the next one.

use super::Citizen;
use super::epoch::{Epoch, Guard};
use crate::i18n::Lang;

/// The citizen's session and the defaults it returns to.
#[derive(Debug)]
pub struct Session {
    epoch: Epoch,
    citizen: Option<Citizen>,
    card_present: bool,
    lang: Lang,
    large_text: bool,
    default_lang: Lang,
    default_large_text: bool,
}

/// What a card event did to the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOutcome {
    /// A new session started (`ended_previous`: someone else's session was wiped first).
    Started { ended_previous: bool },
    /// The card was taken away; the session ended with it.
    Ended,
    /// The card was taken away mid-flow: the citizen finishes first.
    Kept,
}

impl Session {
    pub fn new(default_lang: Lang, default_large_text: bool) -> Self {
        Self {
            epoch: Epoch::new(),
            citizen: None,
            card_present: false,
            lang: default_lang,
            large_text: default_large_text,
            default_lang,
            default_large_text,
        }
    }

    /// A guard for work started now on behalf of this session.
    pub fn guard(&self) -> Guard {
        self.epoch.guard()
    }

    /// The epoch results check (shared with other threads).
    pub fn epoch(&self) -> &Epoch {
        &self.epoch
    }

    pub fn citizen(&self) -> Option<&Citizen> {
        self.citizen.as_ref()
    }

    pub fn has_identity(&self) -> bool {
        self.citizen.is_some()
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    pub fn large_text(&self) -> bool {
        self.large_text
    }

    pub fn set_large_text(&mut self, on: bool) {
        self.large_text = on;
    }

    /// Staff changed what a new session starts with.
    pub fn set_defaults(&mut self, lang: Lang, large_text: bool) {
        self.default_lang = lang;
        self.default_large_text = large_text;
    }

    pub fn default_lang(&self) -> Lang {
        self.default_lang
    }

    pub fn default_large_text(&self) -> bool {
        self.default_large_text
    }

    /// A valid card was read: a new session for its holder.
    pub fn card_placed(&mut self, citizen: Citizen) -> CardOutcome {
        let ended_previous = self.citizen.is_some();
        if ended_previous {
            self.end();
        }
        self.citizen = Some(citizen);
        self.card_present = true;
        CardOutcome::Started { ended_previous }
    }

    /// The card left the reader. On the home screen that ends the session; in the middle of
    /// a flow the citizen finishes first (the ticket stays on screen).
    pub fn card_removed(&mut self, on_home_screen: bool) -> CardOutcome {
        self.card_present = false;
        if on_home_screen && self.citizen.is_some() {
            self.end();
            CardOutcome::Ended
        } else {
            CardOutcome::Kept
        }
    }

    /// 首页 / 完成: whether going home ends the session. A citizen whose card is still on
    /// the reader stays greeted (they may want another service).
    pub fn home_ends_session(&self) -> bool {
        !(self.card_present && self.citizen.is_some())
    }

    /// The citizen is done or gone: forget who they were and what they chose.
    pub fn end(&mut self) {
        // Dropping the citizen zeroizes every field.
        self.citizen = None;
        self.card_present = false;
        self.lang = self.default_lang;
        self.large_text = self.default_large_text;
        self.epoch.advance();
    }

    /// Work shown on the screen changed (the kiosk went home): results of what was on
    /// screen before must not arrive, though the citizen stays.
    pub fn leave_screen(&mut self) {
        self.epoch.advance();
    }

    /// Nothing of a citizen to forget: no identity, the default language and text size.
    pub fn at_rest(&self) -> bool {
        self.citizen.is_none()
            && self.lang == self.default_lang
            && self.large_text == self.default_large_text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::CardHolder;
    use crate::session::identity::TicketIdentity;

    fn citizen(name: &str) -> Citizen {
        Citizen {
            greeting_name: format!("{}*", name.chars().next().unwrap_or('?')),
            card_type: hardware::idcard::CardType::Resident,
            age: 40,
            elderly: false,
            card_expired: false,
            identity: TicketIdentity {
                masked_id: "110***********1234".into(),
                id_hash: "00".into(),
                age_band: "18-44".into(),
                elderly: false,
            },
            holder: CardHolder {
                name: name.into(),
                id_number: "11010519491231002X".into(),
            },
        }
    }

    #[test]
    fn ending_forgets_the_citizen_and_their_choices_and_drops_late_results() {
        let mut s = Session::new(Lang::ZhCn, false);
        s.card_placed(citizen("张三"));
        s.set_lang(Lang::KoKr);
        s.set_large_text(true);
        let late = s.guard();
        s.end();
        assert!(!s.has_identity());
        assert_eq!(s.lang(), Lang::ZhCn);
        assert!(!s.large_text());
        assert!(s.at_rest());
        assert!(!late.holds(), "a result for the ended session is dropped");
    }

    #[test]
    fn a_second_card_ends_the_first_holders_session() {
        let mut s = Session::new(Lang::ZhCn, false);
        let first = s.card_placed(citizen("张三"));
        assert_eq!(
            first,
            CardOutcome::Started {
                ended_previous: false
            }
        );
        let guard = s.guard();
        let second = s.card_placed(citizen("张三"));
        assert_eq!(
            second,
            CardOutcome::Started {
                ended_previous: true
            }
        );
        assert!(!guard.holds());
        assert!(s.has_identity());
    }

    #[test]
    fn taking_the_card_ends_the_session_only_on_the_home_screen() {
        let mut s = Session::new(Lang::ZhCn, false);
        s.card_placed(citizen("张三"));
        assert!(
            !s.home_ends_session(),
            "the card is on the reader: stay greeted"
        );
        assert_eq!(s.card_removed(false), CardOutcome::Kept);
        assert!(s.has_identity(), "mid-flow the citizen finishes first");
        assert!(s.home_ends_session(), "without the card, home ends it");
        s.card_placed(citizen("张三"));
        assert_eq!(s.card_removed(true), CardOutcome::Ended);
        assert!(!s.has_identity());
    }
}
