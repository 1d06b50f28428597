//! What the citizen-facing guidance runs on: the consultation catalogue and its search index,
//! the province's legal-aid rules, the rating reasons and the institutions' addresses. Each
//! comes from the signed bundle in force when there is a usable one, else from the defaults
//! shipped with the firmware.
//!
//! Bundle files read (all optional):
//! - stream `catalogue`: `consultation/…` (the files of `content/catalogue/consultation/`)
//!   and `rating/reasons.toml`;
//! - stream `legal-aid-rules`: `rules.toml`;
//! - stream `institutions`: `institutions.json` (the province's institutions, see
//!   [`crate::domain::institutions`]).

use std::sync::Arc;

use rusqlite::Connection;
use thiserror::Error;

use crate::domain::consult::{self, SearchIndex};
use crate::domain::institutions::{self, Institutions};
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

/// Where the legal-aid rules in force come from (shown to rule authors and staff).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RulesSource {
    /// The rules shipped with the firmware (their threshold is a placeholder).
    BuiltIn,
    /// A signed `legal-aid-rules` bundle of this version.
    Bundle {
        /// The bundle's version in its stream.
        bundle_version: u64,
    },
    /// The shipped rules, because the bundle in force could not be read (e.g. written by a
    /// newer firmware before a downgrade). Bundles are checked before they are applied, so
    /// this is rare; it is reported, never silent.
    BuiltInBundleUnusable {
        /// The bundle's version in its stream.
        bundle_version: u64,
        /// Why it could not be used.
        error: String,
    },
    /// A file given on the command line (`legal-kiosk legal-aid --rules FILE`).
    File {
        /// The path as given.
        path: String,
    },
}

impl std::fmt::Display for RulesSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RulesSource::BuiltIn => write!(f, "built-in rules"),
            RulesSource::Bundle { bundle_version } => {
                write!(f, "legal-aid-rules bundle version {bundle_version}")
            }
            RulesSource::BuiltInBundleUnusable {
                bundle_version,
                error,
            } => write!(
                f,
                "built-in rules (legal-aid-rules bundle version {bundle_version} is not usable: {error})"
            ),
            RulesSource::File { path } => write!(f, "rules file {path}"),
        }
    }
}

/// The legal-aid rules in force in the terminal's store, and where they come from.
pub fn rules_in_force(conn: &Connection) -> Result<(Rules, RulesSource), ContentError> {
    let Some(text) = crate::store::bundles::text(
        conn,
        crate::domain::bundle_check::LEGAL_AID_RULES,
        crate::domain::bundle_check::RULES_FILE,
    ) else {
        return Ok((Rules::jilin_default()?, RulesSource::BuiltIn));
    };
    let bundle_version =
        bundle_version(conn, crate::domain::bundle_check::LEGAL_AID_RULES).unwrap_or(0);
    match Rules::from_toml(&text) {
        Ok(rules) => Ok((rules, RulesSource::Bundle { bundle_version })),
        Err(e) => {
            tracing::error!(
                "the legal-aid rules bundle version {bundle_version} in force is not usable ({e}); using the built-in rules"
            );
            Ok((
                Rules::jilin_default()?,
                RulesSource::BuiltInBundleUnusable {
                    bundle_version,
                    error: e.to_string(),
                },
            ))
        }
    }
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
    /// Where [`GuidanceContent::legal_aid_rules`] come from.
    pub rules_source: RulesSource,
    /// 好差评 reasons.
    pub rating_reasons: Arc<RatingReasons>,
    /// The province's institutions, when an `institutions` bundle is in force.
    pub institutions: Option<Arc<Institutions>>,
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

/// What the maintenance menu's About page says about the legal-aid rules in force (issue 14:
/// unverified items stay marked where staff can see them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesReview {
    /// Region and version, e.g. `吉林省 2026.1-default`.
    pub rules: String,
    /// Where they come from: built in, or which bundle ([`RulesSource`]).
    pub source: String,
    /// The hardship threshold in force, yuan per person a month.
    pub threshold_yuan: u32,
    /// Whether the threshold is a placeholder rather than the province's figure.
    pub threshold_placeholder: bool,
    /// Every item no qualified person has verified, as `table id: label (basis)` in Chinese.
    pub unverified: Vec<String>,
}

impl RulesReview {
    /// The review of `rules` from `source`.
    pub fn of(rules: &Rules, source: &RulesSource) -> RulesReview {
        let item = |id: &str| {
            rules
                .scope
                .iter()
                .chain(&rules.no_means_test)
                .chain(&rules.exempt_groups)
                .chain(&rules.priority_groups)
                .find(|i| i.id == id)
        };
        let unverified = rules
            .unverified()
            .into_iter()
            .map(|(table, id)| match (table, item(id)) {
                ("own_means", Some(i)) => format!(
                    "{table} {id}: {}（{}）",
                    i.label.zh_cn,
                    i.own_means.as_ref().map_or("", |m| m.basis.zh_cn.as_str())
                ),
                (_, Some(i)) => format!("{table} {id}: {}（{}）", i.label.zh_cn, i.basis.zh_cn),
                (_, None) => format!("{table} {id}"),
            })
            .collect();
        RulesReview {
            rules: format!("{} {}", rules.region_name.zh_cn, rules.version),
            source: source.to_string(),
            threshold_yuan: rules.hardship.monthly_income_per_person_max_yuan,
            threshold_placeholder: rules.hardship.placeholder,
            unverified,
        }
    }
}

impl GuidanceContent {
    /// The content shipped with the firmware.
    pub fn built_in() -> Result<Self, ContentError> {
        Ok(Self::new(
            consult::defaults::catalogue()?,
            (Rules::jilin_default()?, RulesSource::BuiltIn),
            RatingReasons::default_set()?,
            None,
        ))
    }

    fn new(
        consultation: consult::Catalogue,
        (rules, rules_source): (Rules, RulesSource),
        reasons: RatingReasons,
        institutions: Option<Institutions>,
    ) -> Self {
        let search = SearchIndex::build(&consultation);
        Self {
            consultation: Arc::new(consultation),
            search: Arc::new(search),
            legal_aid_rules: Arc::new(rules),
            rules_source,
            rating_reasons: Arc::new(reasons),
            institutions: institutions.map(Arc::new),
        }
    }

    /// The content in force: each part from its bundle when usable (an unusable one is
    /// logged and the shipped default used instead).
    pub fn in_force(conn: &Connection) -> Result<Self, ContentError> {
        let consultation = {
            let files = crate::store::bundles::files(conn, "catalogue", Some("consultation/"));
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
        let rules = rules_in_force(conn)?;
        let reasons = match crate::store::bundles::text(conn, "catalogue", "rating/reasons.toml") {
            Some(text) => RatingReasons::from_toml(&text).or_else(|e| {
                tracing::error!(
                    "the rating reasons in force are not usable ({e}); using the built-in ones"
                );
                RatingReasons::default_set()
            })?,
            None => RatingReasons::default_set()?,
        };
        let institutions =
            crate::store::bundles::text(conn, institutions::STREAM, institutions::FILE).and_then(
                |text| match Institutions::parse(text.as_bytes()) {
                    Ok(list) => Some(list),
                    Err(e) => {
                        tracing::error!("the institutions in force are not usable: {e}");
                        None
                    }
                },
            );
        Ok(Self::new(consultation, rules, reasons, institutions))
    }

    /// What the About page says about the legal-aid rules in force.
    pub fn rules_review(&self) -> RulesReview {
        RulesReview::of(&self.legal_aid_rules, &self.rules_source)
    }
}

/// The version of the bundle of `stream` in force, if any.
fn bundle_version(conn: &Connection, stream: &str) -> Option<u64> {
    crate::store::bundles::versions(conn)
        .ok()
        .and_then(|v| v.get(stream).copied())
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
    fn the_review_lists_every_unverified_item_and_the_threshold_in_force() {
        let content = GuidanceContent::built_in().unwrap();
        let review = content.rules_review();
        assert_eq!(review.source, "built-in rules");
        assert!(review.rules.contains("2026.1-default"), "{}", review.rules);
        assert_eq!(
            review.threshold_yuan,
            content
                .legal_aid_rules
                .hardship
                .monthly_income_per_person_max_yuan
        );
        assert!(review.threshold_placeholder);
        assert_eq!(
            review.unverified.len(),
            content.legal_aid_rules.unverified().len()
        );
        assert!(
            review
                .unverified
                .iter()
                .any(|l| l.starts_with("scope retrial-appeal") && l.contains("第三十三条")),
            "{:?}",
            review.unverified
        );
        assert!(
            review
                .unverified
                .iter()
                .any(|l| l.starts_with("own_means "))
        );
    }

    #[test]
    fn without_bundles_the_shipped_content_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&Store::path_in(dir.path())).unwrap();
        let content = GuidanceContent::in_force(store.conn()).unwrap();
        let shipped = GuidanceContent::built_in().unwrap();
        assert_eq!(content.consultation.version, shipped.consultation.version);
        assert!(content.consultation.matter("labour.unpaid-wages").is_some());
        assert!(content.institutions.is_none());
    }

    #[test]
    fn bundled_institutions_give_addresses_and_bad_rules_fall_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&Store::path_in(dir.path())).unwrap();
        let province = provisioning::institutions::synthetic::province(50, 3);
        let json = String::from_utf8(province.to_json()).unwrap();
        put(store.conn(), "institutions", "institutions.json", &json);
        put(
            store.conn(),
            "legal-aid-rules",
            "rules.toml",
            "format = 99\n",
        );
        let content = GuidanceContent::in_force(store.conn()).unwrap();
        let institutions = content
            .institutions
            .as_ref()
            .expect("the bundle's institutions");
        assert_eq!(institutions.len(), 50);
        assert_eq!(
            content.legal_aid_rules.version,
            Rules::jilin_default().unwrap().version
        );
        // Never silent: the source says the bundle could not be used, and why.
        match &content.rules_source {
            RulesSource::BuiltInBundleUnusable { error, .. } => {
                assert!(error.contains("format"), "{error}")
            }
            other => panic!("source {other:?}"),
        }
    }

    #[test]
    fn rules_from_a_bundle_name_their_bundle_version() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&Store::path_in(dir.path())).unwrap();
        let (_, source) = rules_in_force(store.conn()).unwrap();
        assert_eq!(source, RulesSource::BuiltIn);
        let rules = crate::domain::legal_aid::rules::JILIN_DEFAULT.replace(
            "monthly_income_per_person_max_yuan = 2000",
            "monthly_income_per_person_max_yuan = 1500",
        );
        put(store.conn(), "legal-aid-rules", "rules.toml", &rules);
        store
            .conn()
            .execute(
                "INSERT INTO bundles (stream, version, manifest, applied_at) VALUES ('legal-aid-rules', 7, '{}', 'now')",
                [],
            )
            .unwrap();
        let (rules, source) = rules_in_force(store.conn()).unwrap();
        assert_eq!(rules.hardship.monthly_income_per_person_max_yuan, 1500);
        assert_eq!(source, RulesSource::Bundle { bundle_version: 7 });
        assert_eq!(source.to_string(), "legal-aid-rules bundle version 7");
    }
}
