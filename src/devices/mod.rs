//! The terminal's devices as the kiosk uses them: the ID-card reader and the printer, each
//! on its own thread around the `hardware` crate's drivers (or their simulators).

pub mod camera;
pub mod card_reader;
pub mod printing;
pub mod speech;
