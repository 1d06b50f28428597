//! The printed forms: the queue ticket and the consultation guidance slip, as documents.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::document::{Align, Document, TextSize};

/// The notice printed on every ticket unless the centre sets its own.
pub const DEFAULT_NOTICE: &str = "请留意叫号，过号请重新取号";
/// The national public legal service hotline.
pub const HOTLINE: &str = "12348";

/// What a queue ticket says. Holds no personal data: the QR URL carries only a ticket token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketContent {
    /// The centre, e.g. "XX区公共法律服务中心".
    pub centre_name: String,
    /// The service, e.g. "法律援助".
    pub service_name: String,
    /// The ticket number with its service letter, e.g. "A012".
    pub number: String,
    /// People waiting ahead of this ticket.
    pub people_ahead: u32,
    /// The waiting estimate as a range, e.g. `约 10–20 分钟`, printed as a guide only.
    #[serde(default)]
    pub wait_estimate: Option<String>,
    /// When the ticket was taken (local time), printed as `2026-11-26 14:03`.
    pub taken_at: NaiveDateTime,
    /// Window or area to go to, when known.
    pub window: Option<String>,
    /// The notice line.
    pub notice: String,
    /// The hotline printed at the bottom.
    pub hotline: String,
    /// URL for the QR code: a progress page keyed by a ticket token, no personal data.
    pub qr_url: String,
    /// A reprint of a ticket already issued: prints 补打 prominently.
    pub reprint: bool,
}

impl TicketContent {
    /// A ticket with the default notice and hotline, no window, not a reprint.
    pub fn new(
        centre_name: impl Into<String>,
        service_name: impl Into<String>,
        number: impl Into<String>,
        people_ahead: u32,
        taken_at: NaiveDateTime,
        qr_url: impl Into<String>,
    ) -> Self {
        Self {
            centre_name: centre_name.into(),
            service_name: service_name.into(),
            number: number.into(),
            people_ahead,
            wait_estimate: None,
            taken_at,
            window: None,
            notice: DEFAULT_NOTICE.into(),
            hotline: HOTLINE.into(),
            qr_url: qr_url.into(),
            reprint: false,
        }
    }

    /// The ticket as a printable document (the width is chosen when encoding).
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new();
        doc.styled(&self.centre_name, Align::Center, TextSize::Normal, true);
        doc.styled(&self.service_name, Align::Center, TextSize::Double, true);
        if self.reprint {
            doc.styled("【补打】", Align::Center, TextSize::Double, true);
        }
        doc.separator();
        doc.ticket_number(&self.number);
        doc.centered(format!("前面还有 {} 人等候", self.people_ahead));
        if let Some(estimate) = &self.wait_estimate {
            doc.centered(format!("预计等候{estimate}（仅供参考）"));
        }
        doc.separator();
        doc.text(format!(
            "取号时间：{}",
            self.taken_at.format("%Y-%m-%d %H:%M")
        ));
        if let Some(window) = &self.window {
            doc.text(format!("办理窗口：{window}"));
        }
        doc.text(&self.notice);
        doc.text(format!("法律服务热线：{}", self.hotline));
        doc.qr(&self.qr_url);
        doc.centered("扫码查看排队进度");
        doc.cut();
        doc
    }
}

/// What a consultation guidance slip says: the matter, what to do next, what to bring.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GuidanceSlip {
    /// The centre printing the slip.
    pub centre_name: String,
    /// The matter, e.g. "劳动争议：拖欠工资".
    pub matter: String,
    /// Next steps, printed numbered.
    pub next_steps: Vec<String>,
    /// Materials to bring, printed as a list.
    pub materials: Vec<String>,
    /// Where to go, when known.
    pub address: Option<String>,
    /// The hotline printed at the bottom.
    pub hotline: String,
    /// Optional URL for more guidance (no personal data).
    pub qr_url: Option<String>,
}

impl GuidanceSlip {
    /// The slip as a printable document.
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new();
        doc.styled(&self.centre_name, Align::Center, TextSize::Normal, true);
        doc.styled("法律咨询指引", Align::Center, TextSize::Double, true);
        doc.separator();
        doc.styled(&self.matter, Align::Left, TextSize::Normal, true);
        if !self.next_steps.is_empty() {
            doc.styled("下一步：", Align::Left, TextSize::Normal, true);
            for (i, step) in self.next_steps.iter().enumerate() {
                doc.text(format!("{}. {step}", i + 1));
            }
        }
        if !self.materials.is_empty() {
            doc.styled("请携带材料：", Align::Left, TextSize::Normal, true);
            for item in &self.materials {
                doc.text(format!("· {item}"));
            }
        }
        if let Some(address) = &self.address {
            doc.text(format!("地址：{address}"));
        }
        doc.separator();
        doc.text(format!("法律服务热线：{}", self.hotline));
        if let Some(url) = &self.qr_url {
            doc.qr(url);
        }
        doc.cut();
        doc
    }
}
