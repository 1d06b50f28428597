//! The paper queue ticket, as a printer document: the centre, the service, the number large,
//! people ahead and the estimate, when it was taken, where to go, the notice, 12348 and a QR
//! code to the ticket's live page. Printed in Chinese: thermal printers carry GB18030 fonts
//! only. It holds no personal data: the QR URL carries only the ticket's random token.

use chrono::NaiveDateTime;
use hardware::printer::{Align, Document, TextSize};

use crate::domain::queue::{Catalogue, WaitEstimate};

/// The notice printed on every ticket issued normally.
pub const NOTICE: &str = "请留意叫号，过号请重新取号";
/// The notice of a ticket a client terminal issued from its own range while the queue host
/// could not be reached.
pub const OFFLINE_NOTICE: &str = "叫号系统暂时无法连接，本号码有效，请留意叫号";
/// The national public legal service hotline.
pub const HOTLINE: &str = "12348";

/// What a paper ticket says about its ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperTicket {
    /// e.g. `B012`.
    pub number: String,
    pub service_id: String,
    /// People waiting ahead of it as the queue stands.
    pub people_ahead: u32,
    /// Printed as a guide only.
    pub estimate: Option<WaitEstimate>,
    /// Local time.
    pub issued_at: NaiveDateTime,
    /// What the QR code holds: the ticket's live page.
    pub url: String,
    /// Issued from the offline range: says the number is valid although the queue is out
    /// of reach.
    pub offline: bool,
    /// A copy of a ticket already issued: prints 补打 prominently.
    pub reprint: bool,
    /// Replaces the notice (e.g. on a sample that must not be taken for a real ticket).
    pub notice: Option<String>,
}

/// The ticket as a document for the printer thread; the service's name and window come from
/// `catalogue` (its id is printed when the catalogue no longer has it).
pub fn ticket_document(ticket: &PaperTicket, catalogue: &Catalogue, centre_name: &str) -> Document {
    let service = catalogue.get(&ticket.service_id);
    let mut doc = Document::new();
    doc.styled(centre_name, Align::Center, TextSize::Normal, true);
    doc.styled(
        service.map_or(ticket.service_id.as_str(), |s| s.name.zh_cn.as_str()),
        Align::Center,
        TextSize::Double,
        true,
    );
    if ticket.reprint {
        doc.styled("【补打】", Align::Center, TextSize::Double, true);
    }
    doc.separator();
    doc.ticket_number(&ticket.number);
    doc.centered(format!("前面还有 {} 人等候", ticket.people_ahead));
    if let Some(estimate) = &ticket.estimate {
        doc.centered(format!("预计等候{}（仅供参考）", estimate.text_zh()));
    }
    doc.separator();
    doc.text(format!(
        "取号时间：{}",
        ticket.issued_at.format("%Y-%m-%d %H:%M")
    ));
    if let Some(window) = service.and_then(|s| s.window.as_ref()) {
        doc.text(format!("办理窗口：{}", window.zh_cn));
    }
    doc.text(match (&ticket.notice, ticket.offline) {
        (Some(notice), _) => notice.as_str(),
        (None, true) => OFFLINE_NOTICE,
        (None, false) => NOTICE,
    });
    doc.text(format!("法律服务热线：{HOTLINE}"));
    doc.qr(&ticket.url);
    doc.centered("扫码查看排队进度");
    doc.cut();
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardware::printer::sim::{Element, decode_jobs};
    use hardware::printer::{EncodeOptions, PaperWidth, encode};

    fn ticket() -> PaperTicket {
        PaperTicket {
            number: "B012".into(),
            service_id: "legal-aid".into(),
            people_ahead: 3,
            estimate: Some(WaitEstimate {
                low_minutes: 10,
                high_minutes: 20,
            }),
            issued_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                .and_then(|d| d.and_hms_opt(14, 3, 27))
                .unwrap(),
            url: "https://q.example.gov.cn/t/7f3a9c2e".into(),
            offline: false,
            reprint: false,
            notice: None,
        }
    }

    /// Legal aid at window 3, the only service.
    fn catalogue() -> Catalogue {
        Catalogue::parse(
            r#"[[service]]
id = "legal-aid"
prefix = "B"
name = { zh-CN = "法律援助", ko-KR = "법률원조", en = "Legal aid" }
description = { zh-CN = "免费律师帮助", ko-KR = "무료 변호사 도움", en = "Free help" }
window = { zh-CN = "3号窗口", ko-KR = "3번 창구", en = "Window 3" }
"#,
        )
        .unwrap()
    }

    fn printed(t: &PaperTicket, paper: PaperWidth) -> hardware::printer::sim::ReceivedJob {
        let doc = ticket_document(t, &catalogue(), "朝阳区公共法律服务中心");
        let options = EncodeOptions {
            paper,
            gbk_only: false,
        };
        let bytes = encode(&doc, &options).unwrap();
        decode_jobs(&bytes, paper.dots()).remove(0)
    }

    #[test]
    fn the_ticket_says_what_the_citizen_needs_in_chinese_with_its_qr_code() {
        let job = printed(&ticket(), PaperWidth::Mm80);
        let lines = job.lines();
        for expected in [
            "朝阳区公共法律服务中心",
            "法律援助",
            "B012",
            "前面还有 3 人等候",
            "预计等候约 10-20 分钟（仅供参考）",
            "取号时间：2026-11-26 14:03",
            "办理窗口：3号窗口",
            NOTICE,
            "法律服务热线：12348",
            "扫码查看排队进度",
        ] {
            assert!(
                lines.iter().any(|l| l == expected),
                "{expected:?} not in {lines:#?}"
            );
        }
        assert_eq!(
            job.qr_codes()[0].data,
            "https://q.example.gov.cn/t/7f3a9c2e"
        );
        assert!(job.ends_with_partial_cut());
        let number = job.elements.iter().find_map(|e| match e {
            Element::Line { spans, .. } if spans.iter().any(|s| s.text == "B012") => {
                spans.first().cloned()
            }
            _ => None,
        });
        let number = number.expect("the number is printed");
        assert!(number.width >= 2 && number.bold, "{number:?}");
    }

    #[test]
    fn a_reprint_an_offline_ticket_and_a_sample_say_so() {
        let plain = printed(&ticket(), PaperWidth::Mm58).lines();
        assert!(!plain.iter().any(|l| l.contains("补打")));
        assert!(!plain.iter().any(|l| l.contains("暂时无法连接")));

        let reprint = PaperTicket {
            reprint: true,
            ..ticket()
        };
        let job = printed(&reprint, PaperWidth::Mm58);
        let mark = job.elements.iter().find_map(|e| match e {
            Element::Line { spans, .. } if spans.iter().any(|s| s.text.contains("补打")) => {
                spans.first().cloned()
            }
            _ => None,
        });
        assert!(mark.expect("补打 printed").width >= 2, "prominent");

        let offline = PaperTicket {
            offline: true,
            ..ticket()
        };
        let lines = printed(&offline, PaperWidth::Mm80).lines();
        assert!(lines.iter().any(|l| l == OFFLINE_NOTICE), "{lines:#?}");
        assert!(!lines.iter().any(|l| l == NOTICE));

        let sample = PaperTicket {
            notice: Some("测试样票，不作排队凭证".into()),
            ..ticket()
        };
        let lines = printed(&sample, PaperWidth::Mm80).lines();
        assert!(lines.iter().any(|l| l == "测试样票，不作排队凭证"));
    }

    #[test]
    fn a_service_the_catalogue_no_longer_has_is_printed_by_its_id() {
        let gone = PaperTicket {
            service_id: "tax-advice".into(),
            ..ticket()
        };
        let lines = printed(&gone, PaperWidth::Mm80).lines();
        assert!(lines.iter().any(|l| l == "tax-advice"), "{lines:#?}");
        assert!(!lines.iter().any(|l| l.starts_with("办理窗口")));
    }
}
