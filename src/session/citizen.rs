//! The citizen at the screen, as far as the kiosk may know them: derived from the ID card
//! the moment it is read, after which the card itself is dropped (and wiped). What stays for
//! the session is masked, hashed or banded, and is wiped in turn when the session ends.

use chrono::NaiveDate;
use hardware::idcard::{CardType, IdCard};
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::identity::TicketIdentity;
use super::identity::{HashKey, age_band, age_on};
use super::mask::{mask_id_number, mask_name};

/// Why a card that was read does not start a session.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CardRejected {
    /// The number fails the GB 11643 check: a damaged or forged card, or a misread.
    #[error("the ID number on the card fails its check digit")]
    InvalidNumber,
}

#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Citizen {
    /// The name as the screen may show it: 张*, 欧阳**.
    pub greeting_name: String,
    #[zeroize(skip)]
    pub card_type: CardType,
    pub age: u32,
    /// Aged at or above the priority age (60 by default).
    pub elderly: bool,
    pub card_expired: bool,
    /// What a ticket records: masked number, keyed hash, age band.
    pub identity: TicketIdentity,
    /// Full name and number, in memory for this session only: used solely for a legal-aid
    /// pre-application the citizen consents to on screen, and (the number) to find their
    /// appointment by its keyed hash when they check in. Never shown, logged or stored.
    pub holder: CardHolder,
}

/// The card holder's full name and ID number. Wiped on drop; `Debug` shows nothing.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct CardHolder {
    pub name: String,
    pub id_number: String,
}

impl std::fmt::Debug for CardHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardHolder(<redacted>)")
    }
}

impl std::fmt::Debug for Citizen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Even masked values stay out of debug output.
        f.debug_struct("Citizen")
            .field("card_type", &self.card_type)
            .field("elderly", &self.elderly)
            .finish_non_exhaustive()
    }
}

impl Citizen {
    pub fn from_card(
        card: &IdCard,
        key: &HashKey,
        today: NaiveDate,
        priority_age: u32,
    ) -> Result<Self, CardRejected> {
        if !card.id_number_valid() {
            return Err(CardRejected::InvalidNumber);
        }
        let age = age_on(card.birth_date(), today);
        Ok(Self {
            greeting_name: mask_name(card.display_name()),
            card_type: card.card_type(),
            age,
            elderly: age >= priority_age,
            card_expired: card.is_expired_on(today),
            identity: TicketIdentity {
                masked_id: mask_id_number(card.id_number()),
                id_hash: key.hash_id_number(card.id_number()),
                age_band: age_band(age).to_string(),
                elderly: age >= priority_age,
            },
            holder: CardHolder {
                name: card.display_name().to_owned(),
                id_number: card.id_number().to_owned(),
            },
        })
    }
}
