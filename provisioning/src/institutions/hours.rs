//! Opening hours: a small subset of OpenStreetMap's `opening_hours` syntax, which centres'
//! data often already uses:
//!
//! ```text
//! Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00; PH off
//! ```
//!
//! * Rules are separated by `;`; a later rule replaces what an earlier one said about the
//!   same days. Days: `Mo Tu We Th Fr Sa Su`, ranges (`Mo-Fr`, `Fr-Mo` wraps), lists
//!   (`Mo,We,Fr`); `PH` = the public holidays listed in the bundle. `24/7` = always open.
//! * Times `HH:MM-HH:MM`; `24:00` ends a day. A range that ends at or before it starts runs
//!   past midnight (`Fr 20:00-02:00` is open until Saturday 02:00) and belongs to the day it
//!   starts on.
//! * `off` or `closed`: closed those days. Days no rule names are closed.
//! * Public holidays are closed unless a `PH` rule says otherwise (China's statutory holidays,
//!   published each year by the 国务院办公厅). An adjusted working day (调休上班) listed in
//!   the bundle has the hours of the weekday it stands for.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};
use std::collections::BTreeMap;

/// Minutes in a day.
const DAY: u16 = 24 * 60;

/// An opening-hours text that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("opening hours {text:?}: {problem}")]
pub struct HoursError {
    /// The text.
    pub text: String,
    /// What is wrong.
    pub problem: String,
}

/// One opening, in minutes after the day's midnight; `end <= start` runs past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// Opens (0–1439).
    pub start: u16,
    /// Closes (1–1440; at or before `start`: the next day).
    pub end: u16,
}

impl Span {
    fn past_midnight(self) -> bool {
        self.end <= self.start
    }
}

/// Consecutive weekdays with the same openings: first day, last day (Monday = 0), openings.
pub type DaysRule<'a> = (usize, usize, &'a [Span]);

/// Weekly opening hours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpeningHours {
    /// Monday first.
    week: [Vec<Span>; 7],
    /// On public holidays; `None` = closed.
    holiday: Option<Vec<Span>>,
}

/// The public holidays and adjusted working days of the bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeMap<NaiveDate, String>,
    workdays: BTreeMap<NaiveDate, Weekday>,
}

impl Calendar {
    /// A calendar from holidays (date, name) and adjusted working days (date, the weekday
    /// whose hours apply).
    pub fn new(
        holidays: impl IntoIterator<Item = (NaiveDate, String)>,
        workdays: impl IntoIterator<Item = (NaiveDate, Weekday)>,
    ) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
            workdays: workdays.into_iter().collect(),
        }
    }

    /// The holiday's name on `date`, if it is one.
    pub fn holiday(&self, date: NaiveDate) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }
}

const DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

fn day_index(text: &str) -> Option<usize> {
    DAYS.iter().position(|d| *d == text)
}

fn time(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl OpeningHours {
    /// Always open, holidays included.
    pub fn always() -> Self {
        let all = vec![Span { start: 0, end: DAY }];
        Self {
            week: std::array::from_fn(|_| all.clone()),
            holiday: Some(all),
        }
    }

    /// Parses the syntax above.
    pub fn parse(text: &str) -> Result<Self, HoursError> {
        let fail = |problem: String| HoursError {
            text: text.to_string(),
            problem,
        };
        if text.len() > 500 {
            return Err(fail("longer than 500 characters".into()));
        }
        let mut hours = Self::default();
        let mut rules = 0;
        for rule in text.split(';').map(str::trim) {
            if rule.is_empty() {
                continue;
            }
            rules += 1;
            if rule == "24/7" {
                hours = Self::always();
                continue;
            }
            let (selector, times) = rule
                .split_once(char::is_whitespace)
                .ok_or_else(|| fail(format!("rule {rule:?} needs days and times")))?;
            let mut days = [false; 7];
            let mut holiday = false;
            for part in selector.split(',') {
                if part == "PH" {
                    holiday = true;
                } else if let Some((a, b)) = part.split_once('-') {
                    let (a, b) = day_index(a)
                        .zip(day_index(b))
                        .ok_or_else(|| fail(format!("unknown days {part:?} (Mo…Su, PH)")))?;
                    let mut d = a;
                    loop {
                        days[d] = true;
                        if d == b {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                } else {
                    let d = day_index(part)
                        .ok_or_else(|| fail(format!("unknown day {part:?} (Mo…Su, PH)")))?;
                    days[d] = true;
                }
            }
            let spans = Self::spans(times.trim()).map_err(fail)?;
            for (d, on) in days.iter().enumerate() {
                if *on {
                    hours.week[d] = spans.clone();
                }
            }
            if holiday {
                hours.holiday = (!spans.is_empty()).then(|| spans.clone());
            }
        }
        if rules == 0 {
            return Err(fail("no rules".into()));
        }
        Ok(hours)
    }

    fn spans(text: &str) -> Result<Vec<Span>, String> {
        if text == "off" || text == "closed" {
            return Ok(Vec::new());
        }
        let mut spans: Vec<Span> = Vec::new();
        for range in text.split(',').map(str::trim) {
            let (a, b) = range
                .split_once('-')
                .ok_or_else(|| format!("{range:?} is not HH:MM-HH:MM"))?;
            let (start, end) = time(a)
                .zip(time(b))
                .ok_or_else(|| format!("{range:?} is not HH:MM-HH:MM"))?;
            if start >= DAY {
                return Err(format!("{range:?} starts at 24:00"));
            }
            if start == end {
                // 09:00-09:00 could mean nothing or a whole day.
                return Err(format!("{range:?} is empty (use 00:00-24:00 for all day)"));
            }
            let span = Span { start, end };
            // Ranges of one day must not overlap (within the day they start on).
            let end_in_day = |s: Span| if s.past_midnight() { DAY } else { s.end };
            if spans
                .iter()
                .any(|s| s.start < end_in_day(span) && span.start < end_in_day(*s))
            {
                return Err(format!("{range:?} overlaps another range of the same day"));
            }
            spans.push(span);
        }
        spans.sort_by_key(|s| s.start);
        Ok(spans)
    }

    /// The openings that start on `date` (holidays and adjusted working days applied).
    pub fn spans_on(&self, date: NaiveDate, calendar: &Calendar) -> &[Span] {
        if calendar.holidays.contains_key(&date) {
            return self.holiday.as_deref().unwrap_or(&[]);
        }
        let weekday = calendar
            .workdays
            .get(&date)
            .copied()
            .unwrap_or(date.weekday());
        &self.week[weekday.num_days_from_monday() as usize]
    }

    /// Whether it is open at local time `at`.
    pub fn is_open(&self, at: NaiveDateTime, calendar: &Calendar) -> bool {
        let t = (at.hour() * 60 + at.minute()) as u16;
        let date = at.date();
        let today = self.spans_on(date, calendar).iter().any(|s| {
            if s.past_midnight() {
                t >= s.start
            } else {
                s.start <= t && t < s.end
            }
        });
        if today {
            return true;
        }
        date.pred_opt().is_some_and(|y| {
            self.spans_on(y, calendar)
                .iter()
                .any(|s| s.past_midnight() && t < s.end)
        })
    }

    /// The weekly hours as rules of consecutive weekdays with the same openings (Monday = 0,
    /// first and last day of the run), closed days left out; and the public holidays' openings
    /// (`None`: closed). What a page or a slip writes out in the citizen's language.
    pub fn rules(&self) -> (Vec<DaysRule<'_>>, Option<&[Span]>) {
        let mut rules = Vec::new();
        let mut d = 0;
        while d < 7 {
            let mut e = d;
            while e + 1 < 7 && self.week[e + 1] == self.week[d] {
                e += 1;
            }
            if !self.week[d].is_empty() {
                rules.push((d, e, self.week[d].as_slice()));
            }
            d = e + 1;
        }
        (rules, self.holiday.as_deref())
    }

    /// The canonical text (days with the same hours grouped; parses to the same hours).
    pub fn to_text(&self) -> String {
        if *self == Self::always() {
            return "24/7".into();
        }
        let spans_text = |spans: &[Span]| {
            spans
                .iter()
                .map(Span::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let (week, holiday) = self.rules();
        let mut rules: Vec<String> = week
            .into_iter()
            .map(|(d, e, spans)| {
                let days = if e == d {
                    DAYS[d].to_string()
                } else {
                    format!("{}-{}", DAYS[d], DAYS[e])
                };
                format!("{days} {}", spans_text(spans))
            })
            .collect();
        if let Some(h) = holiday {
            rules.push(format!("PH {}", spans_text(h)));
        }
        if rules.is_empty() {
            return "Mo-Su off".into();
        }
        rules.join("; ")
    }
}

impl std::fmt::Display for Span {
    /// `09:00-17:00` (a span past midnight ends at the next day's time: `19:00-01:00`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", hhmm(self.start), hhmm(self.end))
    }
}

impl std::fmt::Display for OpeningHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl serde::Serialize for OpeningHours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> serde::Deserialize<'de> for OpeningHours {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, time: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap()
    }

    fn date(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    /// The 2025 National Day and Mid-Autumn holiday: 10-01 to 10-08 off, Sunday 09-28 and
    /// Saturday 10-11 worked (国务院办公厅关于2025年部分节假日安排的通知). The tests only
    /// need a holiday on a weekday and an adjusted working day on a weekend.
    fn calendar() -> Calendar {
        Calendar::new(
            (1..=8).map(|d| (date(&format!("2025-10-0{d}")), "国庆节、中秋节".to_string())),
            [
                (date("2025-09-28"), Weekday::Mon),
                (date("2025-10-11"), Weekday::Mon),
            ],
        )
    }

    #[test]
    fn open_now_hand_computed_table() {
        let office = OpeningHours::parse("Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00").unwrap();
        let night =
            OpeningHours::parse("Mo-Fr 09:00-17:00; Fr 20:00-02:00; PH 10:00-14:00").unwrap();
        let cal = calendar();
        // 2025-09-26 is a Friday, 2025-09-27 a Saturday, 2025-09-28 a Sunday (worked as Monday),
        // 2025-10-01 a Wednesday (holiday), 2025-10-11 a Saturday (worked as Monday).
        let table: [(&OpeningHours, &str, &str, bool); 22] = [
            (&office, "2025-09-26", "08:59", false),
            (&office, "2025-09-26", "09:00", true),
            (&office, "2025-09-26", "11:59", true),
            (&office, "2025-09-26", "12:00", false), // lunch
            (&office, "2025-09-26", "13:30", true),
            (&office, "2025-09-26", "17:00", false), // the end is exclusive
            (&office, "2025-09-27", "10:00", true),  // Saturday morning
            (&office, "2025-09-27", "14:00", false),
            (&office, "2025-09-28", "14:00", true), // Sunday, worked as a Monday (调休)
            (&office, "2025-10-01", "10:00", false), // National Day: closed by default
            (&office, "2025-10-11", "14:00", true), // Saturday worked as a Monday
            (&office, "2025-10-12", "10:00", false), // an ordinary Sunday
            (&night, "2025-09-26", "19:59", false),
            (&night, "2025-09-26", "20:00", true),
            (&night, "2025-09-26", "23:59", true),
            (&night, "2025-09-27", "00:00", true), // past midnight, Friday's opening
            (&night, "2025-09-27", "01:59", true),
            (&night, "2025-09-27", "02:00", false),
            (&night, "2025-10-01", "10:00", true), // PH hours
            (&night, "2025-10-01", "09:30", false),
            (&night, "2025-10-02", "00:30", false), // the holiday's hours do not run past midnight
            (&night, "2025-10-04", "01:00", false), // Friday 10-03 is a holiday: no night opening
        ];
        for (hours, d, t, open) in table {
            assert_eq!(hours.is_open(at(d, t), &cal), open, "{hours} at {d} {t}");
        }
    }

    #[test]
    fn midnight_and_all_day() {
        let cal = Calendar::default();
        let late = OpeningHours::parse("Su 22:00-00:00").unwrap();
        // 2025-09-28 is a Sunday (no adjusted days in this calendar).
        assert!(late.is_open(at("2025-09-28", "23:59"), &cal));
        assert!(!late.is_open(at("2025-09-29", "00:00"), &cal));
        let all = OpeningHours::parse("24/7").unwrap();
        assert!(all.is_open(at("2025-10-01", "03:00"), &calendar()));
        let day = OpeningHours::parse("Mo 00:00-24:00").unwrap();
        assert!(day.is_open(at("2025-09-29", "23:59"), &cal));
        assert!(!day.is_open(at("2025-09-30", "00:00"), &cal));
        // Sunday's opening past midnight reaches Monday, across the week's end.
        let wrap = OpeningHours::parse("Su 23:00-01:00").unwrap();
        assert!(wrap.is_open(at("2025-09-29", "00:30"), &cal));
    }

    #[test]
    fn later_rules_replace_earlier_ones_and_text_round_trips() {
        let h = OpeningHours::parse("Mo-Su 08:00-18:00; Sa,Su off; We 09:00-12:00").unwrap();
        assert_eq!(
            h.to_text(),
            "Mo-Tu 08:00-18:00; We 09:00-12:00; Th-Fr 08:00-18:00"
        );
        for text in [
            "Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00",
            "Fr-Mo 10:00-16:00",
            "Mo-Fr 09:00-17:00; PH 10:00-12:00",
            "24/7",
            "Mo-Su off",
        ] {
            let h = OpeningHours::parse(text).unwrap();
            assert_eq!(OpeningHours::parse(&h.to_text()).unwrap(), h, "{text}");
        }
        assert_eq!(
            OpeningHours::parse("Fr-Mo 10:00-16:00").unwrap().to_text(),
            "Mo 10:00-16:00; Fr-Su 10:00-16:00"
        );
    }

    #[test]
    fn bad_hours_are_refused_with_a_reason() {
        for (text, why) in [
            ("", "no rules"),
            ("周一至周五 9:00-17:00", "unknown day"),
            ("Mo-Fr 9:00-17:00", "HH:MM"),
            ("Mo 09:00-25:00", "HH:MM"),
            ("Mo 09:60-10:00", "HH:MM"),
            ("Mo 24:00-02:00", "starts at 24:00"),
            ("Mo 09:00-09:00", "empty"),
            ("Mo 09:00-12:00,11:00-13:00", "overlaps"),
            ("Mo", "needs days and times"),
            ("Xx 09:00-10:00", "unknown day"),
        ] {
            let err = OpeningHours::parse(text).unwrap_err();
            assert!(err.problem.contains(why), "{text}: {err}");
        }
    }
}
