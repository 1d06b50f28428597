//! The on-disk (in-bundle) shape of the consultation content: TOML files, parsed strictly.
//!
//! A consultation bundle is a set of named files:
//! - `catalogue.toml`: format version, content version, disclaimer, service areas,
//!   institution kinds, hotlines and categories;
//! - `materials.toml`: the materials citizens may be asked to bring, each with an id;
//! - `matters/<anything>.toml`: one matter each (its explanation, keywords, guided flow, outcomes).
//!
//! Files may also carry `*.md` notes for authors, which the loader ignores.

use serde::Deserialize;

use super::model::QueueService;
use super::text::Text;

/// `catalogue.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CatalogueFile {
    pub format: u32,
    pub version: String,
    pub disclaimer: Text,
    #[serde(default)]
    pub service_area: Vec<ServiceAreaFile>,
    #[serde(default)]
    pub institution_kind: Vec<InstitutionKindFile>,
    #[serde(default)]
    pub hotline: Vec<HotlineFile>,
    #[serde(default)]
    pub category: Vec<CategoryFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceAreaFile {
    pub id: String,
    pub name: Text,
    pub summary: Text,
    pub queue_service: QueueService,
    #[serde(default)]
    pub institution: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InstitutionKindFile {
    pub id: String,
    pub name: Text,
    #[serde(default)]
    pub summary: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HotlineFile {
    pub id: String,
    pub number: String,
    pub name: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoryFile {
    pub id: String,
    pub name: Text,
    #[serde(default)]
    pub summary: Option<Text>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// `materials.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MaterialsFile {
    #[serde(default)]
    pub material: Vec<MaterialFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MaterialFile {
    pub id: String,
    pub name: Text,
}

/// `matters/*.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MatterFile {
    pub id: String,
    pub category: String,
    #[serde(default)]
    pub areas: Vec<String>,
    #[serde(default)]
    pub legal_aid_scope: Option<String>,
    #[serde(default)]
    pub verified: bool,
    #[serde(default = "default_order")]
    pub order: u32,
    pub name: Text,
    pub summary: Text,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub question: Vec<QuestionFile>,
    #[serde(default)]
    pub outcome: Vec<OutcomeFile>,
}

fn default_order() -> u32 {
    100
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuestionFile {
    pub id: String,
    pub text: Text,
    #[serde(default)]
    pub help: Option<Text>,
    #[serde(default)]
    pub answers: Vec<AnswerFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnswerFile {
    pub id: String,
    pub label: Text,
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutcomeFile {
    pub id: String,
    pub title: Text,
    pub summary: Text,
    #[serde(default)]
    pub basis: Option<Text>,
    #[serde(default)]
    pub legal_aid: Option<String>,
    #[serde(default)]
    pub step: Vec<StepFile>,
}

/// What kind of next step an outcome recommends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum StepKindFile {
    Ticket,
    Appointment,
    LegalAidCheck,
    VideoLawyer,
    Institution,
    Hotline,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepFile {
    pub kind: StepKindFile,
    #[serde(default)]
    pub service: Option<QueueService>,
    #[serde(default)]
    pub institution: Option<String>,
    #[serde(default)]
    pub hotline: Option<String>,
    #[serde(default)]
    pub note: Option<Text>,
    #[serde(default)]
    pub materials: Vec<String>,
}
