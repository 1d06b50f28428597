//! Shared helpers for the printer tests: a sample ticket and a simulator with its config.
#![allow(dead_code)]

mod sample_ticket;

use std::path::PathBuf;

use hardware::printer::sim::{SimAttach, SimOptions, SimPrinter};
use hardware::printer::{PaperWidth, PrinterConfig, TransportKind};

pub use sample_ticket::{TOKEN_URL, sample_ticket};

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
