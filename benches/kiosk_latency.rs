//! Latency benchmark of the citizen's two first moments, through the real kiosk assembly
//! (store, threads, controller, UI on Slint's testing backend) and the device simulators
//! over pseudo-terminals:
//!
//! * tap to ticket: from the tap on a service to the last byte of the ticket reaching the
//!   printer (a pty has no baud-rate delay, so serial transfer time is excluded), and to the
//!   number on screen;
//! * card to greeting: from the reader's last response byte (the simulator serving the read)
//!   to the masked greeting on screen.
//!
//! Run with `cargo bench --bench kiosk_latency`.

#[path = "../tests/common/mod.rs"]
mod common;

#[path = "support/machine.rs"]
mod support_machine;
use support_machine::machine;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::Kiosk;

const TICKETS: usize = 100;
const CARDS: usize = 30;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(what: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{what}: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms (n = {})",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms[ms.len() - 1],
        ms.len()
    );
}

fn main() {
    println!("machine: {}", machine());
    let kiosk = Kiosk::start();

    // The printer's own thread timestamps each job as its last byte arrives.
    let jobs = kiosk.printer().subscribe();
    let (arrived_tx, arrived) = mpsc::channel();
    std::thread::spawn(move || {
        for _job in jobs {
            let _ = arrived_tx.send(Instant::now());
        }
    });

    let (mut to_paper, mut to_screen) = (Vec::new(), Vec::new());
    for _ in 0..TICKETS {
        kiosk.tap("取号");
        let tap = Instant::now();
        kiosk.tap("法律咨询");
        kiosk.settle("the number", |k| k.ticket_number().is_some());
        to_screen.push(tap.elapsed().as_secs_f64() * 1e3);
        let last_byte = arrived
            .recv_timeout(Duration::from_secs(10))
            .expect("the ticket was printed");
        to_paper.push((last_byte - tap).as_secs_f64() * 1e3);
        kiosk.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
        kiosk.tap("完成");
    }
    report("tap to number on screen", to_screen);
    report("tap to last ticket byte at the printer", to_paper);

    let mut to_greeting = Vec::new();
    for _ in 0..CARDS {
        let served = kiosk.reader().stats().reads_served;
        kiosk.reader().place_sample("resident-zhang").unwrap();
        // Spin on the simulator's counter: it moves when the read response has been written.
        while kiosk.reader().stats().reads_served == served {
            std::hint::spin_loop();
        }
        let response = Instant::now();
        kiosk.settle("the greeting", |k| k.shows("张*，您好"));
        to_greeting.push(response.elapsed().as_secs_f64() * 1e3);
        kiosk.reader().remove();
        kiosk.settle("the session ends", |k| !k.kiosk.ui.has_identity());
    }
    report("card read response to greeting on screen", to_greeting);
}
