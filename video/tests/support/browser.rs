//! The lawyer in headless Chromium: `tests/browser/lawyer.mjs` (playwright-core), one
//! command per line, one JSON answer per line.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

pub struct Lawyer {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/browser")
}

impl Lawyer {
    /// Opens the console of the registry at `url`.
    pub fn open(url: &str) -> Self {
        let dir = browser_dir();
        assert!(
            dir.join("node_modules/playwright-core").exists(),
            "playwright-core is missing: run scripts/install-deps.sh test"
        );
        let mut child = Command::new("node")
            .arg(dir.join("lawyer.mjs"))
            .arg(url)
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

    /// Sends a command; returns its answer, failing the test if the console failed.
    pub fn run(&mut self, command: &str) -> Value {
        writeln!(self.input, "{command}").unwrap();
        self.input.flush().unwrap();
        let mut line = String::new();
        self.output.read_line(&mut line).unwrap();
        let answer: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("console answered {line:?} to {command}: {e}"));
        assert_eq!(answer["ok"], true, "{command}: {answer}");
        answer
    }
}

impl Drop for Lawyer {
    fn drop(&mut self) {
        let _ = writeln!(self.input, "quit");
        let _ = self.input.flush();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
