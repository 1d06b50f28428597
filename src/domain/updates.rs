//! When a downloaded, verified release may be installed: never while a citizen is at the
//! screen, only inside the configured quiet window (`[updates] window = "21:00-06:00"`, the
//! terminal's local time; none: any time), and not before a staff member's postponement
//! runs out.

use chrono::{NaiveDateTime, NaiveTime};
use std::fmt;

/// A daily window of local time; it may wrap past midnight (`21:00-06:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietWindow {
    start: NaiveTime,
    end: NaiveTime,
}

impl QuietWindow {
    /// Parses `HH:MM-HH:MM`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("window {text:?}: write it as HH:MM-HH:MM, e.g. 21:00-06:00");
        let (start, end) = text.split_once('-').ok_or_else(bad)?;
        let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (time(start)?, time(end)?);
        if start == end {
            return Err(format!("window {text:?} is empty"));
        }
        Ok(Self { start, end })
    }

    /// Whether `t` falls inside (start included, end excluded).
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

impl fmt::Display for QuietWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// Why an install waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wait {
    /// A citizen is using the terminal.
    CitizenSession,
    /// Outside the quiet window.
    OutsideWindow(QuietWindow),
    /// Staff postponed it until then.
    Postponed(NaiveDateTime),
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CitizenSession => write!(f, "a citizen is using the terminal"),
            Self::OutsideWindow(w) => write!(f, "outside the install window {w}"),
            Self::Postponed(until) => {
                write!(f, "postponed until {}", until.format("%Y-%m-%d %H:%M"))
            }
        }
    }
}

/// Whether an install may start now (`now` in the terminal's local time).
pub fn may_install(
    now: NaiveDateTime,
    window: Option<&QuietWindow>,
    citizen_session: bool,
    postponed_until: Option<NaiveDateTime>,
) -> Result<(), Wait> {
    if citizen_session {
        return Err(Wait::CitizenSession);
    }
    if let Some(until) = postponed_until
        && now < until
    {
        return Err(Wait::Postponed(until));
    }
    if let Some(w) = window
        && !w.contains(now.time())
    {
        return Err(Wait::OutsideWindow(*w));
    }
    Ok(())
}

/// A staff member's "postpone by a day": from now, or a day past an earlier postponement
/// still running.
pub fn postpone(now: NaiveDateTime, postponed_until: Option<NaiveDateTime>) -> NaiveDateTime {
    postponed_until.filter(|u| *u > now).unwrap_or(now) + chrono::Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hh_mm: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("2026-12-02 {hh_mm}"), "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_window_past_midnight() {
        let w = QuietWindow::parse("21:00-06:00").unwrap();
        assert!(w.contains(at("23:30").time()));
        assert!(w.contains(at("05:59").time()));
        assert!(!w.contains(at("06:00").time()));
        assert!(!w.contains(at("12:00").time()));
        assert_eq!(w.to_string(), "21:00-06:00");
        let day = QuietWindow::parse("12:00-13:30").unwrap();
        assert!(day.contains(at("12:45").time()) && !day.contains(at("14:00").time()));
        assert!(QuietWindow::parse("21-06").is_err());
        assert!(QuietWindow::parse("21:00-21:00").is_err());
    }

    #[test]
    fn never_during_a_session_outside_the_window_or_postponed() {
        let w = QuietWindow::parse("21:00-06:00").unwrap();
        assert_eq!(may_install(at("22:00"), Some(&w), false, None), Ok(()));
        assert_eq!(
            may_install(at("22:00"), Some(&w), true, None),
            Err(Wait::CitizenSession)
        );
        assert_eq!(
            may_install(at("10:00"), Some(&w), false, None),
            Err(Wait::OutsideWindow(w))
        );
        assert_eq!(may_install(at("10:00"), None, false, None), Ok(()));
        let until = postpone(at("22:00"), None);
        assert_eq!(
            may_install(at("23:00"), Some(&w), false, Some(until)),
            Err(Wait::Postponed(until))
        );
        // Postponing twice adds a second day.
        assert_eq!(
            postpone(at("22:30"), Some(until)),
            until + chrono::Duration::days(1)
        );
    }
}
