//! The receipt of a request left at the terminal (留言回执): what was asked for, when, and
//! a QR code any terminal's camera reads to show that request's progress. Nothing about the
//! citizen is on it (no name, number or telephone), so a lost receipt tells its finder only
//! that a request of that kind exists and where it stands.

use chrono::NaiveDateTime;
use hardware::printer::{Align, Document, TextSize};
use provisioning::work_orders::RECEIPT_PREFIX;

use crate::domain::consult::slip::HOTLINE_12348;

/// The receipt of the request filed as `category` (its name) with receipt code `receipt`.
pub fn receipt_document(
    category: &str,
    receipt: &str,
    centre_name: &str,
    filed_at: NaiveDateTime,
) -> Document {
    let mut doc = Document::new();
    doc.styled(centre_name, Align::Center, TextSize::Normal, true);
    doc.styled("留言回执", Align::Center, TextSize::Double, true);
    doc.separator();
    doc.text(format!("事项：{category}"));
    doc.text(format!("登记时间：{}", filed_at.format("%Y-%m-%d %H:%M")));
    doc.separator();
    doc.qr(format!("{RECEIPT_PREFIX}{receipt}"));
    doc.centered("查询办理进度");
    doc.text("在任一自助终端点“留言与办理进度”，放身份证或把本二维码对准摄像头。");
    doc.separator();
    doc.text(format!("{HOTLINE_12348} 公共法律服务热线"));
    doc.cut();
    doc
}

#[cfg(test)]
mod tests {
    use hardware::printer::{Block, EncodeOptions, encode};

    use super::*;

    #[test]
    fn the_receipt_holds_its_code_in_the_qr_and_prints_in_gb18030() {
        let at = NaiveDateTime::parse_from_str("2026-12-03 10:00", "%Y-%m-%d %H:%M").unwrap();
        let code = "0123456789abcdef0123456789abcdef";
        let doc = receipt_document("律师回电", code, "长春市朝阳区公共法律服务中心", at);
        let qr = doc.blocks.iter().find_map(|b| match b {
            Block::Qr(text) => Some(text.clone()),
            _ => None,
        });
        assert_eq!(qr.as_deref(), Some("LKWO:0123456789abcdef0123456789abcdef"));
        assert_eq!(
            provisioning::work_orders::receipt_in(&qr.unwrap()),
            Some(code)
        );
        let bytes = encode(&doc, &EncodeOptions::default()).unwrap();
        let (gb, _, _) = encoding_rs::GB18030.encode("事项：律师回电");
        assert!(
            bytes.windows(gb.len()).any(|w| w == gb.as_ref()),
            "the category in GB18030"
        );
    }
}
