//! What the citizen-facing guidance runs on: the consultation catalogue and its search index,
//! the province's legal-aid rules, the rating reasons and the institutions' addresses. Each
//! comes from the signed bundle in force when there is a usable one, else from the defaults
//! shipped with the firmware.
//!
//! Bundle files read (all optional):
//! - stream `catalogue`: `consultation/…` (the files of `content/catalogue/consultation/`)
//!   and `rating/reasons.toml`;
//! - stream `legal-aid-rules`: `rules.toml`;
//! - stream `institutions`: `institutions.toml` (`[[institution]]` with `kind`, `name`,
//!   `address`, optional `phone` and `hours`).

use std::sync::Arc;

use rusqlite::Connection;
use serde::Deserialize;
use thiserror::Error;

use crate::domain::consult::{self, InstitutionAddress, SearchIndex};
use crate::domain::legal_aid::Rules;
use crate::domain::rating::RatingReasons;

/// The shipped content failed its own checks (a build that should never have passed its tests).
#[derive(Debug, Error)]
pub enum ContentError {
    #[error("the shipped consultation content is invalid: {0}")]
    Consultation(#[from] consult::CatalogueError),
    #[error("the shipped legal-aid rules are invalid: {0}")]
    Rules(#[from] crate::domain::legal_aid::RulesError),
    #[error("the shipped rating reasons are invalid: {0}")]
    Reasons(#[from] crate::domain::rating::ReasonsError),
}

/// One institution of the registry, as printed on a slip.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstitutionEntry {
    kind: String,
    name: String,
    address: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    hours: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstitutionsFile {
    #[serde(default)]
    institution: Vec<InstitutionEntry>,
}

/// The guidance content in force.
#[derive(Clone)]
pub struct GuidanceContent {
    /// Categories, matters, flows, outcomes.
    pub consultation: Arc<consult::Catalogue>,
    /// Search over `consultation`.
    pub search: Arc<SearchIndex>,
    /// The legal-aid self-check's rules.
    pub legal_aid_rules: Arc<Rules>,
    /// 好差评 reasons.
    pub rating_reasons: Arc<RatingReasons>,
    institutions: Arc<Vec<InstitutionEntry>>,
}

impl std::fmt::Debug for GuidanceContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuidanceContent")
            .field("consultation", &self.consultation.version)
            .field("legal_aid_rules", &self.legal_aid_rules.version)
            .field("rating_reasons", &self.rating_reasons.version)
            .finish_non_exhaustive()
    }
}

impl GuidanceContent {
    /// The content shipped with the firmware.
    pub fn built_in() -> Result<Self, ContentError> {
        Ok(Self::new(
            consult::defaults::catalogue()?,
            Rules::jilin_default()?,
            RatingReasons::default_set()?,
            Vec::new(),
        ))
    }

    fn new(
        consultation: consult::Catalogue,
        rules: Rules,
        reasons: RatingReasons,
        institutions: Vec<InstitutionEntry>,
    ) -> Self {
        let search = SearchIndex::build(&consultation);
        Self {
            consultation: Arc::new(consultation),
            search: Arc::new(search),
            legal_aid_rules: Arc::new(rules),
            rating_reasons: Arc::new(reasons),
            institutions: Arc::new(institutions),
        }
    }

    /// The content in force: each part from its bundle when usable (an unusable one is
    /// logged and the shipped default used instead).
    pub fn in_force(conn: &Connection) -> Result<Self, ContentError> {
        let consultation = {
            let files = bundle_files(conn, "catalogue", Some("consultation/"));
            if files.is_empty() {
                consult::defaults::catalogue()?
            } else {
                match consult::Catalogue::from_files(
                    files.iter().map(|(n, c)| (n.as_str(), c.as_slice())),
                ) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::error!(
                            "the consultation content in force is not usable ({e}); using the built-in one"
                        );
                        consult::defaults::catalogue()?
                    }
                }
            }
        };
        let rules = match bundle_text(conn, "legal-aid-rules", "rules.toml") {
            Some(text) => Rules::from_toml(&text).or_else(|e| {
                tracing::error!(
                    "the legal-aid rules in force are not usable ({e}); using the built-in ones"
                );
                Rules::jilin_default()
            })?,
            None => Rules::jilin_default()?,
        };
        let reasons = match bundle_text(conn, "catalogue", "rating/reasons.toml") {
            Some(text) => RatingReasons::from_toml(&text).or_else(|e| {
                tracing::error!(
                    "the rating reasons in force are not usable ({e}); using the built-in ones"
                );
                RatingReasons::default_set()
            })?,
            None => RatingReasons::default_set()?,
        };
        let institutions = bundle_text(conn, "institutions", "institutions.toml")
            .and_then(|text| match toml::from_str::<InstitutionsFile>(&text) {
                Ok(file) => Some(file.institution),
                Err(e) => {
                    tracing::error!("the institution registry in force is not usable: {e}");
                    None
                }
            })
            .unwrap_or_default();
        Ok(Self::new(consultation, rules, reasons, institutions))
    }

    /// The address of an institution of `kind` from the registry, when the terminal knows one.
    pub fn institution(&self, kind: &str) -> Option<InstitutionAddress> {
        self.institutions
            .iter()
            .find(|i| i.kind == kind)
            .map(|i| InstitutionAddress {
                kind: i.kind.clone(),
                name: i.name.clone(),
                address: i.address.clone(),
                phone: i.phone.clone(),
                hours: i.hours.clone(),
            })
    }
}

/// Files of `stream` in force, names relative to `prefix` when given (and only those).
fn bundle_files(conn: &Connection, stream: &str, prefix: Option<&str>) -> Vec<(String, Vec<u8>)> {
    let rows = (|| -> rusqlite::Result<Vec<(String, Vec<u8>)>> {
        let mut stmt = conn.prepare("SELECT name, content FROM bundle_files WHERE stream = ?1")?;
        let rows = stmt.query_map([stream], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    })();
    let rows = rows.unwrap_or_else(|e| {
        tracing::error!("cannot read the {stream} bundle: {e}");
        Vec::new()
    });
    rows.into_iter()
        .filter_map(|(name, content)| match prefix {
            Some(p) => name.strip_prefix(p).map(|n| (n.to_owned(), content)),
            None => Some((name, content)),
        })
        .collect()
}

fn bundle_text(conn: &Connection, stream: &str, name: &str) -> Option<String> {
    let (_, bytes) = bundle_files(conn, stream, None)
        .into_iter()
        .find(|(n, _)| n == name)?;
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(_) => {
            tracing::error!("{name} of the {stream} bundle is not UTF-8");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn put(conn: &Connection, stream: &str, name: &str, content: &str) {
        conn.execute(
            "INSERT INTO bundle_files (stream, name, content) VALUES (?1, ?2, ?3)",
            rusqlite::params![stream, name, content.as_bytes()],
        )
        .unwrap();
    }

    #[test]
    fn without_bundles_the_shipped_content_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&Store::path_in(dir.path())).unwrap();
        let content = GuidanceContent::in_force(store.conn()).unwrap();
        let shipped = GuidanceContent::built_in().unwrap();
        assert_eq!(content.consultation.version, shipped.consultation.version);
        assert!(content.consultation.matter("labour.unpaid-wages").is_some());
        assert!(content.institution("notary-office").is_none());
    }

    #[test]
    fn bundled_institutions_give_addresses_and_bad_rules_fall_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&Store::path_in(dir.path())).unwrap();
        put(
            store.conn(),
            "institutions",
            "institutions.toml",
            "[[institution]]\nkind = \"notary-office\"\nname = \"示例市公证处\"\naddress = \"示例路1号\"\nphone = \"0431-0000000\"\n",
        );
        put(
            store.conn(),
            "legal-aid-rules",
            "rules.toml",
            "format = 99\n",
        );
        let content = GuidanceContent::in_force(store.conn()).unwrap();
        let notary = content.institution("notary-office").unwrap();
        assert_eq!(notary.name, "示例市公证处");
        assert_eq!(notary.phone.as_deref(), Some("0431-0000000"));
        assert_eq!(
            content.legal_aid_rules.version,
            Rules::jilin_default().unwrap().version
        );
    }
}
