#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kiosk_registry::fuzz::range_header(data));
