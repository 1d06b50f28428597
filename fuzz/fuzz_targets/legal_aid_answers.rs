#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| legal_kiosk::fuzz::legal_aid_answers(data));
