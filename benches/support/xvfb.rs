// A private virtual X display for a benchmark (included with `#[path]` by each bench that
// needs a window).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts Xvfb with one screen of `size` (e.g. "1280x1024x24") on a free display number;
/// returns it and the display name (":N") once its socket is up.
pub fn start_xvfb(size: &str) -> (Child, String) {
    let n = (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free display number");
    let display = format!(":{n}");
    let xvfb = Command::new("Xvfb")
        .args([&display, "-screen", "0", size, "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (install it with scripts/install-deps.sh run)");
    let socket = format!("/tmp/.X11-unix/X{n}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&socket).exists() {
        assert!(Instant::now() < deadline, "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (xvfb, display)
}
