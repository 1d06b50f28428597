//! systemd's watchdog: the real kiosk binary (desktop build, on a virtual X display) tells
//! a fake `NOTIFY_SOCKET` that it is ready and pings from its UI loop; when the UI thread
//! hangs (`LEGAL_KIOSK_STALL_UI_AFTER_SECS`), the pings stop while the process lives on,
//! which is exactly when systemd must restart it.

use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn xvfb() -> (Killed, String) {
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
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::path::Path::new(&socket).exists() {
        assert!(Instant::now() < deadline, "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (Killed(child), format!(":{n}"))
}

/// Each datagram received until `until` or until one satisfies `stop`, with when it arrived.
fn messages_until(
    socket: &UnixDatagram,
    until: Instant,
    stop: impl Fn(&str) -> bool,
) -> Vec<(Instant, String)> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return out;
        }
        socket.set_read_timeout(Some(left)).unwrap();
        match socket.recv(&mut buf) {
            Ok(n) => {
                let message = String::from_utf8_lossy(&buf[..n]).into_owned();
                let done = stop(&message);
                out.push((Instant::now(), message));
                if done {
                    return out;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return out;
            }
            Err(e) => panic!("reading the notify socket: {e}"),
        }
    }
}

#[test]
fn a_hung_ui_stops_the_watchdog_pings() {
    let (_xvfb, display) = xvfb();
    let dir = tempfile::tempdir().unwrap();
    let notify_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&notify_path).unwrap();

    // WatchdogSec=1.5 s: a ping every 500 ms. The UI hangs 4 s after its first frame.
    let child = Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .env("DISPLAY", &display)
        .env("SLINT_SCALE_FACTOR", "0.25")
        .env("XDG_DATA_HOME", dir.path())
        .env("NOTIFY_SOCKET", &notify_path)
        .env("WATCHDOG_USEC", "1500000")
        .env_remove("WATCHDOG_PID")
        .env("LEGAL_KIOSK_STALL_UI_AFTER_SECS", "4")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("legal-kiosk");
    let mut child = Killed(child);

    // Start-up on a loaded CI machine can be slow; READY=1 may take a while.
    let early = messages_until(&socket, Instant::now() + Duration::from_secs(120), |m| {
        m.lines().any(|l| l == "READY=1")
    });
    let ready_at = early
        .iter()
        .find(|(_, m)| m.lines().any(|l| l == "READY=1"))
        .map(|(at, _)| *at)
        .expect("READY=1 once the first frame is up");

    let later = messages_until(&socket, ready_at + Duration::from_secs(10), |_| false);
    let pings: Vec<Instant> = early
        .iter()
        .chain(&later)
        .filter(|(_, m)| m.lines().any(|l| l == "WATCHDOG=1"))
        .map(|(at, _)| *at)
        .collect();
    let while_running = pings
        .iter()
        .filter(|at| **at <= ready_at + Duration::from_millis(3500))
        .count();
    assert!(
        while_running >= 4,
        "a ping every 500 ms while the UI runs; got {while_running} in the first 3.5 s"
    );
    let last = *pings.last().expect("pings");
    assert!(
        last < ready_at + Duration::from_secs(5),
        "no ping after the UI hung ({:?} after READY)",
        last - ready_at
    );
    assert!(
        child.0.try_wait().unwrap().is_none(),
        "the process is still there, hung: only the watchdog gets it restarted"
    );
}
