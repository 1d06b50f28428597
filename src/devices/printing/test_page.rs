//! The staff menu's test page: what the printer must get right (Chinese, a QR code, the cut).

use chrono::{DateTime, FixedOffset};
use hardware::printer::{Align, Document, TextSize};

pub fn test_page(centre_name: &str, at: DateTime<FixedOffset>) -> Document {
    let mut doc = Document::new();
    doc.styled(centre_name, Align::Center, TextSize::Normal, true);
    doc.styled("打印测试页", Align::Center, TextSize::Double, true);
    doc.separator();
    doc.text(format!("时间：{}", at.format("%Y-%m-%d %H:%M:%S")));
    doc.text("中文：公共法律服务 12348");
    doc.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789");
    doc.qr("https://12348.example/test");
    doc.centered("二维码应可扫描");
    doc.cut();
    doc
}
