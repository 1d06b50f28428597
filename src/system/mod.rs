//! What turns the desktop program into terminal firmware: the terminal's status and its
//! light, the GPIO board, systemd's `STATUS=`, logging to the journal. Plain Rust: what
//! happens here reaches the screen as events.

pub mod gpio;
pub mod logging;
pub mod notify;
pub mod status;

use std::path::Path;

use anyhow::Result;

use crate::config::Config;
use crate::events::Events;
use crate::services::staff_calls::StaffCallService;
pub use gpio::GpioRuntime;
pub use status::{StatusSnapshot, TerminalStatus};

/// The terminal around the session.
pub struct System {
    pub status: TerminalStatus,
    /// `None` without a `[gpio]` section, or when the board could not be opened (logged;
    /// the kiosk serves citizens without it).
    pub gpio: Option<GpioRuntime>,
}

/// Starts the terminal's status (and light), following the event bus, and the GPIO board.
pub fn start(
    config: &Config,
    data_dir: &Path,
    events: &Events,
    staff_calls: &StaffCallService,
) -> Result<System> {
    let light = gpio::LightSlot::default();
    let sink = light.clone();
    let status = TerminalStatus::new(move |state| {
        sink.show(state);
        notify::status(&state.to_string());
    });
    status.follow(events);
    let gpio = match &config.gpio {
        None => None,
        Some(section) => {
            let inputs = gpio::GpioInputs {
                events: events.clone(),
                staff_calls: staff_calls.clone(),
                status: status.clone(),
            };
            match gpio::start(section, data_dir, inputs, &light) {
                Ok(runtime) => Some(runtime),
                Err(e) => {
                    // Citizens can still be served; staff see the fault on the light.
                    tracing::error!("{e:#}");
                    status.set_gpio_fault(Some(format!("{e:#}")));
                    None
                }
            }
        }
    };
    Ok(System { status, gpio })
}
