//! Parse and validate one full read response: frame reassembly, XOR check, payload
//! lengths, text-block parse, date conversion and the ID-number check. Target: < 20 µs.
//!
//! `cargo bench -p hardware --bench idcard_parse`

#[path = "idcard_common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Instant;

use hardware::idcard::frame::{FrameDecoder, Response};
use hardware::idcard::read::parse_read_payload;
use hardware::idcard::sim::{read_response_frame, samples};

fn parse_one(decoder: &mut FrameDecoder, wire: &[u8]) -> bool {
    decoder.push(wire);
    let Some(Ok(frame)) = decoder.next_frame() else {
        return false;
    };
    let Ok(response) = Response::from_frame(frame) else {
        return false;
    };
    match parse_read_payload(response.data(), false) {
        Ok(read) => read.card.id_number_valid(),
        Err(_) => false,
    }
}

fn main() {
    let wires: Vec<Vec<u8>> = [
        "resident-zhang",
        "hmt-chen",
        "foreign-2017-tester",
        "foreign-2023-sample",
    ]
    .iter()
    .map(|id| read_response_frame(&samples::sample(id).expect("sample exists")))
    .collect();
    let mut decoder = FrameDecoder::for_responses();
    for wire in &wires {
        assert!(parse_one(&mut decoder, wire), "sample parses and validates");
    }
    const BATCH: usize = 1000;
    const BATCHES: usize = 50;
    let mut per_read_ns = Vec::with_capacity(BATCHES * wires.len());
    for wire in &wires {
        for _ in 0..BATCHES {
            let start = Instant::now();
            for _ in 0..BATCH {
                black_box(parse_one(&mut decoder, black_box(wire)));
            }
            per_read_ns.push(start.elapsed().as_nanos() as f64 / BATCH as f64);
        }
    }
    per_read_ns.sort_by(f64::total_cmp);
    let median = per_read_ns[per_read_ns.len() / 2];
    let worst = per_read_ns[per_read_ns.len() - 1];
    println!(
        "idcard parse+validate of one {}-byte read frame",
        wires[0].len()
    );
    println!(
        "  median {:.2} µs per read, slowest batch {:.2} µs ({} batches of {BATCH}, 4 layouts; target < 20 µs)",
        median / 1000.0,
        worst / 1000.0,
        per_read_ns.len()
    );
    println!("  machine: {}", common::machine());
}
