//! What a card says, as text for a person: masked by default (the way staff and screens
//! must see it), unmasked only when an installer asks for it on the command line. Wiped
//! from memory when dropped.

use hardware::idcard::{Gender, IdCard};
use serde::Serialize;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::mask::{mask_id_number, mask_name};

/// The fields of `legal-kiosk diag read-card`, with the JSON keys it documents.
#[derive(Debug, Serialize, Zeroize, ZeroizeOnDrop)]
pub struct CardView {
    #[zeroize(skip)]
    pub card_type: &'static str,
    pub name: String,
    pub name_en: Option<String>,
    #[zeroize(skip)]
    pub gender: &'static str,
    pub nation: Option<String>,
    pub birth_date: String,
    pub address: Option<String>,
    pub id_number: String,
    pub id_number_valid: bool,
    pub issuer: Option<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub long_term: bool,
    pub nationality: Option<String>,
    pub permit_number: Option<String>,
    pub masked: bool,
}

impl CardView {
    /// The card's fields; with `masked`, name, number, birth day and address are hidden as
    /// on the kiosk's screen.
    pub fn new(card: &IdCard, masked: bool) -> Self {
        let name_or_mask = |s: &str| if masked { mask_name(s) } else { s.to_string() };
        let number_or_mask = |s: &str| {
            if masked {
                mask_id_number(s)
            } else {
                s.to_string()
            }
        };
        let birth = card.birth_date().format("%Y-%m-%d").to_string();
        Self {
            card_type: card.card_type().as_str(),
            name: name_or_mask(card.name()),
            name_en: card.name_en().map(name_or_mask),
            gender: match card.gender() {
                Gender::Male => "male",
                Gender::Female => "female",
                Gender::Unknown => "unknown",
                Gender::Unstated | Gender::Other(_) => "unstated",
            },
            nation: card.nation().map(|n| n.to_string()),
            birth_date: if masked {
                format!("{}-**-**", &birth[..4])
            } else {
                birth
            },
            address: card.address().map(|a| {
                if masked {
                    // The province or city alone says nothing about the person.
                    let head: String = a.chars().take(3).collect();
                    format!("{head}***")
                } else {
                    a.to_string()
                }
            }),
            id_number: number_or_mask(card.id_number()),
            id_number_valid: card.id_number_valid(),
            issuer: card.issuer().map(str::to_string),
            valid_from: card.valid_from().format("%Y-%m-%d").to_string(),
            valid_until: card.valid_until().map(|d| d.format("%Y-%m-%d").to_string()),
            long_term: card.is_long_term(),
            nationality: card.nationality().map(str::to_string),
            permit_number: card.permit_number().map(number_or_mask),
            masked,
        }
    }

    /// Plain text, one field per line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: &str| {
            out.push_str(&format!("{k:<16}{v}\n"));
        };
        line("card type", self.card_type);
        line("name", &self.name);
        if let Some(v) = &self.name_en {
            line("name (en)", v);
        }
        line("gender", self.gender);
        if let Some(v) = &self.nation {
            line("nation", v);
        }
        line("birth date", &self.birth_date);
        if let Some(v) = &self.address {
            line("address", v);
        }
        let valid = if self.id_number_valid {
            "check digit ok"
        } else {
            "INVALID check digit"
        };
        line("id number", &format!("{} ({valid})", self.id_number));
        if let Some(v) = &self.permit_number {
            line("permit number", v);
        }
        if let Some(v) = &self.nationality {
            line("nationality", v);
        }
        if let Some(v) = &self.issuer {
            line("issuer", v);
        }
        let until = self.valid_until.as_deref().unwrap_or("长期 (long term)");
        line("valid", &format!("{} – {until}", self.valid_from));
        if self.masked {
            out.push_str("(masked; --unmasked shows everything, for installers only)\n");
        }
        out
    }
}
