//! Who a bundle is for, and whether a terminal is one of them.

use serde::{Deserialize, Serialize};

/// The target of a bundle: every terminal, a region, a platform (service centre) or one
/// terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Scope {
    /// Every terminal.
    All,
    /// Terminals of a region. Six-digit administrative division codes nest: `330000`
    /// (a province) covers `330100` (a city) and `330106` (a district).
    Region(String),
    /// Terminals of one platform (service centre), by platform id.
    Platform(String),
    /// One terminal, by device id.
    Terminal(String),
}

/// Where a terminal stands: what a [`Scope`] is matched against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalPlacement {
    /// The device id the registry assigned.
    pub device_id: String,
    /// The platform (service centre) the terminal belongs to.
    pub platform_id: String,
    /// The platform's region code.
    pub region: String,
}

impl Scope {
    /// Whether a terminal at `placement` is targeted by this scope.
    pub fn includes(&self, placement: &TerminalPlacement) -> bool {
        match self {
            Scope::All => true,
            Scope::Region(region) => region_contains(region, &placement.region),
            Scope::Platform(platform) => *platform == placement.platform_id,
            Scope::Terminal(device) => *device == placement.device_id,
        }
    }

    /// A short human form, e.g. `region:330100`.
    pub fn describe(&self) -> String {
        match self {
            Scope::All => "all".to_string(),
            Scope::Region(v) => format!("region:{v}"),
            Scope::Platform(v) => format!("platform:{v}"),
            Scope::Terminal(v) => format!("terminal:{v}"),
        }
    }

    /// Parses the short form of [`Scope::describe`].
    pub fn parse(text: &str) -> Option<Scope> {
        if text == "all" {
            return Some(Scope::All);
        }
        let (kind, value) = text.split_once(':')?;
        if value.is_empty() {
            return None;
        }
        let value = value.to_string();
        match kind {
            "region" => Some(Scope::Region(value)),
            "platform" => Some(Scope::Platform(value)),
            "terminal" => Some(Scope::Terminal(value)),
            _ => None,
        }
    }
}

/// Whether region `outer` contains region `inner`: equal, or both six-digit division codes and
/// `outer` without its trailing `00` pairs is a prefix of `inner`.
pub fn region_contains(outer: &str, inner: &str) -> bool {
    if outer == inner {
        return true;
    }
    let is_code = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit());
    if !is_code(outer) || !is_code(inner) {
        return false;
    }
    let mut prefix = outer;
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    prefix.len() < 6 && inner.starts_with(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(region: &str) -> TerminalPlacement {
        TerminalPlacement {
            device_id: "kt-1".into(),
            platform_id: "p-1".into(),
            region: region.into(),
        }
    }

    #[test]
    fn regions_nest_by_division_code() {
        assert!(Scope::Region("330000".into()).includes(&at("330106")));
        assert!(Scope::Region("330100".into()).includes(&at("330106")));
        assert!(!Scope::Region("330100".into()).includes(&at("330200")));
        assert!(!Scope::Region("330106".into()).includes(&at("330100")));
        assert!(Scope::Region("north".into()).includes(&at("north")));
    }

    #[test]
    fn platform_and_terminal_scopes_match_exactly() {
        assert!(Scope::Platform("p-1".into()).includes(&at("x")));
        assert!(!Scope::Platform("p-2".into()).includes(&at("x")));
        assert!(Scope::Terminal("kt-1".into()).includes(&at("x")));
        assert!(!Scope::Terminal("kt-2".into()).includes(&at("x")));
        assert_eq!(
            Scope::parse("platform:p-1"),
            Some(Scope::Platform("p-1".into()))
        );
        assert_eq!(Scope::parse("nonsense"), None);
    }
}
