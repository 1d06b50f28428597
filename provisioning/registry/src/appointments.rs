//! Appointments (issue 20): the rules of a platform's bookable slots, and what a booking
//! keeps of the citizen. Plain Rust, no database: the store (`store::appointments`) and the
//! channel API (`routes::channel`) use it.
//!
//! Times are the centres' local time, China Standard Time (UTC+8, no daylight saving): a
//! slot is named by its local start, `YYYY-MM-DDTHH:MM`, on a half hour.

use chrono::{DateTime, Datelike as _, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Length of a slot, minutes.
pub const SLOT_MINUTES: i64 = 30;

/// How far ahead a booking may be made, days.
pub const MAX_DAYS_AHEAD: i64 = 60;

/// The bundle that carries a platform's bookings and its region's hash key, and the rules
/// of ID numbers, their hashes and booking codes: shared with the terminals.
pub use provisioning::appointments::{
    BUNDLE_FILE, BUNDLE_STREAM, CODE_ALPHABET, CODE_LEN, id_hash, is_id_hash, normalise_code,
    normalise_id_number, valid_phone,
};

/// China Standard Time.
pub fn local_offset() -> FixedOffset {
    // 8 hours is within FixedOffset's range (less than a day): never None.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// Local time now.
pub fn local_now(now: DateTime<Utc>) -> NaiveDateTime {
    now.with_timezone(&local_offset()).naive_local()
}

/// What is wrong with a schedule or a slot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    /// A time that is not `HH:MM` on a half hour.
    #[error("{0:?} is not a time on the half hour (HH:00 or HH:30)")]
    BadTime(String),
    /// Opening days that are not weekday numbers or names.
    #[error("{0:?} is not a list of opening days (1-7 or mon..sun, e.g. mon-fri or 1,2,3)")]
    BadDays(String),
    /// Closing at or before opening.
    #[error("closing time {closes} is not after opening time {opens}")]
    Empty {
        /// Opening.
        opens: String,
        /// Closing.
        closes: String,
    },
    /// Zero capacity.
    #[error("capacity must be at least 1 booking per half hour")]
    NoCapacity,
    /// A slot name that is not `YYYY-MM-DDTHH:MM`.
    #[error("{0:?} is not a slot start (YYYY-MM-DDTHH:MM, China Standard Time)")]
    BadStart(String),
    /// A date that is not `YYYY-MM-DD`.
    #[error("{0:?} is not a date (YYYY-MM-DD)")]
    BadDate(String),
}

/// When a service of a platform takes appointments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Schedule {
    /// Platform.
    pub platform_id: String,
    /// Service (the catalogue's id, e.g. `legal-consultation`).
    pub service_id: String,
    /// Bookings per half hour.
    pub capacity: u32,
    /// Opening weekdays, 1 = Monday … 7 = Sunday.
    pub days: Vec<u8>,
    /// First slot starts (`HH:MM`).
    pub opens: String,
    /// Last slot ends (`HH:MM`).
    pub closes: String,
}

/// Parses `HH:MM` on a half hour.
pub fn parse_time(text: &str) -> Result<NaiveTime, SlotError> {
    let t = NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| SlotError::BadTime(text.to_string()))?;
    if t.format("%M").to_string() != "00" && t.format("%M").to_string() != "30" {
        return Err(SlotError::BadTime(text.to_string()));
    }
    Ok(t)
}

/// Parses opening days: `mon-fri`, `1,2,3,4,5`, `mon,wed,sat`, `1-6`.
pub fn parse_days(text: &str) -> Result<Vec<u8>, SlotError> {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let bad = || SlotError::BadDays(text.to_string());
    let one = |s: &str| -> Result<u8, SlotError> {
        let s = s.trim().to_ascii_lowercase();
        if let Some(i) = NAMES.iter().position(|n| *n == s) {
            return Ok(i as u8 + 1);
        }
        match s.parse::<u8>() {
            Ok(n @ 1..=7) => Ok(n),
            _ => Err(bad()),
        }
    };
    let mut days = Vec::new();
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (one(a)?, one(b)?);
                if a > b {
                    return Err(bad());
                }
                days.extend(a..=b);
            }
            None => days.push(one(part)?),
        }
    }
    days.sort_unstable();
    days.dedup();
    if days.is_empty() {
        return Err(bad());
    }
    Ok(days)
}

/// Days as stored and shown: `1,2,3,4,5`.
pub fn days_text(days: &[u8]) -> String {
    days.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

/// Parses a date.
pub fn parse_date(text: &str) -> Result<NaiveDate, SlotError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| SlotError::BadDate(text.into()))
}

/// Parses a slot start (`YYYY-MM-DDTHH:MM`; seconds `:00` tolerated).
pub fn parse_start(text: &str) -> Result<NaiveDateTime, SlotError> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| SlotError::BadStart(text.to_string()))
}

/// A slot's name.
pub fn start_text(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

impl Schedule {
    /// Checks the fields (capacity, times, days).
    pub fn validate(&self) -> Result<(), SlotError> {
        if self.capacity == 0 {
            return Err(SlotError::NoCapacity);
        }
        let (opens, closes) = (parse_time(&self.opens)?, parse_time(&self.closes)?);
        if closes <= opens {
            return Err(SlotError::Empty {
                opens: self.opens.clone(),
                closes: self.closes.clone(),
            });
        }
        if self.days.is_empty() || self.days.iter().any(|d| !(1..=7).contains(d)) {
            return Err(SlotError::BadDays(days_text(&self.days)));
        }
        Ok(())
    }

    /// The slot starts of `day` (none on a closed weekday; holidays are the caller's).
    pub fn slots_on(&self, day: NaiveDate) -> Vec<NaiveDateTime> {
        let weekday = day.weekday().number_from_monday() as u8;
        let (Ok(opens), Ok(closes)) = (parse_time(&self.opens), parse_time(&self.closes)) else {
            return Vec::new();
        };
        if !self.days.contains(&weekday) {
            return Vec::new();
        }
        let step = chrono::Duration::minutes(SLOT_MINUTES);
        let mut out = Vec::new();
        let mut t = day.and_time(opens);
        let end = day.and_time(closes);
        while t + step <= end {
            out.push(t);
            t += step;
        }
        out
    }
}

/// A name as a booking keeps it: masked as the kiosk masks names on glass (张*, 欧阳**).
pub use provisioning::mask::mask_name;

/// A new random booking code.
pub fn new_code() -> Result<String, getrandom::Error> {
    let mut out = String::with_capacity(CODE_LEN);
    while out.len() < CODE_LEN {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        for b in bytes {
            // Rejection sampling: 248 = 8 × 31, so every character is equally likely.
            if b < 248 && out.len() < CODE_LEN {
                out.push(char::from(
                    CODE_ALPHABET[usize::from(b) % CODE_ALPHABET.len()],
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> Schedule {
        Schedule {
            platform_id: "p".into(),
            service_id: "s".into(),
            capacity: 3,
            days: parse_days("mon-fri").unwrap(),
            opens: "09:00".into(),
            closes: "11:30".into(),
        }
    }

    #[test]
    fn slots_are_half_hours_on_opening_days_only() {
        let s = schedule();
        // 2026-12-07 is a Monday, 2026-12-06 a Sunday.
        let monday = s.slots_on(parse_date("2026-12-07").unwrap());
        assert_eq!(
            monday.iter().map(|t| start_text(*t)).collect::<Vec<_>>(),
            [
                "2026-12-07T09:00",
                "2026-12-07T09:30",
                "2026-12-07T10:00",
                "2026-12-07T10:30",
                "2026-12-07T11:00"
            ]
        );
        assert!(s.slots_on(parse_date("2026-12-06").unwrap()).is_empty());
    }

    #[test]
    fn days_and_times_are_checked() {
        assert_eq!(parse_days("1,3, 5").unwrap(), [1, 3, 5]);
        assert_eq!(parse_days("sat-sun").unwrap(), [6, 7]);
        assert!(parse_days("8").is_err());
        assert!(parse_days("fri-mon").is_err());
        assert!(parse_time("09:15").is_err());
        let mut s = schedule();
        s.closes = "09:00".into();
        assert!(s.validate().is_err());
    }

    #[test]
    fn id_numbers_are_checked_and_hashed_with_the_key() {
        assert_eq!(
            normalise_id_number(" 11010519491231002x ").as_deref(),
            Some("11010519491231002X")
        );
        assert!(normalise_id_number("110105194912310021").is_none());
        let a = id_hash(b"key-a", "11010519491231002X");
        assert!(is_id_hash(&a));
        assert_ne!(a, id_hash(b"key-b", "11010519491231002X"));
    }

    #[test]
    fn names_are_masked_as_on_the_kiosk() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
        assert_eq!(mask_name("John Smith"), "J*** S****");
    }

    #[test]
    fn codes_are_unambiguous_and_typed_freely() {
        let code = new_code().unwrap();
        assert_eq!(code.len(), CODE_LEN);
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        let typed = format!("{}-{}", &code[..4].to_lowercase(), &code[4..]);
        assert_eq!(normalise_code(&typed), Some(code));
        assert_eq!(normalise_code("ABCD-EFG0"), None);
    }
}
