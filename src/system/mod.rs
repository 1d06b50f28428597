//! What turns the desktop program into terminal firmware: the terminal's status and its
//! light, staff calls, the screen-saver and greeting, the GPIO board, systemd readiness and
//! watchdog, logging to the journal.

pub mod gpio;
pub mod logging;
pub mod notify;
pub mod screensaver;
pub mod staff_call;
pub mod status;

use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use anyhow::Result;

use crate::clock::Clock;
use crate::config::Config;
use crate::store::worker::Worker;
use crate::ui::{AppWindow, KioskController, Poster};
pub use gpio::GpioRuntime;
pub use screensaver::ScreenSaver;
pub use staff_call::{CallEnd, CallOrigin, StaffCall, StaffCalls};
pub use status::{StatusSnapshot, TerminalStatus};

/// The terminal around the citizen's session. The maintenance menu reads and changes the
/// status (out of service) and answers staff calls through it.
pub struct System {
    pub status: TerminalStatus,
    pub staff_calls: Rc<StaffCalls>,
    pub screensaver: Rc<ScreenSaver>,
    /// `None` without a `[gpio]` section, or when the board could not be opened (logged;
    /// the kiosk serves citizens without it).
    pub gpio: Option<GpioRuntime>,
}

/// Starts the terminal's status (and light), staff calls, screen-saver and GPIO board.
pub fn start(
    config: &Config,
    data_dir: &Path,
    app: &AppWindow,
    controller: &Rc<KioskController>,
    worker: &Worker,
    clock: Arc<dyn Clock>,
    poster: Poster,
) -> Result<System> {
    let light = gpio::LightSlot::default();
    let sink = light.clone();
    let status = TerminalStatus::new(move |state| {
        sink.show(state);
        notify::status(&state.to_string());
    });
    let staff_calls = StaffCalls::attach(
        app,
        worker.clone(),
        clock,
        status.clone(),
        config.staff_call.expire_after(),
    );
    let screensaver = ScreenSaver::attach(app, controller, &config.screensaver);
    let light_status = status.clone();
    controller.on_service_state(move |out| light_status.set_out_of_service(out));
    let gpio = match &config.gpio {
        None => None,
        Some(section) => {
            match gpio::start(section, data_dir, app, poster, status.clone(), &light) {
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
    Ok(System {
        status,
        staff_calls,
        screensaver,
        gpio,
    })
}
