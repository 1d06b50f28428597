//! One institution, as the `institutions` bundle carries it, and its validation.

use super::geo::{Location, out_of_china};
use super::hours::OpeningHours;
use super::kind::InstitutionKind;
use serde::{Deserialize, Serialize};

/// A name in the kiosk's languages; zh-CN is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalizedName {
    /// Chinese (the official name).
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    /// Korean, where known.
    #[serde(rename = "ko-KR", default, skip_serializing_if = "Option::is_none")]
    pub ko_kr: Option<String>,
    /// English, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl LocalizedName {
    /// The name in `locale` (`zh-CN`, `ko-KR`, `en`), falling back to Chinese.
    pub fn get(&self, locale: &str) -> &str {
        let other = match locale {
            "ko-KR" => self.ko_kr.as_deref(),
            "en" => self.en.as_deref(),
            _ => None,
        };
        other.unwrap_or(&self.zh_cn)
    }
}

/// Step-free access for wheelchair users.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Wheelchair {
    /// Step-free entrance and service counter.
    Yes,
    /// Partly (e.g. a ramp but no accessible toilet); see the note.
    Limited,
    /// Not accessible.
    No,
    /// Not known.
    #[default]
    Unknown,
}

impl Wheelchair {
    /// From its code (`yes`, `limited`, `no`, empty or `unknown`).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "yes" => Some(Self::Yes),
            "limited" => Some(Self::Limited),
            "no" => Some(Self::No),
            "" | "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }

    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::Limited => "limited",
            Self::No => "no",
            Self::Unknown => "unknown",
        }
    }
}

/// An institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Institution {
    /// Stable id, 1–64 of `A-Z a-z 0-9 - _ .`.
    pub id: String,
    /// What it is.
    pub kind: InstitutionKind,
    /// Its name.
    pub name: LocalizedName,
    /// Six-digit administrative division code (GB/T 2260) of where it is.
    pub region: String,
    /// Street address (Chinese).
    pub address: String,
    /// Telephone, as dialled (e.g. `0431-12348`); empty when none.
    #[serde(default)]
    pub phone: String,
    /// Opening hours; `None` when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<OpeningHours>,
    /// Anything about the hours the syntax cannot say (e.g. 节假日预约), as published.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hours_note: String,
    /// Services offered.
    #[serde(default)]
    pub services: Vec<String>,
    /// The services among `services` that are free of charge.
    #[serde(default)]
    pub free_services: Vec<String>,
    /// Where it is, with the datum stated; `None` when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Wheelchair access.
    #[serde(default)]
    pub wheelchair: Wheelchair,
}

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest address, hours note or service, in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// Most services one institution lists.
pub const MAX_SERVICES: usize = 30;

/// Whether `id` is a valid institution id.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Whether `region` is a six-digit division code.
pub fn is_region_code(region: &str) -> bool {
    region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit())
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

impl Institution {
    /// Everything wrong with it, for the person who fixes the data (empty when valid).
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !is_valid_id(&self.id) {
            p.push(format!(
                "id {:?} must be 1–64 letters, digits, '-', '_' or '.'",
                self.id
            ));
        }
        let names = [
            Some(&self.name.zh_cn),
            self.name.ko_kr.as_ref(),
            self.name.en.as_ref(),
        ];
        if self.name.zh_cn.trim().is_empty() {
            p.push("the Chinese name is empty".into());
        }
        for name in names.into_iter().flatten() {
            if chars(name) > MAX_NAME_CHARS || has_control(name) || name.trim() != name {
                p.push(format!(
                    "name {name:?} is longer than {MAX_NAME_CHARS} characters, has control characters or surrounding spaces"
                ));
            }
        }
        if !is_region_code(&self.region) {
            p.push(format!(
                "region {:?} is not a six-digit division code",
                self.region
            ));
        }
        if self.address.trim().is_empty() {
            p.push("the address is empty".into());
        }
        for (what, text) in [("address", &self.address), ("hours note", &self.hours_note)] {
            if chars(text) > MAX_TEXT_CHARS || has_control(text) {
                p.push(format!(
                    "{what} is longer than {MAX_TEXT_CHARS} characters or has control characters"
                ));
            }
        }
        let phone_ok = self.phone.len() <= 32
            && self
                .phone
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b' ' | b'(' | b')'));
        if !phone_ok {
            p.push(format!(
                "phone {:?} may hold only digits, '-', '+', spaces and brackets (at most 32)",
                self.phone
            ));
        }
        if self.services.len() > MAX_SERVICES {
            p.push(format!("more than {MAX_SERVICES} services"));
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.services {
            if s.trim().is_empty()
                || s.trim() != s
                || chars(s) > 50
                || s.contains(';')
                || has_control(s)
            {
                p.push(format!(
                    "service {s:?} is empty, longer than 50 characters or holds ';'"
                ));
            }
            if !seen.insert(s) {
                p.push(format!("service {s:?} is listed twice"));
            }
        }
        let mut free_seen = std::collections::HashSet::new();
        for f in &self.free_services {
            if !self.services.contains(f) {
                p.push(format!("free service {f:?} is not among the services"));
            }
            if !free_seen.insert(f) {
                p.push(format!("free service {f:?} is listed twice"));
            }
        }
        if let Some(l) = self.location
            && (!l.lat.is_finite() || !l.lng.is_finite() || out_of_china(l.lat, l.lng))
        {
            p.push(format!(
                "coordinates {},{} are not in China (latitude first, then longitude)",
                l.lat, l.lng
            ));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn notary() -> Institution {
        Institution {
            id: "gz-notary-1".into(),
            kind: InstitutionKind::NotaryOffice,
            name: LocalizedName {
                zh_cn: "示例市公证处".into(),
                ko_kr: None,
                en: Some("Example Notary Office".into()),
            },
            region: "220104".into(),
            address: "示例路 1 号".into(),
            phone: "0431-12348".into(),
            hours: Some(OpeningHours::parse("Mo-Fr 09:00-17:00").unwrap()),
            hours_note: String::new(),
            services: vec!["公证咨询".into(), "遗嘱公证".into()],
            free_services: vec!["公证咨询".into()],
            location: Some(Location::gcj02(43.8868, 125.3245)),
            wheelchair: Wheelchair::Yes,
        }
    }

    #[test]
    fn a_good_record_has_no_problems_and_round_trips_as_json() {
        let n = notary();
        assert!(n.problems().is_empty(), "{:?}", n.problems());
        let json = serde_json::to_string(&n).unwrap();
        assert!(json.contains("\"kind\":\"notary-office\""));
        assert!(json.contains("\"datum\":\"gcj02\""));
        assert!(json.contains("\"hours\":\"Mo-Fr 09:00-17:00\""));
        assert_eq!(serde_json::from_str::<Institution>(&json).unwrap(), n);
        assert_eq!(n.name.get("ko-KR"), "示例市公证处");
        assert_eq!(n.name.get("en"), "Example Notary Office");
    }

    #[test]
    fn every_problem_is_named() {
        let mut n = notary();
        n.id = "a b".into();
        n.region = "2201".into();
        n.phone = "call us".into();
        n.free_services = vec!["遗嘱继承".into()];
        n.services.push("公证咨询".into());
        n.location = Some(Location::gcj02(125.3245, 43.8868)); // swapped
        n.address = String::new();
        let p = n.problems().join("\n");
        for word in [
            "id",
            "region",
            "phone",
            "free service",
            "twice",
            "not in China",
            "address",
        ] {
            assert!(p.contains(word), "{word}: {p}");
        }
    }
}
