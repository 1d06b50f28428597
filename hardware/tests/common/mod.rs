//! Shared helpers for the printer tests: a sample ticket and a simulator with its config.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::NaiveDate;
use hardware::printer::sim::{SimAttach, SimOptions, SimPrinter};
use hardware::printer::{PaperWidth, PrinterConfig, TicketContent, TransportKind};

pub const TOKEN_URL: &str = "https://q.example.gov.cn/t/7f3a9c2e";

/// A synthetic ticket (no real person's data).
pub fn sample_ticket() -> TicketContent {
    let taken = NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|d| d.and_hms_opt(14, 3, 27))
        .expect("valid date");
    let mut ticket = TicketContent::new(
        "朝阳区公共法律服务中心",
        "法律援助",
        "A012",
        3,
        taken,
        TOKEN_URL,
    );
    ticket.window = Some("3号窗口".into());
    ticket
}

/// A simulator behind a symlink in a temporary folder, and a driver config for it.
pub struct Rig {
    pub sim: SimPrinter,
    pub config: PrinterConfig,
    _dir: tempfile::TempDir,
}

pub fn rig_with(options: SimOptions) -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let link: PathBuf = dir.path().join("printer");
    let options = SimOptions {
        attach: SimAttach::Pty {
            link: Some(link.clone()),
        },
        ..options
    };
    let paper = options.paper;
    let sim = SimPrinter::start(options).expect("start simulator");
    let config = PrinterConfig {
        device: link.to_string_lossy().into_owned(),
        paper,
        ..fast_config()
    };
    Rig {
        sim,
        config,
        _dir: dir,
    }
}

pub fn rig() -> Rig {
    rig_with(SimOptions::default())
}

pub fn rig_58() -> Rig {
    rig_with(SimOptions {
        paper: PaperWidth::Mm58,
        ..SimOptions::default()
    })
}

/// Defaults with timeouts short enough for tests.
pub fn fast_config() -> PrinterConfig {
    PrinterConfig {
        transport: TransportKind::Serial,
        status_timeout_ms: 300,
        job_timeout_ms: 1500,
        write_timeout_ms: 1500,
        connect_timeout_ms: 1000,
        ..PrinterConfig::default()
    }
}
