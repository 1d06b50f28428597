//! The GPIO board in the kiosk: presence and the call-staff button reach the UI thread as
//! `System` callbacks (like touches do); the status light follows [`TerminalStatus`].

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use hardware::gpio::{Gpio, GpioEvent, LightState, SimBoard};
use slint::ComponentHandle;

use super::status::TerminalStatus;
use crate::config::{GpioKind, GpioSection};
use crate::ui::{AppWindow, CallSource, Poster, System};

/// The running GPIO board.
pub struct GpioRuntime {
    pub gpio: Arc<Gpio>,
    /// The simulated board's controls, when the configuration asks for the simulator.
    pub sim: Option<SimBoard>,
}

/// Where the status light's state goes once the board is open. The status exists before
/// the board (and without one), so it reports into this slot.
#[derive(Clone, Default)]
pub struct LightSlot(Arc<Mutex<(Option<Arc<Gpio>>, LightState)>>);

impl LightSlot {
    /// Shows `state` on the light, now or as soon as there is one.
    pub fn show(&self, state: LightState) {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        slot.1 = state;
        if let Some(gpio) = &slot.0 {
            gpio.set_light(state);
        }
    }

    fn connect(&self, gpio: Arc<Gpio>) {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        gpio.set_light(slot.1);
        slot.0 = Some(gpio);
    }
}

/// Opens the configured board (the kernel's lines, or the simulator with its command FIFO
/// at `<data>/devices/gpio`) and connects it to the UI and the status light.
pub fn start(
    section: &GpioSection,
    data_dir: &Path,
    app: &AppWindow,
    poster: Poster,
    status: TerminalStatus,
    light: &LightSlot,
) -> Result<GpioRuntime> {
    let weak = app.as_weak();
    let on_event = move |event: GpioEvent| {
        if let GpioEvent::Fault(reason) = &event {
            status.set_gpio_fault(Some(reason.clone()));
            return;
        }
        let weak = weak.clone();
        poster.post(move || {
            let Some(app) = weak.upgrade() else { return };
            let system = app.global::<System>();
            match event {
                GpioEvent::PresenceDetected => system.invoke_presence_changed(true),
                GpioEvent::PresenceGone => system.invoke_presence_changed(false),
                GpioEvent::CallStaffPressed => system.invoke_call_staff(CallSource::Button),
                GpioEvent::Fault(_) => {}
            }
        });
    };
    let (gpio, sim) = match section.kind {
        GpioKind::Device => (
            Gpio::open(&section.driver, on_event).context("cannot use the GPIO lines")?,
            None,
        ),
        GpioKind::Simulator => {
            let (gpio, board) = Gpio::simulated(&section.driver, on_event)
                .context("cannot start the simulated GPIO board")?;
            let dir = data_dir.join("devices");
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let fifo = dir.join("gpio");
            board
                .serve_commands(&fifo)
                .with_context(|| format!("cannot create {}", fifo.display()))?;
            tracing::info!(
                "simulated GPIO: echo presence|away|call > {}",
                fifo.display()
            );
            (gpio, Some(board))
        }
    };
    let gpio = Arc::new(gpio);
    light.connect(gpio.clone());
    Ok(GpioRuntime { gpio, sim })
}
