//! The running GPIO board: a thread that watches the inputs (polarity, debouncing, events)
//! and a thread that drives the status light (steady or blinking). Both work over the
//! [`InputLines`]/[`OutputLines`] traits, so the kernel lines and the simulator share them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use super::config::{GpioConfig, LightKind};
use super::debounce::Debouncer;
use super::light::{BLINK_HALF_PERIOD, LightState};
use super::lines::{Input, InputLines, Lamp, OutputLines};
use super::{GpioError, cdev};

/// What happened on the inputs, after debouncing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpioEvent {
    /// Someone came in front of the terminal (also sent at start when someone is there).
    PresenceDetected,
    /// Nobody is in front of the terminal any more.
    PresenceGone,
    /// The call-staff button was pressed.
    CallStaffPressed,
    /// Reading the inputs failed; the inputs are no longer watched. For staff and the log.
    Fault(String),
}

/// How often the input thread looks up from waiting, to notice that it should stop.
const STOP_CHECK: Duration = Duration::from_millis(500);

/// The GPIO lines in use. Dropping it stops the threads and darkens the light.
pub struct Gpio {
    light: Option<mpsc::Sender<LightState>>,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Gpio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpio")
            .field("light", &self.light.is_some())
            .finish()
    }
}

impl Gpio {
    /// Requests the configured lines from the kernel's GPIO character device and starts
    /// watching them; `on_event` runs on the GPIO input thread.
    pub fn open(
        config: &GpioConfig,
        on_event: impl Fn(GpioEvent) + Send + 'static,
    ) -> Result<Self, GpioError> {
        config.validate().map_err(GpioError::Config)?;
        let (inputs, outputs) = cdev::request(config)?;
        Self::start(config, inputs, outputs, on_event)
    }

    /// Runs over any implementation of the lines, e.g. the simulator's.
    pub fn start(
        config: &GpioConfig,
        inputs: Option<Box<dyn InputLines>>,
        outputs: Option<Box<dyn OutputLines>>,
        on_event: impl Fn(GpioEvent) + Send + 'static,
    ) -> Result<Self, GpioError> {
        config.validate().map_err(GpioError::Config)?;
        let stop = Arc::new(AtomicBool::new(false));
        if let Some(mut inputs) = inputs {
            let mut polarity = HashMap::new();
            if let Some(p) = &config.presence {
                polarity.insert(Input::Presence, p.active_low);
            }
            if let Some(b) = &config.call_button {
                polarity.insert(Input::CallButton, b.active_low);
            }
            let initial = inputs.levels()?;
            let watcher = InputWatch::new(&initial, &polarity, config.debounce());
            let stop = stop.clone();
            thread::Builder::new()
                .name("gpio-inputs".into())
                .spawn(move || watcher.run(inputs.as_mut(), &stop, &on_event))
                .map_err(GpioError::Thread)?;
        }
        let light = match (outputs, &config.light) {
            (Some(outputs), Some(lines)) => {
                let kind = lines.kind().map_err(GpioError::Config)?;
                let (tx, rx) = mpsc::channel();
                let active_low = lines.active_low;
                thread::Builder::new()
                    .name("gpio-light".into())
                    .spawn(move || drive_light(outputs, kind, active_low, &rx))
                    .map_err(GpioError::Thread)?;
                Some(tx)
            }
            _ => None,
        };
        Ok(Self { light, stop })
    }

    /// Shows `state` on the status light (nothing happens without a light).
    pub fn set_light(&self, state: LightState) {
        if let Some(light) = &self.light {
            let _ = light.send(state);
        }
    }

    /// Whether a status light is configured.
    pub fn has_light(&self) -> bool {
        self.light.is_some()
    }
}

impl Drop for Gpio {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The debounced, polarity-corrected state of the inputs.
struct InputWatch {
    inputs: HashMap<Input, (Debouncer, bool)>,
    initial_presence: bool,
}

impl InputWatch {
    fn new(initial: &[(Input, bool)], polarity: &HashMap<Input, bool>, period: Duration) -> Self {
        let mut inputs = HashMap::new();
        let mut initial_presence = false;
        for &(input, high) in initial {
            let active_low = polarity.get(&input).copied().unwrap_or(false);
            let active = high != active_low;
            match input {
                Input::Presence => initial_presence = active,
                Input::CallButton if active => tracing::warn!(
                    "the call-staff button reads pressed at start: stuck, or wired with the \
                     other polarity (call_button.active_low)"
                ),
                Input::CallButton => {}
            }
            inputs.insert(input, (Debouncer::new(active, period), active_low));
        }
        Self {
            inputs,
            initial_presence,
        }
    }

    fn run(mut self, lines: &mut dyn InputLines, stop: &AtomicBool, on_event: &dyn Fn(GpioEvent)) {
        if self.initial_presence {
            on_event(GpioEvent::PresenceDetected);
        }
        while !stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            let wait = self
                .inputs
                .values()
                .filter_map(|(d, _)| d.deadline())
                .min()
                .map_or(STOP_CHECK, |deadline| {
                    deadline.saturating_duration_since(now).min(STOP_CHECK)
                });
            match lines.next_edge(wait) {
                Ok(Some(edge)) => {
                    if let Some((debouncer, active_low)) = self.inputs.get_mut(&edge.input) {
                        debouncer.edge(edge.high != *active_low, edge.at);
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::error!("GPIO inputs stopped: {e}");
                    on_event(GpioEvent::Fault(e.to_string()));
                    return;
                }
            }
            let now = Instant::now();
            for (input, (debouncer, _)) in &mut self.inputs {
                let event = match (input, debouncer.poll(now)) {
                    (Input::Presence, Some(true)) => GpioEvent::PresenceDetected,
                    (Input::Presence, Some(false)) => GpioEvent::PresenceGone,
                    (Input::CallButton, Some(true)) => GpioEvent::CallStaffPressed,
                    (Input::CallButton, Some(false)) | (_, None) => continue,
                };
                on_event(event);
            }
        }
    }
}

/// The light thread: applies each new state, blinking when the state asks for it, until
/// the [`Gpio`] is dropped; then darkens the light.
fn drive_light(
    mut outputs: Box<dyn OutputLines>,
    kind: LightKind,
    active_low: bool,
    states: &mpsc::Receiver<LightState>,
) {
    let mut set = |lamps: Vec<(Lamp, bool)>| {
        let physical: Vec<(Lamp, bool)> = lamps
            .into_iter()
            .map(|(lamp, lit)| (lamp, lit != active_low))
            .collect();
        if let Err(e) = outputs.set(&physical) {
            tracing::warn!("cannot set the status light: {e}");
        }
    };
    let mut state = LightState::default();
    let mut blink_on = true;
    let mut next_toggle = Instant::now() + BLINK_HALF_PERIOD;
    set(state.lamps(kind, blink_on));
    loop {
        let next = if state.blinks() {
            states.recv_timeout(next_toggle.saturating_duration_since(Instant::now()))
        } else {
            // Steady: nothing to do until the state changes, so no wake-ups at all.
            states.recv().map_err(|_| RecvTimeoutError::Disconnected)
        };
        match next {
            // The same state again keeps the blink's rhythm.
            Ok(new) if new == state => continue,
            Ok(new) => {
                state = new;
                blink_on = true;
                next_toggle = Instant::now() + BLINK_HALF_PERIOD;
            }
            Err(RecvTimeoutError::Timeout) => {
                blink_on = !blink_on;
                next_toggle += BLINK_HALF_PERIOD;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
        set(state.lamps(kind, blink_on));
    }
    set(LightState::dark(kind));
}
