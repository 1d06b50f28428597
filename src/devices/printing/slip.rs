//! The printed guidance slip (指引单) of a consultation outcome or a legal-aid self-check, as a
//! printer document: the matter, what to do next, what to bring, where to go, 12348 and a QR
//! to the online service. Printed in Chinese: thermal printers carry GB18030 fonts only.

use chrono::NaiveDateTime;
use hardware::printer::{Align, Document, TextSize};

use crate::domain::consult::GuidanceSlip;

/// The slip as a document for the printer thread. It holds nothing personal.
pub fn slip_document(
    slip: &GuidanceSlip,
    centre_name: &str,
    printed_at: NaiveDateTime,
) -> Document {
    let mut doc = Document::new();
    doc.styled(centre_name, Align::Center, TextSize::Normal, true);
    doc.styled(&slip.title, Align::Center, TextSize::Double, true);
    doc.separator();
    doc.styled(&slip.matter, Align::Left, TextSize::Double, true);
    doc.styled(&slip.outcome, Align::Left, TextSize::Normal, true);
    doc.text(&slip.summary);
    if let Some(basis) = &slip.basis {
        doc.text(format!("依据：{basis}"));
    }
    if !slip.next_steps.is_empty() {
        doc.separator();
        doc.styled("下一步怎么办：", Align::Left, TextSize::Normal, true);
        for (i, step) in slip.next_steps.iter().enumerate() {
            doc.text(format!("{}. {}", i + 1, step.text));
            if let Some(note) = &step.note {
                doc.text(format!("   {note}"));
            }
        }
    }
    if !slip.materials.is_empty() {
        doc.separator();
        doc.styled("请带上这些材料：", Align::Left, TextSize::Normal, true);
        for item in &slip.materials {
            doc.text(format!("□ {item}"));
        }
    }
    if !slip.institutions.is_empty() {
        doc.separator();
        doc.styled(
            "去哪里（离本服务点最近的）：",
            Align::Left,
            TextSize::Normal,
            true,
        );
        for (i, place) in slip.institutions.iter().enumerate() {
            let distance = place
                .distance
                .as_ref()
                .map(|d| format!("（约 {d}）"))
                .unwrap_or_default();
            doc.styled(
                format!("{}. {}{distance}", i + 1, place.name),
                Align::Left,
                TextSize::Normal,
                true,
            );
            doc.text(format!("   地址：{}", place.address));
            if let Some(phone) = &place.phone {
                doc.text(format!("   电话：{phone}"));
            }
            if let Some(hours) = &place.hours {
                doc.text(format!("   时间：{hours}"));
            }
        }
    }
    doc.separator();
    doc.text(&slip.hotline);
    if let Some(url) = &slip.qr_url {
        doc.qr(url);
        doc.centered("扫码使用网上法律服务");
    }
    doc.text(&slip.disclaimer);
    doc.text(format!("打印时间：{}", printed_at.format("%Y-%m-%d %H:%M")));
    doc.cut();
    doc
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hardware::printer::{Block, EncodeOptions, encode};

    use super::*;
    use crate::domain::consult::{Consultation, SlipContext};
    use crate::i18n::Lang;

    fn texts(doc: &Document) -> String {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text(t) => Some(t.text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_consultation_slip_prints_matter_steps_materials_hotline_and_qr() {
        let catalogue = Arc::new(crate::domain::consult::defaults::catalogue().unwrap());
        let mut c = Consultation::start(catalogue, "labour.unpaid-wages").unwrap();
        c.answer("yes").unwrap();
        c.answer("some").unwrap();
        let ctx = SlipContext {
            qr_url: Some("https://service.example/12348"),
            institutions: &|_| Vec::new(),
        };
        let slip = GuidanceSlip::for_consultation(&c, Lang::ZhCn, &ctx).unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .unwrap();
        let doc = slip_document(&slip, "某某公共法律服务中心", at);
        let text = texts(&doc);
        for expected in [
            "拖欠工资",
            "申请劳动仲裁",
            "身份证",
            "12348",
            "2026-11-26 09:30",
        ] {
            assert!(text.contains(expected), "{expected} missing from\n{text}");
        }
        assert!(
            doc.blocks
                .contains(&Block::Qr("https://service.example/12348".into()))
        );
        assert_eq!(doc.blocks.last(), Some(&Block::Cut));
        encode(&doc, &EncodeOptions::default()).expect("every character prints in GB18030");
    }
}
