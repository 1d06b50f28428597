//! Privacy, end to end: a citizen places their ID card, takes a ticket (printed) and
//! finishes. Then every file the kiosk wrote — database and its WAL, keys, everything in
//! the data folder — its logs at the most verbose level, the outbox payloads and the bytes
//! the printer received are searched for the card's number, name and address, in UTF-8,
//! GB18030 and UTF-16. None may appear anywhere.

mod common;

use common::Kiosk;
use common::privacy::Scan;

/// Sample card `resident-zhang` (synthetic).
const NUMBER: &str = "110101198506150019";
const NAME: &str = "张伟";
const ADDRESS: &str = "北京市东城区示例胡同10号";

#[test]
fn nothing_personal_is_written_logged_printed_or_queued_for_the_network() {
    let kiosk = Kiosk::start();
    kiosk.place_card("resident-zhang", "张*");
    kiosk.tap("取号");
    kiosk.tap("法律援助");
    kiosk.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    kiosk.tap("结束办理");
    assert!(!kiosk.kiosk.ui.has_identity());

    let mut scan = Scan::new(&[NUMBER, NAME, ADDRESS]);
    scan.dir(kiosk.data_dir.path());
    assert!(
        scan.files >= 2,
        "the database and its key were written ({} files)",
        scan.files
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
    scan.bytes("outbox payloads", payloads.join("\n").as_bytes());

    let printed: Vec<u8> = kiosk
        .printer()
        .jobs()
        .iter()
        .flat_map(|j| j.raw.clone())
        .collect();
    assert!(!printed.is_empty());
    scan.bytes("printer output", &printed);

    let logs = common::captured_logs();
    assert!(
        logs.len() > 200,
        "the logs were captured ({} bytes)",
        logs.len()
    );
    scan.bytes("logs", &logs);
    scan.assert_clean();
}
