//! The Rust side of the UI: the generated Slint types and the controllers that own the
//! state and push it into the `.slint` globals. Pages never decide anything themselves.

slint::include_modules!();

mod controller;
mod datetime;
mod idle;
pub mod poster;
pub mod screenshot;
mod session;
mod tickets;
mod video;

pub use controller::{Deps, KioskController, PrinterHealthUpdater};
pub use poster::{ManualQueue, Poster, UiRef};
