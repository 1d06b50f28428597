//! The slip that takes a citizen to an institution (去这里): its name and kind, address,
//! phone, today's and the week's hours, free services, and a QR code that opens the
//! centre's chosen map app on the citizen's phone. Printed in Chinese (GB18030 fonts).

use chrono::NaiveDateTime;
use hardware::printer::{Align, Document, TextSize};

use crate::domain::consult::slip::HOTLINE_12348;
use crate::domain::institutions::Place;

/// The slip for `place` (in Chinese: see [`Place`] made with `Lang::ZhCn`).
pub fn place_document(place: &Place, centre_name: &str, printed_at: NaiveDateTime) -> Document {
    let mut doc = Document::new();
    doc.styled(centre_name, Align::Center, TextSize::Normal, true);
    doc.styled("机构指引", Align::Center, TextSize::Double, true);
    doc.separator();
    doc.styled(&place.name, Align::Left, TextSize::Double, true);
    doc.text(&place.kind_name);
    doc.text(format!("地址：{}", place.address));
    if let Some(phone) = &place.phone {
        doc.text(format!("电话：{phone}"));
    }
    if let Some(distance) = place.distance(crate::i18n::Lang::ZhCn) {
        doc.text(format!("距本服务点约 {distance}（直线）"));
    }
    if let Some(hours) = &place.hours {
        doc.text(format!("时间：{hours}"));
    }
    if !place.hours_note.is_empty() {
        doc.text(&place.hours_note);
    }
    if !place.free_services.is_empty() {
        doc.text(format!("免费服务：{}", place.free_services.join("、")));
    }
    if let Some(access) = &place.wheelchair {
        doc.text(access);
    }
    if let Some(link) = &place.navigation {
        doc.separator();
        doc.qr(link);
        doc.centered("手机扫码导航");
    }
    doc.separator();
    doc.text(format!("{HOTLINE_12348} 公共法律服务热线"));
    doc.text("出发前请先电话确认开放时间。");
    doc.text(format!("打印时间：{}", printed_at.format("%Y-%m-%d %H:%M")));
    doc.cut();
    doc
}

#[cfg(test)]
mod tests {
    use hardware::printer::{Block, EncodeOptions, encode};
    use provisioning::institutions::synthetic;

    use super::*;
    use crate::domain::institutions::{Here, Institutions};
    use crate::i18n::Lang;

    #[test]
    fn the_slip_names_the_place_and_its_qr_opens_navigation_and_it_prints_in_gb18030() {
        let mut file = synthetic::province(200, 5);
        let first = file.institutions[0].clone();
        file.platforms
            .push(provisioning::institutions::bundle::PlatformLocation {
                id: "here".into(),
                location: first.location.unwrap(),
            });
        let institutions = Institutions::new(file);
        let here = Here {
            platform: Some("here".into()),
            region: None,
        };
        let now = NaiveDateTime::parse_from_str("2026-12-02 10:00", "%Y-%m-%d %H:%M").unwrap();
        let place = institutions
            .find(&first.id, &here, now, Lang::ZhCn)
            .unwrap();
        let doc = place_document(&place, "长春市朝阳区公共法律服务中心", now);
        let text: String = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text(t) => Some(format!("{}\n", t.text)),
                _ => None,
            })
            .collect();
        assert!(text.contains(&first.name.zh_cn), "{text}");
        assert!(text.contains(&format!("地址：{}", first.address)), "{text}");
        assert!(text.contains("距本服务点约 10 米"), "{text}");
        let qr = doc.blocks.iter().find_map(|b| match b {
            Block::Qr(link) => Some(link.clone()),
            _ => None,
        });
        assert_eq!(qr, place.navigation);
        assert!(
            qr.unwrap()
                .starts_with("https://uri.amap.com/marker?position=")
        );
        assert_eq!(doc.blocks.last(), Some(&Block::Cut));
        encode(&doc, &EncodeOptions::default()).expect("every character prints in GB18030");
    }
}
