//! The card holder's data as read from the card. Personal fields are wiped when the value is
//! dropped, never appear in `Debug` output, and the struct is not `Serialize`: the firmware
//! decides what may be shown or stored.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::id_number::IdNumberCheck;
use super::nation::{Gender, Nation};

/// Which document was read (from the marker at byte 248 of the text block).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardType {
    /// 居民身份证, second-generation resident ID card.
    Resident,
    /// 'J' 港澳台居民居住证, Hong Kong/Macao/Taiwan residents' residence permit.
    HmtResidencePermit,
    /// 'I' 外国人永久居留身份证 (2017).
    ForeignPermanent2017,
    /// 'Y' 外国人永久居留身份证 (2023).
    ForeignPermanent2023,
}

impl CardType {
    /// Stable identifier: `resident`, `hmt_residence_permit`, `foreign_permanent_2017`,
    /// `foreign_permanent_2023`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::HmtResidencePermit => "hmt_residence_permit",
            Self::ForeignPermanent2017 => "foreign_permanent_2017",
            Self::ForeignPermanent2023 => "foreign_permanent_2023",
        }
    }

    /// The document's Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Resident => "居民身份证",
            Self::HmtResidencePermit => "港澳台居民居住证",
            Self::ForeignPermanent2017 | Self::ForeignPermanent2023 => "外国人永久居留身份证",
        }
    }

    /// Whether the holder is a foreign national (the two permanent-residence cards).
    pub fn is_foreign(self) -> bool {
        matches!(
            self,
            Self::ForeignPermanent2017 | Self::ForeignPermanent2023
        )
    }
}

impl fmt::Display for CardType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data on one card. Built by the text parser; fields a layout lacks are empty.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct IdCard {
    #[zeroize(skip)]
    pub(crate) card_type: CardType,
    pub(crate) name: String,
    pub(crate) name_en: String,
    pub(crate) gender_code: String,
    pub(crate) nation_code: String,
    pub(crate) birth_days: i32,
    pub(crate) address: String,
    pub(crate) id_number: String,
    #[zeroize(skip)]
    pub(crate) id_number_check: IdNumberCheck,
    pub(crate) issuer: String,
    pub(crate) valid_from_days: i32,
    /// `None` for a long-term (长期) card.
    pub(crate) valid_until_days: Option<i32>,
    pub(crate) nationality: String,
    pub(crate) permit_number: String,
    pub(crate) issue_count: String,
    pub(crate) card_version: String,
    pub(crate) accepting_office: String,
    pub(crate) previous_number_link: String,
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// Days since the Common Era for storage in a wipeable integer.
pub(crate) fn to_days(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

fn from_days(days: i32) -> NaiveDate {
    // Every stored value came from a valid NaiveDate, so this never falls back.
    NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(NaiveDate::MIN)
}

impl IdCard {
    /// The document type.
    pub fn card_type(&self) -> CardType {
        self.card_type
    }

    /// The Chinese name (姓名 / 中文姓名). May be empty on a foreigner's card.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The English name of a foreigner's card (for 'Y', characters 1–35 and 36–46 joined).
    pub fn name_en(&self) -> Option<&str> {
        non_empty(&self.name_en)
    }

    /// The Chinese name, or the English name when the card has no Chinese name.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.name_en
        } else {
            &self.name
        }
    }

    /// Gender (GB/T 2261.1); unlisted codes are kept as [`Gender::Other`].
    pub fn gender(&self) -> Gender {
        Gender::from_code(&self.gender_code)
    }

    /// Nation (民族), resident cards only. Unknown codes have `name == None`; show the code.
    pub fn nation(&self) -> Option<Nation<'_>> {
        non_empty(&self.nation_code).map(Nation::from_code)
    }

    /// Date of birth.
    pub fn birth_date(&self) -> NaiveDate {
        from_days(self.birth_days)
    }

    /// Age in whole years on `today` (0 if `today` is before the birth date).
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        today.years_since(self.birth_date()).unwrap_or(0)
    }

    /// Address (住址), resident cards and 'J' permits.
    pub fn address(&self) -> Option<&str> {
        non_empty(&self.address)
    }

    /// The card's number: the citizen ID number (resident, 'J', 'Y'; upper-case X) or the
    /// 15-character permanent-residence number ('I').
    pub fn id_number(&self) -> &str {
        &self.id_number
    }

    /// The result of checking [`IdCard::id_number`].
    pub fn id_number_check(&self) -> IdNumberCheck {
        self.id_number_check
    }

    /// Whether the number passed its check.
    pub fn id_number_valid(&self) -> bool {
        self.id_number_check.is_valid()
    }

    /// Issuing authority (签发机关), resident cards and 'J' permits.
    pub fn issuer(&self) -> Option<&str> {
        non_empty(&self.issuer)
    }

    /// First day of validity (签发日期 / 有效期起始).
    pub fn valid_from(&self) -> NaiveDate {
        from_days(self.valid_from_days)
    }

    /// Last day of validity; `None` for a long-term (长期) card.
    pub fn valid_until(&self) -> Option<NaiveDate> {
        self.valid_until_days.map(from_days)
    }

    /// Whether the card is valid without end (长期).
    pub fn is_long_term(&self) -> bool {
        self.valid_until_days.is_none()
    }

    /// Whether the card has expired on `today` (a long-term card never does).
    pub fn is_expired_on(&self, today: NaiveDate) -> bool {
        self.valid_until().is_some_and(|end| today > end)
    }

    /// Nationality code (GB/T 2659, 3 letters), foreigner cards only.
    pub fn nationality(&self) -> Option<&str> {
        non_empty(&self.nationality)
    }

    /// Travel-permit number (通行证号码), 'J' permits only.
    pub fn permit_number(&self) -> Option<&str> {
        non_empty(&self.permit_number)
    }

    /// 签发次数 ('J') or 换证次数 ('Y').
    pub fn issue_count(&self) -> Option<&str> {
        non_empty(&self.issue_count)
    }

    /// Card version (证件版本号), 'I' cards only.
    pub fn card_version(&self) -> Option<&str> {
        non_empty(&self.card_version)
    }

    /// Accepting-office code (当次申请受理机关代码), 'I' cards only.
    pub fn accepting_office(&self) -> Option<&str> {
        non_empty(&self.accepting_office)
    }

    /// 既往版本外国人永久居留证件号码关联项, 'Y' cards only (`None` when blank or "000").
    pub fn previous_number_link(&self) -> Option<&str> {
        non_empty(&self.previous_number_link).filter(|s| *s != "000")
    }
}

impl fmt::Debug for IdCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only what identifies nobody.
        f.debug_struct("IdCard")
            .field("card_type", &self.card_type)
            .field("id_number_check", &self.id_number_check)
            .field("long_term", &self.is_long_term())
            .finish_non_exhaustive()
    }
}

/// The card's photo exactly as stored (vendor WLT encoding, 1024 bytes). Opaque: nothing
/// here decodes it. Wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo(Zeroizing<Vec<u8>>);

impl Photo {
    /// Wraps the raw bytes.
    pub fn new(bytes: &[u8]) -> Self {
        Self(Zeroizing::new(bytes.to_vec()))
    }

    /// The raw WLT bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Photo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Photo(<{} bytes redacted>)", self.0.len())
    }
}

/// Everything one good read produced: the parsed card and its opaque photo. Fingerprint
/// templates, if the reader sent them, are dropped on arrival.
#[derive(Debug)]
pub struct CardRead {
    /// The parsed text block.
    pub card: IdCard,
    /// The photo, opaque.
    pub photo: Photo,
}
