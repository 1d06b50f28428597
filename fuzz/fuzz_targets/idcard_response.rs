#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hardware::fuzz::idcard_response(data));
