//! GPIO configuration, embedded in the firmware's TOML file. Every line is optional: a
//! terminal without a presence sensor simply leaves `presence` out.
//!
//! ```toml
//! chip = "gpiochip0"      # for lines given by number; a name under /dev or a path
//! debounce_ms = 30        # a level must hold this long before it counts
//!
//! [presence]              # a PIR or radar sensor: high while someone is in front
//! line = 17
//!
//! [call_button]           # a push button to ground, with the Pi's internal pull-up
//! line = "GPIO27"         # a line name (see `gpioinfo`) works on any chip
//! active_low = true
//! bias = "pull-up"
//!
//! [light]                 # one lamp: steady = ready, blinking = attention, off = out of service
//! line = 22
//! # or a red/green (RGB) lamp: green = ready, amber blinking = attention, red = out of service
//! # red = 5
//! # green = 6
//! ```

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The presence sensor, call-staff button and status light: which lines, which polarity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GpioConfig {
    /// The chip of the lines given by number: `gpiochip0` (default) or a path such as
    /// `/dev/gpiochip4`. Lines given by name are found on whichever chip has them.
    pub chip: String,
    /// How long, in milliseconds, a new level must hold before it counts (default 30):
    /// longer than a button's contact bounce, shorter than a deliberate press.
    pub debounce_ms: u64,
    /// The presence sensor (PIR, radar or light barrier): active while someone is there.
    pub presence: Option<InputLine>,
    /// The call-staff push button: active while pressed.
    pub call_button: Option<InputLine>,
    /// The status light.
    pub light: Option<LightLines>,
}

impl Default for GpioConfig {
    fn default() -> Self {
        Self {
            chip: "gpiochip0".into(),
            debounce_ms: 30,
            presence: None,
            call_button: None,
            light: None,
        }
    }
}

/// An input line and how it is wired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputLine {
    /// The line: its offset on `chip` (`17`) or its name (`"GPIO17"`).
    pub line: LineId,
    /// The line reads low when active (a button to ground with a pull-up).
    #[serde(default)]
    pub active_low: bool,
    /// The line's internal pull resistor: `as-is` (default), `pull-up`, `pull-down` or
    /// `disabled`.
    #[serde(default)]
    pub bias: Bias,
}

/// The status light's lines: either `line` (one lamp) or `red` and `green` (a two-colour
/// or RGB lamp, blue left unconnected).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LightLines {
    /// One lamp: steady when ready, blinking when staff are needed, off when out of service.
    pub line: Option<LineId>,
    /// The red part of a two-colour lamp.
    pub red: Option<LineId>,
    /// The green part of a two-colour lamp.
    pub green: Option<LineId>,
    /// The lamp lights when its line is low (a LED from 3.3 V to the pin).
    pub active_low: bool,
}

/// The kind of lamp the configuration describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LightKind {
    /// One lamp on one line.
    Single,
    /// A red and a green lamp (amber when both are on).
    RedGreen,
}

impl LightLines {
    /// The kind of lamp, or why the table describes none.
    pub fn kind(&self) -> Result<LightKind, String> {
        match (&self.line, &self.red, &self.green) {
            (Some(_), None, None) => Ok(LightKind::Single),
            (None, Some(_), Some(_)) => Ok(LightKind::RedGreen),
            (None, None, None) => Err("[light] needs `line`, or `red` and `green`".into()),
            (Some(_), _, _) => {
                Err("[light] has `line` and `red`/`green`: use one or the other".into())
            }
            (None, _, _) => Err("[light] needs both `red` and `green`".into()),
        }
    }
}

/// A GPIO line, by offset on the configured chip or by name on any chip.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LineId {
    /// The line's offset on `chip`, e.g. 17 for BCM GPIO17 on a Raspberry Pi.
    Offset(u32),
    /// The line's name as the kernel knows it (`gpioinfo` lists them), e.g. `GPIO17`.
    Name(String),
}

impl fmt::Display for LineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineId::Offset(n) => write!(f, "{n}"),
            LineId::Name(name) => write!(f, "{name:?}"),
        }
    }
}

impl Serialize for LineId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LineId::Offset(n) => s.serialize_u32(*n),
            LineId::Name(name) => s.serialize_str(name),
        }
    }
}

impl<'de> Deserialize<'de> for LineId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = LineId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a line offset such as 17 or a line name such as \"GPIO17\"")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<LineId, E> {
                u32::try_from(v)
                    .map(LineId::Offset)
                    .map_err(|_| E::custom(format!("line offset {v} is too large")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<LineId, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(format!("line offset {v} is negative")))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LineId, E> {
                if v.trim().is_empty() {
                    return Err(E::custom("a line name cannot be empty"));
                }
                Ok(LineId::Name(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// An input line's internal pull resistor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bias {
    /// Leave it as the board set it up.
    #[default]
    AsIs,
    PullUp,
    PullDown,
    /// No pull resistor: the sensor drives the line both ways.
    Disabled,
}

impl GpioConfig {
    /// The debounce period.
    pub fn debounce(&self) -> Duration {
        Duration::from_millis(self.debounce_ms)
    }

    /// The chip of lines given by offset, as a device path.
    pub fn chip_path(&self) -> PathBuf {
        if self.chip.contains('/') {
            PathBuf::from(&self.chip)
        } else {
            PathBuf::from("/dev").join(&self.chip)
        }
    }

    /// Whether the configuration uses any line at all.
    pub fn is_empty(&self) -> bool {
        self.presence.is_none() && self.call_button.is_none() && self.light.is_none()
    }

    /// Checks what TOML cannot: a light with lines, no line used twice, a sane debounce.
    pub fn validate(&self) -> Result<(), String> {
        if self.debounce_ms > 1000 {
            return Err(format!(
                "debounce_ms = {}: at most 1000, or presses get lost",
                self.debounce_ms
            ));
        }
        let light_kind = self.light.as_ref().map(LightLines::kind).transpose()?;
        let mut used: Vec<(&LineId, &str)> = Vec::new();
        let mut lines: Vec<(&LineId, &'static str)> = Vec::new();
        if let Some(p) = &self.presence {
            lines.push((&p.line, "presence"));
        }
        if let Some(b) = &self.call_button {
            lines.push((&b.line, "call_button"));
        }
        if let (Some(light), Some(_)) = (&self.light, light_kind) {
            for (id, name) in [
                (&light.line, "light.line"),
                (&light.red, "light.red"),
                (&light.green, "light.green"),
            ] {
                if let Some(id) = id {
                    lines.push((id, name));
                }
            }
        }
        for (id, name) in lines {
            if let Some((_, first)) = used.iter().find(|(other, _)| *other == id) {
                return Err(format!("line {id} is used twice: by {first} and by {name}"));
            }
            used.push((id, name));
        }
        Ok(())
    }
}
