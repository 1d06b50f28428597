//! Status query round trip and a whole confirmed ticket against the pseudo-terminal
//! simulator: `cargo bench -p hardware --bench printer_status`.

#[path = "machine.rs"]
mod machine;
#[path = "../tests/common/sample_ticket.rs"]
mod sample_ticket;

use std::time::{Duration, Instant};

use hardware::printer::sim::{SimOptions, SimPrinter};
use hardware::printer::{Printer, PrinterConfig};

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

    let ticket = sample_ticket::sample_ticket().document();
    let mut times = Vec::new();
    for _ in 0..100 {
        let start = Instant::now();
        printer.print(&ticket).map_err(|e| e.to_string())?;
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "print() of a ticket = status + send + GS r 1 confirmation, instant simulated mechanism: median {:.0} µs, p95 {:.0} µs",
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
