//! Cost of one staff PIN check (Argon2id, m = 64 MiB, t = 3, p = 1), and of a wrong PIN on
//! a terminal with several accounts (the menu checks the PIN against each account).
//!
//! Run with `cargo bench --bench pin_hash`.

#[path = "support/machine.rs"]
mod support_machine;
use support_machine::machine;

use std::time::{Duration, Instant};

use legal_kiosk::domain::maintenance::pin::Pin;
use legal_kiosk::domain::maintenance::pin_hash::{
    M_COST_KIB, P_COST, T_COST, hash_pin, verify_pin,
};

const RUNS: u32 = 10;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let pin = Pin::parse("739152").expect("a valid PIN");
    let stored = hash_pin(&pin).expect("hashing works");
    let mut checks = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        assert!(verify_pin(&pin, &stored));
        checks.push(start.elapsed());
    }
    let one = median(checks);
    println!("machine: {}", machine());
    println!(
        "argon2id m={} KiB t={T_COST} p={P_COST}: one PIN check, median of {RUNS}: {:.0} ms",
        M_COST_KIB,
        one.as_secs_f64() * 1000.0
    );
    for accounts in [1u32, 3, 5, 10] {
        println!(
            "  wrong PIN with {accounts} accounts: about {:.2} s",
            one.as_secs_f64() * f64::from(accounts)
        );
    }
}
