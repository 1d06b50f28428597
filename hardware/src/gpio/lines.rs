//! What differs between the kernel's GPIO lines and the simulator: raw physical levels and
//! edges in, physical levels out. Polarity, debouncing and the light's patterns are above
//! this, shared, so the simulator exercises them.

use std::time::{Duration, Instant};

use super::GpioError;

/// An input the kiosk watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Input {
    /// The presence sensor.
    Presence,
    /// The call-staff button.
    CallButton,
}

/// One output line of the status light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lamp {
    /// The only lamp of a one-lamp light.
    Single,
    /// The red part of a two-colour lamp.
    Red,
    /// The green part of a two-colour lamp.
    Green,
}

/// A level change on an input line as the hardware saw it: the physical level (true =
/// high), before polarity and debouncing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawEdge {
    pub input: Input,
    pub high: bool,
    pub at: Instant,
}

/// The input lines of one board, read by the GPIO input thread.
pub trait InputLines: Send {
    /// The physical level of each requested input now (true = high).
    fn levels(&mut self) -> Result<Vec<(Input, bool)>, GpioError>;
    /// Waits at most `timeout` for the next edge; `None` when nothing changed.
    fn next_edge(&mut self, timeout: Duration) -> Result<Option<RawEdge>, GpioError>;
}

/// The output lines of the status light, driven by the GPIO light thread.
pub trait OutputLines: Send {
    /// Sets each lamp's physical level (true = high).
    fn set(&mut self, levels: &[(Lamp, bool)]) -> Result<(), GpioError>;
}

/// A board's input lines (if it has inputs) and light lines (if it has a light), as
/// [`super::Gpio::start`] takes them.
pub type BoardLines = (Option<Box<dyn InputLines>>, Option<Box<dyn OutputLines>>);
