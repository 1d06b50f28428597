#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kiosk_registry::directory::fuzz(data));
