#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kiosk_registry::institutions::csv::fuzz(data));
