//! CPU used by the polling thread while it polls the simulated reader with no card
//! (find every 300 ms, the default). Measures the driver thread and the simulator thread
//! separately from the kernel's per-thread accounting. Target: driver < 1% of one core.
//!
//! `cargo bench -p hardware --bench idcard_idle_cpu [-- SECONDS]` (default 10 s)

#[path = "idcard_common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use hardware::idcard::sim::Simulator;
use hardware::idcard::{ReaderConfig, ReaderEvent, spawn_poller};

/// Nanoseconds of CPU used so far by each thread whose name is `name`: the first field of
/// /proc/self/task/*/schedstat when the kernel keeps it, else utime + stime from stat.
fn thread_cpu_ns(name: &str) -> Option<u64> {
    // /proc reports times in USER_HZ ticks, 100 per second on every Linux ABI we run on.
    let ticks_ns = 10_000_000u64;
    let mut total = None;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let from_schedstat = std::fs::read_to_string(task.path().join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
        let ns = from_schedstat.or_else(|| {
            let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
            // Fields after the parenthesised command name; utime and stime are 14 and 15.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: u64 = fields.get(11)?.parse().ok()?;
            let stime: u64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) * ticks_ns)
        })?;
        *total.get_or_insert(0) += ns;
    }
    total
}

fn main() {
    let seconds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().expect("temp dir");
    let link = dir.path().join("idcard-reader");
    let sim = Simulator::start_linked(&link).expect("simulator starts");
    let config = ReaderConfig::for_device(&link);
    let (poller, events) = spawn_poller(config.clone()).expect("poller starts");
    match events.recv_timeout(Duration::from_secs(10)) {
        Ok(ReaderEvent::Connected(_)) => {}
        other => panic!("reader did not connect: {other:?}"),
    }
    let finds_before = sim.stats().finds;
    let driver_before = thread_cpu_ns("idcard-poller").expect("poller thread visible");
    let sim_before = thread_cpu_ns("idcard-sim").expect("simulator thread visible");
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let wall = started.elapsed();
    let driver = thread_cpu_ns("idcard-poller").expect("poller thread visible") - driver_before;
    let simulator = thread_cpu_ns("idcard-sim").expect("simulator thread visible") - sim_before;
    let finds = sim.stats().finds - finds_before;
    while let Ok(event) = events.try_recv() {
        assert!(
            !matches!(event, ReaderEvent::Fault(_)),
            "fault while idle: {event:?}"
        );
    }
    poller.stop();
    let share = |ns: u64| ns as f64 / wall.as_nanos() as f64 * 100.0;
    println!(
        "idcard idle polling, no card, poll interval {} ms, {:.1} s measured, {finds} finds",
        config.poll_interval_ms,
        wall.as_secs_f64()
    );
    println!(
        "  driver thread (idcard-poller): {:.3} ms CPU = {:.4}% of one core (target < 1%)",
        driver as f64 / 1e6,
        share(driver)
    );
    println!(
        "  simulator thread (idcard-sim): {:.3} ms CPU = {:.4}% of one core (not part of the kiosk)",
        simulator as f64 / 1e6,
        share(simulator)
    );
    println!("  machine: {}", common::machine());
}
