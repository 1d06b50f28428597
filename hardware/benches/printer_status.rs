//! Status query round trip and a whole confirmed ticket against the pseudo-terminal
//! simulator: `cargo bench -p hardware --bench printer_status`.

#[path = "machine.rs"]
mod machine;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hardware::printer::sim::{SimOptions, SimPrinter};
use hardware::printer::{Printer, PrinterConfig, TicketContent};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

fn run() -> Result<(), String> {
    println!("machine: {}", machine::describe());
    let sim = SimPrinter::start(SimOptions::default()).map_err(|e| e.to_string())?;
    let path = sim.path().ok_or("simulator has no path")?;
    let mut printer =
        Printer::open(&PrinterConfig::serial(path.to_string_lossy())).map_err(|e| e.to_string())?;
    for _ in 0..20 {
        printer.status().map_err(|e| e.to_string())?;
    }
    let mut times = Vec::new();
    for _ in 0..300 {
        let start = Instant::now();
        printer.status().map_err(|e| e.to_string())?;
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "status() = DLE EOT 1, 2, 4 round trips over a pty: median {:.0} µs, p95 {:.0} µs ({} samples; ~{:.0} µs per query)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times.len(),
        percentile(&times, 0.5) / 3.0
    );

    let taken = NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|d| d.and_hms_opt(14, 3, 0))
        .ok_or("bad date")?;
    let ticket = TicketContent::new(
        "朝阳区公共法律服务中心",
        "法律援助",
        "A012",
        3,
        taken,
        "https://q.example.gov.cn/t/7f3a9c2e",
    );
    let mut times = Vec::new();
    for _ in 0..100 {
        let start = Instant::now();
        printer.print_ticket(&ticket).map_err(|e| e.to_string())?;
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "print_ticket() = status + send + GS r 1 confirmation, instant simulated mechanism: median {:.0} µs, p95 {:.0} µs",
        percentile(&times, 0.5),
        percentile(&times, 0.95)
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("benchmark failed: {e}");
        std::process::exit(1);
    }
}
