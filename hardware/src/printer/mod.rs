//! The thermal ESC/POS printer: document model, GB18030 encoder, transports, status, the
//! driver the firmware calls, and a simulator that speaks the same protocol. It prints
//! documents; what a ticket or a slip says and how it is laid out is the firmware's.
//!
//! Typical use on the printer thread:
//!
//! ```no_run
//! use hardware::printer::{Document, Printer, PrinterConfig};
//! let mut printer = Printer::new(PrinterConfig::serial("/dev/ttyUSB0"));
//! let mut ticket = Document::new();
//! ticket.ticket_number("A012").qr("https://q.example.gov.cn/t/7f3a9c").cut();
//! match printer.print(&ticket) {
//!     Ok(report) if report.paper_near_end => { /* warn staff once */ }
//!     Ok(_) => {}
//!     Err(e) if e.nothing_printed() => { /* refused or unavailable: show number on screen */ }
//!     Err(e) => { /* failed mid-job: show number on screen, report fault */ let _ = e; }
//! }
//! ```

pub mod config;
pub mod document;
pub mod driver;
pub mod encode;
pub mod layout;
pub mod sim;
pub mod status;
pub mod text;
pub mod transport;

pub use config::{FlowControl, PrinterConfig, TransportKind};
pub use document::{Align, Block, Document, TextBlock, TextSize};
pub use driver::{ErrorClass, JobFailure, PrintReport, Printer, PrinterError};
pub use encode::{EncodeError, EncodeOptions, encode};
pub use layout::PaperWidth;
pub use sim::render::preview_png;
pub use status::{PrinterStatus, Refusal};
