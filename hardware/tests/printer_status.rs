//! Status reply decoding, bit by bit, as listed in the ESC/POS reference (§2.6, §2.7).

use hardware::printer::PrinterConfig;
use hardware::printer::status::{
    ErrorCause, OfflineCause, PaperSensor, PrinterByte, PrinterStatus, Refusal, RollPaper,
    decode_error_cause, decode_offline_cause, decode_paper_sensor, decode_printer,
    decode_roll_paper, is_status_reply,
};

#[test]
fn printer_status_bits() {
    assert_eq!(decode_printer(0x12).unwrap(), PrinterByte::default());
    assert!(decode_printer(0x16).unwrap().drawer_pin_high);
    assert!(decode_printer(0x1A).unwrap().offline);
    assert!(decode_printer(0x32).unwrap().waiting_recovery);
    assert!(decode_printer(0x52).unwrap().feed_button);
    let all = decode_printer(0x7E).unwrap();
    assert!(all.drawer_pin_high && all.offline && all.waiting_recovery && all.feed_button);
}

#[test]
fn offline_cause_bits() {
    assert_eq!(decode_offline_cause(0x12).unwrap(), OfflineCause::default());
    assert!(decode_offline_cause(0x16).unwrap().cover_open);
    assert!(decode_offline_cause(0x1A).unwrap().feeding_by_button);
    assert!(decode_offline_cause(0x32).unwrap().paper_end_stop);
    assert!(decode_offline_cause(0x52).unwrap().error);
}

#[test]
fn error_cause_bits() {
    assert_eq!(decode_error_cause(0x12).unwrap(), ErrorCause::default());
    assert!(decode_error_cause(0x16).unwrap().recoverable);
    assert!(decode_error_cause(0x1A).unwrap().autocutter);
    assert!(decode_error_cause(0x32).unwrap().unrecoverable);
    assert!(decode_error_cause(0x52).unwrap().auto_recoverable);
    assert!(!decode_error_cause(0x12).unwrap().any());
}

#[test]
fn roll_paper_bits() {
    // python-escpos masks: 18 ok, 30 near end, 114 no paper.
    assert_eq!(decode_roll_paper(18).unwrap(), RollPaper::default());
    assert_eq!(
        decode_roll_paper(30).unwrap(),
        RollPaper {
            near_end: true,
            paper_end: false
        }
    );
    assert_eq!(
        decode_roll_paper(114).unwrap(),
        RollPaper {
            near_end: false,
            paper_end: true
        }
    );
    // Printers that set only one bit of each pair.
    assert!(decode_roll_paper(0x16).unwrap().near_end);
    assert!(decode_roll_paper(0x1A).unwrap().near_end);
    assert!(decode_roll_paper(0x32).unwrap().paper_end);
    assert!(decode_roll_paper(0x52).unwrap().paper_end);
}

#[test]
fn paper_sensor_reply_bits() {
    assert_eq!(decode_paper_sensor(0x00).unwrap(), PaperSensor::default());
    assert!(decode_paper_sensor(0x03).unwrap().near_end);
    assert!(decode_paper_sensor(0x0C).unwrap().paper_end);
    assert!(decode_paper_sensor(0x0F).unwrap().paper_end);
    // A DLE EOT reply or XON/XOFF is not a GS r reply.
    for byte in [0x12, 0x11, 0x13, 0x80] {
        assert!(decode_paper_sensor(byte).is_err(), "{byte:#04x}");
    }
}

#[test]
fn every_byte_without_the_fixed_pattern_is_an_error() {
    let mut valid = 0;
    for byte in 0..=255u8 {
        let fixed = byte & 0b1001_0011 == 0b0001_0010;
        assert_eq!(is_status_reply(byte), fixed, "{byte:#04x}");
        assert_eq!(decode_printer(byte).is_ok(), fixed);
        assert_eq!(decode_offline_cause(byte).is_ok(), fixed);
        assert_eq!(decode_error_cause(byte).is_ok(), fixed);
        assert_eq!(decode_roll_paper(byte).is_ok(), fixed);
        valid += usize::from(fixed);
    }
    assert_eq!(valid, 16); // four free bits
    // XON, XOFF, NUL and 0xFF in particular are never statuses.
    for byte in [0x11, 0x13, 0x00, 0xFF] {
        let err = decode_roll_paper(byte).unwrap_err();
        assert_eq!(err.byte, byte);
        assert!(err.to_string().contains("not a valid reply"));
    }
}

#[test]
fn refusal_reasons_in_priority_order() {
    let mut s = PrinterStatus::default();
    assert!(s.ready());
    s.printer.offline = true;
    assert_eq!(s.refusal(), Some(Refusal::Offline));
    s.roll_paper.paper_end = true;
    assert_eq!(s.refusal(), Some(Refusal::PaperEnd));
    s.offline_cause.cover_open = true;
    assert_eq!(s.refusal(), Some(Refusal::CoverOpen));
    let near = PrinterStatus {
        roll_paper: RollPaper {
            near_end: true,
            paper_end: false,
        },
        ..PrinterStatus::default()
    };
    assert!(near.ready() && near.paper_near_end());
}

#[test]
fn config_reads_from_toml_with_defaults() {
    let config: PrinterConfig = toml::from_str(
        r#"
        transport = "usb"
        device = "/dev/usb/lp0"
        paper = "58mm"
        flow_control = "hardware"
        gbk_only = true
        "#,
    )
    .expect("valid");
    assert_eq!(config.device, "/dev/usb/lp0");
    assert_eq!(config.paper.columns(), 32);
    assert!(config.gbk_only && !config.blind);
    assert_eq!(config.baud, 9600);
    assert_eq!(config.status_timeout_ms, 500);
    assert_eq!(
        toml::from_str::<PrinterConfig>("").unwrap(),
        PrinterConfig::default()
    );
    assert!(
        toml::from_str::<PrinterConfig>("papr = \"58mm\"").is_err(),
        "typos rejected"
    );
}

#[test]
fn documented_example_table_parses() {
    let source = include_str!("../src/printer/config.rs");
    let example: String = source
        .lines()
        .skip_while(|l| !l.starts_with("//! ```toml"))
        .skip(2) // the fence and the [printer] header
        .take_while(|l| !l.starts_with("//! ```"))
        .map(|l| l.trim_start_matches("//!").trim_start())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(example.contains("transport"), "example found: {example}");
    let config: PrinterConfig = toml::from_str(&example).expect("documented example parses");
    assert_eq!(config, PrinterConfig::default());
}
