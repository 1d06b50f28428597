//! The printed slip for a self-check result.

use super::engine::SelfCheckResult;
use crate::domain::consult::flow::pick;
use crate::domain::consult::slip::{GuidanceSlip, SlipContext, SlipStep, hotline_line, slip_title};

/// The institution kind id of a legal-aid centre in the institution registry.
pub const LEGAL_AID_INSTITUTION: &str = "legal-aid-centre";

impl GuidanceSlip {
    /// The slip for a self-check result: indication, reason, basis, materials, where to apply.
    pub fn for_legal_aid(result: &SelfCheckResult, ctx: &SlipContext<'_>) -> GuidanceSlip {
        let t = &result.text;
        let lang = t.lang;
        let next_steps = vec![
            SlipStep {
                text: pick(
                    lang,
                    "取号：法律援助（B），带齐材料到窗口申请",
                    "번호표: 법률원조(B), 서류를 가지고 창구에서 신청",
                    "Take a ticket: legal aid (B) and apply at the counter with the materials",
                )
                .to_owned(),
                note: None,
            },
            SlipStep {
                text: pick(
                    lang,
                    "不符合条件的，也可以免费法律咨询（A）",
                    "조건에 맞지 않아도 무료 법률 상담(A)을 받을 수 있습니다",
                    "Whatever the result, legal consultation (A) is free",
                )
                .to_owned(),
                note: None,
            },
        ];
        GuidanceSlip {
            lang,
            title: slip_title(lang).to_owned(),
            matter: pick(
                lang,
                "法律援助自测",
                "법률원조 자가 진단",
                "Legal-aid self-check",
            )
            .to_owned(),
            outcome: t.headline.clone(),
            summary: t.reason.clone(),
            basis: (!t.basis.is_empty()).then(|| t.basis.join("；")),
            next_steps,
            materials: t.materials.clone(),
            institutions: (ctx.institutions)(LEGAL_AID_INSTITUTION),
            hotline: hotline_line(lang),
            qr_url: ctx.qr_url.map(str::to_owned),
            disclaimer: t.notice.clone(),
            has_fallback: t.has_fallback,
        }
    }
}
