//! The printer's health as the kiosk reacts to it: can tickets be printed, and should staff
//! be told something. Derived from status queries and from how each job ended.

use hardware::printer::{PrintReport, PrinterError, PrinterStatus};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PrinterHealth {
    /// Prints; nothing to report.
    Ready,
    /// Prints, but paper runs low: staff should refill soon. Reported once.
    PaperNearEnd,
    /// Cannot print now (paper out, cover open, offline, error, unplugged, silent).
    NotPrinting { reason: String, paper_out: bool },
    /// Configured blind: prints without being able to tell whether it worked.
    Blind,
}

impl PrinterHealth {
    /// Whether a citizen's ticket can be expected on paper.
    pub fn can_print(&self) -> bool {
        !matches!(self, PrinterHealth::NotPrinting { .. })
    }
}

/// Health from a status query.
pub fn health_from_status(status: Result<PrinterStatus, PrinterError>) -> PrinterHealth {
    match status {
        Ok(s) if s.refusal().is_some() || !s.ready() => PrinterHealth::NotPrinting {
            reason: s.to_string(),
            paper_out: s.paper_end(),
        },
        Ok(s) if s.paper_near_end() => PrinterHealth::PaperNearEnd,
        Ok(_) => PrinterHealth::Ready,
        Err(PrinterError::Blind) => PrinterHealth::Blind,
        Err(e) => PrinterHealth::NotPrinting {
            reason: e.to_string(),
            paper_out: false,
        },
    }
}

/// Health after a job: a success says the printer works (and whether paper is low); after
/// a failure the printer is asked again, since a job can fail for a reason that is already
/// gone (the failed ticket is reported on its own).
pub fn health_after_job(
    result: &Result<PrintReport, PrinterError>,
    before: &PrinterHealth,
    status: impl FnOnce() -> Result<PrinterStatus, PrinterError>,
) -> PrinterHealth {
    match result {
        Ok(report) if report.blind => PrinterHealth::Blind,
        Ok(report) if report.paper_near_end => PrinterHealth::PaperNearEnd,
        Ok(_) => PrinterHealth::Ready,
        Err(_) if *before == PrinterHealth::Blind => PrinterHealth::Blind,
        Err(_) => health_from_status(status()),
    }
}
