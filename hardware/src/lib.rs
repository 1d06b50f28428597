//! Device drivers for the kiosk. Each device has a real driver and a simulator that
//! speaks the same wire protocol over a pseudo-terminal, so tests exercise the real
//! driver code.

#[cfg(any(fuzzing, test))]
pub mod fuzz;
pub mod gpio;
pub mod idcard;
pub mod printer;
pub mod pty;
