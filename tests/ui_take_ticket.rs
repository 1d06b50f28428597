//! A citizen takes a ticket from the touchscreen (headless, real store and threads).

mod common;

use std::time::Duration;

use common::Kiosk;
use hardware::printer::sim::{PaperLevel, SimChange};

#[test]
fn tap_take_ticket_then_a_service_shows_the_number_the_store_issued() {
    let kiosk = Kiosk::without_printer();
    assert!(kiosk.shows("取号"), "the home screen offers 取号");
    kiosk.tap("取号");
    assert!(kiosk.shows("请选择您要办理的业务"));
    kiosk.tap("法律援助");
    kiosk.settle("a number on the ticket page", |k| {
        k.ticket_number().is_some()
    });

    let shown = kiosk.ticket_number().unwrap();
    let stored: String = kiosk.query(|c| {
        c.query_row(
            "SELECT number FROM tickets WHERE service_id = 'legal-aid'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(shown, stored);
    assert_eq!(shown, "B001");
    assert!(
        kiosk.shows("法律援助"),
        "the service is named on the ticket page"
    );

    // Without a printer the number is shown on screen, and the citizen is told what to do.
    assert!(kiosk.shows("今日号码仅在屏幕显示，您的号码有效。"));
    assert!(kiosk.shows("请拍照或记下您的号码。"));
    kiosk.tap("完成");
    assert!(kiosk.shows("取号"), "完成 returns home");
    assert_eq!(kiosk.ticket_number(), None);
}

#[test]
fn the_ticket_is_printed_in_chinese_with_its_number_and_the_citizen_told_to_take_it() {
    let kiosk = Kiosk::start();
    kiosk.tap("取号");
    kiosk.tap("公证");
    kiosk.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    let job = kiosk
        .printer()
        .wait_for_jobs(1, Duration::from_secs(5))
        .into_iter()
        .next()
        .expect("the simulated printer received the ticket");
    let text = job.to_text();
    assert!(text.contains("D001"), "{text}");
    assert!(text.contains("公证"), "{text}");
    assert!(text.contains("公共法律服务中心"), "{text}");
    let token: String = kiosk.query(|c| {
        c.query_row("SELECT token FROM tickets WHERE number = 'D001'", [], |r| {
            r.get(0)
        })
        .unwrap()
    });
    let qr = job.qr_codes();
    assert_eq!(qr.len(), 1);
    assert!(
        qr[0].data.ends_with(&token),
        "QR holds the ticket token: {:?}",
        qr[0].data
    );
    let state: String = kiosk.query(|c| {
        c.query_row(
            "SELECT print_state FROM tickets WHERE number = 'D001'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(state, "printed");
}

#[test]
fn paper_out_keeps_the_number_valid_on_screen_and_tells_staff() {
    let kiosk = Kiosk::start();
    kiosk
        .printer()
        .handle()
        .apply(SimChange::Paper(PaperLevel::Out));
    kiosk.tap("取号");
    kiosk.tap("法律援助");
    kiosk.settle("the failure message", |k| {
        k.shows("号票未能打印，但您的号码有效。")
    });
    assert_eq!(kiosk.ticket_number().as_deref(), Some("B001"));
    assert!(kiosk.shows("请拍照或记下您的号码。"));
    assert!(kiosk.shows("请联系工作人员，凭此号码为您办理。"));
    assert!(
        kiosk.printer().jobs().is_empty(),
        "nothing printed on an empty roll"
    );
    let (state, failures): (String, i64) = kiosk.query(|c| {
        (
            c.query_row(
                "SELECT print_state FROM tickets WHERE number = 'B001'",
                [],
                |r| r.get(0),
            )
            .unwrap(),
            c.query_row(
                "SELECT COUNT(*) FROM outbox WHERE kind = 'ticket.print_failed'",
                [],
                |r| r.get(0),
            )
            .unwrap(),
        )
    });
    assert_eq!(state, "failed");
    assert_eq!(failures, 1);

    // The home screen now says tickets are shown on screen only, and the next citizen's
    // number goes straight to the screen.
    kiosk.tap("完成");
    kiosk.settle("the home notice", |k| {
        k.shows("打印机暂不可用：号码将显示在屏幕上，请记下或拍照。")
    });
    kiosk.tap("取号");
    kiosk.tap("法律援助");
    kiosk.settle("screen only", |k| {
        k.shows("今日号码仅在屏幕显示，您的号码有效。")
    });
    assert_eq!(kiosk.ticket_number().as_deref(), Some("B002"));
}

#[test]
fn the_next_citizen_sees_one_person_ahead() {
    let kiosk = Kiosk::start();
    for expected_ahead in ["下一位就是您", "前面还有 1 人等候"] {
        kiosk.tap("取号");
        kiosk.tap("人民调解");
        kiosk.settle("the ticket page", |k| k.ticket_number().is_some());
        assert!(kiosk.shows(expected_ahead), "expected {expected_ahead}");
        kiosk.tap("完成");
    }
}

#[test]
fn the_services_page_shows_how_many_are_waiting() {
    let kiosk = Kiosk::start();
    kiosk.tap("取号");
    kiosk.tap("公证");
    kiosk.settle("the ticket page", |k| k.ticket_number().is_some());
    kiosk.tap("完成");
    kiosk.tap("取号");
    kiosk.settle("one waiting for notarisation", |k| {
        k.find("公证")
            .first()
            .and_then(|e| e.accessible_description())
            .is_some_and(|d| d.contains("等候 1 人"))
    });
}

#[test]
fn back_from_the_services_returns_home() {
    let kiosk = Kiosk::start();
    kiosk.tap("取号");
    kiosk.tap("返回");
    assert!(kiosk.shows("取号"));
    assert!(!kiosk.shows("请选择您要办理的业务"));
}
