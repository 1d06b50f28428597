//! The confirmation slip of a booking made at the kiosk (预约凭条): the booking code large,
//! the service, the day and time, the place, what to bring, in Chinese (GB18030). The masked
//! name at most; never the ID number or the phone.

use chrono::NaiveDateTime;
use hardware::printer::{Align, Document, TextSize};

use crate::domain::booking::{BookingSlip, slot_text};
use crate::domain::consult::slip::HOTLINE_12348;
use crate::i18n::Lang;

/// The slip for `slip`.
pub fn booking_document(slip: &BookingSlip, printed_at: NaiveDateTime) -> Document {
    let mut doc = Document::new();
    doc.styled(&slip.place, Align::Center, TextSize::Normal, true);
    doc.styled("预约凭条", Align::Center, TextSize::Double, true);
    doc.separator();
    doc.centered("预约码");
    doc.styled(&slip.code, Align::Center, TextSize::Double, true);
    doc.separator();
    doc.text(format!("服务：{}", slip.service_name));
    doc.text(format!("时间：{}", slot_text(slip.start, Lang::ZhCn)));
    doc.text(format!("地点：{}", slip.place));
    doc.text(format!("预约人：{}", slip.masked_name));
    doc.separator();
    if slip.video {
        // What the registry does for a booked call: it waits ahead of calls without a
        // booking (not "answered at once": that depends on the lawyers on duty).
        doc.text(
            "请在预约时间到本中心任意一台自助终端，放身份证签到后呼叫律师视频咨询，您的呼叫会排在未预约的呼叫前面。",
        );
    } else {
        doc.text("请在预约时间前后到本中心，在自助终端放身份证或输入预约码签到，取号后优先办理。");
    }
    doc.text("请带好本人身份证。");
    doc.text("不能来的，请拨打12348取消预约。");
    doc.text(format!("{HOTLINE_12348} 公共法律服务热线"));
    doc.text(format!("打印时间：{}", printed_at.format("%Y-%m-%d %H:%M")));
    doc.cut();
    doc
}

#[cfg(test)]
mod tests {
    use hardware::printer::{Block, EncodeOptions, encode};

    use super::*;

    #[test]
    fn the_slip_has_the_code_time_and_place_and_prints_in_gb18030() {
        let start = NaiveDateTime::parse_from_str("2026-12-04 10:00", "%Y-%m-%d %H:%M").unwrap();
        let slip = BookingSlip {
            code: "K7QW3M9P".into(),
            service_name: "法律咨询".into(),
            start,
            place: "西湖区公共法律服务中心".into(),
            masked_name: "欧阳**".into(),
            video: true,
        };
        let doc = booking_document(&slip, start);
        let text: String = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text(t) => Some(format!("{}\n", t.text)),
                _ => None,
            })
            .collect();
        for wanted in [
            "K7QW3M9P",
            "12月4日 星期五 10:00–10:30",
            "西湖区公共法律服务中心",
            "欧阳**",
            "视频咨询",
            "身份证",
        ] {
            assert!(text.contains(wanted), "{wanted} in {text}");
        }
        encode(&doc, &EncodeOptions::default()).expect("every character prints in GB18030");
    }
}
