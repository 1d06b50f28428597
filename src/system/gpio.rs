//! The GPIO board in the kiosk: someone walking up goes out on the event bus (the screen
//! wakes and greets), the call-staff button raises a staff call, a fault reaches the status
//! light; the light itself follows [`TerminalStatus`].

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use hardware::gpio::{Gpio, GpioEvent, LightState, SimBoard};

use super::status::TerminalStatus;
use crate::config::{GpioKind, GpioSection};
use crate::events::{Events, KioskEvent};
use crate::services::staff_calls::{CallOrigin, StaffCallService};

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

/// What the board's inputs reach.
pub struct GpioInputs {
    pub events: Events,
    pub staff_calls: StaffCallService,
    pub status: TerminalStatus,
}

/// Opens the configured board (the kernel's lines, or the simulator with its command FIFO
/// at `<data>/devices/gpio`) and connects its inputs and the status light.
pub fn start(
    section: &GpioSection,
    data_dir: &Path,
    inputs: GpioInputs,
    light: &LightSlot,
) -> Result<GpioRuntime> {
    let on_event = move |event: GpioEvent| match event {
        GpioEvent::PresenceDetected => inputs.events.publish(KioskEvent::Presence(true)),
        GpioEvent::PresenceGone => inputs.events.publish(KioskEvent::Presence(false)),
        GpioEvent::CallStaffPressed => {
            inputs.staff_calls.raise(CallOrigin::Button);
        }
        GpioEvent::Fault(reason) => inputs.status.set_gpio_fault(Some(reason)),
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
