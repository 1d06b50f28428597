//! Service ratings (好差评, 国办发〔2019〕51号): five levels, reasons for the two negative
//! levels from a versioned data file, tied to one service event, sent through the outbox.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::consult::flow::pick;
use crate::domain::consult::text::{Lang, Localized, Text};

/// The shipped default reasons.
pub const DEFAULT_REASONS: &str = include_str!("../../../content/rating/reasons.toml");
/// Outbox event type.
pub const EVENT_TYPE: &str = "rating.submitted";
/// Longest accepted service event id.
pub const MAX_EVENT_ID_LEN: usize = 64;
/// Most reasons one rating may carry.
pub const MAX_REASONS: usize = 5;

/// The five nationally uniform levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RatingLevel {
    /// 非常满意.
    VerySatisfied,
    /// 满意.
    Satisfied,
    /// 基本满意.
    BasicallySatisfied,
    /// 不满意 (negative).
    Dissatisfied,
    /// 非常不满意 (negative).
    VeryDissatisfied,
}

impl RatingLevel {
    /// All five, best first (the order of the buttons).
    pub const ALL: [RatingLevel; 5] = [
        RatingLevel::VerySatisfied,
        RatingLevel::Satisfied,
        RatingLevel::BasicallySatisfied,
        RatingLevel::Dissatisfied,
        RatingLevel::VeryDissatisfied,
    ];

    /// 不满意 and 非常不满意 are negative ratings (差评) and may carry reasons.
    pub fn is_negative(self) -> bool {
        matches!(
            self,
            RatingLevel::Dissatisfied | RatingLevel::VeryDissatisfied
        )
    }

    /// 5 (非常满意) down to 1 (非常不满意).
    pub fn score(self) -> u8 {
        match self {
            RatingLevel::VerySatisfied => 5,
            RatingLevel::Satisfied => 4,
            RatingLevel::BasicallySatisfied => 3,
            RatingLevel::Dissatisfied => 2,
            RatingLevel::VeryDissatisfied => 1,
        }
    }

    /// The button label.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            RatingLevel::VerySatisfied => pick(lang, "非常满意", "매우 만족", "Very satisfied"),
            RatingLevel::Satisfied => pick(lang, "满意", "만족", "Satisfied"),
            RatingLevel::BasicallySatisfied => {
                pick(lang, "基本满意", "보통", "Basically satisfied")
            }
            RatingLevel::Dissatisfied => pick(lang, "不满意", "불만족", "Dissatisfied"),
            RatingLevel::VeryDissatisfied => {
                pick(lang, "非常不满意", "매우 불만족", "Very dissatisfied")
            }
        }
    }
}

/// The kind of service event rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    /// A queue ticket that was served.
    Ticket,
    /// A guided consultation on the kiosk.
    Consultation,
    /// A video call with a lawyer.
    VideoCall,
}

/// The service event a rating is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceEvent {
    /// Its kind.
    pub kind: ServiceKind,
    /// Ticket id, consultation id or call id.
    pub id: String,
}

/// `reasons.toml`: the versioned reason set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingReasons {
    /// Must be 1.
    pub format: u32,
    /// Version, carried in every rating event.
    pub version: String,
    /// The offline evaluation criteria (服务效率, 服务水平, 服务态度, …).
    #[serde(rename = "criterion")]
    pub criteria: Vec<Criterion>,
    /// The reasons, each under one criterion.
    #[serde(rename = "reason")]
    pub reasons: Vec<Reason>,
}

/// An evaluation criterion.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: Text,
}

/// A reason a citizen can tick for a negative rating.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Stable id.
    pub id: String,
    /// Criterion id.
    pub criterion: String,
    /// Label.
    pub label: Text,
    /// Service kinds it applies to (empty: all).
    #[serde(default)]
    pub applies_to: Vec<ServiceKind>,
}

/// A reason button, for the UI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonView {
    /// Reason id.
    pub id: String,
    /// Criterion id.
    pub criterion: String,
    /// Criterion name (group heading).
    pub criterion_name: Localized,
    /// Label.
    pub label: Localized,
}

/// Why a reasons file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ReasonsError {
    /// Not valid TOML or wrong fields.
    #[error("rating reasons are not valid: {0}")]
    Parse(String),
    /// Inconsistent.
    #[error("rating reasons: {0}")]
    Invalid(String),
}

/// Why a rating was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    /// Empty event id.
    #[error("a rating must name the service event it rates")]
    MissingEventId,
    /// Event id too long or with odd characters.
    #[error("service event id {0:?} is not a valid id (1–64 of A-Z a-z 0-9 - _ .)")]
    BadEventId(String),
    /// Reasons given for a positive or neutral level.
    #[error("reasons can only be given with 不满意 or 非常不满意")]
    ReasonsNotAllowed,
    /// Unknown reason id.
    #[error("unknown reason {0:?}")]
    UnknownReason(String),
    /// Reason not for this kind of service.
    #[error("reason {reason:?} does not apply to a {kind:?}")]
    ReasonNotForKind {
        /// The reason.
        reason: String,
        /// The event kind.
        kind: ServiceKind,
    },
    /// The same reason twice.
    #[error("reason {0:?} is given twice")]
    DuplicateReason(String),
    /// Too many reasons.
    #[error("at most {MAX_REASONS} reasons")]
    TooManyReasons,
}

/// A validated rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rating {
    /// What was rated.
    pub event: ServiceEvent,
    /// The level.
    pub level: RatingLevel,
    /// Reason ids (negative levels only).
    pub reasons: Vec<String>,
    /// Reasons file version.
    pub reasons_version: String,
}

impl RatingReasons {
    /// Parses and checks a reasons file.
    pub fn from_toml(text: &str) -> Result<RatingReasons, ReasonsError> {
        let r: RatingReasons =
            toml::from_str(text).map_err(|e| ReasonsError::Parse(e.to_string()))?;
        if r.format != 1 {
            return Err(ReasonsError::Invalid(format!(
                "format {} is not supported",
                r.format
            )));
        }
        let criteria: HashSet<&str> = r.criteria.iter().map(|c| c.id.as_str()).collect();
        if criteria.len() != r.criteria.len() {
            return Err(ReasonsError::Invalid("duplicate criterion id".into()));
        }
        let mut ids = HashSet::new();
        for reason in &r.reasons {
            if !ids.insert(reason.id.as_str()) {
                return Err(ReasonsError::Invalid(format!(
                    "duplicate reason id {:?}",
                    reason.id
                )));
            }
            if !criteria.contains(reason.criterion.as_str()) {
                return Err(ReasonsError::Invalid(format!(
                    "reason {:?} names unknown criterion {:?}",
                    reason.id, reason.criterion
                )));
            }
            if let Some(lang) = reason.label.blank_variant() {
                return Err(ReasonsError::Invalid(format!(
                    "reason {:?} label is blank in {}",
                    reason.id,
                    lang.tag()
                )));
            }
        }
        Ok(r)
    }

    /// The shipped default set.
    pub fn default_set() -> Result<RatingReasons, ReasonsError> {
        RatingReasons::from_toml(DEFAULT_REASONS)
    }

    /// The reason buttons for a kind of service, grouped by criterion in file order.
    pub fn options(&self, kind: ServiceKind, lang: Lang) -> Vec<ReasonView> {
        self.criteria
            .iter()
            .flat_map(|c| {
                self.reasons
                    .iter()
                    .filter(move |r| r.criterion == c.id && applies(r, kind))
                    .map(move |r| ReasonView {
                        id: r.id.clone(),
                        criterion: c.id.clone(),
                        criterion_name: c.name.localized(lang),
                        label: r.label.localized(lang),
                    })
            })
            .collect()
    }

    /// Checks a citizen's rating: a valid event id, and reasons only for negative levels,
    /// known, applicable to the event kind, without repeats. A negative rating may have none.
    pub fn validate(
        &self,
        event: ServiceEvent,
        level: RatingLevel,
        reasons: &[&str],
    ) -> Result<Rating, RatingError> {
        if event.id.is_empty() {
            return Err(RatingError::MissingEventId);
        }
        if event.id.len() > MAX_EVENT_ID_LEN
            || !event
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(RatingError::BadEventId(event.id));
        }
        if !reasons.is_empty() && !level.is_negative() {
            return Err(RatingError::ReasonsNotAllowed);
        }
        if reasons.len() > MAX_REASONS {
            return Err(RatingError::TooManyReasons);
        }
        let mut seen = HashSet::new();
        for &id in reasons {
            let Some(reason) = self.reasons.iter().find(|r| r.id == id) else {
                return Err(RatingError::UnknownReason(id.to_owned()));
            };
            if !applies(reason, event.kind) {
                return Err(RatingError::ReasonNotForKind {
                    reason: id.to_owned(),
                    kind: event.kind,
                });
            }
            if !seen.insert(id) {
                return Err(RatingError::DuplicateReason(id.to_owned()));
            }
        }
        Ok(Rating {
            event,
            level,
            reasons: reasons.iter().map(|&r| r.to_owned()).collect(),
            reasons_version: self.version.clone(),
        })
    }
}

fn applies(r: &Reason, kind: ServiceKind) -> bool {
    r.applies_to.is_empty() || r.applies_to.contains(&kind)
}

impl Rating {
    /// The outbox payload: no personal data, only the event reference, level and reason ids.
    pub fn outbox_payload(&self) -> serde_json::Value {
        serde_json::json!({
            "type": EVENT_TYPE,
            "event_kind": self.event.kind,
            "event_id": self.event.id,
            "level": self.level,
            "score": self.level.score(),
            "negative": self.level.is_negative(),
            "reasons": self.reasons,
            "reasons_version": self.reasons_version,
        })
    }
}

impl fmt::Display for RatingLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(Lang::ZhCn))
    }
}

#[cfg(test)]
mod tests;
