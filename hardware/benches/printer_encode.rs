//! Encoding one queue ticket: time per ticket and bytes per ticket, and the bytes
//! python-escpos produces for the same content with its default (image) QR code.
//!
//! `cargo bench -p hardware --bench printer_encode`; for the comparison run
//! `scripts/setup-python-escpos.sh` first.

#[path = "machine.rs"]
mod machine;
#[path = "../tests/common/sample_ticket.rs"]
mod sample_ticket;

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hardware::printer::{EncodeOptions, PaperWidth, encode};
use sample_ticket::{SampleTicket, sample_ticket};

fn python_escpos_bytes(ticket: &SampleTicket, paper: PaperWidth) -> Result<usize, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| root.join(dir)) // a relative CARGO_TARGET_DIR is the workspace's
        .unwrap_or_else(|| root.join("target"));
    let python = target.join("python-escpos/bin/python");
    if !python.exists() {
        return Err(format!(
            "{} missing; run scripts/setup-python-escpos.sh",
            python.display()
        ));
    }
    let json = serde_json::to_vec(&ticket.document()).map_err(|e| e.to_string())?;
    let mut child = Command::new(python)
        .arg(root.join("scripts/python_escpos_ticket.py"))
        .arg(paper.columns().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(&json)
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .parse()
        .map_err(|e| format!("unexpected output: {e}"))
}

fn main() {
    let ticket = sample_ticket();
    println!("machine: {}", machine::describe());
    for paper in [PaperWidth::Mm80, PaperWidth::Mm58] {
        let options = EncodeOptions {
            paper,
            gbk_only: false,
        };
        let doc = ticket.document();
        let bytes = match encode(&doc, &options) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("encoding failed: {e}");
                std::process::exit(1);
            }
        };
        // Warm up, then time batches and keep the median batch.
        for _ in 0..200 {
            let _ = black_box(encode(black_box(&doc), &options));
        }
        let batch = 2000;
        let mut per_ticket: Vec<Duration> = (0..15)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..batch {
                    let _ = black_box(encode(black_box(&ticket.document()), &options));
                }
                start.elapsed() / batch
            })
            .collect();
        per_ticket.sort();
        let median = per_ticket[per_ticket.len() / 2];
        println!(
            "{} mm: encode one ticket (document build + ESC/POS): median {:.1} µs (min {:.1} µs), target < 100 µs",
            if paper == PaperWidth::Mm80 { 80 } else { 58 },
            median.as_secs_f64() * 1e6,
            per_ticket[0].as_secs_f64() * 1e6
        );
        println!(
            "{} mm: bytes per ticket: {} (target < 1024 at 80 mm)",
            if paper == PaperWidth::Mm80 { 80 } else { 58 },
            bytes.len()
        );
        match python_escpos_bytes(&ticket, paper) {
            Ok(py) => println!(
                "{} mm: python-escpos 3.1, same content, default image QR: {py} bytes; ratio python-escpos / ours = {:.1}",
                if paper == PaperWidth::Mm80 { 80 } else { 58 },
                py as f64 / bytes.len() as f64
            ),
            Err(e) => println!("python-escpos comparison skipped: {e}"),
        }
    }
}
