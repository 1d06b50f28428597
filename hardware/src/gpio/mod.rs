//! GPIO: the presence sensor (wakes the screen), the call-staff button and the status
//! light, on the Linux GPIO character device (`gpiocdev`; `rppal` is archived upstream).
//!
//! The firmware opens the configured lines once and reacts to debounced events on the GPIO
//! input thread; the light blinks by itself on the GPIO light thread:
//!
//! ```no_run
//! use hardware::gpio::{Gpio, GpioConfig, GpioEvent, InputLine, LightLines, LightState, LineId};
//! let config = GpioConfig {
//!     call_button: Some(InputLine {
//!         line: LineId::Name("GPIO27".into()),
//!         active_low: true,
//!         bias: hardware::gpio::Bias::PullUp,
//!     }),
//!     light: Some(LightLines { line: Some(LineId::Offset(22)), ..LightLines::default() }),
//!     ..GpioConfig::default()
//! };
//! let gpio = Gpio::open(&config, |event| match event {
//!     GpioEvent::CallStaffPressed => { /* raise a staff call */ }
//!     GpioEvent::PresenceDetected | GpioEvent::PresenceGone => {}
//!     GpioEvent::Fault(reason) => eprintln!("{reason}"),
//! })?;
//! gpio.set_light(LightState::Ready);
//! # Ok::<(), hardware::gpio::GpioError>(())
//! ```
//!
//! [`Gpio::simulated`] gives the same [`Gpio`] over a simulated board ([`SimBoard`]) for
//! tests and the desktop.

mod board;
mod cdev;
pub mod config;
mod debounce;
mod light;
mod lines;
pub mod sim;

use std::path::PathBuf;

use thiserror::Error;

pub use board::{Gpio, GpioEvent};
pub use config::{Bias, GpioConfig, InputLine, LightKind, LightLines, LineId};
pub use debounce::Debouncer;
pub use light::{BLINK_HALF_PERIOD, LightState};
pub use lines::{BoardLines, Input, InputLines, Lamp, OutputLines, RawEdge};
pub use sim::SimBoard;

/// Why the GPIO lines cannot be used.
#[derive(Debug, Error)]
pub enum GpioError {
    #[error("GPIO configuration: {0}")]
    Config(String),
    #[error("no GPIO line is named {0:?} on this board (`gpioinfo` lists the names)")]
    LineNotFound(String),
    #[error(
        "cannot request the GPIO lines of {what} on {}: {source} (the kiosk's user needs \
         read-write access to the chip: group gpio on Raspberry Pi OS)",
        chip.display()
    )]
    Request {
        chip: PathBuf,
        what: &'static str,
        source: gpiocdev::Error,
    },
    #[error("GPIO: cannot {what}: {source}")]
    Io {
        what: &'static str,
        source: gpiocdev::Error,
    },
    #[error("cannot start a GPIO thread: {0}")]
    Thread(std::io::Error),
}

impl GpioError {
    fn io(what: &'static str) -> impl Fn(gpiocdev::Error) -> Self {
        move |source| GpioError::Io { what, source }
    }
}
