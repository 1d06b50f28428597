//! The Rust side of the UI: the generated Slint types and the controllers that own the
//! state and push it into the `.slint` globals. Pages never decide anything themselves.

// The generated view types (AppWindow, the globals, their structs and enums).
pub use kiosk_ui::*;

mod consult;
mod controller;
mod datetime;
mod guidance;
mod guidance_shots;
mod idle;
mod legal_aid;
pub mod maintenance;
pub mod poster;
mod rating;
pub mod screenshot;
mod session;
mod slips;
mod tickets;
mod video;

pub use controller::{Deps, KioskController, PrinterHealthUpdater};
pub use maintenance::{
    MaintenanceController, MaintenanceDeps, MaintenancePrinterUpdater, PinPadOpener,
    ServiceStateUpdater,
};
pub use poster::{ManualQueue, Poster, UiRef};
