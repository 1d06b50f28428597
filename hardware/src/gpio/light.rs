//! The status light: what each state of the terminal looks like on a one-lamp or a
//! red/green light. Staff see it from across the hall, so the three states differ in a way
//! that does not depend on colour vision: steady, blinking, off.

use std::time::Duration;

use serde::Serialize;

use super::config::LightKind;
use super::lines::Lamp;

/// What the status light tells staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LightState {
    /// Serving citizens; nothing to do. One lamp: steady on. Red/green: green steady.
    Ready,
    /// Staff are needed: a citizen called, paper is out or low, a device fails, the terminal
    /// has been offline too long. One lamp: blinking. Red/green: amber blinking.
    NeedsAttention,
    /// Locked out of service (or not running at all). One lamp: off. Red/green: red steady.
    #[default]
    OutOfService,
}

/// Half a blink: on for this long, then off for this long (1 Hz).
pub const BLINK_HALF_PERIOD: Duration = Duration::from_millis(500);

impl LightState {
    /// Whether the light blinks in this state.
    pub fn blinks(self) -> bool {
        self == LightState::NeedsAttention
    }

    /// Which lamps are lit (logically, before polarity) in this state. `blink_on` is the
    /// phase of the blink and only matters when [`LightState::blinks`].
    pub fn lamps(self, kind: LightKind, blink_on: bool) -> Vec<(Lamp, bool)> {
        let lit = !self.blinks() || blink_on;
        match (kind, self) {
            (LightKind::Single, LightState::OutOfService) => vec![(Lamp::Single, false)],
            (LightKind::Single, _) => vec![(Lamp::Single, lit)],
            (LightKind::RedGreen, LightState::Ready) => {
                vec![(Lamp::Red, false), (Lamp::Green, true)]
            }
            (LightKind::RedGreen, LightState::NeedsAttention) => {
                vec![(Lamp::Red, lit), (Lamp::Green, lit)]
            }
            (LightKind::RedGreen, LightState::OutOfService) => {
                vec![(Lamp::Red, true), (Lamp::Green, false)]
            }
        }
    }

    /// The lamps when the firmware stops: all dark, as a terminal that is not running.
    pub fn dark(kind: LightKind) -> Vec<(Lamp, bool)> {
        match kind {
            LightKind::Single => vec![(Lamp::Single, false)],
            LightKind::RedGreen => vec![(Lamp::Red, false), (Lamp::Green, false)],
        }
    }
}

impl std::fmt::Display for LightState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LightState::Ready => "ready",
            LightState::NeedsAttention => "needs attention",
            LightState::OutOfService => "out of service",
        })
    }
}

#[cfg(test)]
mod tests;
