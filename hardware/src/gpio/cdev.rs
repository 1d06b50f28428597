//! The kernel's GPIO lines through the character device (`/dev/gpiochipN`, `gpiocdev`):
//! works on every Raspberry Pi (including the Pi 5's RP1) and any other Linux board.
//!
//! Lines are requested active-high with edge detection on both edges and no kernel
//! debouncing: polarity and debouncing happen above, in code the simulator shares.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gpiocdev::Request;
use gpiocdev::line::{EdgeDetection, EdgeKind, Offset, Value};

use super::GpioError;
use super::config::{Bias, GpioConfig, LineId};
use super::lines::{BoardLines, Input, InputLines, Lamp, OutputLines, RawEdge};

/// The consumer name other tools (`gpioinfo`) show for our lines.
const CONSUMER: &str = "legal-kiosk";

/// Requests the configured inputs and light lines.
pub(super) fn request(config: &GpioConfig) -> Result<BoardLines, GpioError> {
    let mut inputs = Vec::new();
    if let Some(p) = &config.presence {
        inputs.push((Input::Presence, resolve(config, &p.line)?, p.bias));
    }
    if let Some(b) = &config.call_button {
        inputs.push((Input::CallButton, resolve(config, &b.line)?, b.bias));
    }
    let mut lamps = Vec::new();
    if let Some(light) = &config.light {
        for (lamp, id) in [
            (Lamp::Single, &light.line),
            (Lamp::Red, &light.red),
            (Lamp::Green, &light.green),
        ] {
            if let Some(id) = id {
                lamps.push((lamp, resolve(config, id)?));
            }
        }
    }

    let inputs: Option<Box<dyn InputLines>> = if inputs.is_empty() {
        None
    } else {
        let chip = one_chip(inputs.iter().map(|(_, line, _)| line), "the inputs")?;
        let mut builder = Request::builder();
        builder.on_chip(&chip).with_consumer(CONSUMER);
        for (_, (_, offset), bias) in &inputs {
            builder
                .with_line(*offset)
                .as_input()
                .with_bias(kernel_bias(*bias))
                .with_edge_detection(EdgeDetection::BothEdges);
        }
        let request = builder.request().map_err(|source| GpioError::Request {
            chip: chip.clone(),
            what: "the inputs",
            source,
        })?;
        Some(Box::new(CdevInputs {
            request,
            by_offset: inputs
                .iter()
                .map(|(input, (_, offset), _)| (*offset, *input))
                .collect(),
        }))
    };

    let outputs: Option<Box<dyn OutputLines>> = if lamps.is_empty() {
        None
    } else {
        let chip = one_chip(lamps.iter().map(|(_, line)| line), "the status light")?;
        let mut builder = Request::builder();
        builder.on_chip(&chip).with_consumer(CONSUMER);
        let initially_dark = Value::from(config.light.as_ref().is_some_and(|l| l.active_low));
        for (_, (_, offset)) in &lamps {
            builder.with_line(*offset).as_output(initially_dark);
        }
        let request = builder.request().map_err(|source| GpioError::Request {
            chip: chip.clone(),
            what: "the status light",
            source,
        })?;
        Some(Box::new(CdevOutputs {
            request,
            by_lamp: lamps
                .iter()
                .map(|(lamp, (_, offset))| (*lamp, *offset))
                .collect(),
        }))
    };
    Ok((inputs, outputs))
}

/// The chip and offset of a configured line.
fn resolve(config: &GpioConfig, id: &LineId) -> Result<(PathBuf, Offset), GpioError> {
    match id {
        LineId::Offset(offset) => Ok((config.chip_path(), *offset)),
        LineId::Name(name) => gpiocdev::find_named_line(name)
            .map(|found| (found.chip, found.info.offset))
            .ok_or_else(|| GpioError::LineNotFound(name.clone())),
    }
}

/// One request covers one chip; a terminal's lines all sit on the header's chip.
fn one_chip<'a>(
    mut lines: impl Iterator<Item = &'a (PathBuf, Offset)>,
    what: &'static str,
) -> Result<PathBuf, GpioError> {
    let Some((chip, _)) = lines.next() else {
        return Err(GpioError::Config(format!("no lines for {what}")));
    };
    if let Some((other, _)) = lines.find(|(c, _)| c != chip) {
        return Err(GpioError::Config(format!(
            "the lines of {what} are on different chips ({} and {}); use lines of one chip",
            chip.display(),
            other.display()
        )));
    }
    Ok(chip.clone())
}

fn kernel_bias(bias: Bias) -> Option<gpiocdev::line::Bias> {
    match bias {
        Bias::AsIs => None,
        Bias::PullUp => Some(gpiocdev::line::Bias::PullUp),
        Bias::PullDown => Some(gpiocdev::line::Bias::PullDown),
        Bias::Disabled => Some(gpiocdev::line::Bias::Disabled),
    }
}

struct CdevInputs {
    request: Request,
    by_offset: HashMap<Offset, Input>,
}

impl InputLines for CdevInputs {
    fn levels(&mut self) -> Result<Vec<(Input, bool)>, GpioError> {
        self.by_offset
            .iter()
            .map(|(offset, input)| {
                let value = self.request.value(*offset).map_err(GpioError::io("read"))?;
                Ok((*input, bool::from(value)))
            })
            .collect()
    }

    fn next_edge(&mut self, timeout: Duration) -> Result<Option<RawEdge>, GpioError> {
        if !self
            .request
            .wait_edge_event(timeout)
            .map_err(GpioError::io("wait for an edge"))?
        {
            return Ok(None);
        }
        let event = self
            .request
            .read_edge_event()
            .map_err(GpioError::io("read an edge"))?;
        // The kernel's timestamp is CLOCK_MONOTONIC like `Instant`, but std cannot build an
        // `Instant` from it; the thread reads each edge as it comes, so now is close enough
        // for a period of tens of milliseconds.
        let at = Instant::now();
        Ok(self.by_offset.get(&event.offset).map(|input| RawEdge {
            input: *input,
            high: event.kind == EdgeKind::Rising,
            at,
        }))
    }
}

struct CdevOutputs {
    request: Request,
    by_lamp: HashMap<Lamp, Offset>,
}

impl OutputLines for CdevOutputs {
    fn set(&mut self, levels: &[(Lamp, bool)]) -> Result<(), GpioError> {
        for (lamp, high) in levels {
            if let Some(offset) = self.by_lamp.get(lamp) {
                self.request
                    .set_value(*offset, Value::from(*high))
                    .map_err(GpioError::io("set the light"))?;
            }
        }
        Ok(())
    }
}
