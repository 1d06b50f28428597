//! A document shaped like a queue ticket, for the printer tests and benches. The firmware
//! lays out its real tickets (legal-kiosk's `devices::printing::ticket`); the driver, the
//! encoder and the simulator only ever see documents, so any document of this shape covers
//! them. Synthetic content: no real person's data.
#![allow(dead_code)]

use hardware::printer::{Align, Document, TextSize};

pub const TOKEN_URL: &str = "https://q.example.gov.cn/t/7f3a9c2e";

/// The parts a test varies; the rest of the ticket is fixed text.
#[derive(Debug, Clone)]
pub struct SampleTicket {
    pub centre_name: String,
    pub service_name: String,
    pub notice: String,
    pub reprint: bool,
}

/// 朝阳区公共法律服务中心, 法律援助, A012, three people ahead, window 3.
pub fn sample_ticket() -> SampleTicket {
    SampleTicket {
        centre_name: "朝阳区公共法律服务中心".into(),
        service_name: "法律援助".into(),
        notice: "请留意叫号，过号请重新取号".into(),
        reprint: false,
    }
}

impl SampleTicket {
    pub fn document(&self) -> Document {
        let mut doc = Document::new();
        doc.styled(&self.centre_name, Align::Center, TextSize::Normal, true)
            .styled(&self.service_name, Align::Center, TextSize::Double, true);
        if self.reprint {
            doc.styled("【补打】", Align::Center, TextSize::Double, true);
        }
        doc.separator()
            .ticket_number("A012")
            .centered("前面还有 3 人等候")
            .separator();
        let lines = [
            "取号时间：2026-11-26 14:03",
            "办理窗口：3号窗口",
            &self.notice,
            "法律服务热线：12348",
        ];
        for line in lines {
            doc.text(line);
        }
        doc.qr(TOKEN_URL).centered("扫码查看排队进度").cut();
        doc
    }
}
