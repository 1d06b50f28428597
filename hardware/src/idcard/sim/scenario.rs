//! Scenario files: a script for the simulated reader, one step per line.
//!
//! ```text
//! # Anything after '#' is a comment; blank lines are ignored.
//! place resident-zhang     # lay a sample card on the reader (ids: see samples::SAMPLES)
//! wait 2s                  # pause: 500ms, 2s, 1.5s
//! remove                   # take the card away
//! fault sam                # SAM self-test failure: every command answers 0x60
//! fault sam-unauthorised   # every command answers 0x66
//! fault silent             # the module answers nothing
//! fault read               # the next read answers 0x41 (card pulled mid-read)
//! fault checksum           # the next answer has a wrong checksum
//! fault garbage            # noise bytes before the next answer
//! fault status 0x24        # the next command is answered with this SW3
//! clear                    # remove all faults
//! chunk 1 2ms              # send answers in 1-byte pieces, 2 ms apart
//! chunk 1024               # split answers at 1024 bytes
//! chunk off                # whole answers again
//! unplug                   # the device disappears (its symlink is removed)
//! replug                   # the device comes back under the same path
//! ```

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use thiserror::Error;

use super::samples;
use super::{Chunking, SimFault};

/// One scenario step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Lay the sample with this id on the reader (replacing any card there).
    Place(String),
    /// Take the card away.
    Remove,
    /// Pause.
    Wait(Duration),
    /// Inject a fault.
    Fault(SimFault),
    /// Remove all faults.
    Clear,
    /// Change how answers are split.
    Chunk(Chunking),
    /// Unplug the device.
    Unplug,
    /// Plug it back in.
    Replug,
}

/// A parsed scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scenario {
    /// The steps in order.
    pub steps: Vec<Step>,
}

/// A line that is not a valid step.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ScenarioError {
    /// What is wrong and where.
    #[error("line {line}: {message}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// Explanation.
        message: String,
    },
    /// The file could not be read.
    #[error("cannot read scenario {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

impl Scenario {
    /// Parses scenario text.
    pub fn parse(text: &str) -> Result<Self, ScenarioError> {
        let mut steps = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let step = line
                .parse::<Step>()
                .map_err(|message| ScenarioError::Syntax {
                    line: index + 1,
                    message,
                })?;
            steps.push(step);
        }
        Ok(Self { steps })
    }

    /// Reads and parses a scenario file.
    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::parse(&text)
    }
}

impl FromStr for Step {
    type Err = String;

    /// Parses one step (no comment, trimmed).
    fn from_str(line: &str) -> Result<Self, String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let step = match words.as_slice() {
            ["place", id] => {
                if samples::sample(id).is_none() {
                    let known: Vec<_> = samples::sample_ids().collect();
                    return Err(format!(
                        "unknown sample '{id}' (known: {})",
                        known.join(", ")
                    ));
                }
                Step::Place((*id).to_string())
            }
            ["remove"] => Step::Remove,
            ["wait", duration] => Step::Wait(parse_duration(duration)?),
            ["fault", "sam"] => Step::Fault(SimFault::SamSelfTest),
            ["fault", "sam-unauthorised" | "sam-unauthorized"] => {
                Step::Fault(SimFault::SamUnauthorised)
            }
            ["fault", "silent"] => Step::Fault(SimFault::Silent),
            ["fault", "read"] => Step::Fault(SimFault::ReadFails),
            ["fault", "checksum"] => Step::Fault(SimFault::CorruptChecksum),
            ["fault", "garbage"] => {
                Step::Fault(SimFault::Garbage(vec![0x00, 0xAA, 0x55, 0xAA, 0xAA, 0x13]))
            }
            ["fault", "status", code] => Step::Fault(SimFault::NextStatus(parse_code(code)?)),
            ["clear"] | ["fault", "clear"] => Step::Clear,
            ["chunk", "off"] => Step::Chunk(Chunking::default()),
            ["chunk", size] => Step::Chunk(Chunking {
                size: parse_size(size)?,
                delay: Duration::ZERO,
            }),
            ["chunk", size, delay] => Step::Chunk(Chunking {
                size: parse_size(size)?,
                delay: parse_duration(delay)?,
            }),
            ["unplug"] => Step::Unplug,
            ["replug"] => Step::Replug,
            _ => return Err(format!("unknown step '{line}'")),
        };
        Ok(step)
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("bad duration '{text}' (use e.g. 500ms or 2s)");
    if let Some(ms) = text.strip_suffix("ms") {
        return ms
            .parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| bad());
    }
    if let Some(s) = text.strip_suffix('s') {
        let secs: f64 = s.parse().map_err(|_| bad())?;
        return Duration::try_from_secs_f64(secs).map_err(|_| bad());
    }
    Err(bad())
}

fn parse_code(text: &str) -> Result<u8, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u8::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|_| format!("bad status code '{text}' (use e.g. 0x24)"))
}

fn parse_size(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "bad chunk size '{text}' (a positive number of bytes)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_steps_parse() {
        let text = "# demo\nplace resident-zhang\nwait 2s\nwait 1.5s # comment\nwait 500ms\nremove\n\
                    fault sam\nfault status 0x24\nclear\nchunk 1 2ms\nchunk off\nunplug\nreplug\n";
        let scenario = Scenario::parse(text).unwrap();
        assert_eq!(scenario.steps.len(), 12);
        assert_eq!(scenario.steps[0], Step::Place("resident-zhang".into()));
        assert_eq!(scenario.steps[2], Step::Wait(Duration::from_millis(1500)));
        assert_eq!(scenario.steps[6], Step::Fault(SimFault::NextStatus(0x24)));
        assert_eq!(
            scenario.steps[8],
            Step::Chunk(Chunking {
                size: 1,
                delay: Duration::from_millis(2)
            })
        );
    }

    #[test]
    fn errors_name_the_line() {
        let err = Scenario::parse("remove\nplace nobody\n").unwrap_err();
        assert!(
            matches!(&err, ScenarioError::Syntax { line: 2, message } if message.contains("nobody")),
            "{err}"
        );
        let err = Scenario::parse("wait soon").unwrap_err();
        assert!(err.to_string().starts_with("line 1: bad duration"), "{err}");
        assert!(Scenario::parse("fault status 0x1FF").is_err());
        assert!(Scenario::parse("chunk 0").is_err());
        assert!(Scenario::parse("dance").is_err());
    }
}
