//! The driver against a misbehaving printer: paper, cover, silence, garbage, stale bytes,
//! unplugging, flow control; all through the pseudo-terminal simulator (and TCP).

mod common;

use std::time::Duration;

use common::{fast_config, rig, rig_with, sample_ticket};
use hardware::printer::sim::{Fault, PaperLevel, SimAttach, SimChange, SimOptions, SimPrinter};
use hardware::printer::status::ErrorCause;
use hardware::printer::{
    ErrorClass, FlowControl, JobFailure, Printer, PrinterConfig, PrinterError, Refusal,
    TransportKind,
};

const WAIT: Duration = Duration::from_secs(3);

/// Bytes other than `DLE EOT n` queries that the printer received.
fn non_status_bytes(received: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = received;
    while !rest.is_empty() {
        if let [0x10, 0x04, 1..=4, tail @ ..] = rest {
            rest = tail;
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

#[test]
fn healthy_printer_reports_ready() {
    let rig = rig();
    let mut printer = Printer::open(&rig.config).expect("open");
    let status = printer.status().expect("status");
    assert!(status.ready());
    assert!(!status.paper_near_end());
    // Exactly the 3-byte queries 1, 2, 4 went out, no stray NUL.
    assert_eq!(
        rig.sim.received(),
        [0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04]
    );
}

#[test]
fn status_reports_each_printer_state() {
    let rig = rig();
    let mut printer = Printer::new(rig.config.clone());
    rig.sim.apply(SimChange::Paper(PaperLevel::Out));
    let s = printer.status().unwrap();
    assert!(s.paper_end() && s.offline() && !s.cover_open());
    assert_eq!(s.refusal(), Some(Refusal::PaperEnd));

    rig.sim.apply(SimChange::Paper(PaperLevel::NearEnd));
    let s = printer.status().unwrap();
    assert!(s.ready() && s.paper_near_end());

    rig.sim.apply(SimChange::Paper(PaperLevel::Ok));
    rig.sim.apply(SimChange::CoverOpen(true));
    let s = printer.status().unwrap();
    assert_eq!(s.refusal(), Some(Refusal::CoverOpen));

    rig.sim.apply(SimChange::CoverOpen(false));
    rig.sim.apply(SimChange::Offline(true));
    assert_eq!(printer.status().unwrap().refusal(), Some(Refusal::Offline));

    rig.sim.apply(SimChange::Offline(false));
    let cutter = ErrorCause {
        autocutter: true,
        ..ErrorCause::default()
    };
    rig.sim.apply(SimChange::Error(cutter));
    let s = printer.status().unwrap();
    assert_eq!(s.error_cause, Some(cutter));
    assert_eq!(s.refusal(), Some(Refusal::Error(cutter)));
    assert!(s.to_string().contains("cutter"), "{s}");
}

#[test]
fn paper_end_is_refused_and_nothing_printed() {
    let rig = rig();
    rig.sim.apply(SimChange::Paper(PaperLevel::Out));
    let mut printer = Printer::new(rig.config.clone());
    let err = printer.print(&sample_ticket().document()).unwrap_err();
    assert_eq!(err, PrinterError::Refused(Refusal::PaperEnd));
    assert!(err.nothing_printed());
    assert_eq!(err.class(), ErrorClass::Refused);
    assert!(err.to_string().contains("out of paper"), "{err}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(rig.sim.jobs().is_empty());
    assert!(non_status_bytes(&rig.sim.received()).is_empty());
}

#[test]
fn cover_open_is_refused_and_nothing_printed() {
    let rig = rig();
    rig.sim.apply(SimChange::CoverOpen(true));
    let err = Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .unwrap_err();
    assert_eq!(err, PrinterError::Refused(Refusal::CoverOpen));
    assert!(non_status_bytes(&rig.sim.received()).is_empty());
}

#[test]
fn offline_is_refused() {
    let rig = rig();
    rig.sim.apply(SimChange::Offline(true));
    let err = Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .unwrap_err();
    assert_eq!(err, PrinterError::Refused(Refusal::Offline));
}

#[test]
fn near_end_prints_with_a_warning() {
    let rig = rig();
    rig.sim.apply(SimChange::Paper(PaperLevel::NearEnd));
    let report = Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .expect("printed");
    assert!(report.paper_near_end);
    assert!(report.confirmed);
    assert_eq!(rig.sim.wait_for_jobs(1, WAIT).len(), 1);
}

#[test]
fn plenty_of_paper_prints_without_warning() {
    let rig = rig();
    let report = Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .expect("printed");
    assert!(!report.paper_near_end && report.confirmed && !report.blind);
}

#[test]
fn cover_opened_mid_job_fails_the_job() {
    let rig = rig();
    let mut printer = Printer::new(rig.config.clone());
    // 12 bytes of status queries, then 100 bytes into the ticket the cover opens.
    rig.sim.apply_after_bytes(112, SimChange::CoverOpen(true));
    let err = printer.print(&sample_ticket().document()).unwrap_err();
    match &err {
        PrinterError::JobFailed { cause, bytes_sent } => {
            assert_eq!(*cause, JobFailure::Stopped(Refusal::CoverOpen));
            assert!(*bytes_sent > 100);
        }
        other => panic!("expected a failed job, got {other:?}"),
    }
    assert!(!err.nothing_printed());
    assert_eq!(err.class(), ErrorClass::FailedMidJob);
    assert!(rig.sim.jobs().is_empty(), "no complete ticket came out");

    // Closing the cover lets the printer finish; the next ticket prints and is confirmed.
    rig.sim.apply(SimChange::CoverOpen(false));
    let report = printer
        .print(&sample_ticket().document())
        .expect("printed after closing");
    assert!(report.confirmed);
}

#[test]
fn paper_running_out_mid_job_fails_the_job() {
    let rig = rig();
    rig.sim
        .apply_after_bytes(300, SimChange::Paper(PaperLevel::Out));
    let err = Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .unwrap_err();
    assert!(
        matches!(
            err,
            PrinterError::JobFailed {
                cause: JobFailure::Stopped(Refusal::PaperEnd),
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn missing_job_confirmation_is_a_failed_print() {
    let rig = rig();
    let mut printer = Printer::new(rig.config.clone());
    // Status answers normally, but the printer never answers GS r.
    rig.sim.apply(SimChange::Fault(Fault::NoJobConfirmation));
    let err = printer.print(&sample_ticket().document()).unwrap_err();
    assert!(
        matches!(
            err,
            PrinterError::JobFailed {
                cause: JobFailure::NotConfirmed(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("did not confirm"), "{err}");
}

#[test]
fn silent_printer_is_a_fault_not_a_success() {
    let rig = rig();
    rig.sim.apply(SimChange::Fault(Fault::Silent));
    let mut printer = Printer::new(rig.config.clone());
    let err = printer.print(&sample_ticket().document()).unwrap_err();
    assert!(matches!(err, PrinterError::NoResponse { .. }), "{err:?}");
    assert!(err.nothing_printed());
    assert!(err.to_string().contains("blind mode"), "{err}");
    assert!(non_status_bytes(&rig.sim.received()).is_empty());
}

#[test]
fn blind_mode_prints_without_asking() {
    let rig = rig();
    rig.sim.apply(SimChange::Fault(Fault::Silent));
    let config = PrinterConfig {
        blind: true,
        ..rig.config.clone()
    };
    let mut printer = Printer::new(config);
    let report = printer
        .print(&sample_ticket().document())
        .expect("sent blind");
    assert!(report.blind && !report.confirmed && report.status_before.is_none());
    assert_eq!(printer.status().unwrap_err(), PrinterError::Blind);
    let jobs = rig.sim.wait_for_jobs(1, WAIT);
    assert_eq!(jobs.len(), 1);
    assert!(
        !jobs[0].raw.windows(2).any(|w| w == [0x10, 0x04]),
        "no status query sent"
    );
}

#[test]
fn garbage_replies_are_a_typed_error() {
    let rig = rig();
    rig.sim.apply(SimChange::Fault(Fault::GarbageReplies));
    let err = Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .unwrap_err();
    assert!(matches!(err, PrinterError::InvalidReply(_)), "{err:?}");
    assert!(non_status_bytes(&rig.sim.received()).is_empty());
}

#[test]
fn stale_bytes_do_not_fool_the_next_query() {
    let rig = rig();
    let mut printer = Printer::open(&rig.config).expect("open");
    // An old "paper end" and "cover open" reply, XOFF/XON and an old GS r answer wait in
    // the input before the driver asks.
    rig.sim
        .inject_output(&[0x72, 0x16, 0x13, 0x11, 0x0C, 0x7E])
        .expect("inject");
    let status = printer.status().expect("status");
    assert!(status.ready(), "{status:?}");
    // And a print right after is confirmed by its own GS r answer, not an old one.
    rig.sim.inject_output(&[0x0C]).expect("inject");
    let report = printer.print(&sample_ticket().document()).expect("printed");
    assert!(!report.paper_near_end);
}

#[test]
fn unplugged_printer_is_unavailable_then_recovers() {
    let rig = rig();
    let mut printer = Printer::open(&rig.config).expect("open");
    printer
        .print(&sample_ticket().document())
        .expect("first ticket");

    rig.sim.unplug();
    let err = printer.print(&sample_ticket().document()).unwrap_err();
    assert!(matches!(err, PrinterError::Unavailable { .. }), "{err:?}");
    assert!(err.nothing_printed());
    assert!(printer.status().is_err());

    rig.sim.replug().expect("replug");
    let report = printer
        .print(&sample_ticket().document())
        .expect("same Printer value prints after replug");
    assert!(report.confirmed);
    assert_eq!(rig.sim.wait_for_jobs(2, WAIT).len(), 2);
}

#[test]
fn replug_between_jobs_is_transparent() {
    // The driver still holds the old device open when the new one appears.
    let rig = rig();
    let mut printer = Printer::open(&rig.config).expect("open");
    printer.status().expect("status");
    rig.sim.unplug();
    rig.sim.replug().expect("replug");
    printer
        .print(&sample_ticket().document())
        .expect("printed on the new device");
}

#[test]
fn unplugged_mid_job_is_a_failed_job() {
    let rig = rig();
    let mut printer = Printer::open(&rig.config).expect("open");
    let handle = rig.sim.handle();
    // The printer goes away while the job is being confirmed.
    rig.sim.apply(SimChange::Fault(Fault::NoJobConfirmation));
    let unplugger = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        handle.unplug();
    });
    let err = printer.print(&sample_ticket().document()).unwrap_err();
    unplugger.join().unwrap();
    assert_eq!(err.class(), ErrorClass::FailedMidJob, "{err:?}");
}

#[test]
fn random_bytes_from_the_printer_never_panic_the_driver() {
    use rand::{Rng, SeedableRng};
    let rig = rig();
    let mut printer = Printer::new(PrinterConfig {
        status_timeout_ms: 100,
        job_timeout_ms: 200,
        ..rig.config.clone()
    });
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x12348);
    for round in 0..20 {
        let len = rng.random_range(1..64);
        let noise: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        rig.sim.inject_output(&noise).expect("inject");
        if round % 2 == 0 {
            let _ = printer.status();
        } else {
            let _ = printer.print(&sample_ticket().document());
        }
    }
    // After the noise stops the driver still works.
    std::thread::sleep(Duration::from_millis(50));
    assert!(printer.status().expect("status after noise").ready());
}

#[test]
fn tcp_printer_prints_and_reports_status() {
    let sim = SimPrinter::start(SimOptions {
        attach: SimAttach::Tcp("127.0.0.1:0".parse().unwrap()),
        ..SimOptions::default()
    })
    .expect("tcp sim");
    let addr = sim.tcp_address().expect("address");
    let config = PrinterConfig {
        transport: TransportKind::Tcp,
        device: addr.to_string(),
        ..fast_config()
    };
    let mut printer = Printer::new(config);
    assert!(printer.status().expect("status").ready());
    printer.print(&sample_ticket().document()).expect("printed");
    assert_eq!(
        sim.wait_for_jobs(1, WAIT)[0].qr_codes()[0].data,
        common::TOKEN_URL
    );

    sim.apply(SimChange::Paper(PaperLevel::Out));
    assert_eq!(
        printer.print(&sample_ticket().document()).unwrap_err(),
        PrinterError::Refused(Refusal::PaperEnd)
    );
    sim.apply(SimChange::Paper(PaperLevel::Ok));

    sim.unplug();
    let err = printer.print(&sample_ticket().document()).unwrap_err();
    assert!(err.nothing_printed(), "{err:?}");
    sim.replug().expect("listen again");
    printer
        .print(&sample_ticket().document())
        .expect("reconnected");
    assert_eq!(sim.wait_for_jobs(2, WAIT).len(), 2);
}

#[test]
fn usb_class_transport_works_on_a_character_device() {
    // A pty stands in for /dev/usb/lp0: same open/poll/read/write calls, non-blocking.
    let rig = rig();
    let config = PrinterConfig {
        transport: TransportKind::Usb,
        ..rig.config.clone()
    };
    let mut printer = Printer::new(config);
    // Stale replies left in the device's buffer.
    rig.sim.inject_output(&[0x72, 0x72]).expect("inject");
    assert!(printer.status().expect("status").ready());
    printer.print(&sample_ticket().document()).expect("printed");
    rig.sim.unplug();
    assert!(printer.print(&sample_ticket().document()).is_err());
    rig.sim.replug().expect("replug");
    printer
        .print(&sample_ticket().document())
        .expect("recovered");
    assert_eq!(rig.sim.wait_for_jobs(2, WAIT).len(), 2);
}

#[test]
fn missing_device_is_unavailable_with_its_path() {
    let config = PrinterConfig {
        device: "/nonexistent/printer".into(),
        ..fast_config()
    };
    let err = Printer::open(&config).err().expect("cannot open");
    assert!(matches!(err, PrinterError::Unavailable { .. }));
    assert!(err.to_string().contains("/nonexistent/printer"), "{err}");
}

#[test]
fn software_flow_control_is_honoured_by_a_slow_printer() {
    // A small buffer printing 4 KB/s: the simulator sends XOFF/XON and the driver waits.
    let rig = rig_with(SimOptions {
        buffer: 128,
        bytes_per_second: Some(4000),
        xon_xoff: true,
        ..SimOptions::default()
    });
    let config = PrinterConfig {
        flow_control: FlowControl::Software,
        job_timeout_ms: 3000,
        ..rig.config.clone()
    };
    let report = Printer::new(config)
        .print(&sample_ticket().document())
        .expect("printed");
    assert!(report.confirmed);
    assert!(
        rig.sim.xoff_count() > 0,
        "the printer had to hold the host back"
    );
    assert_eq!(rig.sim.dropped_bytes(), 0);
    let jobs = rig.sim.wait_for_jobs(1, WAIT);
    assert_eq!(jobs[0].qr_codes()[0].data, common::TOKEN_URL);
}

#[test]
fn printer_that_drops_bytes_is_never_reported_as_printed() {
    // Flow control ignored: a 64-byte buffer at 2 KB/s loses most of the ticket.
    let rig = rig_with(SimOptions {
        buffer: 64,
        bytes_per_second: Some(2000),
        violate_flow_control: true,
        ..SimOptions::default()
    });
    let err = Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .unwrap_err();
    assert!(rig.sim.dropped_bytes() > 0);
    // The damaged stream swallows or never reaches GS r 1: not confirmed, not "printed".
    assert_eq!(err.class(), ErrorClass::FailedMidJob, "{err:?}");
    assert!(rig.sim.jobs().is_empty());
}

#[test]
fn transports_work_as_escpos_crate_drivers() {
    use escpos::printer::Printer as EscposPrinter;
    use escpos::utils::{Encoder, Protocol};
    use hardware::printer::transport::{self, TransportDriver};

    let rig = rig();
    let link = transport::open(&rig.config).expect("open");
    let driver = TransportDriver::new(link, Duration::from_secs(1));
    EscposPrinter::new(
        driver,
        Protocol::new(Encoder::new(encoding_rs::GB18030)),
        None,
    )
    .init()
    .and_then(|p| p.custom(&[0x1C, 0x26]))
    .and_then(|p| p.writeln("法律援助"))
    .and_then(|p| p.custom(&[0x1D, 0x56, 0x42, 0x00]))
    .and_then(|p| p.print())
    .expect("printed through the escpos crate");
    let jobs = rig.sim.wait_for_jobs(1, WAIT);
    assert_eq!(jobs[0].lines(), ["法律援助"]);
}

#[test]
fn driver_and_simulator_handle_can_move_to_other_threads() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<Printer>();
    send::<hardware::printer::sim::SimHandle>();
    sync::<hardware::printer::sim::SimHandle>();
}
