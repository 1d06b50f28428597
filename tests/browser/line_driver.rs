//! A page driver of this folder (`lawyer.mjs`, `ops_console.mjs`) run by Node.js from a Rust
//! test: one command per line, one JSON answer per line (see `line_driver.mjs`). Included
//! with `#[path]` by the test crates that drive pages.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// A running driver.
pub struct LineDriver {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

/// This folder.
pub fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|d| d.join("tests/browser/line_driver.mjs").exists())
        .expect("the workspace's tests/browser")
        .join("tests/browser")
}

impl LineDriver {
    /// Starts `node SCRIPT ARGS…` in this folder.
    pub fn open(script: &str, args: &[&str]) -> Self {
        let dir = browser_dir();
        assert!(
            dir.join("node_modules/playwright-core").exists(),
            "playwright-core is missing: run scripts/install-deps.sh test"
        );
        let mut child = Command::new("node")
            .arg(dir.join(script))
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node (scripts/install-deps.sh test)");
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            input,
            output,
        }
    }

    /// Sends a command; returns its answer (`ok` true or false).
    pub fn try_run(&mut self, command: &str) -> Value {
        writeln!(self.input, "{command}").unwrap();
        self.input.flush().unwrap();
        let mut line = String::new();
        self.output.read_line(&mut line).unwrap();
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the page driver answered {line:?} to {command}: {e}"))
    }

    /// Sends a command; returns its answer, failing the test if the page failed.
    pub fn run(&mut self, command: &str) -> Value {
        let answer = self.try_run(command);
        assert_eq!(answer["ok"], true, "{command}: {answer}");
        answer
    }
}

impl Drop for LineDriver {
    fn drop(&mut self) {
        let _ = writeln!(self.input, "quit");
        let _ = self.input.flush();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
