//! The real driver against the simulated module on a pseudo-terminal.

use std::time::{Duration, Instant};

use hardware::idcard::frame;
use hardware::idcard::sim::{Chunking, SIM_SAM_ID, SimFault, Simulator};
use hardware::idcard::{
    CardType, Command, CommandTimeouts, PresenceProbe, ProbeConfig, Reader, ReaderConfig,
    ReaderError, Status, open_reader,
};

/// Generous timeouts: the machine is shared, and these tests are about behaviour.
fn timeouts() -> CommandTimeouts {
    CommandTimeouts {
        find_ms: 1000,
        sam_ms: 1000,
        read_ms: 4000,
        read_fingerprint_ms: 4000,
        probe_ms: 1000,
    }
}

struct Bench {
    _dir: tempfile::TempDir,
    sim: Simulator,
    reader: Reader,
}

fn setup() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("idcard-reader");
    let sim = Simulator::start_linked(&link).unwrap();
    let reader = Reader::open(&link, 115_200, timeouts()).unwrap();
    Bench {
        _dir: dir,
        sim,
        reader,
    }
}

#[test]
fn sam_status_and_sam_id() {
    let mut b = setup();
    b.reader.sam_status().unwrap();
    let id = b.reader.sam_id().unwrap();
    assert_eq!(id, SIM_SAM_ID);
    assert_eq!(id.to_string(), "05.01-20240101-0000000001-0000000042");
    b.reader.reset_sam().unwrap();
}

#[test]
fn the_transaction_reads_a_card_once_while_it_stays() {
    let mut b = setup();
    assert!(b.reader.try_read(false).unwrap().is_none(), "no card yet");
    b.sim.place_sample("resident-zhang").unwrap();
    let read = b.reader.try_read(false).unwrap().expect("card read");
    assert_eq!(read.card.name(), "张伟");
    assert_eq!(read.card.id_number(), "110101198506150019");
    assert_eq!(read.photo.bytes().len(), 1024);
    // The module refuses to find the card again while it stays (reference §6 item 2) …
    assert!(!b.reader.find_card().unwrap());
    // … but the presence probes see it until it leaves.
    assert!(
        b.reader
            .card_present(PresenceProbe::ManagementNumber)
            .unwrap()
    );
    assert!(
        b.reader
            .card_present(PresenceProbe::AdditionalAddress)
            .unwrap()
    );
    b.sim.remove();
    assert!(
        !b.reader
            .card_present(PresenceProbe::ManagementNumber)
            .unwrap()
    );
    assert!(
        !b.reader
            .card_present(PresenceProbe::AdditionalAddress)
            .unwrap()
    );
    b.sim.place_sample("resident-zhang").unwrap();
    assert!(
        b.reader.try_read(false).unwrap().is_some(),
        "placed again, read again"
    );
    assert_eq!(b.sim.stats().reads_served, 2);
}

#[test]
fn the_fingerprint_variant_is_accepted_and_its_templates_ignored() {
    let mut b = setup();
    for (id, card_type) in [
        ("resident-zhang", CardType::Resident),
        ("hmt-chen", CardType::HmtResidencePermit),
        ("resident-ouyang", CardType::Resident),
    ] {
        b.sim.place_sample(id).unwrap();
        let read = b.reader.try_read(true).unwrap().expect("card read");
        assert_eq!(read.card.card_type(), card_type, "{id}");
        b.sim.remove();
    }
}

#[test]
fn additional_address_is_read_and_absence_is_empty() {
    let mut b = setup();
    b.sim.place_sample("resident-wang-longterm").unwrap();
    b.reader.try_read(false).unwrap().unwrap();
    let entries = b.reader.additional_address().unwrap();
    assert_eq!(
        entries.as_slice(),
        ["宁夏回族自治区银川市金凤区示例大街20号"]
    );
    b.sim.place_sample("resident-zhang").unwrap();
    b.reader.try_read(false).unwrap().unwrap();
    assert!(b.reader.additional_address().unwrap().is_empty());
}

#[test]
fn every_status_code_reaches_the_caller_typed() {
    let mut b = setup();
    let codes = [
        0x90, 0x91, 0x9F, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60,
        0x66, 0x80, 0x81, 0x55,
    ];
    for code in codes {
        b.sim.inject(SimFault::NextStatus(code));
        let response = b.reader.command(Command::SamStatus).unwrap();
        assert_eq!(response.status, Status::from_code(code));
        assert_eq!(response.status.code(), code);
    }
    // High-level calls turn refusals into typed errors.
    b.sim.inject(SimFault::NextStatus(0x60));
    match b.reader.find_card() {
        Err(ReaderError::Status {
            command: Command::FindCard,
            status: Status::SamSelfTestFailed,
        }) => {}
        other => panic!("{other:?}"),
    }
    // 0x80 / 0x81 / 0x41 mean "no card now", not errors, for the whole transaction.
    b.sim.place_sample("resident-zhang").unwrap();
    b.sim.inject(SimFault::ReadFails);
    assert!(b.reader.try_read(false).unwrap().is_none());
    assert!(
        b.reader.try_read(false).unwrap().is_some(),
        "next attempt reads"
    );
}

#[test]
fn the_module_answers_bad_frames_with_0x10_0x11_and_0x21() {
    let mut b = setup();
    let t = Duration::from_secs(2);
    // Find with CHK 0x21 instead of 0x22, as one project in the wild sends it.
    let bad_chk = [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x21];
    let r = b.reader.send_raw(Command::FindCard, &bad_chk, t).unwrap();
    assert_eq!(r.status, Status::ChecksumError);
    // A length no command can have.
    let bad_len = [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x01, 0x01];
    let r = b.reader.send_raw(Command::FindCard, &bad_len, t).unwrap();
    assert_eq!(r.status, Status::LengthError);
    // A frame that announces more bytes than it sends.
    let truncated = [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x05, 0x20, 0x01];
    let r = b.reader.send_raw(Command::FindCard, &truncated, t).unwrap();
    assert_eq!(r.status, Status::LengthError);
    // A well-formed frame with a command the protocol does not have.
    let unknown = frame::encode(&[0x20, 0x00]).unwrap();
    let r = b.reader.send_raw(Command::FindCard, &unknown, t).unwrap();
    assert_eq!(r.status, Status::CommandError);
    assert_eq!(b.sim.stats().rejected_frames, 4);
    // And the module still works.
    b.reader.sam_status().unwrap();
}

#[test]
fn fragmented_answers_are_reassembled() {
    let mut b = setup();
    for chunking in [
        Chunking {
            size: 1,
            delay: Duration::ZERO,
        },
        Chunking {
            size: 1024,
            delay: Duration::from_millis(30),
        },
        Chunking {
            size: 7,
            delay: Duration::from_millis(1),
        },
    ] {
        b.sim.set_chunking(chunking);
        b.sim.place_sample("foreign-2023-sample").unwrap();
        let read = b.reader.try_read(false).unwrap().expect("card read");
        assert_eq!(
            read.card.card_type(),
            CardType::ForeignPermanent2023,
            "{chunking:?}"
        );
        b.reader.sam_id().unwrap();
    }
}

#[test]
fn garbage_before_an_answer_is_skipped_and_a_corrupt_answer_is_a_typed_error() {
    let mut b = setup();
    b.sim
        .inject(SimFault::Garbage(vec![0x13, 0xAA, 0xAA, 0x00, 0xAA]));
    b.reader.sam_status().unwrap();
    b.sim.inject(SimFault::CorruptChecksum);
    match b.reader.sam_status() {
        Err(ReaderError::Frame {
            source: frame::FrameError::Checksum { .. },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    b.reader.sam_status().unwrap();
}

#[test]
fn a_reader_that_answers_nothing_times_out_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("idcard-reader");
    let sim = Simulator::start_linked(&link).unwrap();
    let mut reader = Reader::open(&link, 115_200, CommandTimeouts::default()).unwrap();
    sim.inject(SimFault::Silent);
    let started = Instant::now();
    match reader.find_card() {
        Err(ReaderError::NoAnswer {
            command: Command::FindCard,
            timeout,
        }) => {
            assert_eq!(timeout, Duration::from_millis(100));
        }
        other => panic!("{other:?}"),
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(100),
        "gave up early: {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "hung: {waited:?}");
    sim.clear_faults();
    reader.sam_status().unwrap();
}

#[test]
fn an_unplugged_device_is_an_io_error_and_reopens_after_replug() {
    let mut b = setup();
    b.sim.unplug().unwrap();
    let err = b.reader.sam_status().unwrap_err();
    assert!(err.is_device_lost(), "{err:?}");
    let path = b.sim.path();
    assert!(matches!(
        Reader::open(&path, 115_200, timeouts()),
        Err(ReaderError::Open { .. })
    ));
    b.sim.replug().unwrap();
    let mut again = Reader::open(&path, 115_200, timeouts()).unwrap();
    again.sam_status().unwrap();
}

#[test]
fn wait_for_card_returns_a_card_or_none_at_the_deadline() {
    let mut b = setup();
    let none = b
        .reader
        .wait_for_card(false, Duration::from_millis(300), Duration::from_millis(50))
        .unwrap();
    assert!(none.is_none());
    b.sim.place_sample("resident-jin-korean").unwrap();
    let read = b
        .reader
        .wait_for_card(false, Duration::from_secs(5), Duration::from_millis(50))
        .unwrap()
        .expect("card");
    assert_eq!(read.card.nation().unwrap().name, Some("朝鲜"));
}

#[test]
fn set_baud_accepts_the_module_rates_only() {
    let mut b = setup();
    b.reader.set_baud(57_600).unwrap();
    assert_eq!(b.reader.baud(), 57_600);
    assert!(matches!(
        b.reader.set_baud(12_345),
        Err(ReaderError::UnsupportedBaud(12_345))
    ));
}

#[test]
fn probing_finds_the_reader_and_respects_exclusions() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyIDR0");
    let _sim = Simulator::start_linked(&link).unwrap();
    let pattern = format!("{}/ttyIDR*", dir.path().display());
    let mut config = ReaderConfig {
        device: dir.path().join("missing"),
        timeouts: timeouts(),
        probe: ProbeConfig {
            enabled: true,
            devices: vec![pattern.clone()],
            bauds: vec![9_600, 115_200],
            exclude: vec![],
        },
        ..ReaderConfig::default()
    };
    let reader = open_reader(&config).unwrap();
    assert_eq!(reader.path(), link.as_path());
    assert_eq!(
        reader.baud(),
        9_600,
        "a pty answers at the first rate tried"
    );
    drop(reader);
    config.probe.exclude = vec![link.clone()];
    assert!(matches!(
        open_reader(&config),
        Err(ReaderError::Open { .. })
    ));
    config.probe.enabled = false;
    config.probe.exclude.clear();
    assert!(
        open_reader(&config).is_err(),
        "probing off: only the configured device"
    );
}
