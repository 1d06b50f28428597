//! A simulated GPIO board for tests and the developer's desktop: wires that a test (or a
//! developer, through a FIFO) drives like a person would — someone walks up, a button is
//! pressed with bouncing contacts — and lamps whose physical levels can be read back. The
//! levels on the simulated wires follow the configured polarity, so the real polarity and
//! debouncing code runs above it.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use super::GpioError;
use super::board::{Gpio, GpioEvent};
use super::config::GpioConfig;
use super::lines::{BoardLines, Input, InputLines, Lamp, OutputLines, RawEdge};

/// The simulated wires, shared by the lines (read by the GPIO threads) and the controls.
#[derive(Default)]
struct Wires {
    state: Mutex<WireState>,
    changed: Condvar,
}

#[derive(Default)]
struct WireState {
    /// Physical input levels.
    inputs: HashMap<Input, bool>,
    /// Edges the input thread has not read yet.
    edges: VecDeque<RawEdge>,
    /// Physical lamp levels and how often each changed.
    lamps: HashMap<Lamp, (bool, usize)>,
}

/// Controls of a simulated board: drive the inputs, look at the lamps. Cheap to clone.
#[derive(Clone)]
pub struct SimBoard {
    wires: Arc<Wires>,
    polarity: HashMap<Input, bool>,
    has_light: bool,
    light_active_low: bool,
}

impl Gpio {
    /// A [`Gpio`] on a simulated board with the lines `config` describes; the board's
    /// controls come back with it.
    pub fn simulated(
        config: &GpioConfig,
        on_event: impl Fn(GpioEvent) + Send + 'static,
    ) -> Result<(Self, SimBoard), GpioError> {
        config.validate().map_err(GpioError::Config)?;
        let board = SimBoard::new(config);
        let (inputs, outputs) = board.lines();
        let gpio = Gpio::start(config, inputs, outputs, on_event)?;
        Ok((gpio, board))
    }
}

impl SimBoard {
    /// A board with the lines `config` describes, nobody in front, the button released and
    /// every lamp's line low. Hand its [`SimBoard::lines`] to [`Gpio::start`].
    pub fn new(config: &GpioConfig) -> Self {
        let mut polarity = HashMap::new();
        if let Some(p) = &config.presence {
            polarity.insert(Input::Presence, p.active_low);
        }
        if let Some(b) = &config.call_button {
            polarity.insert(Input::CallButton, b.active_low);
        }
        let wires = Arc::new(Wires::default());
        {
            let mut state = wires.state.lock().unwrap_or_else(|e| e.into_inner());
            for (input, active_low) in &polarity {
                // Inactive: low, or high through the pull-up when active-low.
                state.inputs.insert(*input, *active_low);
            }
        }
        Self {
            wires,
            polarity,
            has_light: config.light.is_some(),
            light_active_low: config.light.as_ref().is_some_and(|l| l.active_low),
        }
    }

    /// The board's input lines (if it has inputs) and light lines (if it has a light).
    pub fn lines(&self) -> BoardLines {
        let inputs = (!self.polarity.is_empty()).then(|| Box::new(self.clone()) as _);
        let outputs = self.has_light.then(|| Box::new(self.clone()) as _);
        (inputs, outputs)
    }

    fn state(&self) -> MutexGuard<'_, WireState> {
        self.wires.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drives `input`'s wire to the level that means `active` and records the edge.
    pub fn set_input(&self, input: Input, active: bool) {
        let Some(active_low) = self.polarity.get(&input) else {
            return;
        };
        let high = active != *active_low;
        let mut state = self.state();
        if state.inputs.insert(input, high) != Some(high) {
            state.edges.push_back(RawEdge {
                input,
                high,
                at: Instant::now(),
            });
            self.wires.changed.notify_all();
        }
    }

    /// Someone walks up to the terminal (`true`) or leaves (`false`).
    pub fn set_presence(&self, present: bool) {
        self.set_input(Input::Presence, present);
    }

    /// Presses the call-staff button and holds it.
    pub fn press_call_button(&self) {
        self.set_input(Input::CallButton, true);
    }

    /// Releases the call-staff button.
    pub fn release_call_button(&self) {
        self.set_input(Input::CallButton, false);
    }

    /// Contacts bouncing: the button's wire flips `flips` times, `gap` apart, and ends
    /// where it started flipped (pressed if it was released).
    pub fn bounce_call_button(&self, flips: usize, gap: Duration) {
        let pressed = self.input_active(Input::CallButton);
        for i in 0..flips {
            self.set_input(Input::CallButton, (i % 2 == 0) != pressed);
            thread::sleep(gap);
        }
    }

    /// Whether `input`'s wire is at its active level now.
    pub fn input_active(&self, input: Input) -> bool {
        let active_low = self.polarity.get(&input).copied().unwrap_or(false);
        self.state()
            .inputs
            .get(&input)
            .copied()
            .unwrap_or(active_low)
            != active_low
    }

    /// Whether `lamp` is lit, from its line's physical level and the light's polarity.
    pub fn lamp_lit(&self, lamp: Lamp) -> bool {
        let high = self.state().lamps.get(&lamp).is_some_and(|(high, _)| *high);
        high != self.light_active_low
    }

    /// How many times `lamp`'s line changed level so far (a blinking lamp keeps counting).
    pub fn lamp_changes(&self, lamp: Lamp) -> usize {
        self.state().lamps.get(&lamp).map_or(0, |(_, n)| *n)
    }

    /// Takes commands for the desktop from a FIFO at `path`, one per line: `presence`
    /// (someone walks up), `away` (they leave), `call` (the call-staff button is pressed
    /// and released). E.g. `echo call > ~/.local/share/legal-kiosk/devices/gpio`.
    pub fn serve_commands(&self, path: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600))
            .map_err(std::io::Error::from)?;
        // Read-write, so that opening never waits for a writer and the last writer closing
        // is not an end of file (Linux semantics of a FIFO).
        let fifo = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)?;
        let board = self.clone();
        thread::Builder::new()
            .name("gpio-sim-commands".into())
            .spawn(move || {
                for line in BufReader::new(fifo).lines() {
                    let Ok(line) = line else { return };
                    match line.trim() {
                        "presence" => board.set_presence(true),
                        "away" => board.set_presence(false),
                        "call" => {
                            board.press_call_button();
                            thread::sleep(Duration::from_millis(200));
                            board.release_call_button();
                        }
                        "" => {}
                        other => tracing::warn!(
                            "simulated GPIO: unknown command {other:?} (use presence, away or call)"
                        ),
                    }
                }
            })?;
        Ok(())
    }
}

impl InputLines for SimBoard {
    fn levels(&mut self) -> Result<Vec<(Input, bool)>, GpioError> {
        Ok(self.state().inputs.iter().map(|(i, h)| (*i, *h)).collect())
    }

    fn next_edge(&mut self, timeout: Duration) -> Result<Option<RawEdge>, GpioError> {
        let state = self.state();
        let (mut state, _) = self
            .wires
            .changed
            .wait_timeout_while(state, timeout, |s| s.edges.is_empty())
            .unwrap_or_else(|e| e.into_inner());
        Ok(state.edges.pop_front())
    }
}

impl OutputLines for SimBoard {
    fn set(&mut self, levels: &[(Lamp, bool)]) -> Result<(), GpioError> {
        let mut state = self.state();
        for (lamp, high) in levels {
            let entry = state.lamps.entry(*lamp).or_insert((false, 0));
            if entry.0 != *high {
                entry.0 = *high;
                entry.1 += 1;
            }
        }
        Ok(())
    }
}
