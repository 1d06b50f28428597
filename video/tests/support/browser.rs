//! The lawyer in headless Chromium: `tests/browser/lawyer.mjs` (playwright-core), one
//! command per line, one JSON answer per line.
#![allow(dead_code)]

#[path = "../../../tests/browser/line_driver.rs"]
mod line_driver;

use line_driver::LineDriver;
use serde_json::Value;

pub struct Lawyer(LineDriver);

impl Lawyer {
    /// Opens the console of the registry at `url`.
    pub fn open(url: &str) -> Self {
        Self(LineDriver::open("lawyer.mjs", &[url]))
    }

    /// Sends a command; returns its answer, failing the test if the console failed.
    pub fn run(&mut self, command: &str) -> Value {
        self.0.run(command)
    }
}
