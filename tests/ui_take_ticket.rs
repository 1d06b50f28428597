//! A citizen takes a ticket from the touchscreen (headless, real store and threads).

mod common;

use common::Kiosk;

#[test]
fn tap_take_ticket_then_a_service_shows_the_number_the_store_issued() {
    let kiosk = Kiosk::start(None);
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
fn the_next_citizen_sees_one_person_ahead() {
    let kiosk = Kiosk::start(None);
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
    let kiosk = Kiosk::start(None);
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
    let kiosk = Kiosk::start(None);
    kiosk.tap("取号");
    kiosk.tap("返回");
    assert!(kiosk.shows("取号"));
    assert!(!kiosk.shows("请选择您要办理的业务"));
}
