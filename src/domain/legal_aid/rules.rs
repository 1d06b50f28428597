//! The `legal-aid-rules` bundle file: a province's scope, no-means-test cases, exempt groups,
//! priority groups and hardship threshold. Parsed strictly: an unknown field or a missing
//! threshold is an error, never a silent default.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::domain::consult::text::Text;

/// The rules format this firmware reads.
pub const RULES_FORMAT: u32 = 1;

/// The default rules for Jilin province, shipped with the firmware.
pub const JILIN_DEFAULT: &str = include_str!("../../../content/legal-aid-rules/jilin.toml");

/// A province's legal-aid rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Must equal [`RULES_FORMAT`].
    pub format: u32,
    /// Region id (e.g. `jilin`).
    pub region: String,
    /// Region's display name.
    pub region_name: Text,
    /// Rules version (carried into events so the centre knows which rules answered).
    pub version: String,
    /// "This is an indication, not a decision" — shown with every result.
    pub notice: Text,
    /// The economic-hardship standard (法律援助法 art. 34: set by the province).
    pub hardship: Hardship,
    /// Materials every application needs.
    pub base_materials: Vec<String>,
    /// Extra materials when the means test applies (e.g. the hardship declaration).
    pub means_test_materials: Vec<String>,
    /// Matters legal aid covers (art. 31, criminal matters, provincial additions).
    #[serde(rename = "scope")]
    pub scope: Vec<RuleItem>,
    /// Cases with no means test (art. 32 and the like).
    #[serde(rename = "no_means_test")]
    pub no_means_test: Vec<RuleItem>,
    /// Groups exempt from the economic review (art. 42).
    #[serde(rename = "exempt_group")]
    pub exempt_groups: Vec<RuleItem>,
    /// Groups with no means test and priority (e.g. registered-poverty households, 一免七优先).
    #[serde(rename = "priority_group", default)]
    pub priority_groups: Vec<RuleItem>,
    /// Material names by id.
    #[serde(rename = "material")]
    pub materials: Vec<RuleMaterial>,
}

/// The hardship threshold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hardship {
    /// A household whose monthly income per person is at or below this many yuan counts as
    /// in economic hardship (for the indication only).
    pub monthly_income_per_person_max_yuan: u32,
    /// True while the number is a placeholder awaiting the province's figure; results then say so.
    pub placeholder: bool,
    /// Where the number comes from.
    pub basis: Text,
}

/// One scope item, case or group, offered as a large button.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleItem {
    /// Stable id.
    pub id: String,
    /// Button label in plain words.
    pub label: Text,
    /// One-line explanation under the label, if needed.
    #[serde(default)]
    pub help: Option<Text>,
    /// Legal basis (article); say "待核实" where not verified.
    pub basis: Text,
    /// Material ids this item adds.
    #[serde(default)]
    pub materials: Vec<String>,
    /// True for provincial additions (shown as such to staff).
    #[serde(default)]
    pub provincial: bool,
    /// Show only to people at least this old (when the age is known).
    #[serde(default)]
    pub min_age: Option<u8>,
    /// Show only to people at most this old (when the age is known).
    #[serde(default)]
    pub max_age: Option<u8>,
    /// For groups: only applies with these scope items (e.g. migrant workers: wages, work injury).
    #[serde(default)]
    pub requires_scope: Vec<String>,
    /// For scope items: a condition the matter must meet before legal aid applies (法律援助法
    /// art. 33: only once a retrial was decided or a protest lodged). Asked right after the
    /// matter; a "no" leads to staff review, never to "likely eligible".
    #[serde(default)]
    pub condition: Option<Condition>,
    /// For scope items: the means test looks at the applicant's own household without the
    /// person the claim is against (an elderly parent suing their children for 赡养费).
    #[serde(default)]
    pub own_means: Option<OwnMeans>,
    /// Whether a qualified person has checked this item against the law. Unverified items
    /// are marked to rule authors and staff; nothing counts as verified unless it says so.
    #[serde(default)]
    pub verified: bool,
}

/// A yes/no condition on a scope item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The question, answered 是 / 不是 / 不清楚.
    pub question: Text,
    /// One line explaining the words of the question.
    #[serde(default)]
    pub help: Option<Text>,
    /// What the citizen is told when the condition is not (or not known to be) met.
    pub unmet: Text,
}

/// How the means test counts the household for one scope item, with its basis.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnMeans {
    /// Why the obligor's income is left out (statute, provincial rule; say "待核实" if unsure).
    pub basis: Text,
    /// Whether a qualified person has checked this against the province's rules.
    #[serde(default)]
    pub verified: bool,
}

/// A material name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMaterial {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: Text,
}

/// Why a rules file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// Not TOML/JSON, a field unknown, missing (e.g. the hardship threshold) or mistyped.
    #[error("legal-aid rules are not valid: {0}")]
    Parse(String),
    /// Parsed but inconsistent.
    #[error("legal-aid rules have {} problem(s):\n{}", .0.len(), crate::domain::Bullets(.0))]
    Invalid(Vec<String>),
}

impl Rules {
    /// Parses and validates a TOML rules file.
    pub fn from_toml(text: &str) -> Result<Rules, RulesError> {
        let rules: Rules = toml::from_str(text).map_err(|e| RulesError::Parse(e.to_string()))?;
        rules.validated()
    }

    /// Parses and validates a JSON rules file (same fields as TOML).
    pub fn from_json(text: &str) -> Result<Rules, RulesError> {
        let rules: Rules =
            serde_json::from_str(text).map_err(|e| RulesError::Parse(e.to_string()))?;
        rules.validated()
    }

    /// The shipped Jilin default.
    pub fn jilin_default() -> Result<Rules, RulesError> {
        Rules::from_toml(JILIN_DEFAULT)
    }

    /// A scope item by id.
    pub fn scope_item(&self, id: &str) -> Option<&RuleItem> {
        self.scope.iter().find(|s| s.id == id)
    }

    /// A material's name by id.
    pub fn material(&self, id: &str) -> Option<&RuleMaterial> {
        self.materials.iter().find(|m| m.id == id)
    }

    /// Every text, for font coverage and translation checks.
    pub fn all_texts(&self) -> Vec<&Text> {
        let mut out = vec![&self.region_name, &self.notice, &self.hardship.basis];
        for item in self
            .scope
            .iter()
            .chain(&self.no_means_test)
            .chain(&self.exempt_groups)
            .chain(&self.priority_groups)
        {
            out.extend([&item.label, &item.basis]);
            out.extend(item.help.as_ref());
        }
        for item in &self.scope {
            if let Some(c) = &item.condition {
                out.extend([&c.question, &c.unmet]);
                out.extend(c.help.as_ref());
            }
            if let Some(m) = &item.own_means {
                out.push(&m.basis);
            }
        }
        out.extend(self.materials.iter().map(|m| &m.name));
        out
    }

    /// Every item no qualified person has verified yet, as `(table, id)`; an unverified
    /// household rule of a scope item is listed as `own_means` of that item. The hardship
    /// threshold is listed separately ([`Hardship::placeholder`]).
    pub fn unverified(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        for (table, item) in self.items() {
            if !item.verified {
                out.push((table, item.id.as_str()));
            }
            if item.own_means.as_ref().is_some_and(|m| !m.verified) {
                out.push(("own_means", item.id.as_str()));
            }
        }
        out
    }

    /// Whether the item with this id (in any table) is verified; false for an unknown id.
    pub fn is_verified(&self, id: &str) -> bool {
        self.items()
            .find(|(_, i)| i.id == id)
            .is_some_and(|(_, i)| i.verified)
    }

    /// Every item of the four tables with its table's name (as in `[[scope]]`), in order.
    pub fn items(&self) -> impl Iterator<Item = (&'static str, &RuleItem)> {
        [
            ("scope", &self.scope),
            ("no_means_test", &self.no_means_test),
            ("exempt_group", &self.exempt_groups),
            ("priority_group", &self.priority_groups),
        ]
        .into_iter()
        .flat_map(|(table, items)| items.iter().map(move |item| (table, item)))
    }

    fn validated(self) -> Result<Rules, RulesError> {
        let mut problems = Vec::new();
        if self.format != RULES_FORMAT {
            problems.push(format!(
                "format {} is not supported (this firmware reads format {RULES_FORMAT})",
                self.format
            ));
        }
        if self.hardship.monthly_income_per_person_max_yuan == 0 {
            problems.push("hardship.monthly_income_per_person_max_yuan must be above 0".into());
        }
        if self.scope.is_empty() {
            problems.push("no [[scope]] items".into());
        }
        for (what, t) in [
            ("region_name", &self.region_name),
            ("notice", &self.notice),
            ("hardship.basis", &self.hardship.basis),
        ] {
            if let Some(lang) = t.blank_variant() {
                problems.push(format!("{what} is blank in {}", lang.tag()));
            }
        }
        let material_ids: HashSet<&str> = self.materials.iter().map(|m| m.id.as_str()).collect();
        if material_ids.len() != self.materials.len() {
            problems.push("duplicate [[material]] id".into());
        }
        for m in &self.materials {
            if let Some(lang) = m.name.blank_variant() {
                problems.push(format!(
                    "material {}: name is blank in {}",
                    m.id,
                    lang.tag()
                ));
            }
        }
        for id in self.base_materials.iter().chain(&self.means_test_materials) {
            if !material_ids.contains(id.as_str()) {
                problems.push(format!("unknown material {id:?}"));
            }
        }
        let scope_ids: HashSet<&str> = self.scope.iter().map(|s| s.id.as_str()).collect();
        let mut all_ids: HashMap<&str, &str> = HashMap::new();
        for (table, item) in self.items() {
            let at = format!("[[{table}]] {}", item.id);
            if !valid_id(&item.id) || item.id == super::engine::NONE {
                problems.push(format!(
                    "{at}: id must be a-z, 0-9 and '-' and not \"{}\"",
                    super::engine::NONE
                ));
            }
            if let Some(other) = all_ids.insert(item.id.as_str(), table) {
                problems.push(format!("{at}: id is also used in [[{other}]]"));
            }
            for (what, t) in [("label", Some(&item.label)), ("basis", Some(&item.basis))]
                .into_iter()
                .chain([("help", item.help.as_ref())])
            {
                if let Some(lang) = t.and_then(Text::blank_variant) {
                    problems.push(format!("{at}: {what} is blank in {}", lang.tag()));
                }
            }
            for m in &item.materials {
                if !material_ids.contains(m.as_str()) {
                    problems.push(format!("{at}: unknown material {m:?}"));
                }
            }
            for s in &item.requires_scope {
                if !scope_ids.contains(s.as_str()) {
                    problems.push(format!("{at}: requires_scope names unknown scope {s:?}"));
                }
            }
            if let (Some(lo), Some(hi)) = (item.min_age, item.max_age)
                && lo > hi
            {
                problems.push(format!("{at}: min_age {lo} is above max_age {hi}"));
            }
            if table != "scope" && (item.condition.is_some() || item.own_means.is_some()) {
                problems.push(format!(
                    "{at}: condition and own_means belong to [[scope]] items only"
                ));
            }
            if let Some(c) = &item.condition {
                for (what, t) in [
                    ("condition.question", Some(&c.question)),
                    ("condition.unmet", Some(&c.unmet)),
                    ("condition.help", c.help.as_ref()),
                ] {
                    if let Some(lang) = t.and_then(Text::blank_variant) {
                        problems.push(format!("{at}: {what} is blank in {}", lang.tag()));
                    }
                }
            }
            if let Some(lang) = item
                .own_means
                .as_ref()
                .and_then(|m| m.basis.blank_variant())
            {
                problems.push(format!("{at}: own_means.basis is blank in {}", lang.tag()));
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(RulesError::Invalid(problems))
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
