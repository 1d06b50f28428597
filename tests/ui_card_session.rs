//! The citizen's session from their ID card: greeted by a masked name, their tickets carry
//! only minimised identity, one active ticket per service, and everything is forgotten when
//! they leave.

mod common;

use std::time::Duration;

use common::Kiosk;
use hardware::idcard::sim::SimFault;

#[test]
fn placing_a_card_greets_the_citizen_by_a_masked_name() {
    let kiosk = Kiosk::start();
    kiosk.settle("the reader is ready", |k| {
        k.shows("您可以将身份证放在读卡器上。")
    });
    kiosk.place_card("resident-zhang", "张*");
    assert!(kiosk.shows("已读取您的身份证。"));
    assert!(
        !kiosk.shows("张伟"),
        "the full name never reaches the screen"
    );
    assert!(kiosk.kiosk.ui.has_identity());

    // A compound surname stays whole.
    kiosk.reader().remove();
    kiosk.settle(
        "the session ends when the card leaves the home screen",
        |k| !k.kiosk.ui.has_identity(),
    );
    kiosk.place_card("resident-ouyang", "欧阳**");
}

#[test]
fn a_ticket_taken_with_a_card_records_only_minimised_identity_once_per_service() {
    let kiosk = Kiosk::start();
    kiosk.place_card("resident-li-elderly", "李**");
    kiosk.tap("取号");
    kiosk.tap("法律援助");
    kiosk.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    assert!(
        kiosk.shows("李**，您好"),
        "the greeting stays during the flow"
    );
    let (masked, hash, band, priority): (String, String, String, Option<String>) =
        kiosk.query(|c| {
            c.query_row(
                "SELECT masked_id, id_hash, age_band, priority FROM tickets WHERE number = 'B001'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
        });
    assert!(
        masked.starts_with(&masked[..3]) && masked.contains("***********"),
        "{masked}"
    );
    assert_eq!(hash.len(), 64);
    assert_eq!(band, "70-79");
    assert_eq!(priority.as_deref(), Some("elderly"));

    // Home keeps the citizen while the card is on the reader; asking again for the same
    // service shows the ticket already held and issues nothing new.
    kiosk.tap("首页");
    assert!(kiosk.shows("李**，您好"));
    kiosk.tap("取号");
    kiosk.tap("法律援助");
    kiosk.settle("the held ticket", |k| {
        k.shows("您今天已取过此业务的号，请留意叫号。")
    });
    assert_eq!(kiosk.ticket_number().as_deref(), Some("B001"));
    let count: i64 = kiosk.query(|c| {
        c.query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(count, 1);
    assert_eq!(kiosk.printer().jobs().len(), 1, "no second paper ticket");
}

#[test]
fn walking_away_ends_the_session_and_the_kiosk_forgets_the_citizen() {
    let kiosk = Kiosk::start();
    kiosk.place_card("resident-zhang", "张*");
    kiosk.tap("取号");
    kiosk.wait_idle(60);
    assert!(kiosk.shows("取号"), "back home");
    assert!(!kiosk.shows("张*，您好"));
    assert!(
        !kiosk.kiosk.ui.has_identity(),
        "no identity is held after the session"
    );
}

#[test]
fn finish_ends_the_session() {
    let kiosk = Kiosk::start();
    kiosk.place_card("resident-zhang", "张*");
    kiosk.tap("结束办理");
    assert!(!kiosk.shows("张*，您好"));
    assert!(!kiosk.kiosk.ui.has_identity());
}

#[test]
fn a_card_with_a_bad_check_digit_is_not_accepted() {
    let kiosk = Kiosk::start();
    kiosk.reader().place_sample("resident-bad-check").unwrap();
    kiosk.settle("the rejection note", |k| {
        k.shows("此证件信息校验未通过，请联系工作人员。")
    });
    assert!(!kiosk.kiosk.ui.has_identity());
}

#[test]
fn without_a_working_reader_tickets_are_still_issued() {
    let kiosk = Kiosk::start();
    kiosk.settle("the reader is ready", |k| {
        k.shows("您可以将身份证放在读卡器上。")
    });
    kiosk.reader().inject(SimFault::SamSelfTest);
    kiosk.settle("the invitation disappears", |k| {
        !k.shows("您可以将身份证放在读卡器上。")
    });
    kiosk.tap("取号");
    kiosk.tap("人民调解");
    kiosk.settle("a ticket", |k| k.ticket_number().is_some());
    let faults: i64 = kiosk.query(|c| {
        c.query_row(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'reader.health' AND payload LIKE '%down%'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(faults, 1, "the fault is owed to the operations centre");
    kiosk.reader().clear_faults();
    kiosk.tap("完成");
    kiosk.settle("the reader is back", |k| {
        k.shows("您可以将身份证放在读卡器上。")
    });
    std::thread::sleep(Duration::from_millis(10));
}

#[test]
fn taking_the_card_away_mid_flow_ends_the_session_when_the_flow_ends() {
    let kiosk = Kiosk::start();
    kiosk.place_card("resident-zhang", "张*");
    kiosk.tap("取号");
    kiosk.tap("公证");
    kiosk.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    kiosk.reader().remove();
    let removed_at = std::time::Instant::now();
    kiosk.settle("the reader noticed", |_| {
        removed_at.elapsed() > Duration::from_secs(2)
    });
    assert!(
        kiosk.shows("张*，您好"),
        "the ticket page stays until the citizen is done"
    );
    kiosk.tap("完成");
    assert!(!kiosk.shows("张*，您好"));
    assert!(!kiosk.kiosk.ui.has_identity());
}
