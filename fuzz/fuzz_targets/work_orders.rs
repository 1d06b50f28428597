#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| provisioning::work_orders::fuzz(data));
