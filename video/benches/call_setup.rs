//! Video-call figures on loopback (in a loopback-only network namespace), the terminal's
//! call engine against the real lawyer's console in headless Chromium through the real
//! registry:
//!
//! * call set-up: from the lawyer's click on 接听 to the first decoded frame, on each side;
//! * terminal→browser delay p50/p95: the terminal paints its clock into every frame, the
//!   browser reads it from each presented frame;
//! * the terminal's CPU during a 640×480 at 30 fps call (this process: the call engine and
//!   its GStreamer pipeline, plus the in-process registry, which idles).
//!
//! `cargo bench -p kiosk-video --bench call_setup` (needs scripts/install-deps.sh test).

#[path = "../tests/support/browser.rs"]
mod browser;
#[path = "../tests/support/observer.rs"]
mod observer;
#[path = "../tests/support/pilot.rs"]
mod pilot;

use browser::Lawyer;
use kiosk_video::{CallServices, KioskCall, MediaConfig};
use observer::Recorder;
use pilot::Pilot;
use provisioning::signalling::KioskCallState;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const CALLS: usize = 5;
const LATENCY_SAMPLES: usize = 300;

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|m| m.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "{model}, {cores} cores, load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// CPU seconds this process has used (user + system).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line (11 and 12 after the name).
    (ticks(11) + ticks(12)) / 100.0
}

fn ms(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
        * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn services(pilot: &Pilot, stamp_time: bool) -> CallServices {
    CallServices {
        signalling: pilot.signalling(),
        identity: pilot.identity.clone(),
        media: MediaConfig {
            stamp_time,
            ..MediaConfig::loopback()
        },
        echo_cancellation: true,
        media_setup_timeout: Duration::from_secs(20),
        signalling_silence: Duration::from_secs(15),
    }
}

fn call(
    runtime: &tokio::runtime::Runtime,
    pilot: &Pilot,
    stamp: bool,
) -> (KioskCall, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let call = KioskCall::start(
        runtime.handle(),
        services(pilot, stamp),
        None,
        recorder.clone(),
    );
    (call, recorder)
}

fn bench() {
    println!("machine: {}", machine());
    println!("call: 640x480 at 30 fps VP8 + Opus, webrtcdsp on, jitter buffer 100 ms, loopback");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut pilot = Pilot::start(&runtime);
    let mut lawyer = Lawyer::open(&pilot.url);
    lawyer.run(&format!("login {} {}", pilot::LAWYER, pilot::PASSWORD));

    let (mut to_browser, mut to_kiosk) = (Vec::new(), Vec::new());
    for _ in 0..CALLS {
        let (call, recorder) = call(&runtime, &pilot, false);
        lawyer.run("wait-queue 1");
        let answered = lawyer.run("answer")["at"].as_f64().unwrap();
        let browser_first = lawyer.run("first-frame")["at"].as_f64().unwrap();
        recorder.wait_frames(1, 20);
        let kiosk_first = ms(*recorder
            .first_remote_at
            .get()
            .expect("a frame on the terminal"));
        to_browser.push(browser_first - answered);
        to_kiosk.push(kiosk_first - answered);
        call.hang_up();
        lawyer.run("wait-ended");
        recorder.wait_report(20);
    }
    to_browser.sort_by(f64::total_cmp);
    to_kiosk.sort_by(f64::total_cmp);
    println!(
        "call set-up, answer → first decoded frame ({CALLS} calls): browser p50 {:.0} ms (max {:.0}), terminal p50 {:.0} ms (max {:.0})",
        percentile(&to_browser, 0.5),
        percentile(&to_browser, 1.0),
        percentile(&to_kiosk, 0.5),
        percentile(&to_kiosk, 1.0)
    );

    let (call, recorder) = call(&runtime, &pilot, true);
    lawyer.run("wait-queue 1");
    lawyer.run("answer");
    recorder.wait_for("the call", 30, |s| {
        matches!(s, KioskCallState::InCall { .. })
    });
    lawyer.run("wait-media 30");
    std::thread::sleep(Duration::from_secs(2));
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let delays = lawyer.run(&format!("latency {LATENCY_SAMPLES}"))["delays"].clone();
    let (cpu1, elapsed) = (cpu_seconds(), t0.elapsed().as_secs_f64());
    let frames = recorder
        .remote_frames
        .load(std::sync::atomic::Ordering::Relaxed);
    let mut delays: Vec<f64> = delays
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.as_f64())
        .collect();
    delays.sort_by(f64::total_cmp);
    println!(
        "terminal → browser delay ({} frames over {elapsed:.1} s): p50 {:.0} ms, p95 {:.0} ms",
        delays.len(),
        percentile(&delays, 0.5),
        percentile(&delays, 0.95)
    );
    println!(
        "terminal CPU during the call: {:.0} % of one core ({:.2} CPU-s in {elapsed:.1} s; {frames} frames of the lawyer decoded in the whole call)",
        100.0 * (cpu1 - cpu0) / elapsed,
        cpu1 - cpu0
    );
    call.hang_up();
    lawyer.run("wait-ended");
    drop(lawyer);
    pilot.stop(&runtime);
}

fn main() {
    // Like the tests: run again inside a loopback-only network namespace.
    if std::env::var_os("KIOSK_VIDEO_NETNS").is_some() {
        bench();
        return;
    }
    let exe = std::env::current_exe().expect("the bench binary");
    let status = std::process::Command::new("unshare")
        .args(unshare_args())
        .args(["sh", "-c"])
        .arg(r#"ip link set lo up && exec "$0" "$@""#)
        .arg(&exe)
        .args(std::env::args().skip(1))
        .env("KIOSK_VIDEO_NETNS", "1")
        .status()
        .expect("unshare and ip (scripts/install-deps.sh test)");
    std::process::exit(status.code().unwrap_or(1));
}

/// `unshare --net`, plus a user namespace when not root (root needs none, and CI runs as root
/// where user namespaces may be switched off).
fn unshare_args() -> Vec<&'static str> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        == Some("0");
    if root {
        vec!["--net"]
    } else {
        vec!["--net", "--map-root-user"]
    }
}
