//! The services a citizen can take a ticket for, from the `catalogue` bundle's
//! `services.toml` (the version shipped with the firmware, until a newer one arrives).

use rusqlite::Connection;
use serde::Deserialize;
use thiserror::Error;

use crate::i18n::Text;

/// The catalogue shipped with the firmware: version 0 of the `catalogue` stream.
pub const BUILT_IN_SERVICES: &str = include_str!("../../../content/catalogue/services.toml");

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Stable id, e.g. `legal-aid`.
    pub id: String,
    /// One upper-case letter that starts every ticket number of this service.
    pub prefix: char,
    pub name: Text,
    pub description: Text,
    /// Where the citizen is served, when the centre assigns one (e.g. 3号窗口).
    #[serde(default)]
    pub window: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    services: Vec<Service>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CatalogueError {
    #[error("services.toml is not valid: {0}")]
    Parse(String),
    #[error("services.toml lists no service")]
    Empty,
    #[error("service id {0:?} appears twice")]
    DuplicateId(String),
    #[error("service id {0:?} must be lower-case letters, digits and '-'")]
    BadId(String),
    #[error("prefix {prefix:?} of service {id:?} must be one upper-case letter A-Z")]
    BadPrefix { id: String, prefix: char },
    #[error("prefix {prefix:?} is used by both {first:?} and {second:?}")]
    DuplicatePrefix {
        prefix: char,
        first: String,
        second: String,
    },
    #[error("service {0:?} has no Chinese name")]
    MissingName(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    service: Vec<Service>,
}

impl Catalogue {
    /// The catalogue shipped with the firmware.
    pub fn built_in() -> Self {
        // The built-in file is checked by a unit test, so this cannot fail in a release.
        Self::parse(BUILT_IN_SERVICES).unwrap_or_else(|e| panic!("built-in services.toml: {e}"))
    }

    /// Parses and validates a `services.toml`.
    pub fn parse(text: &str) -> Result<Self, CatalogueError> {
        let file: ServicesFile =
            toml::from_str(text).map_err(|e| CatalogueError::Parse(e.to_string()))?;
        Self::new(file.service)
    }

    pub fn new(services: Vec<Service>) -> Result<Self, CatalogueError> {
        if services.is_empty() {
            return Err(CatalogueError::Empty);
        }
        for (i, s) in services.iter().enumerate() {
            let id_ok = !s.id.is_empty()
                && s.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !id_ok {
                return Err(CatalogueError::BadId(s.id.clone()));
            }
            if !s.prefix.is_ascii_uppercase() {
                return Err(CatalogueError::BadPrefix {
                    id: s.id.clone(),
                    prefix: s.prefix,
                });
            }
            if s.name.zh_cn.trim().is_empty() {
                return Err(CatalogueError::MissingName(s.id.clone()));
            }
            for earlier in &services[..i] {
                if earlier.id == s.id {
                    return Err(CatalogueError::DuplicateId(s.id.clone()));
                }
                if earlier.prefix == s.prefix {
                    return Err(CatalogueError::DuplicatePrefix {
                        prefix: s.prefix,
                        first: earlier.id.clone(),
                        second: s.id.clone(),
                    });
                }
            }
        }
        Ok(Self { services })
    }

    pub fn services(&self) -> &[Service] {
        &self.services
    }

    pub fn get(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }
}

/// The catalogue in force: the newest valid `catalogue` bundle, else the one shipped with the
/// firmware (version 0).
pub fn catalogue_in_force(conn: &Connection) -> Catalogue {
    let parsed = crate::store::bundles::text(conn, "catalogue", "services.toml")
        .map(|text| Catalogue::parse(&text).map_err(|e| e.to_string()));
    match parsed {
        Some(Ok(catalogue)) => catalogue,
        Some(Err(e)) => {
            tracing::error!(
                "the catalogue bundle in force is not usable ({e}); using the built-in one"
            );
            Catalogue::built_in()
        }
        None => Catalogue::built_in(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_built_in_catalogue_has_the_seven_services_with_stable_ids() {
        let c = Catalogue::parse(BUILT_IN_SERVICES).expect("valid");
        let ids: Vec<&str> = c.services().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "legal-consultation",
                "legal-aid",
                "mediation",
                "notary",
                "judicial-appraisal",
                "lawyer-services",
                "arbitration"
            ]
        );
        for s in c.services() {
            for lang in Lang::ALL {
                assert!(s.name.has(lang), "{} has no {} name", s.id, lang.code());
                assert!(
                    s.description.has(lang),
                    "{} has no {} description",
                    s.id,
                    lang.code()
                );
            }
        }
        assert_eq!(
            c.get("legal-aid").map(|s| s.name.zh_cn.as_str()),
            Some("法律援助")
        );
    }

    #[test]
    fn duplicate_prefixes_are_refused() {
        let text = r#"
            [[service]]
            id = "a"
            prefix = "A"
            name = { zh-CN = "甲" }
            description = { zh-CN = "甲" }
            [[service]]
            id = "b"
            prefix = "A"
            name = { zh-CN = "乙" }
            description = { zh-CN = "乙" }
        "#;
        assert!(matches!(
            Catalogue::parse(text),
            Err(CatalogueError::DuplicatePrefix { prefix: 'A', .. })
        ));
    }

    #[test]
    fn a_lower_case_prefix_is_refused() {
        let text = "[[service]]\nid = \"a\"\nprefix = \"a\"\nname = { zh-CN = \"甲\" }\ndescription = { zh-CN = \"甲\" }\n";
        assert!(matches!(
            Catalogue::parse(text),
            Err(CatalogueError::BadPrefix { .. })
        ));
    }
}
