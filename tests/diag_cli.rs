//! The installers' hardware checks, through the real binary against device simulators that
//! speak the printer's and the reader's wire protocols over pseudo-terminals.

use std::process::{Command, Output};
use std::time::Duration;

use hardware::idcard::sim::Simulator as CardReaderSim;
use hardware::printer::sim::{PaperLevel, SimChange, SimOptions, SimPrinter};

fn legal_kiosk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .args(args)
        .env("LEGAL_KIOSK_LOG", "warn")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn printer() -> SimPrinter {
    SimPrinter::start(SimOptions::default()).unwrap()
}

#[test]
fn print_ticket_prints_a_sample_and_exits_zero() {
    let sim = printer();
    let device = sim.path().unwrap().to_string_lossy().into_owned();
    let out = legal_kiosk(&[
        "diag",
        "print-ticket",
        "--device",
        &device,
        "--service",
        "notary",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let jobs = sim.wait_for_jobs(1, Duration::from_secs(5));
    let ticket = jobs[0].to_text();
    assert!(ticket.contains("公证"), "{ticket}");
    assert!(ticket.contains("D000"), "{ticket}");
    assert!(
        ticket.contains("测试样票"),
        "a test ticket says it is not a real one: {ticket}"
    );
    assert!(
        jobs[0].raw.ends_with(&[0x1d, 0x56, 0x42, 0x00]),
        "ends with the partial cut"
    );
}

#[test]
fn print_ticket_refuses_on_paper_end_and_exits_non_zero() {
    let sim = printer();
    sim.handle().apply(SimChange::Paper(PaperLevel::Out));
    let device = sim.path().unwrap().to_string_lossy().into_owned();
    let out = legal_kiosk(&["diag", "print-ticket", "--device", &device]);
    assert!(!out.status.success());
    assert!(
        text(&out).to_lowercase().contains("paper"),
        "{}",
        text(&out)
    );
    assert!(sim.jobs().is_empty());
}

#[test]
fn print_ticket_preview_renders_a_png_whose_qr_code_holds_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("ticket.png");
    let out = legal_kiosk(&[
        "diag",
        "print-ticket",
        "--preview",
        png.to_str().unwrap(),
        "--paper",
        "58mm",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let info = reader.info().clone();
    assert_eq!(info.width, 384, "58 mm paper is 384 dots wide");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let channels = frame.color_type.samples();
    let gray: Vec<u8> = buf[..frame.buffer_size()]
        .chunks(channels)
        .map(|p| p[0])
        .collect();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(
        info.width as usize,
        info.height as usize,
        |x, y| gray[y * info.width as usize + x],
    );
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, "http://127.0.0.1:8080/t/sample");
}

#[test]
fn printer_status_is_shown_and_a_refusing_printer_exits_non_zero() {
    let sim = printer();
    let device = sim.path().unwrap().to_string_lossy().into_owned();
    let ok = legal_kiosk(&["diag", "printer", "--device", &device, "--json"]);
    assert!(ok.status.success(), "{}", text(&ok));
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert!(v.is_object(), "{v}");
    sim.handle().apply(SimChange::CoverOpen(true));
    let open = legal_kiosk(&["diag", "printer", "--device", &device]);
    assert!(!open.status.success());
    assert!(
        text(&open).to_lowercase().contains("cover"),
        "{}",
        text(&open)
    );
}

#[test]
fn read_card_shows_the_card_masked_unless_asked() {
    let sim = CardReaderSim::start().unwrap();
    let device = sim.path().to_string_lossy().into_owned();
    sim.place_sample("resident-zhang").unwrap();
    let out = legal_kiosk(&[
        "diag",
        "read-card",
        "--device",
        &device,
        "--timeout",
        "5",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["card_type"], "resident");
    assert_eq!(v["name"], "张*");
    assert_eq!(v["id_number"], "110***********0019");
    assert_eq!(v["id_number_valid"], true);
    assert_eq!(v["gender"], "male");
    assert_eq!(v["nation"], "汉");
    assert_eq!(v["valid_until"], "2036-03-01");
    assert_eq!(v["long_term"], false);
    assert!(
        !out.stdout.windows(3).any(|w| w == "张伟".as_bytes()),
        "full name hidden"
    );

    sim.remove();
    std::thread::sleep(Duration::from_millis(400));
    sim.place_sample("resident-zhang").unwrap();
    let out = legal_kiosk(&[
        "diag",
        "read-card",
        "--device",
        &device,
        "--timeout",
        "5",
        "--json",
        "--unmasked",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "张伟");
    assert_eq!(v["id_number"], "110101198506150019");
    assert_eq!(v["birth_date"], "1985-06-15");
}

#[test]
fn read_card_without_a_card_times_out_with_a_message() {
    let sim = CardReaderSim::start().unwrap();
    let device = sim.path().to_string_lossy().into_owned();
    let out = legal_kiosk(&["diag", "read-card", "--device", &device, "--timeout", "1"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no card"), "{}", text(&out));
}

#[test]
fn reader_reports_its_sam_id_and_a_missing_device_fails_clearly() {
    let sim = CardReaderSim::start().unwrap();
    let device = sim.path().to_string_lossy().into_owned();
    let out = legal_kiosk(&["diag", "reader", "--device", &device]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("SAM id"), "{}", text(&out));
    let missing = legal_kiosk(&["diag", "reader", "--device", "/dev/nonexistent-reader"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("cannot open the card reader"),
        "{}",
        text(&missing)
    );
}
