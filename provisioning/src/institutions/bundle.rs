//! The `institutions` bundle: one file, `institutions.json`, versioned JSON:
//!
//! ```json
//! { "format": 1, "datum": "gcj02",
//!   "navigation_url": "https://uri.amap.com/marker?position={lng},{lat}&name={name}&src=legal-kiosk&coordinate=gaode&callnative=1",
//!   "holidays": [{ "date": "2025-10-01", "name": "国庆节" }],
//!   "workdays": [{ "date": "2025-09-28", "as": "Mo", "name": "国庆节调休" }],
//!   "institutions": [ … ],
//!   "platforms": [{ "id": "cy-centre", "location": { "datum": "gcj02", "lat": 43.88, "lng": 125.32 } }] }
//! ```
//!
//! * `datum`: every institution's coordinates are in it (the registry publishes GCJ-02, the
//!   datum of Chinese map tiles and of the map apps the navigation link opens).
//! * `navigation_url`: the link a printed slip's QR code opens, chosen by the centre (its
//!   map provider); placeholders `{lat}`, `{lng}` (in `datum`, 6 decimals) and `{name}`
//!   (percent-encoded). Mind the provider's order and datum: Amap puts the longitude first
//!   and reads GCJ-02 by default; Baidu needs `coord_type=gcj02`.
//! * `holidays`: the public holidays (国务院办公厅's yearly notice), closed unless an
//!   institution's hours have a `PH` rule; `workdays`: adjusted working days (调休上班) and
//!   the weekday whose hours apply.
//! * `platforms`: where each service platform is, so a terminal orders institutions from
//!   its own platform.

use super::geo::{Datum, Location, out_of_china};
use super::hours::Calendar;
use super::record::Institution;
use super::record::is_valid_id;
use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The stream.
pub const STREAM: &str = "institutions";
/// The bundle's one file.
pub const FILE: &str = "institutions.json";
/// The format this crate writes and reads.
pub const FORMAT: u32 = 1;
/// Most institutions in one bundle.
pub const MAX_INSTITUTIONS: usize = 50_000;
/// Amap's marker link: a sensible default for a centre that chose nothing.
pub const DEFAULT_NAVIGATION_URL: &str = "https://uri.amap.com/marker?position={lng},{lat}&name={name}&src=legal-kiosk&coordinate=gaode&callnative=1";

/// A public holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// The day.
    pub date: NaiveDate,
    /// Its name (e.g. 国庆节).
    pub name: String,
}

/// An adjusted working day (调休上班).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workday {
    /// The day (usually a Saturday or Sunday).
    pub date: NaiveDate,
    /// The weekday whose hours apply (`Mo` … `Su`).
    #[serde(rename = "as", with = "weekday_code")]
    pub as_weekday: Weekday,
    /// Why (e.g. 国庆节调休).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

mod weekday_code {
    use chrono::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    const CODES: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

    pub fn serialize<S: Serializer>(d: &Weekday, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(CODES[d.num_days_from_monday() as usize])
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
        let text = String::deserialize(d)?;
        CODES
            .iter()
            .position(|c| *c == text)
            .and_then(|i| Weekday::try_from(i as u8).ok())
            .ok_or_else(|| serde::de::Error::custom(format!("weekday {text:?} is not Mo…Su")))
    }
}

/// Where a service platform is: a terminal orders institutions by distance from its own
/// platform (the registry's directory has the platforms' coordinates; terminals do not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformLocation {
    /// The platform's id (as the terminal enrolled at it).
    pub id: String,
    /// Its coordinates, in the file's datum.
    pub location: Location,
}

/// A centre's navigation link pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NavigationPattern(String);

impl TryFrom<String> for NavigationPattern {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<NavigationPattern> for String {
    fn from(p: NavigationPattern) -> String {
        p.0
    }
}

impl NavigationPattern {
    /// Checks a pattern: `https://`, at most 500 bytes, no spaces or control characters,
    /// `{lat}` and `{lng}` present, no other placeholder than those and `{name}`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if !text.starts_with("https://") || text.len() > 500 {
            return Err(format!(
                "navigation URL {text:?} must start with https:// and be at most 500 bytes"
            ));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("navigation URL must not contain spaces or control characters".into());
        }
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or("navigation URL has a '{' without '}'")?;
            let name = &after[..close];
            if !matches!(name, "lat" | "lng" | "name") {
                return Err(format!(
                    "navigation URL placeholder {{{name}}} is not one of {{lat}} {{lng}} {{name}}"
                ));
            }
            rest = &after[close + 1..];
        }
        if !text.contains("{lat}") || !text.contains("{lng}") {
            return Err("navigation URL must hold {lat} and {lng}".into());
        }
        Ok(Self(text.to_string()))
    }

    /// The pattern.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The link for a place (coordinates in the bundle's datum).
    pub fn render(&self, lat: f64, lng: f64, name: &str) -> String {
        self.0
            .replace("{lat}", &format!("{lat:.6}"))
            .replace("{lng}", &format!("{lng:.6}"))
            .replace("{name}", &percent_encode(name))
    }
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionsFile {
    /// Always [`FORMAT`].
    pub format: u32,
    /// The datum of every institution's coordinates.
    pub datum: Datum,
    /// The link a slip's QR code opens.
    pub navigation_url: NavigationPattern,
    /// Public holidays.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    /// Adjusted working days.
    #[serde(default)]
    pub workdays: Vec<Workday>,
    /// The institutions.
    pub institutions: Vec<Institution>,
    /// The service platforms' coordinates.
    #[serde(default)]
    pub platforms: Vec<PlatformLocation>,
}

/// One institution (or calendar entry) that is not valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryError {
    /// Where: `institutions[12]` (JSON) or the line number given by the caller (CSV).
    pub at: String,
    /// Its id, when it has one.
    pub id: String,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for EntryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.id.is_empty() {
            write!(f, "{}: {}", self.at, self.problem)
        } else {
            write!(f, "{} ({}): {}", self.at, self.id, self.problem)
        }
    }
}

/// The file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BundleFileError {
    /// Not JSON of this shape (the message names the line and column).
    #[error("{FILE} is not readable: {0}")]
    Json(#[from] serde_json::Error),
    /// A format this build does not know.
    #[error("{FILE} has format {0}; this build reads format {FORMAT}")]
    Format(u32),
    /// Entries that are not valid (every one).
    #[error("{FILE} has {} invalid entries; first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Invalid(Vec<EntryError>),
}

impl InstitutionsFile {
    /// A file with the default navigation link and no holidays.
    pub fn new(datum: Datum, institutions: Vec<Institution>) -> Self {
        Self {
            format: FORMAT,
            datum,
            navigation_url: NavigationPattern(DEFAULT_NAVIGATION_URL.to_string()),
            holidays: Vec::new(),
            workdays: Vec::new(),
            institutions,
            platforms: Vec::new(),
        }
    }

    /// Where platform `id` is, if the file knows.
    pub fn platform_location(&self, id: &str) -> Option<Location> {
        self.platforms
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.location)
    }

    /// Parses and checks a file: every invalid entry is reported.
    pub fn parse(bytes: &[u8]) -> Result<Self, BundleFileError> {
        #[derive(Deserialize)]
        struct Head {
            format: u32,
        }
        let head: Head = serde_json::from_slice(bytes)?;
        if head.format != FORMAT {
            return Err(BundleFileError::Format(head.format));
        }
        let file: Self = serde_json::from_slice(bytes)?;
        let errors = file.problems();
        if errors.is_empty() {
            Ok(file)
        } else {
            Err(BundleFileError::Invalid(errors))
        }
    }

    /// Every invalid entry.
    pub fn problems(&self) -> Vec<EntryError> {
        let mut errors = Vec::new();
        if self.institutions.len() > MAX_INSTITUTIONS {
            errors.push(EntryError {
                at: "institutions".into(),
                id: String::new(),
                problem: format!("more than {MAX_INSTITUTIONS} institutions"),
            });
            return errors;
        }
        let mut ids = std::collections::HashMap::new();
        for (i, inst) in self.institutions.iter().enumerate() {
            let at = format!("institutions[{i}]");
            let mut problems = inst.problems();
            if let Some(l) = inst.location
                && l.datum != self.datum
            {
                problems.push(format!(
                    "coordinates are in {}, the file's datum is {}",
                    l.datum.code(),
                    self.datum.code()
                ));
            }
            if let Some(first) = ids.insert(inst.id.as_str(), i) {
                problems.push(format!("id already used by institutions[{first}]"));
            }
            errors.extend(problems.into_iter().map(|problem| EntryError {
                at: at.clone(),
                id: inst.id.clone(),
                problem,
            }));
        }
        let mut platform_ids = std::collections::HashSet::new();
        for (i, p) in self.platforms.iter().enumerate() {
            let l = p.location;
            let problem = if !is_valid_id(&p.id) {
                Some("the id must be 1–64 letters, digits, '-', '_' or '.'".to_string())
            } else if !platform_ids.insert(p.id.as_str()) {
                Some("platform listed twice".into())
            } else if l.datum != self.datum {
                Some(format!(
                    "coordinates are in {}, the file's datum is {}",
                    l.datum.code(),
                    self.datum.code()
                ))
            } else if !l.lat.is_finite() || !l.lng.is_finite() || out_of_china(l.lat, l.lng) {
                Some(format!("coordinates {},{} are not in China", l.lat, l.lng))
            } else {
                None
            };
            if let Some(problem) = problem {
                errors.push(EntryError {
                    at: format!("platforms[{i}]"),
                    id: p.id.clone(),
                    problem,
                });
            }
        }
        let mut days = std::collections::HashSet::new();
        let dates = self
            .holidays
            .iter()
            .map(|h| (h.date, "holidays", &h.name))
            .chain(self.workdays.iter().map(|w| (w.date, "workdays", &w.name)));
        for (date, what, name) in dates {
            if !days.insert(date) {
                errors.push(EntryError {
                    at: what.into(),
                    id: date.to_string(),
                    problem: "date listed twice (as a holiday or a working day)".into(),
                });
            }
            if name.chars().count() > 50 || name.chars().any(char::is_control) {
                errors.push(EntryError {
                    at: what.into(),
                    id: date.to_string(),
                    problem: "name longer than 50 characters or with control characters".into(),
                });
            }
        }
        errors
    }

    /// The JSON text, compact (a province's 5,000 institutions travel to every terminal;
    /// `jq .` reads it).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The holidays and adjusted working days.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(
            self.holidays.iter().map(|h| (h.date, h.name.clone())),
            self.workdays.iter().map(|w| (w.date, w.as_weekday)),
        )
    }

    /// The navigation link of an institution with coordinates.
    pub fn navigation_link(&self, institution: &Institution) -> Option<String> {
        let l = institution.location?.to(self.datum);
        Some(
            self.navigation_url
                .render(l.lat, l.lng, &institution.name.zh_cn),
        )
    }
}

/// The fuzz target `institutions_bundle`: any bytes give a file or an error, never a
/// panic; an accepted file is valid, and written back it parses to the same.
pub fn fuzz(data: &[u8]) {
    if let Ok(file) = InstitutionsFile::parse(data) {
        assert!(file.problems().is_empty());
        let again = InstitutionsFile::parse(&file.to_json()).expect("a written file parses");
        assert_eq!(again.institutions.len(), file.institutions.len());
        assert_eq!(
            again.to_json(),
            file.to_json(),
            "write then parse is stable"
        );
        let _ = file.calendar();
        for i in &file.institutions {
            let _ = file.navigation_link(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::institutions::hours::OpeningHours;
    use crate::institutions::kind::InstitutionKind;
    use crate::institutions::record::{LocalizedName, Wheelchair};

    fn inst(id: &str) -> Institution {
        Institution {
            id: id.into(),
            kind: InstitutionKind::LegalAidCentre,
            name: LocalizedName {
                zh_cn: "朝阳区法律援助中心".into(),
                ko_kr: Some("조양구 법률원조센터".into()),
                en: None,
            },
            region: "220104".into(),
            address: "人民大街 1 号".into(),
            phone: "12348".into(),
            hours: Some(OpeningHours::parse("Mo-Fr 08:30-16:30").unwrap()),
            hours_note: String::new(),
            services: vec!["法律援助申请".into()],
            free_services: vec!["法律援助申请".into()],
            location: Some(Location::gcj02(43.8868, 125.3245)),
            wheelchair: Wheelchair::Limited,
        }
    }

    #[test]
    fn the_file_round_trips_and_states_its_datum() {
        let mut f = InstitutionsFile::new(Datum::Gcj02, vec![inst("a"), inst("b")]);
        f.holidays.push(Holiday {
            date: NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
            name: "国庆节".into(),
        });
        f.workdays.push(Workday {
            date: NaiveDate::from_ymd_opt(2025, 9, 28).unwrap(),
            as_weekday: Weekday::Mon,
            name: "国庆节调休".into(),
        });
        f.platforms.push(PlatformLocation {
            id: "cy-centre".into(),
            location: Location::gcj02(43.88, 125.32),
        });
        let json = f.to_json();
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(text.contains("\"datum\":\"gcj02\""), "{text}");
        assert!(text.contains("\"as\":\"Mo\""), "{text}");
        assert_eq!(InstitutionsFile::parse(&json).unwrap(), f);
        assert_eq!(
            f.platform_location("cy-centre"),
            Some(Location::gcj02(43.88, 125.32))
        );
        assert_eq!(f.platform_location("elsewhere"), None);
        let mut bad = f.clone();
        bad.platforms.push(PlatformLocation {
            id: "cy-centre".into(),
            location: Location::wgs84(43.88, 125.32),
        });
        assert_eq!(bad.problems().len(), 1, "{:?}", bad.problems());
        assert_eq!(bad.problems()[0].at, "platforms[1]");
        let cal = f.calendar();
        assert_eq!(
            cal.holiday(NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()),
            Some("国庆节")
        );
    }

    #[test]
    fn every_bad_entry_is_reported() {
        let mut b = inst("b");
        b.region = "22".into();
        let mut c = inst("a");
        c.location = Some(Location::wgs84(43.0, 125.0));
        let f = InstitutionsFile::new(Datum::Gcj02, vec![inst("a"), b, c]);
        let Err(BundleFileError::Invalid(errors)) = InstitutionsFile::parse(&f.to_json()) else {
            panic!("accepted");
        };
        let at: Vec<&str> = errors.iter().map(|e| e.at.as_str()).collect();
        assert_eq!(
            at,
            ["institutions[1]", "institutions[2]", "institutions[2]"],
            "{errors:?}"
        );
        assert!(errors[1].problem.contains("datum"));
        assert!(
            errors[2]
                .problem
                .contains("already used by institutions[0]")
        );
        let mut bad = serde_json::to_value(&f).unwrap();
        bad["format"] = 2.into();
        assert!(matches!(
            InstitutionsFile::parse(bad.to_string().as_bytes()),
            Err(BundleFileError::Format(2))
        ));
        assert!(InstitutionsFile::parse(b"{\"format\":1}").is_err());
        assert!(InstitutionsFile::parse(b"\xff").is_err());
    }

    #[test]
    fn navigation_links_follow_the_centres_pattern() {
        let f = InstitutionsFile::new(Datum::Gcj02, vec![inst("a")]);
        assert_eq!(
            f.navigation_link(&f.institutions[0]).unwrap(),
            "https://uri.amap.com/marker?position=125.324500,43.886800&name=%E6%9C%9D%E9%98%B3%E5%8C%BA%E6%B3%95%E5%BE%8B%E6%8F%B4%E5%8A%A9%E4%B8%AD%E5%BF%83&src=legal-kiosk&coordinate=gaode&callnative=1"
        );
        let baidu = NavigationPattern::parse(
            "https://api.map.baidu.com/marker?location={lat},{lng}&title={name}&content={name}&output=html&src=webapp.legal.kiosk&coord_type=gcj02",
        )
        .unwrap();
        assert!(baidu.render(43.8868, 125.3245, "A&B").starts_with(
            "https://api.map.baidu.com/marker?location=43.886800,125.324500&title=A%26B"
        ));
        for bad in [
            "http://uri.amap.com/marker?position={lng},{lat}",
            "https://x/?p={lng}",
            "https://x/?p={lng},{lat}&k={key}",
            "https://x/?p={lng},{lat}&n={name",
            "https://x/?p={lng}, {lat}",
        ] {
            assert!(NavigationPattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn institutions_bundle_corpus_replays() {
        crate::fuzz_corpus::replay_committed_inputs("institutions_bundle", fuzz);
    }
}
