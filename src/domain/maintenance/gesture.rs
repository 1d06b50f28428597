//! The hidden way into the staff menu on a touchscreen without a keyboard: press and hold
//! a corner of the home screen for a few seconds, or tap it several times quickly. A
//! citizen who stumbles on it sees only a PIN pad.
//!
//! This is the decision logic alone; the UI feeds it presses and releases and runs the
//! hold timer (a Slint timer, so mock time works in tests).

use std::time::{Duration, Instant};

use serde::Deserialize;

/// Which gesture opens the PIN pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GestureKind {
    /// Press and hold the corner.
    #[default]
    Hold,
    /// Tap the corner several times within a short time.
    Taps,
}

/// Where the hidden area is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Corner {
    TopLeft,
    #[default]
    TopRight,
    BottomLeft,
    BottomRight,
}

/// The gesture's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gesture {
    pub kind: GestureKind,
    pub hold: Duration,
    pub taps: u32,
    pub taps_within: Duration,
}

/// What the UI should do after a touch event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Nothing,
    /// Start (or restart) the hold timer; call [`GestureDetector::hold_elapsed`] when it fires.
    StartHoldTimer(Duration),
    /// Stop the hold timer.
    CancelHoldTimer,
    /// Open the PIN pad.
    Open,
}

/// Follows touches on the hidden corner.
#[derive(Debug)]
pub struct GestureDetector {
    gesture: Gesture,
    pressed: bool,
    taps: Vec<Instant>,
}

impl GestureDetector {
    /// A detector for `gesture`, nothing pressed yet.
    pub fn new(gesture: Gesture) -> Self {
        Self {
            gesture,
            pressed: false,
            taps: Vec::new(),
        }
    }

    /// A finger went down on the corner.
    pub fn press(&mut self) -> Step {
        self.pressed = true;
        match self.gesture.kind {
            GestureKind::Hold => Step::StartHoldTimer(self.gesture.hold),
            GestureKind::Taps => Step::Nothing,
        }
    }

    /// The finger left (or slid off) the corner at `now`.
    pub fn release(&mut self, now: Instant) -> Step {
        let was_pressed = std::mem::replace(&mut self.pressed, false);
        match self.gesture.kind {
            GestureKind::Hold => Step::CancelHoldTimer,
            GestureKind::Taps if was_pressed => {
                let window = self.gesture.taps_within;
                self.taps.retain(|t| now.duration_since(*t) <= window);
                self.taps.push(now);
                if self.taps.len() >= self.gesture.taps.max(1) as usize {
                    self.taps.clear();
                    Step::Open
                } else {
                    Step::Nothing
                }
            }
            GestureKind::Taps => Step::Nothing,
        }
    }

    /// The hold timer fired: open if the finger is still down.
    pub fn hold_elapsed(&mut self) -> Step {
        if self.pressed && self.gesture.kind == GestureKind::Hold {
            self.pressed = false;
            Step::Open
        } else {
            Step::Nothing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gesture(kind: GestureKind) -> Gesture {
        Gesture {
            kind,
            hold: Duration::from_secs(3),
            taps: 5,
            taps_within: Duration::from_secs(3),
        }
    }

    #[test]
    fn holding_opens_only_if_still_pressed_when_the_timer_fires() {
        let mut d = GestureDetector::new(gesture(GestureKind::Hold));
        assert_eq!(d.press(), Step::StartHoldTimer(Duration::from_secs(3)));
        assert_eq!(d.hold_elapsed(), Step::Open);
        assert_eq!(d.hold_elapsed(), Step::Nothing, "once per hold");

        d.press();
        assert_eq!(d.release(Instant::now()), Step::CancelHoldTimer);
        assert_eq!(
            d.hold_elapsed(),
            Step::Nothing,
            "a short touch opens nothing"
        );
    }

    #[test]
    fn five_quick_taps_open_but_slow_ones_do_not() {
        let mut d = GestureDetector::new(gesture(GestureKind::Taps));
        let t0 = Instant::now();
        for i in 0..4 {
            d.press();
            assert_eq!(
                d.release(t0 + Duration::from_millis(300 * i)),
                Step::Nothing
            );
        }
        d.press();
        assert_eq!(d.release(t0 + Duration::from_millis(1200)), Step::Open);

        for i in 0..5 {
            d.press();
            let step = d.release(t0 + Duration::from_secs(10 + 2 * i));
            assert_eq!(step, Step::Nothing, "taps 2 s apart never make five in 3 s");
        }
    }
}
