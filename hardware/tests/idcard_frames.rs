//! Frame codec against the reference's published frames (reference §1.3, §1.9, §1.10) and
//! a property test that no byte sequence panics or stalls the decoder.

use hardware::idcard::frame::{self, FrameDecoder, FrameError, Response};
use hardware::idcard::sim::{read_response_frame, samples};
use hardware::idcard::{Command, Status, StatusClass};
use proptest::prelude::*;

fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).expect("test vector is hex"))
        .collect()
}

#[test]
fn every_command_frame_matches_the_reference_byte_for_byte() {
    let cases = [
        (Command::ResetSam, "AA AA AA 96 69 00 03 10 FF EC"),
        (Command::SamStatus, "AA AA AA 96 69 00 03 11 FF ED"),
        (Command::SamId, "AA AA AA 96 69 00 03 12 FF EE"),
        (Command::FindCard, "AA AA AA 96 69 00 03 20 01 22"),
        (Command::SelectCard, "AA AA AA 96 69 00 03 20 02 21"),
        (Command::ReadText, "AA AA AA 96 69 00 03 30 01 32"),
        (
            Command::ReadTextAndFingerprint,
            "AA AA AA 96 69 00 03 30 10 23",
        ),
        (
            Command::ReadAdditionalAddress,
            "AA AA AA 96 69 00 03 30 03 30",
        ),
        (
            Command::ReadManagementNumber,
            "AA AA AA 96 69 00 03 30 05 36",
        ),
        (Command::SetBaud(0), "AA AA AA 96 69 00 03 60 00 63"),
        (Command::SetBaud(1), "AA AA AA 96 69 00 03 60 01 62"),
        (Command::SetBaud(2), "AA AA AA 96 69 00 03 60 02 61"),
        (Command::SetBaud(3), "AA AA AA 96 69 00 03 60 03 60"),
        (Command::SetBaud(4), "AA AA AA 96 69 00 03 60 04 67"),
        (
            Command::SetMaxRfBytes(0x50),
            "AA AA AA 96 69 00 04 61 FF 50 CA",
        ),
        (
            Command::SetMaxRfBytes(0x58),
            "AA AA AA 96 69 00 04 61 FF 58 C2",
        ),
    ];
    for (command, expected) in cases {
        assert_eq!(command.frame(), hex(expected), "{}", command.name());
    }
    for (baud, index) in [
        (115_200, 0),
        (57_600, 1),
        (38_400, 2),
        (19_200, 3),
        (9_600, 4),
    ] {
        assert_eq!(Command::set_baud(baud), Some(Command::SetBaud(index)));
    }
}

#[test]
fn every_status_frame_in_the_reference_decodes_and_encodes() {
    let cases = [
        (
            "AA AA AA 96 69 00 04 00 00 90 94",
            Status::Success,
            StatusClass::Ok,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 91 95",
            Status::NoContent,
            StatusClass::Ok,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 80 84",
            Status::FindFailed,
            StatusClass::RetryFromFind,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 81 85",
            Status::SelectFailed,
            StatusClass::RetryFromFind,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 41 45",
            Status::ReadFailed,
            StatusClass::RetryFromFind,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 10 14",
            Status::ChecksumError,
            StatusClass::ProtocolFault,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 11 15",
            Status::LengthError,
            StatusClass::ProtocolFault,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 21 25",
            Status::CommandError,
            StatusClass::ProtocolFault,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 23 27",
            Status::NotPermitted,
            StatusClass::ProtocolFault,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 24 20",
            Status::UnrecognisedError,
            StatusClass::ProtocolFault,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 32 36",
            Status::SamAuthenticatesCardFailed,
            StatusClass::CardRejected,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 33 37",
            Status::InformationVerifyFailed,
            StatusClass::CardRejected,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 40 44",
            Status::UnrecognisedCardType,
            StatusClass::CardRejected,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 60 64",
            Status::SamSelfTestFailed,
            StatusClass::SamFault,
        ),
        (
            "AA AA AA 96 69 00 04 00 00 66 62",
            Status::SamUnauthorised,
            StatusClass::SamFault,
        ),
    ];
    for (text, status, class) in cases {
        let bytes = hex(text);
        let mut decoder = FrameDecoder::for_responses();
        decoder.push(&bytes);
        let response = Response::from_frame(decoder.next_frame().unwrap().unwrap()).unwrap();
        assert_eq!(response.status, status, "{text}");
        assert_eq!(response.status.class(), class, "{text}");
        assert!(response.data().is_empty());
        assert_eq!(
            Response::new(status, &[]).encode().unwrap(),
            bytes,
            "{text}"
        );
    }
    // Card-side failures relay the card's SW1 SW2 (reference §1.5 "XX XX").
    let mut decoder = FrameDecoder::for_responses();
    decoder.push(&frame::encode(&[0x6A, 0x82, 0x31]).unwrap());
    let response = Response::from_frame(decoder.next_frame().unwrap().unwrap()).unwrap();
    assert_eq!((response.sw1, response.sw2), (0x6A, 0x82));
    assert_eq!(response.status, Status::CardAuthenticatesSamFailed);
    // Codes the reference does not list stay raw.
    decoder.push(&hex("AA AA AA 96 69 00 04 00 00 55 51"));
    let response = Response::from_frame(decoder.next_frame().unwrap().unwrap()).unwrap();
    assert_eq!(response.status, Status::Unknown(0x55));
}

#[test]
fn success_frames_with_data_match_the_reference() {
    let find_ok = hex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97");
    let select_ok = hex("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C");
    assert_eq!(
        Response::new(Status::CardFound, &[0; 4]).encode().unwrap(),
        find_ok
    );
    assert_eq!(
        Response::new(Status::Success, &[0; 8]).encode().unwrap(),
        select_ok
    );
    let read = read_response_frame(&samples::sample("resident-zhang").unwrap());
    assert_eq!(read.len(), 1295);
    assert_eq!(
        read[..14],
        hex("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")[..]
    );
    let fp = Response::new(
        Status::Success,
        &samples::sample("resident-zhang")
            .unwrap()
            .read_payload_with_fingerprints(),
    )
    .encode()
    .unwrap();
    assert_eq!(fp.len(), 2321);
    assert_eq!(
        fp[..16],
        hex("AA AA AA 96 69 09 0A 00 00 90 01 00 04 00 04 00")[..]
    );
}

fn decode_stream(pieces: &[&[u8]]) -> (Vec<Result<Response, FrameError>>, u64) {
    let mut decoder = FrameDecoder::for_responses();
    let mut out = Vec::new();
    for piece in pieces {
        decoder.push(piece);
        while let Some(result) = decoder.next_frame() {
            out.push(result.and_then(Response::from_frame));
        }
    }
    (out, decoder.discarded())
}

#[test]
fn a_full_read_reassembles_byte_by_byte_and_split_at_1024() {
    let card = samples::sample("resident-li-elderly").unwrap();
    let frame = read_response_frame(&card);
    let bytes: Vec<&[u8]> = frame.chunks(1).collect();
    let split: Vec<&[u8]> = frame.chunks(1024).collect();
    for pieces in [bytes, split] {
        let (frames, _) = decode_stream(&pieces);
        assert_eq!(frames.len(), 1);
        let response = frames[0].as_ref().unwrap();
        assert_eq!(response.status, Status::Success);
        assert_eq!(response.data(), card.read_payload().as_slice());
    }
}

#[test]
fn garbage_before_the_preamble_is_skipped() {
    let good = hex("AA AA AA 96 69 00 04 00 00 80 84");
    let garbage = hex("00 FF AA AA 96 AA 69 13 AA AA");
    let (frames, discarded) = decode_stream(&[&garbage, &good]);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].as_ref().unwrap().status, Status::FindFailed);
    assert_eq!(discarded, garbage.len() as u64);
}

#[test]
fn checksum_and_length_errors_are_typed() {
    let mut bad_chk = hex("AA AA AA 96 69 00 04 00 00 90 94");
    bad_chk[10] = 0x95;
    let (frames, _) = decode_stream(&[&bad_chk]);
    assert_eq!(frames, vec![Err(FrameError::Checksum { residue: 0x01 })]);
    let too_short = hex("AA AA AA 96 69 00 03 00 00 03");
    let (frames, _) = decode_stream(&[&too_short]);
    assert!(matches!(frames[0], Err(FrameError::Length { len: 3, .. })));
    let too_long = hex("AA AA AA 96 69 FF FF 00");
    let (frames, _) = decode_stream(&[&too_long]);
    assert!(matches!(
        frames[0],
        Err(FrameError::Length { len: 0xFFFF, .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random bytes in random pieces never panic, never loop and never grow the buffer
    /// past one maximal frame plus the last piece.
    #[test]
    fn random_bytes_never_panic_or_stall(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        piece in 1usize..700,
    ) {
        let mut decoder = FrameDecoder::for_responses();
        for chunk in bytes.chunks(piece) {
            decoder.push(chunk);
            let mut calls = 0;
            while let Some(result) = decoder.next_frame() {
                let _ = result.and_then(Response::from_frame);
                calls += 1;
                prop_assert!(calls <= bytes.len() + 1, "decoder did not make progress");
            }
            prop_assert!(decoder.buffered() <= frame::HEADER_LEN + 4096 + piece);
        }
    }

    /// Random bytes biased towards preambles and plausible lengths, to reach the length
    /// and checksum paths often.
    #[test]
    fn preamble_heavy_noise_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just(vec![0xAA, 0xAA, 0xAA, 0x96, 0x69]),
                proptest::collection::vec(any::<u8>(), 0..8),
                (0u16..20).prop_map(|len| len.to_be_bytes().to_vec()),
            ],
            0..200,
        ),
    ) {
        let mut decoder = FrameDecoder::for_responses();
        for part in &parts {
            decoder.push(part);
            while let Some(result) = decoder.next_frame() {
                let _ = result.and_then(Response::from_frame);
            }
        }
    }

    /// A good frame after garbage without 0xAA bytes, delivered in any piece size, is
    /// always recovered intact.
    #[test]
    fn a_frame_after_noise_is_recovered(
        noise in proptest::collection::vec(any::<u8>().prop_filter("no AA", |b| *b != 0xAA), 0..300),
        data in proptest::collection::vec(any::<u8>(), 0..1400),
        code in any::<u8>(),
        piece in 1usize..1100,
    ) {
        let frame = Response::new(Status::from_code(code), &data).encode().unwrap();
        let mut stream = noise.clone();
        stream.extend_from_slice(&frame);
        let pieces: Vec<&[u8]> = stream.chunks(piece).collect();
        let (frames, discarded) = decode_stream(&pieces);
        prop_assert_eq!(frames.len(), 1);
        let response = frames[0].as_ref().unwrap();
        prop_assert_eq!(response.status.code(), code);
        prop_assert_eq!(response.data(), data.as_slice());
        prop_assert_eq!(discarded, noise.len() as u64);
    }
}
