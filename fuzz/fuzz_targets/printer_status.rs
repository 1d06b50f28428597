#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hardware::fuzz::printer_status(data));
