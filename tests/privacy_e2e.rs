//! Privacy, end to end: a citizen places their ID card, takes a ticket (printed) and
//! finishes. Then every file the kiosk wrote — database and its WAL, keys, everything in
//! the data folder — its logs at the most verbose level, the outbox payloads and the bytes
//! the printer received are searched for the card's number, name and address, in UTF-8,
//! GB18030 and UTF-16. None may appear anywhere.

mod common;

use std::path::Path;

use common::Kiosk;

/// Sample card `resident-zhang` (synthetic).
const NUMBER: &str = "110101198506150019";
const NAME: &str = "张伟";
const ADDRESS: &str = "北京市东城区示例胡同10号";

fn encodings(text: &str) -> Vec<(String, Vec<u8>)> {
    let gb = encoding_rs::GB18030.encode(text).0.into_owned();
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    vec![
        (format!("{text} (UTF-8)"), text.as_bytes().to_vec()),
        (format!("{text} (GB18030)"), gb),
        (format!("{text} (UTF-16LE)"), utf16),
    ]
}

fn find_secrets(what: &str, bytes: &[u8], found: &mut Vec<String>) {
    for secret in [NUMBER, NAME, ADDRESS] {
        for (label, needle) in encodings(secret) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                found.push(format!("{label} in {what}"));
            }
        }
    }
}

fn scan_dir(dir: &Path, found: &mut Vec<String>, scanned: &mut usize) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            continue; // the simulators' device links point into /dev/pts
        } else if kind.is_dir() {
            scan_dir(&path, found, scanned);
        } else {
            *scanned += 1;
            find_secrets(
                &path.display().to_string(),
                &std::fs::read(&path).unwrap(),
                found,
            );
        }
    }
}

#[test]
fn nothing_personal_is_written_logged_printed_or_queued_for_the_network() {
    let kiosk = Kiosk::start();
    kiosk.place_card("resident-zhang", "张*");
    kiosk.tap("取号");
    kiosk.tap("法律援助");
    kiosk.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    kiosk.tap("结束办理");
    assert!(!kiosk.kiosk.ui.has_identity());

    let mut found = Vec::new();
    let mut scanned = 0;
    scan_dir(kiosk.data_dir.path(), &mut found, &mut scanned);
    assert!(
        scanned >= 2,
        "the database and its key were written ({scanned} files)"
    );

    let payloads: Vec<String> = kiosk.query(|c| {
        let mut stmt = c.prepare("SELECT payload FROM outbox").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    });
    assert!(
        payloads.iter().any(|p| p.contains("\"age_band\"")),
        "the ticket event carries the citizen's age band"
    );
    assert!(
        !payloads
            .iter()
            .any(|p| p.contains("masked_id") || p.contains("id_hash")),
        "and no more of the identity (issue 15)"
    );
    find_secrets(
        "outbox payloads",
        payloads.join("\n").as_bytes(),
        &mut found,
    );

    let printed: Vec<u8> = kiosk
        .printer()
        .jobs()
        .iter()
        .flat_map(|j| j.raw.clone())
        .collect();
    assert!(!printed.is_empty());
    find_secrets("printer output", &printed, &mut found);

    let logs = common::captured_logs();
    assert!(
        logs.len() > 200,
        "the logs were captured ({} bytes)",
        logs.len()
    );
    find_secrets("logs", &logs, &mut found);

    assert!(
        found.is_empty(),
        "personal data leaked:\n{}",
        found.join("\n")
    );
}
