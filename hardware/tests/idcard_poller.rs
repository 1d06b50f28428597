//! The polling thread against the simulated module: one read per placement, removal,
//! faults, unplugging and recovery.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use hardware::idcard::sim::{Chunking, Scenario, SimCard, SimFault, Simulator, samples};
use hardware::idcard::{
    CardProblem, CommandTimeouts, PollerHandle, ProtocolFault, ReaderConfig, ReaderEvent,
    ReaderFault, Status, spawn_poller, spawn_poller_with,
};

const WAIT: Duration = Duration::from_secs(5);

/// Fast cadence so the tests run quickly; answer timeouts generous for a shared machine.
fn config(device: &Path) -> ReaderConfig {
    ReaderConfig {
        device: device.to_path_buf(),
        poll_interval_ms: 50,
        presence_interval_ms: 50,
        recovery_interval_ms: 100,
        timeouts: CommandTimeouts {
            find_ms: 500,
            sam_ms: 500,
            read_ms: 3000,
            read_fingerprint_ms: 3000,
            probe_ms: 500,
        },
        ..ReaderConfig::default()
    }
}

struct Rig {
    dir: tempfile::TempDir,
    sim: Simulator,
    poller: Option<PollerHandle>,
    events: Receiver<ReaderEvent>,
}

impl Rig {
    fn start() -> Self {
        Self::start_with(|c| c)
    }

    fn start_with(tweak: impl FnOnce(ReaderConfig) -> ReaderConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("idcard-reader");
        let sim = Simulator::start_linked(&link).unwrap();
        let (poller, events) = spawn_poller(tweak(config(&link))).unwrap();
        let rig = Self {
            dir,
            sim,
            poller: Some(poller),
            events,
        };
        match rig.next() {
            ReaderEvent::Connected(info) => assert_eq!(info.device, link),
            other => panic!("expected Connected, got {other:?}"),
        }
        rig
    }

    fn link(&self) -> PathBuf {
        self.dir.path().join("idcard-reader")
    }

    fn next(&self) -> ReaderEvent {
        self.events
            .recv_timeout(WAIT)
            .unwrap_or_else(|e| panic!("no event within {WAIT:?}: {e}"))
    }

    /// Asserts that nothing happens for `quiet`.
    fn quiet(&self, quiet: Duration) {
        if let Ok(event) = self.events.recv_timeout(quiet) {
            panic!("unexpected event {event:?}");
        }
    }

    fn expect_read(&self) -> Box<hardware::idcard::CardRead> {
        match self.next() {
            ReaderEvent::CardRead(read) => read,
            other => panic!("expected CardRead, got {other:?}"),
        }
    }

    fn expect_removed(&self) {
        match self.next() {
            ReaderEvent::CardRemoved => {}
            other => panic!("expected CardRemoved, got {other:?}"),
        }
    }
}

#[test]
fn one_read_per_placement_then_removed_then_read_again() {
    let rig = Rig::start();
    rig.quiet(Duration::from_millis(400));
    rig.sim.place_sample("resident-ouyang").unwrap();
    let read = rig.expect_read();
    assert_eq!(read.card.name(), "欧阳晓梅");
    // The card stays: no second read, however long.
    rig.quiet(Duration::from_millis(1200));
    assert_eq!(rig.sim.stats().reads_served, 1);
    assert!(
        rig.sim.stats().presence_probes >= 3,
        "presence is being watched"
    );
    rig.sim.remove();
    rig.expect_removed();
    rig.quiet(Duration::from_millis(300));
    rig.sim.place_sample("hmt-chen").unwrap();
    let read = rig.expect_read();
    assert_eq!(read.card.permit_number(), Some("H10293847"));
    assert_eq!(rig.sim.stats().reads_served, 2);
}

#[test]
fn a_card_pulled_mid_read_is_retried_and_read_once() {
    let rig = Rig::start();
    rig.sim.inject(SimFault::ReadFails);
    rig.sim.place_sample("resident-zhang").unwrap();
    let read = rig.expect_read();
    assert_eq!(read.card.name(), "张伟");
    rig.quiet(Duration::from_millis(500));
    assert_eq!(rig.sim.stats().reads_served, 1);
}

#[test]
fn fragmented_answers_still_produce_one_read() {
    let rig = Rig::start();
    rig.sim.set_chunking(Chunking {
        size: 1,
        delay: Duration::ZERO,
    });
    rig.sim.place_sample("foreign-2017-tester").unwrap();
    let read = rig.expect_read();
    assert_eq!(read.card.name_en(), Some("TESTER JOHN ALEXANDER"));
    rig.quiet(Duration::from_millis(400));
}

#[test]
fn sam_fault_is_reported_once_and_recovery_reconnects() {
    let rig = Rig::start();
    rig.sim.inject(SimFault::SamSelfTest);
    match rig.next() {
        ReaderEvent::Fault(ReaderFault::Sam(Status::SamSelfTestFailed)) => {}
        other => panic!("{other:?}"),
    }
    rig.quiet(Duration::from_millis(500));
    rig.sim.clear_faults();
    match rig.next() {
        ReaderEvent::Reconnected(info) => assert!(info.sam_id.is_some()),
        other => panic!("{other:?}"),
    }
    rig.sim.place_sample("resident-li-elderly").unwrap();
    assert!(rig.expect_read().card.is_long_term());
}

#[test]
fn sam_unauthorised_while_a_card_is_on_ends_its_presence() {
    let rig = Rig::start();
    rig.sim.place_sample("resident-zhang").unwrap();
    rig.expect_read();
    rig.sim.inject(SimFault::SamUnauthorised);
    rig.expect_removed();
    match rig.next() {
        ReaderEvent::Fault(fault) => {
            assert_eq!(fault, ReaderFault::Sam(Status::SamUnauthorised));
            assert!(fault.is_reader_down());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unplug_is_a_fault_and_replug_reconnects_and_reads_again() {
    let rig = Rig::start();
    rig.sim.unplug().unwrap();
    match rig.next() {
        ReaderEvent::Fault(ReaderFault::DeviceLost) => {}
        other => panic!("{other:?}"),
    }
    // Reopen attempts while it is away report nothing new.
    rig.quiet(Duration::from_millis(500));
    rig.sim.replug().unwrap();
    match rig.next() {
        ReaderEvent::Reconnected(info) => assert_eq!(info.device, rig.link()),
        other => panic!("{other:?}"),
    }
    rig.sim.place_sample("resident-liu-minor").unwrap();
    assert_eq!(rig.expect_read().card.name(), "刘小雨");
}

#[test]
fn a_silent_reader_is_a_fault_within_its_timeouts() {
    let rig = Rig::start_with(|c| ReaderConfig {
        timeouts: CommandTimeouts::default(),
        ..c
    });
    rig.sim.inject(SimFault::Silent);
    let started = Instant::now();
    match rig.next() {
        ReaderEvent::Fault(ReaderFault::NoAnswer) => {}
        other => panic!("{other:?}"),
    }
    // Three unanswered finds of 100 ms each, 50 ms apart, plus scheduling slack.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    rig.sim.clear_faults();
    assert!(matches!(rig.next(), ReaderEvent::Reconnected(_)));
}

#[test]
fn a_missing_device_is_reported_and_picked_up_when_it_appears() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("idcard-reader");
    let (_poller, events) = spawn_poller(config(&link)).unwrap();
    match events.recv_timeout(WAIT).unwrap() {
        ReaderEvent::Fault(ReaderFault::DeviceUnavailable { device, .. }) => {
            assert_eq!(device, link)
        }
        other => panic!("{other:?}"),
    }
    let sim = Simulator::start_linked(&link).unwrap();
    assert!(matches!(
        events.recv_timeout(WAIT).unwrap(),
        ReaderEvent::Connected(_)
    ));
    sim.place_sample("resident-zhang").unwrap();
    assert!(matches!(
        events.recv_timeout(WAIT).unwrap(),
        ReaderEvent::CardRead(_)
    ));
}

#[test]
fn protocol_faults_are_reported_without_flooding_and_do_not_stop_reading() {
    let rig = Rig::start();
    rig.sim.inject(SimFault::CorruptChecksum);
    assert!(matches!(
        rig.next(),
        ReaderEvent::Fault(ReaderFault::Protocol(ProtocolFault::BadFrame { .. }))
    ));
    // More faults right after are logged once, not reported one by one.
    for _ in 0..3 {
        rig.sim.inject(SimFault::NextStatus(0x21));
    }
    rig.quiet(Duration::from_millis(600));
    rig.sim.place_sample("resident-zhang").unwrap();
    rig.expect_read();
}

#[test]
fn a_refused_command_is_a_transient_protocol_fault() {
    let rig = Rig::start();
    rig.sim.inject(SimFault::NextStatus(0x21));
    match rig.next() {
        ReaderEvent::Fault(
            fault @ ReaderFault::Protocol(ProtocolFault::Refused {
                status: Status::CommandError,
                ..
            }),
        ) => assert!(!fault.is_reader_down()),
        other => panic!("{other:?}"),
    }
    rig.sim.place_sample("resident-zhang").unwrap();
    rig.expect_read();
}

#[test]
fn an_unusable_card_is_reported_once_and_its_removal_seen() {
    let rig = Rig::start();
    // Text that decodes but holds no real birth date.
    let card = SimCard::new(
        "broken",
        samples::TextBlock::new().put(36, 16, "19991399").bytes(),
    );
    rig.sim.place(card);
    match rig.next() {
        ReaderEvent::CardUnreadable(CardProblem::BadData(_)) => {}
        other => panic!("{other:?}"),
    }
    rig.quiet(Duration::from_millis(500));
    rig.sim.remove();
    rig.expect_removed();
    // A card the module rejects (not an ID card) is reported once while it lies there.
    rig.sim.place_sample("resident-zhang").unwrap();
    for _ in 0..3 {
        rig.sim.inject(SimFault::NextStatus(0x40));
    }
    match rig.next() {
        ReaderEvent::CardUnreadable(CardProblem::Rejected(Status::UnrecognisedCardType)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn stop_ends_the_thread_promptly_and_a_closed_sink_ends_it_too() {
    let mut rig = Rig::start();
    let poller = rig.poller.take().unwrap();
    assert!(poller.is_running());
    let started = Instant::now();
    poller.stop();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    let (tx, rx) = std::sync::mpsc::channel();
    let handle = spawn_poller_with(config(&rig.link()), move |event| {
        let _ = tx.send(format!("{event:?}"));
        false
    })
    .unwrap();
    assert!(rx.recv_timeout(WAIT).unwrap().starts_with("Connected"));
    let deadline = Instant::now() + WAIT;
    while handle.is_running() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!handle.is_running());
}

#[test]
fn a_scenario_file_drives_the_kiosk() {
    let rig = Rig::start();
    let script = rig.dir.path().join("demo.scenario");
    std::fs::write(
        &script,
        "# a citizen, then a permit holder, then the cable is pulled\n\
         place resident-jin-korean\nwait 600ms\nremove\nwait 400ms\n\
         place hmt-chen\nwait 600ms\nremove\nwait 400ms\nunplug\nwait 300ms\nreplug\n",
    )
    .unwrap();
    let scenario = Scenario::load(&script).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| rig.sim.play(&scenario).unwrap());
        let mut kinds = Vec::new();
        while kinds.len() < 6 {
            let kind = match rig.next() {
                ReaderEvent::CardRead(read) => format!("read {}", read.card.card_type()),
                ReaderEvent::CardRemoved => "removed".into(),
                ReaderEvent::Fault(ReaderFault::DeviceLost) => "lost".into(),
                ReaderEvent::Reconnected(_) => "reconnected".into(),
                other => format!("{other:?}"),
            };
            kinds.push(kind);
        }
        assert_eq!(
            kinds,
            [
                "read resident",
                "removed",
                "read hmt_residence_permit",
                "removed",
                "lost",
                "reconnected",
            ]
        );
    });
    rig.quiet(Duration::from_millis(300));
}
