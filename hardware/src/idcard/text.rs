//! The 256-byte UCS-2LE text block (reference §2): the four layouts, selected by the
//! card-type marker at byte 248. Fields are space-padded; dates are YYYYMMDD; a resident
//! card's validity end may be "长期".

use chrono::NaiveDate;
use thiserror::Error;
use zeroize::Zeroize;

use super::card::{CardType, IdCard, to_days};
use super::id_number::{self, IdNumberCheck};

/// Size of the text block.
pub const TEXT_LEN: usize = 256;
/// Byte offset of the card-type marker.
pub const MARKER_OFFSET: usize = 248;

/// Why a text block could not be parsed. Carries field names, never field contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TextError {
    /// Fewer than 256 bytes.
    #[error("text block has {0} bytes, expected {TEXT_LEN}")]
    TooShort(usize),
    /// The marker at byte 248 is none of space, 'J', 'I', 'Y'.
    #[error("unknown card-type marker U+{0:04X}")]
    UnknownCardType(u16),
    /// A date field is not a real YYYYMMDD date.
    #[error("field {0} is not a valid date")]
    InvalidDate(&'static str),
}

/// A byte range of the block: offset and length in bytes.
#[derive(Clone, Copy)]
struct Field(usize, usize);

mod resident {
    use super::Field;
    pub const NAME: Field = Field(0, 30);
    pub const GENDER: Field = Field(30, 2);
    pub const NATION: Field = Field(32, 4);
    pub const BIRTH: Field = Field(36, 16);
    pub const ADDRESS: Field = Field(52, 70);
    pub const NUMBER: Field = Field(122, 36);
    pub const ISSUER: Field = Field(158, 30);
    pub const VALID_FROM: Field = Field(188, 16);
    pub const VALID_UNTIL: Field = Field(204, 16);
}

mod hmt {
    use super::Field;
    pub const PERMIT_NUMBER: Field = Field(220, 18);
    pub const ISSUE_COUNT: Field = Field(238, 4);
}

mod foreign_2017 {
    use super::Field;
    pub const NAME_EN: Field = Field(0, 120);
    pub const GENDER: Field = Field(120, 2);
    pub const NUMBER: Field = Field(122, 30);
    pub const NATIONALITY: Field = Field(152, 6);
    pub const NAME: Field = Field(158, 30);
    pub const VALID_FROM: Field = Field(188, 16);
    pub const VALID_UNTIL: Field = Field(204, 16);
    pub const BIRTH: Field = Field(220, 16);
    pub const VERSION: Field = Field(236, 4);
    pub const OFFICE: Field = Field(240, 8);
}

mod foreign_2023 {
    use super::Field;
    pub const NAME: Field = Field(0, 30);
    pub const GENDER: Field = Field(30, 2);
    pub const RENEWALS: Field = Field(32, 4);
    pub const BIRTH: Field = Field(36, 16);
    pub const NAME_EN_1: Field = Field(52, 70);
    pub const NUMBER: Field = Field(122, 36);
    pub const VALID_FROM: Field = Field(188, 16);
    pub const VALID_UNTIL: Field = Field(204, 16);
    pub const NAME_EN_2: Field = Field(220, 22);
    pub const NATIONALITY: Field = Field(242, 6);
    pub const PREVIOUS_LINK: Field = Field(250, 6);
}

/// "长期" as UTF-16 units.
const LONG_TERM: [u16; 2] = [0x957F, 0x671F];

/// Reads the card type from the marker.
pub fn card_type(block: &[u8]) -> Result<CardType, TextError> {
    if block.len() < TEXT_LEN {
        return Err(TextError::TooShort(block.len()));
    }
    let marker = unit(block, MARKER_OFFSET);
    match marker {
        0x0020 | 0x0000 => Ok(CardType::Resident),
        0x004A => Ok(CardType::HmtResidencePermit),
        0x0049 => Ok(CardType::ForeignPermanent2017),
        0x0059 => Ok(CardType::ForeignPermanent2023),
        other => Err(TextError::UnknownCardType(other)),
    }
}

/// Parses a text block (the first 256 bytes of `block`).
pub fn parse(block: &[u8]) -> Result<IdCard, TextError> {
    let card_type = card_type(block)?;
    let block = &block[..TEXT_LEN];
    let mut card = IdCard {
        card_type,
        name: String::new(),
        name_en: String::new(),
        gender_code: String::new(),
        nation_code: String::new(),
        birth_days: 0,
        address: String::new(),
        id_number: String::new(),
        id_number_check: IdNumberCheck::Malformed,
        issuer: String::new(),
        valid_from_days: 0,
        valid_until_days: None,
        nationality: String::new(),
        permit_number: String::new(),
        issue_count: String::new(),
        card_version: String::new(),
        accepting_office: String::new(),
        previous_number_link: String::new(),
    };
    // Filling in place keeps every partial result inside the wiped struct, even on error.
    match card_type {
        CardType::Resident | CardType::HmtResidencePermit => {
            use resident::*;
            card.name = text(block, NAME);
            card.gender_code = text(block, GENDER);
            if card_type == CardType::Resident {
                card.nation_code = text(block, NATION);
            } else {
                card.permit_number = text(block, hmt::PERMIT_NUMBER);
                card.issue_count = text(block, hmt::ISSUE_COUNT);
            }
            card.birth_days = date(block, BIRTH, "birth_date")?;
            card.address = text(block, ADDRESS);
            card.id_number = text(block, NUMBER);
            card.issuer = text(block, ISSUER);
            card.valid_from_days = date(block, VALID_FROM, "valid_from")?;
            card.valid_until_days = end_date(block, VALID_UNTIL)?;
        }
        CardType::ForeignPermanent2017 => {
            use foreign_2017::*;
            card.name_en = text(block, NAME_EN);
            card.gender_code = text(block, GENDER);
            card.id_number = text(block, NUMBER);
            card.nationality = text(block, NATIONALITY);
            card.name = text(block, NAME);
            card.valid_from_days = date(block, VALID_FROM, "valid_from")?;
            card.valid_until_days = end_date(block, VALID_UNTIL)?;
            card.birth_days = date(block, BIRTH, "birth_date")?;
            card.card_version = text(block, VERSION);
            card.accepting_office = text(block, OFFICE);
        }
        CardType::ForeignPermanent2023 => {
            use foreign_2023::*;
            card.name = text(block, NAME);
            card.gender_code = text(block, GENDER);
            card.issue_count = text(block, RENEWALS);
            card.birth_days = date(block, BIRTH, "birth_date")?;
            // The English name continues in the second field; join before trimming so a
            // word boundary at character 35 keeps its space.
            card.name_en = text_joined(block, NAME_EN_1, NAME_EN_2);
            card.id_number = text(block, NUMBER);
            card.valid_from_days = date(block, VALID_FROM, "valid_from")?;
            card.valid_until_days = end_date(block, VALID_UNTIL)?;
            card.nationality = text(block, NATIONALITY);
            card.previous_number_link = text(block, PREVIOUS_LINK);
        }
    }
    id_number::normalise(&mut card.id_number);
    card.id_number_check = match card_type {
        CardType::ForeignPermanent2017 => id_number::check_foreign_2017(&card.id_number),
        _ => id_number::check(&card.id_number),
    };
    Ok(card)
}

fn unit(block: &[u8], offset: usize) -> u16 {
    u16::from_le_bytes([block[offset], block[offset + 1]])
}

fn units(block: &[u8], field: Field) -> impl DoubleEndedIterator<Item = u16> + Clone + '_ {
    block[field.0..field.0 + field.1]
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
}

fn is_padding(unit: u16) -> bool {
    unit == 0x0020 || unit == 0x0000
}

/// Decodes a field, trimming padding at both ends. Unpaired surrogates become U+FFFD.
fn text(block: &[u8], field: Field) -> String {
    decode_trimmed(units(block, field))
}

fn text_joined(block: &[u8], first: Field, second: Field) -> String {
    decode_trimmed(units(block, first).chain(units(block, second)))
}

fn decode_trimmed(all: impl DoubleEndedIterator<Item = u16> + Clone) -> String {
    let lead = all.clone().take_while(|u| is_padding(*u)).count();
    let trail = all.clone().rev().take_while(|u| is_padding(*u)).count();
    let total = all.clone().count();
    let keep = total.saturating_sub(lead + trail);
    // Sized up front (a UCS-2 unit is at most 3 UTF-8 bytes) so the string never
    // reallocates and leaves an unwiped copy behind.
    let mut out = String::with_capacity(keep * 3);
    for c in char::decode_utf16(all.skip(lead).take(keep)) {
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    out
}

/// Reads 8 ASCII digits as a date, as days from the Common Era.
fn date(block: &[u8], field: Field, name: &'static str) -> Result<i32, TextError> {
    let mut digits = [0u32; 8];
    for (slot, u) in digits.iter_mut().zip(units(block, field)) {
        *slot = match u {
            0x30..=0x39 => u32::from(u - 0x30),
            _ => return Err(TextError::InvalidDate(name)),
        };
    }
    let year = digits[..4].iter().fold(0, |acc, d| acc * 10 + d);
    let month = digits[4] * 10 + digits[5];
    let day = digits[6] * 10 + digits[7];
    let parsed = NaiveDate::from_ymd_opt(year as i32, month, day)
        .map(to_days)
        .ok_or(TextError::InvalidDate(name));
    digits.zeroize();
    parsed
}

/// The validity end: a date, or `None` for 长期.
fn end_date(block: &[u8], field: Field) -> Result<Option<i32>, TextError> {
    let mut head = units(block, field);
    if head.next() == Some(LONG_TERM[0]) && head.next() == Some(LONG_TERM[1]) {
        return Ok(None);
    }
    date(block, field, "valid_until").map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_blocks_and_unknown_markers_are_errors() {
        assert_eq!(parse(&[0x20; 100]).err(), Some(TextError::TooShort(100)));
        let mut block = [0u8; 256];
        block[248] = b'Z';
        assert_eq!(parse(&block).err(), Some(TextError::UnknownCardType(0x5A)));
        // An all-NUL block is a resident layout with no valid dates.
        assert_eq!(
            parse(&[0u8; 256]).err(),
            Some(TextError::InvalidDate("birth_date"))
        );
    }
}
