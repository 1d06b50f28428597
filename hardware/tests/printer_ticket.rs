//! What reaches the paper: the ticket's bytes, text, QR code, cut, layout and preview,
//! checked through the real driver and the pseudo-terminal simulator.

mod common;

use std::time::Duration;

use common::{TOKEN_URL, rig, rig_58, sample_ticket};
use hardware::printer::layout::text_columns;
use hardware::printer::sim::{Element, decode_jobs};
use hardware::printer::{
    Align, Document, EncodeOptions, PaperWidth, Printer, TextSize, encode, preview_png,
};

const WAIT: Duration = Duration::from_secs(3);

#[test]
fn ticket_arrives_as_gb18030_chinese_text() {
    let rig = rig();
    let mut printer = Printer::new(rig.config.clone());
    let report = printer.print(&sample_ticket().document()).expect("printed");
    assert!(report.confirmed);
    let jobs = rig.sim.wait_for_jobs(1, WAIT);
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    let lines = job.lines();
    for expected in [
        "朝阳区公共法律服务中心",
        "法律援助",
        "A012",
        "前面还有 3 人等候",
        "取号时间：2026-11-26 14:03",
        "办理窗口：3号窗口",
        "请留意叫号，过号请重新取号",
        "法律服务热线：12348",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected:?} not in {lines:#?}"
        );
    }
    // The wire carries GB18030, not UTF-8: 法律援助 is B7A8 C2C9 D4AE D6FA.
    let gb = [0xB7, 0xA8, 0xC2, 0xC9, 0xD4, 0xAE, 0xD6, 0xFA];
    assert!(job.raw.windows(gb.len()).any(|w| w == gb));
    assert!(!job.raw.windows(3).any(|w| w == "法".as_bytes()));
    // Reset and Chinese mode come first, after the status queries that preceded the job.
    let mut raw = job.raw.as_slice();
    while let [0x10, 0x04, 1..=4, rest @ ..] = raw {
        raw = rest;
    }
    assert!(raw.starts_with(&[0x1B, 0x40, 0x1C, 0x26]), "{raw:02X?}");
}

#[test]
fn ticket_number_is_printed_large() {
    let rig = rig();
    Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .expect("printed");
    let jobs = rig.sim.wait_for_jobs(1, WAIT);
    let number = jobs[0]
        .elements
        .iter()
        .find_map(|e| match e {
            Element::Line { spans, .. } if spans.iter().any(|s| s.text == "A012") => {
                spans.first().cloned()
            }
            _ => None,
        })
        .expect("number line");
    assert!(number.width >= 2 && number.height >= 2, "{number:?}");
    assert!(number.bold);
}

#[test]
fn qr_code_holds_the_token_url_as_model_2_level_m() {
    let rig = rig();
    Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .expect("printed");
    let jobs = rig.sim.wait_for_jobs(1, WAIT);
    let qrs = jobs[0].qr_codes();
    assert_eq!(qrs.len(), 1);
    assert_eq!(qrs[0].data, TOKEN_URL);
    assert_eq!(qrs[0].model, 2);
    assert_eq!(qrs[0].error_correction, 'M');
    assert!((4..=8).contains(&qrs[0].module_size));
}

#[test]
fn ticket_ends_with_feed_and_partial_cut() {
    let bytes = encode(&sample_ticket().document(), &EncodeOptions::default()).unwrap();
    assert!(bytes.ends_with(&[0x1D, 0x56, 0x42, 0x00]), "{bytes:02X?}");
    let rig = rig();
    Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .expect("printed");
    let jobs = rig.sim.wait_for_jobs(1, WAIT);
    assert!(jobs[0].ends_with_partial_cut());
    assert!(jobs[0].raw.ends_with(&[0x1D, 0x56, 0x42, 0x00]));
}

#[test]
fn reprint_says_so() {
    let mut ticket = sample_ticket();
    ticket.reprint = true;
    let bytes = encode(&ticket.document(), &EncodeOptions::default()).unwrap();
    let job = &decode_jobs(&bytes, 576)[0];
    let line = job
        .elements
        .iter()
        .find_map(|e| match e {
            Element::Line { spans, .. } if spans.iter().any(|s| s.text.contains("补打")) => {
                spans.first().cloned()
            }
            _ => None,
        })
        .expect("补打 printed");
    assert!(line.width >= 2, "补打 must be prominent: {line:?}");
    let plain = encode(&sample_ticket().document(), &EncodeOptions::default()).unwrap();
    assert!(
        !decode_jobs(&plain, 576)[0]
            .lines()
            .iter()
            .any(|l| l.contains("补打"))
    );
}

#[test]
fn ticket_is_under_one_kilobyte_at_80mm() {
    let bytes = encode(&sample_ticket().document(), &EncodeOptions::default()).unwrap();
    assert!(bytes.len() < 1024, "{} bytes", bytes.len());
}

const LONG_CENTRE: &str =
    "内蒙古自治区呼和浩特市赛罕区公共法律服务中心（人民调解、法律援助、公证一站式服务大厅）";
const LONG_SERVICE: &str = "司法鉴定申请咨询与Legal aid application";

fn assert_layout_fits(paper: PaperWidth, rig: common::Rig) {
    let mut ticket = sample_ticket();
    ticket.centre_name = LONG_CENTRE.into();
    ticket.service_name = LONG_SERVICE.into();
    Printer::new(rig.config.clone())
        .print(&ticket.document())
        .expect("printed");
    let jobs = rig.sim.wait_for_jobs(1, WAIT);
    let columns = paper.columns();
    let mut text_of_centre = String::new();
    for element in &jobs[0].elements {
        if let Element::Line { spans, .. } = element {
            let width: usize = spans
                .iter()
                .map(|s| text_columns(&s.text) * usize::from(s.width))
                .sum();
            assert!(
                width <= columns,
                "line {spans:?} is {width} > {columns} columns"
            );
            for s in spans {
                // No replacement characters: no GB18030 character was split.
                assert!(!s.text.contains('\u{FFFD}'), "split character in {s:?}");
            }
        }
    }
    for line in jobs[0].lines() {
        if LONG_CENTRE.contains(line.as_str()) && !line.is_empty() {
            text_of_centre.push_str(&line);
        }
    }
    assert_eq!(
        text_of_centre, LONG_CENTRE,
        "the centre name is complete, in order"
    );
    let service: String = jobs[0]
        .lines()
        .into_iter()
        .filter(|l| !l.is_empty() && LONG_SERVICE.contains(l.as_str()))
        .collect();
    // A space at a line break is dropped; every other character is there, in order.
    assert_eq!(service.replace(' ', ""), LONG_SERVICE.replace(' ', ""));
}

#[test]
fn long_names_wrap_within_80mm() {
    assert_layout_fits(PaperWidth::Mm80, rig());
}

#[test]
fn long_names_wrap_within_58mm() {
    let rig = rig_58();
    assert_eq!(rig.config.paper, PaperWidth::Mm58);
    assert_layout_fits(PaperWidth::Mm58, rig);
}

#[test]
fn gbk_only_printers_get_no_four_byte_sequences() {
    let mut ticket = sample_ticket();
    ticket.centre_name = "𠀀城公共法律服务中心".into();
    ticket.notice = "费用¥0，免费 한국어 안내".into();
    let options = EncodeOptions {
        paper: PaperWidth::Mm80,
        gbk_only: true,
    };
    let bytes = encode(&ticket.document(), &options).unwrap();
    // A GB18030 4-byte sequence is lead 0x81-0xFE then a digit 0x30-0x39; GBK never has one.
    let job = &decode_jobs(&bytes, 576)[0];
    let lines = job.lines();
    assert!(
        lines.iter().any(|l| l == "?城公共法律服务中心"),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l == "费用￥0，免费 ??? ??"),
        "{lines:#?}"
    );
    let (_, _, had_errors) = encoding_rs::GBK.decode(&bytes);
    assert!(!had_errors, "not valid GBK");
    // Without the option the same text goes out as proper 4-byte GB18030.
    let full = encode(&ticket.document(), &EncodeOptions::default()).unwrap();
    let job = &decode_jobs(&full, 576)[0];
    assert!(job.lines().iter().any(|l| l == "费用¥0，免费 한국어 안내"));
}

#[test]
fn preview_png_scans_back_to_the_token_url() {
    for paper in [PaperWidth::Mm80, PaperWidth::Mm58] {
        let options = EncodeOptions {
            paper,
            gbk_only: false,
        };
        let png_bytes = preview_png(&sample_ticket().document(), &options).expect("preview");
        let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("ticket-preview-{}.png", paper.dots()));
        std::fs::write(&target, &png_bytes).expect("write preview");

        let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
        let mut reader = decoder.read_info().expect("png header");
        let (width, height) = (reader.info().width, reader.info().height);
        assert_eq!(width, paper.dots());
        assert!(height > 300, "a ticket is taller than {height} dots");
        let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
        reader.next_frame(&mut pixels).expect("png data");

        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
                pixels[y * width as usize + x]
            });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code on the ticket");
        let (_, content) = grids[0].decode().expect("QR decodes");
        assert_eq!(content, TOKEN_URL);

        // Text was drawn: the top of the ticket (centre name) has ink.
        let top_ink = pixels[..width as usize * 60]
            .iter()
            .filter(|p| **p < 128)
            .count();
        assert!(top_ink > 200, "centre name drawn ({top_ink} dark pixels)");
    }
}

#[test]
fn console_text_shows_the_ticket() {
    let rig = rig();
    let jobs_rx = rig.sim.subscribe();
    Printer::new(rig.config.clone())
        .print(&sample_ticket().document())
        .expect("printed");
    let job = jobs_rx
        .recv_timeout(WAIT)
        .expect("job delivered to subscriber");
    let text = job.to_text();
    assert!(text.contains("[3x] A012"), "{text}");
    assert!(
        text.contains(&format!("[QR model 2 EC M module 6: {TOKEN_URL}]")),
        "{text}"
    );
    assert!(text.contains("[partial cut]"), "{text}");
    assert!(text.contains("朝阳区公共法律服务中心"));
    // The same received job renders as a picture at the printer's width.
    let png_bytes = hardware::printer::sim::render_job_png(&job).expect("render");
    let reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .expect("png");
    assert_eq!(reader.info().width, 576);
}

#[test]
fn guidance_slip_uses_the_same_model() {
    // A slip as the firmware lays one out: numbered steps and a list, wrapped on 58 mm.
    let mut slip = Document::new();
    slip.styled(
        "朝阳区公共法律服务中心",
        Align::Center,
        TextSize::Normal,
        true,
    )
    .styled("法律咨询指引", Align::Center, TextSize::Double, true)
    .separator()
    .styled(
        "劳动争议：用人单位拖欠工资三个月，需要申请劳动仲裁",
        Align::Left,
        TextSize::Normal,
        true,
    );
    let steps = [
        "到劳动人事争议仲裁委员会提交仲裁申请书",
        "符合条件的可申请法律援助",
    ];
    for (i, step) in steps.iter().enumerate() {
        slip.text(format!("{}. {step}", i + 1));
    }
    for item in ["身份证原件及复印件", "劳动合同或工资流水"] {
        slip.text(format!("· {item}"));
    }
    slip.text("地址：朝阳区示例路1号2楼")
        .separator()
        .text("法律服务热线：12348")
        .qr("https://q.example.gov.cn/g/labour")
        .cut();
    let options = EncodeOptions {
        paper: PaperWidth::Mm58,
        gbk_only: false,
    };
    let bytes = encode(&slip, &options).unwrap();
    let job = &decode_jobs(&bytes, 384)[0];
    let lines = job.lines();
    assert!(
        lines.iter().any(|l| l == "1. 到劳动人事争议仲裁委员会提交"),
        "{lines:#?}"
    );
    // The comma is not left at the start of a line.
    assert!(
        lines.iter().any(|l| l == "月，需要申请劳动仲裁"),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l == "· 身份证原件及复印件"),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| text_columns(l) <= 32));
    assert_eq!(job.qr_codes()[0].data, "https://q.example.gov.cn/g/labour");
    assert!(job.ends_with_partial_cut());
}
