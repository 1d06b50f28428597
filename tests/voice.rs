//! Voice guidance's speech for real (issue 21): espeak-ng synthesises a ticket result in
//! Mandarin and in Korean, GStreamer plays it into a WAV file sink, and the file holds
//! sound of a plausible length; the text the log records holds the number and the people
//! ahead and never a name or an ID number, which the terminal refuses to say at all.

mod common;

use legal_kiosk::devices::speech::{SpeechError, say};
use legal_kiosk::domain::voice::ticket_result;
use legal_kiosk::i18n::Lang;

/// (seconds, RMS of the 16-bit samples) of a PCM WAV file.
fn measure(wav: &[u8]) -> (f64, f64) {
    let chunk = |id: &[u8]| {
        let mut at = 12;
        while at + 8 <= wav.len() {
            let size = u32::from_le_bytes(wav[at + 4..at + 8].try_into().unwrap()) as usize;
            if &wav[at..at + 4] == id {
                return &wav[at + 8..(at + 8 + size).min(wav.len())];
            }
            at += 8 + size + (size & 1);
        }
        panic!("no {:?} chunk", String::from_utf8_lossy(id));
    };
    let fmt = chunk(b"fmt ");
    let channels = u16::from_le_bytes([fmt[2], fmt[3]]) as usize;
    let rate = u32::from_le_bytes(fmt[4..8].try_into().unwrap()) as f64;
    assert_eq!(u16::from_le_bytes([fmt[14], fmt[15]]), 16, "16-bit samples");
    let samples: Vec<f64> = chunk(b"data")
        .chunks_exact(2)
        .map(|b| f64::from(i16::from_le_bytes([b[0], b[1]])))
        .collect();
    let rms = (samples.iter().map(|s| s * s).sum::<f64>() / samples.len().max(1) as f64).sqrt();
    (samples.len() as f64 / channels as f64 / rate, rms)
}

#[test]
fn a_ticket_result_is_spoken_in_mandarin_and_korean_and_an_id_number_never() {
    common::captured_logs(); // the log capture, from the first line
    let dir = tempfile::tempdir().unwrap();
    for (lang, service) in [(Lang::ZhCn, "法律援助"), (Lang::KoKr, "법률원조")] {
        let text = ticket_result("B012", service, 3, lang);
        let out = dir.path().join(format!("{}.wav", lang.code()));
        say(
            &text,
            lang,
            &format!("wavenc ! filesink location={}", out.display()),
            1.0,
        )
        .unwrap();
        let (seconds, rms) = measure(&std::fs::read(&out).unwrap());
        assert!(
            (1.5..20.0).contains(&seconds),
            "{lang:?}: {seconds:.1} s of speech for {text:?}"
        );
        assert!(rms > 200.0, "{lang:?}: not silent (RMS {rms:.0})");
    }

    let logs = String::from_utf8(common::captured_logs()).unwrap();
    let spoken: Vec<&str> = logs.lines().filter(|l| l.contains("speaking")).collect();
    assert_eq!(spoken.len(), 2, "{logs}");
    assert!(spoken[0].contains("B 零 一 二") && spoken[0].contains("前面还有 3 人"));
    assert!(spoken[1].contains("B 영 일 이") && spoken[1].contains("3명"));

    let refused = say(
        "您的身份证号 110101198506150019",
        Lang::ZhCn,
        "fakesink",
        1.0,
    );
    assert!(
        matches!(refused, Err(SpeechError::Refused(_))),
        "{refused:?}"
    );
    let logs = String::from_utf8(common::captured_logs()).unwrap();
    assert!(!logs.contains("110101198506150019"));
}
