//! The Rust side of the UI: the generated Slint types and the controllers that own the
//! state and push it into the `.slint` globals. Pages never decide anything themselves.

slint::include_modules!();

mod controller;
mod datetime;
mod idle;
pub mod maintenance;
pub mod poster;
pub mod screenshot;
mod session;
mod tickets;

pub use controller::{Deps, KioskController, PrinterHealthUpdater};
pub use maintenance::{
    MaintenanceController, MaintenanceDeps, MaintenancePrinterUpdater, PinPadOpener,
    ServiceStateUpdater,
};
pub use poster::{ManualQueue, Poster, UiRef};
