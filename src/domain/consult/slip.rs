//! The printed guidance slip (指引单) as plain structured data; the printer module lays it out.

use serde::Serialize;

use super::flow::{Consultation, outcome_view, pick};
use super::model::Action;
use super::text::Lang;

/// The 12348 public legal service hotline, printed on every slip.
pub const HOTLINE_12348: &str = "12348";

/// An institution near this terminal, from the `institutions` bundle in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionAddress {
    /// The institution kind id (e.g. `notary-office`).
    pub kind: String,
    /// Its name (e.g. 某某市公证处).
    pub name: String,
    /// Street address.
    pub address: String,
    /// Telephone, if published.
    pub phone: Option<String>,
    /// Opening hours, if published.
    pub hours: Option<String>,
    /// How far from this terminal (`1.2 公里`), when known.
    pub distance: Option<String>,
}

/// What the terminal adds to a slip: the online-service QR and the known institutions.
pub struct SlipContext<'a> {
    /// URL to encode in the QR (configurable; e.g. the provincial 12348 site).
    pub qr_url: Option<&'a str>,
    /// The nearest institutions of a kind (at most three), nearest first.
    pub institutions: &'a dyn Fn(&str) -> Vec<InstitutionAddress>,
}

impl SlipContext<'_> {
    /// A context with no QR and no known institutions.
    pub fn bare() -> SlipContext<'static> {
        SlipContext {
            qr_url: None,
            institutions: &no_institutions,
        }
    }
}

fn no_institutions(_: &str) -> Vec<InstitutionAddress> {
    Vec::new()
}

/// One next step on the slip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlipStep {
    /// 取号：法律咨询, 前往：公证处 …
    pub text: String,
    /// Why, or what to say.
    pub note: Option<String>,
}

/// A guidance slip, ready for the printer's document model (headings, lines, QR, cut).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidanceSlip {
    /// The language printed.
    pub lang: Lang,
    /// Heading: 法律服务指引.
    pub title: String,
    /// The matter (拖欠工资) or, for a self-check, 法律援助自测.
    pub matter: String,
    /// The outcome's title.
    pub outcome: String,
    /// Plain-language advice.
    pub summary: String,
    /// Statute basis, where given.
    pub basis: Option<String>,
    /// Next steps, in order.
    pub next_steps: Vec<SlipStep>,
    /// What to bring, de-duplicated across steps, in order of first mention.
    pub materials: Vec<String>,
    /// The nearest institutions of the kind the outcome sends the citizen to (at most
    /// three, nearest first), when the terminal's directory has that kind.
    pub institutions: Vec<InstitutionAddress>,
    /// The hotline line: 12348 公共法律服务热线.
    pub hotline: String,
    /// QR code URL for the online service.
    pub qr_url: Option<String>,
    /// "Guidance only, not a decision."
    pub disclaimer: String,
    /// True when some text fell back to zh-CN.
    pub has_fallback: bool,
}

/// Heading printed on every slip.
pub(crate) fn slip_title(lang: Lang) -> &'static str {
    pick(
        lang,
        "法律服务指引",
        "법률 서비스 안내",
        "Legal service guidance",
    )
}

pub(crate) fn hotline_line(lang: Lang) -> String {
    format!(
        "{HOTLINE_12348} {}",
        pick(
            lang,
            "公共法律服务热线",
            "공공 법률 서비스 핫라인",
            "public legal service hotline"
        )
    )
}

impl GuidanceSlip {
    /// The slip for a consultation that reached its outcome (None before that).
    ///
    /// Thermal printers usually carry only a GB 2312/GB18030 font: print `Lang::ZhCn` unless
    /// the printer is known to have Hangul.
    pub fn for_consultation(
        consultation: &Consultation,
        lang: Lang,
        ctx: &SlipContext<'_>,
    ) -> Option<GuidanceSlip> {
        let outcome = consultation.outcome()?;
        let catalogue = consultation.catalogue();
        let view = outcome_view(catalogue, consultation.matter(), outcome, lang);
        let mut has_fallback = view.matter_name.fallback
            || view.title.fallback
            || view.summary.fallback
            || view.disclaimer.fallback
            || view.basis.as_ref().is_some_and(|b| b.fallback);
        let mut materials: Vec<String> = Vec::new();
        let mut next_steps = Vec::new();
        for step in &view.steps {
            has_fallback |= step.label.fallback
                || step.note.as_ref().is_some_and(|n| n.fallback)
                || step.materials.iter().any(|m| m.fallback);
            for m in &step.materials {
                if !materials.contains(&m.text) {
                    materials.push(m.text.clone());
                }
            }
            next_steps.push(SlipStep {
                text: step.label.text.clone(),
                note: step.note.as_ref().map(|n| n.text.clone()),
            });
        }
        let institutions = outcome
            .steps
            .iter()
            .filter_map(|s| match &s.action {
                Action::Institution { kind } => Some((ctx.institutions)(kind)),
                _ => None,
            })
            .find(|list| !list.is_empty())
            .unwrap_or_default();
        Some(GuidanceSlip {
            lang,
            title: slip_title(lang).to_owned(),
            matter: view.matter_name.text,
            outcome: view.title.text,
            summary: view.summary.text,
            basis: view.basis.map(|b| b.text),
            next_steps,
            materials,
            institutions,
            hotline: hotline_line(lang),
            qr_url: ctx.qr_url.map(str::to_owned),
            disclaimer: view.disclaimer.text,
            has_fallback,
        })
    }
}
