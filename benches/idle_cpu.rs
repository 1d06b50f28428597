//! Idle CPU benchmark: the CPU time the real kiosk binary (desktop build, software
//! renderer, full 1080x1920 panel) uses while nobody touches it, on its home screen and
//! with the screen-saver on, over 30 s each; read from the scheduler's per-thread counters
//! (/proc/<pid>/task/*/schedstat), with /proc/<pid>/stat's utime + stime as a check.
//! Targets: home < 1 % of one core, screen-saver < 0.5 %.
//!
//! As on a terminal: a fake systemd notify socket makes the watchdog pings part of the
//! figure, and a simulated GPIO board its input and light threads. The printer is on a
//! serial line, its simulator in the benchmark's own process: on the terminal the printer
//! is a device, and the simulator's polling is not the kiosk's work.
//!
//! Run with `cargo bench --bench idle_cpu` (needs Xvfb: `scripts/install-deps.sh run`).
//! The X server's own work is not counted; on the terminal there is none (KMS).

#[path = "support/xvfb.rs"]
mod support_xvfb;
use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support_xvfb::start_xvfb;

use hardware::printer::PaperWidth;
use hardware::printer::sim::{SimPrinter, start_desktop};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat};

const MEASURE: Duration = Duration::from_secs(30);

fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split(':').nth(1))
        })
        .map_or("unknown CPU", str::trim)
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?").to_string();
    format!("{model}, {cores} cores, load average {load} at start")
}

/// CPU time of all of `pid`'s threads, in seconds: the scheduler's nanosecond count
/// (`/proc/<pid>/task/*/schedstat`), since utime + stime in `/proc/<pid>/stat` count whole
/// 10 ms ticks, too coarse for an idle process over 30 s.
fn cpu_seconds(pid: u32) -> f64 {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("the kiosk runs");
    let mut nanos = 0u64;
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        nanos += stat
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    nanos as f64 / 1e9
}

/// utime + stime of `pid` (all threads, including ended ones), in seconds.
fn cpu_seconds_ticks(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the kiosk runs");
    // Fields after the command name in parentheses (which may hold spaces).
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    ticks as f64 / hz
}

/// The colour of the pixel at (x, y) of the screen, as (r, g, b).
fn pixel(display: &str, x: i16, y: i16) -> Option<(u8, u8, u8)> {
    let (conn, screen) = x11rb::connect(Some(display)).ok()?;
    let root = conn.setup().roots[screen].root;
    let reply = conn
        .get_image(ImageFormat::Z_PIXMAP, root, x, y, 1, 1, !0)
        .ok()?
        .reply()
        .ok()?;
    let px = &reply.data;
    (px.len() >= 3).then(|| (px[2], px[1], px[0]))
}

fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

struct Run {
    child: Child,
    _printer: SimPrinter,
    _dir: tempfile::TempDir,
    _notify: UnixDatagram,
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_kiosk(display: &str, screensaver_after_secs: u64) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("kiosk.toml");
    // As on a terminal: a printer on a serial line (simulated here, in this process, so
    // that its work is not the kiosk's), and a GPIO board with presence sensor, button
    // and lamp (simulated in the kiosk's process, waking as the kernel's lines would).
    let link = dir.path().join("printer");
    let (printer, _jobs) = start_desktop(&link, PaperWidth::Mm80).expect("the simulated printer");
    std::fs::write(
        &config,
        format!(
            "[screensaver]\nafter_secs = {screensaver_after_secs}\n\
             [printer]\nkind = \"device\"\n\
             [printer.driver]\ntransport = \"serial\"\ndevice = {link:?}\n\
             [gpio]\nkind = \"simulator\"\n\
             [gpio.driver.presence]\nline = 17\n\
             [gpio.driver.call_button]\nline = 27\nactive_low = true\n\
             [gpio.driver.light]\nline = 22\n"
        ),
    )
    .expect("config");
    let notify_path = dir.path().join("notify.sock");
    let notify = UnixDatagram::bind(&notify_path).expect("notify socket");
    notify.set_nonblocking(true).expect("non-blocking");
    let child = Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .arg("--config")
        .arg(&config)
        .env("DISPLAY", display)
        .env("SLINT_SCALE_FACTOR", "1")
        .env("XDG_DATA_HOME", dir.path())
        .env("NOTIFY_SOCKET", &notify_path)
        .env("WATCHDOG_USEC", "30000000")
        .env("LEGAL_KIOSK_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("legal-kiosk");
    Run {
        child,
        _printer: printer,
        _dir: dir,
        _notify: notify,
    }
}

/// Percent of one core over [`MEASURE`]: precise (scheduler) and in 10 ms ticks.
fn measure(run: &Run) -> (f64, f64) {
    let pid = run.child.id();
    let (cpu0, ticks0, t0) = (cpu_seconds(pid), cpu_seconds_ticks(pid), Instant::now());
    std::thread::sleep(MEASURE);
    let (cpu1, ticks1, t1) = (cpu_seconds(pid), cpu_seconds_ticks(pid), Instant::now());
    let wall = (t1 - t0).as_secs_f64();
    (
        100.0 * (cpu1 - cpu0) / wall,
        100.0 * (ticks1 - ticks0) / wall,
    )
}

fn main() {
    println!("machine: {}", machine());
    let (mut xvfb, display) = start_xvfb("1088x1928x24");
    // The home screen's header is deep red; the screen-saver is near black.
    let header = || pixel(&display, 100, 20);
    let home_shown = || header().is_some_and(|(r, g, b)| r > 150 && g < 70 && b < 70);
    let saver_shown = || header().is_some_and(|(r, g, b)| r < 30 && g < 30 && b < 30);

    let home = {
        let run = start_kiosk(&display, 0);
        wait_for("the home screen", Duration::from_secs(60), home_shown);
        // Let start-up work (store, printer thread's first status) finish.
        std::thread::sleep(Duration::from_secs(5));
        measure(&run)
    };
    wait_for("the window to close", Duration::from_secs(10), || {
        !home_shown()
    });
    println!(
        "idle CPU, home screen (1080x1920, clock and watchdog running): {:.3} % of one core over {} s ({:.3} % in whole ticks; target < 1 %)",
        home.0,
        MEASURE.as_secs(),
        home.1
    );

    let saver = {
        let run = start_kiosk(&display, 30);
        wait_for("the home screen", Duration::from_secs(60), home_shown);
        wait_for("the screen-saver", Duration::from_secs(60), saver_shown);
        std::thread::sleep(Duration::from_secs(2));
        measure(&run)
    };
    println!(
        "idle CPU, screen-saver (attract step every 8 s, watchdog running): {:.3} % of one core over {} s ({:.3} % in whole ticks; target < 0.5 %)",
        saver.0,
        MEASURE.as_secs(),
        saver.1
    );
    let _ = xvfb.kill();
    let _ = xvfb.wait();
}
