//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer): each runs the real
//! parsers on bytes as a device sends them and checks what must hold for any input. The
//! unit tests below replay the committed corpora (`fuzz/corpus/<target>`) and the inputs of
//! past crashes (`fuzz/regressions/<target>`) on every `cargo test`.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use chrono::NaiveDate;

use crate::idcard::frame::{Frame, FrameDecoder, FrameError, Response};
use crate::idcard::read::{parse_additional_addresses, parse_read_payload};
use crate::idcard::{IdCard, SamId, text};
use crate::printer::transport::Transport;
use crate::printer::{Printer, PrinterConfig, TransportKind};

/// `idcard_response`: a reader's byte stream. The first byte sets how the stream is cut
/// into reads; the rest is what the reader sent. Frames must come out the same however the
/// bytes arrive, and every payload parser runs on every frame's data.
pub fn idcard_response(data: &[u8]) {
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let mut whole = FrameDecoder::for_responses();
    whole.push(stream);
    let at_once = drain(&mut whole);

    let mut pieces = FrameDecoder::for_responses();
    let mut in_pieces = Vec::new();
    for chunk in stream.chunks(usize::from(cut % 64) + 1) {
        pieces.push(chunk);
        in_pieces.extend(drain(&mut pieces));
    }
    assert_eq!(
        at_once, in_pieces,
        "framing must not depend on how the bytes arrive"
    );

    for frame in at_once.into_iter().flatten() {
        let Ok(response) = Response::from_frame(frame) else {
            continue;
        };
        let mut decoder = FrameDecoder::for_responses();
        decoder.push(&response.encode().expect("a decoded frame fits a frame"));
        let again = decoder
            .next_frame()
            .and_then(Result::ok)
            .and_then(|frame| Response::from_frame(frame).ok())
            .expect("an encoded response decodes");
        assert_eq!(again, response, "encoding a decoded response round-trips");
        idcard_payload(response.data());
    }
}

fn drain(decoder: &mut FrameDecoder) -> Vec<Result<Frame, FrameError>> {
    std::iter::from_fn(|| decoder.next_frame()).collect()
}

/// Every parser for the data after SW3, as the driver would use it for each command.
fn idcard_payload(data: &[u8]) {
    for with_fingerprint in [false, true] {
        if let Ok(read) = parse_read_payload(data, with_fingerprint) {
            use_card(&read.card);
        }
    }
    if let Ok(card) = text::parse(data) {
        use_card(&card);
    }
    if let Some(id) = SamId::from_bytes(data) {
        assert_eq!(SamId::from_bytes(&id.to_bytes()), Some(id));
        assert!(!id.to_string().is_empty());
    }
    if let Some(addresses) = parse_additional_addresses(data) {
        assert!(addresses.len() <= 4);
    }
}

/// What the kiosk asks of a card once it is read.
fn use_card(card: &IdCard) {
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a real date");
    let _ = (card.age_on(today), card.is_expired_on(today));
    let _ = (card.display_name(), card.gender(), card.nation());
    let _ = (
        card.id_number_valid(),
        card.valid_from(),
        card.valid_until(),
    );
    let _ = format!("{card:?}");
}

/// `printer_status`: a printer's replies. The driver asks for its status and prints a job;
/// after each thing it writes, the next burst of the input (a length byte, then up to seven
/// bytes) arrives, and what the driver does not read is still waiting at its next question,
/// like a late reply. When the input runs out the printer falls silent.
pub fn printer_status(data: &[u8]) {
    let config = PrinterConfig {
        transport: TransportKind::Tcp,
        device: "fuzz".into(),
        ..PrinterConfig::default()
    };
    let link = ScriptedLink {
        script: data.iter().copied().collect(),
        waiting: VecDeque::new(),
    };
    let mut printer = Printer::with_transport(config, Box::new(link));
    if let Ok(status) = printer.status() {
        assert_eq!(status.ready(), status.refusal().is_none());
        assert!(!status.to_string().is_empty());
    }
    match printer.print_bytes(b"\x1b@ticket A001\n\x1dV\x42\x00") {
        Ok(report) => {
            let before = report
                .status_before
                .expect("a confirmed job was checked first");
            assert!(report.confirmed && before.ready());
        }
        Err(e) => {
            let _ = (e.class(), e.nothing_printed(), e.to_string());
        }
    }
}

struct ScriptedLink {
    script: VecDeque<u8>,
    waiting: VecDeque<u8>,
}

impl Transport for ScriptedLink {
    fn write_all(&mut self, _bytes: &[u8], _timeout: Duration) -> io::Result<()> {
        let burst = self.script.pop_front().map_or(0, |n| n % 8);
        for _ in 0..burst {
            if let Some(b) = self.script.pop_front() {
                self.waiting.push_back(b);
            }
        }
        Ok(())
    }

    fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let Some(b) = self.waiting.pop_front() else {
                break;
            };
            buf[n] = b;
            n += 1;
        }
        if n == 0 && !timeout.is_zero() {
            // Silence: reported at once instead of after the real timeout, so the fuzzer
            // does not sleep; the driver treats both as "no reply".
            return Err(io::ErrorKind::TimedOut.into());
        }
        Ok(n)
    }

    fn describe(&self) -> String {
        "fuzz input".into()
    }
}

/// Seeds for the corpora: what the simulated reader sends for its sample cards and what a
/// printer answers in its usual states (`cargo test -p hardware --lib fuzz -- --ignored`
/// writes them).
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    use crate::idcard::Status;
    use crate::idcard::sim::{SIM_SAM_ID, read_response_frame, samples};

    let frame = |status, data: &[u8]| {
        crate::idcard::frame::Response::new(status, data)
            .encode()
            .expect("fits a frame")
    };
    let mut out = Vec::new();
    for (i, id) in samples::sample_ids().enumerate() {
        let card = samples::sample(id)
            .expect("a listed sample")
            .with_fingerprints(1)
            .with_additional_address("吉林省长春市朝阳区人民大街1号");
        // Read in pieces of 7 bytes (cut byte 6), as a slow UART delivers them.
        let mut stream = vec![6];
        stream.extend(read_response_frame(&card));
        out.push(("idcard_response", format!("seed-read-{i}"), stream));
        let mut stream = vec![63];
        stream.extend(frame(
            Status::Success,
            &card.read_payload_with_fingerprints(),
        ));
        stream.extend(frame(Status::Success, &card.additional_address_payload()));
        out.push(("idcard_response", format!("seed-fingerprint-{i}"), stream));
    }
    // Start-up and polling: SAM id, find (found, then nothing), select; garbage first.
    let mut stream = vec![0, 0x00, 0xAA, 0xAA, 0x13];
    stream.extend(frame(Status::Success, &SIM_SAM_ID.to_bytes()));
    stream.extend(frame(Status::CardFound, &[0, 0, 0, 0]));
    stream.extend(frame(Status::FindFailed, &[]));
    stream.extend(frame(Status::Success, &[0; 8]));
    out.push(("idcard_response", "seed-poll".into(), stream));

    // Printer: one burst per write (status 1, 2, [3,] 4; the job; GS r 1).
    const OK: u8 = 0x12;
    let printers: [(&str, &[u8]); 5] = [
        (
            "ready",
            &[1, OK, 1, OK, 1, OK, 1, OK, 1, OK, 1, OK, 0, 1, 0x00],
        ),
        (
            "paper-end",
            &[
                1,
                OK,
                1,
                OK | 0x20,
                1,
                OK | 0x60,
                1,
                OK,
                1,
                OK,
                1,
                OK | 0x60,
            ],
        ),
        (
            "cover-open",
            &[
                1,
                OK | 0x08,
                1,
                OK | 0x04,
                1,
                OK,
                1,
                OK | 0x08,
                1,
                OK | 0x04,
                1,
                OK,
            ],
        ),
        (
            "cutter-jam",
            &[1, OK | 0x08, 1, OK | 0x40, 1, OK | 0x08, 1, OK, 1, OK],
        ),
        (
            "xon-noise",
            &[
                2, 0x11, OK, 1, OK, 3, 0x13, 0x11, OK, 1, OK, 1, OK, 1, OK, 0, 2, 0x11, 0x03,
            ],
        ),
    ];
    for (name, script) in printers {
        out.push(("printer_status", format!("seed-{name}"), script.to_vec()));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Runs `check` on every committed input of `target`: the corpus and past crashes.
    fn replay(target: &str, check: fn(&[u8])) {
        let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
        let mut count = 0;
        for dir in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("a readable corpus folder").path();
                let bytes = std::fs::read(&path).expect("a readable corpus file");
                check(&bytes);
                count += 1;
            }
        }
        assert!(count > 0, "no committed inputs for fuzz target {target}");
    }

    #[test]
    fn idcard_response_corpus_replays() {
        replay("idcard_response", super::idcard_response);
    }

    #[test]
    fn printer_status_corpus_replays() {
        replay("printer_status", super::printer_status);
    }

    #[test]
    #[ignore = "writes the seed corpora into fuzz/corpus; run once after changing the seeds"]
    fn write_seed_corpus() {
        let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
        for (target, name, bytes) in super::seeds() {
            std::fs::create_dir_all(fuzz.join(target)).unwrap();
            std::fs::write(fuzz.join(target).join(name), bytes).unwrap();
        }
    }
}
