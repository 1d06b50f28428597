//! Start-up benchmark: process start to first frame on screen and memory, for the home
//! screen of the real kiosk binary (desktop build, software renderer) on a virtual X display;
//! and the whole `legal-kiosk screenshot --page home` run.
//!
//! Run with `cargo bench --bench startup` (needs Xvfb: `scripts/install-deps.sh run`).
//! The first frame is detected from outside, by reading the display's pixels until the
//! home screen's red header appears, so nothing in the kiosk is special-cased for it.

#[path = "support/machine.rs"]
mod support_machine;
#[path = "support/xvfb.rs"]
mod support_xvfb;
use support_machine::machine;
use support_xvfb::start_xvfb;

use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat};

const RUNS: usize = 7;

fn kib_field(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Waits for `child` and returns its peak resident memory in KiB (from wait4's rusage).
fn wait_with_peak_rss(child: &mut Child) -> (std::process::ExitStatus, u64) {
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child with valid out-pointers.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert!(pid > 0, "wait4 failed");
    (
        std::process::ExitStatus::from_raw(status),
        usage.ru_maxrss as u64,
    )
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let exe = env!("CARGO_BIN_EXE_legal-kiosk");
    let data = tempfile::tempdir().expect("temp dir");
    println!("machine: {}", machine());

    // 1. The screenshot command, start to exit.
    let out = data.path().join("home.png");
    let mut wall = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let mut child = Command::new(exe)
            .args(["screenshot", "--page", "home"])
            .arg(&out)
            .env("XDG_DATA_HOME", data.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("legal-kiosk");
        let (status, peak) = wait_with_peak_rss(&mut child);
        wall.push(t0.elapsed().as_secs_f64());
        assert!(status.success(), "screenshot failed");
        rss.push(peak as f64 / 1024.0);
    }
    println!(
        "screenshot --page home (1080x1920): wall median {:.3} s (min {:.3}, max {:.3}); peak RSS median {:.1} MiB",
        median(&mut wall.clone()),
        wall.iter().copied().fold(f64::MAX, f64::min),
        wall.iter().copied().fold(0.0, f64::max),
        median(&mut rss)
    );

    // 2. The kiosk itself on a virtual display, to its first frame.
    let (mut xvfb, display) = start_xvfb("1280x1024x24");
    let (conn, screen) = x11rb::connect(Some(&display)).expect("connect to Xvfb");
    let root = conn.setup().roots[screen].root;
    let header_is_red = || -> bool {
        // The window opens at the origin; its header (deep red) starts at the top.
        let Ok(cookie) = conn.get_image(ImageFormat::Z_PIXMAP, root, 200, 20, 1, 1, !0) else {
            return false;
        };
        let Ok(reply) = cookie.reply() else {
            return false;
        };
        let px = &reply.data;
        // Z-pixmap on a 24-bit TrueColor screen: B, G, R, pad.
        px.len() >= 3 && px[2] > 150 && px[1] < 70 && px[0] < 70
    };
    let mut first_frame = Vec::new();
    let mut rss_at_frame = Vec::new();
    let mut rss_peak = Vec::new();
    for _ in 0..RUNS {
        assert!(!header_is_red(), "the display must be clear before a run");
        let t0 = Instant::now();
        let mut child = Command::new(exe)
            .env("DISPLAY", &display)
            .env("SLINT_SCALE_FACTOR", "0.5")
            .env("XDG_DATA_HOME", data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("legal-kiosk");
        let deadline = t0 + Duration::from_secs(30);
        while !header_is_red() {
            assert!(Instant::now() < deadline, "no frame within 30 s");
            std::thread::sleep(Duration::from_millis(1));
        }
        first_frame.push(t0.elapsed().as_secs_f64());
        rss_at_frame.push(kib_field(child.id(), "VmRSS:") as f64 / 1024.0);
        std::thread::sleep(Duration::from_secs(2));
        rss_peak.push(kib_field(child.id(), "VmHWM:") as f64 / 1024.0);
        let _ = child.kill();
        let _ = child.wait();
        // Let the window disappear before the next run.
        let clear_by = Instant::now() + Duration::from_secs(5);
        while header_is_red() && Instant::now() < clear_by {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    println!(
        "kiosk home screen (desktop build, 540x960 window at scale 0.5): first frame median {:.3} s (min {:.3}, max {:.3}); RSS at first frame median {:.1} MiB; peak RSS after 2 s median {:.1} MiB",
        median(&mut first_frame.clone()),
        first_frame.iter().copied().fold(f64::MAX, f64::min),
        first_frame.iter().copied().fold(0.0, f64::max),
        median(&mut rss_at_frame),
        median(&mut rss_peak)
    );
    let _ = xvfb.kill();
    let _ = xvfb.wait();
}
