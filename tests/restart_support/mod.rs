//! For the remote-restart test: the unit's restart rules, the service manager that applies
//! them, and a virtual X display for the kiosk's window.
#![allow(dead_code)]

pub mod supervisor;
pub mod unit;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Xvfb on a free display number.
pub fn xvfb() -> (Killed, String) {
    let n = (150..250)
        .find(|n| {
            !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free display number");
    let child = Command::new("Xvfb")
        .args([
            &format!(":{n}"),
            "-screen",
            "0",
            "800x600x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (scripts/install-deps.sh test installs it)");
    let socket = format!("/tmp/.X11-unix/X{n}");
    wait_until(Duration::from_secs(20), "Xvfb", || {
        std::path::Path::new(&socket).exists()
    });
    (Killed(child), format!(":{n}"))
}

/// Waits for `done`; a hang fails the test after `limit` (a limit for hangs, not a timing
/// requirement).
pub fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
