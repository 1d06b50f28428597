//! The kiosk gives up on a citizen who walked away, asking first; and speaks three
//! languages, each chosen from the home screen.

mod common;

use common::Kiosk;

#[test]
fn after_a_quiet_spell_the_kiosk_asks_then_returns_home_and_forgets() {
    let kiosk = Kiosk::start();
    kiosk.tap("한국어");
    kiosk.tap("번호표 받기");
    kiosk.tap("법률원조");
    kiosk.settle("the ticket page", |k| k.ticket_number().is_some());

    kiosk.wait_idle(44);
    assert!(!kiosk.shows("계속"), "no question before 45 s of quiet");
    kiosk.wait_idle(1);
    assert!(
        kiosk.shows("계속"),
        "还在吗？ appears 15 s before the timeout"
    );
    assert!(
        kiosk.ticket_number().is_some(),
        "the ticket is still on screen while asking"
    );

    kiosk.wait_idle(15);
    assert!(kiosk.shows("取号"), "back home, in the default language");
    assert!(!kiosk.shows("번호표 받기"));
    assert_eq!(kiosk.ticket_number(), None, "the session is forgotten");
}

#[test]
fn continue_keeps_the_citizen_where_they_were() {
    let kiosk = Kiosk::start();
    kiosk.tap("取号");
    kiosk.wait_idle(46);
    assert!(kiosk.shows("继续"));
    kiosk.tap("继续");
    assert!(!kiosk.shows("继续"));
    kiosk.wait_idle(30);
    assert!(
        kiosk.shows("请选择您要办理的业务"),
        "继续 restarted the quiet spell"
    );
    kiosk.wait_idle(30);
    assert!(
        kiosk.shows("取号"),
        "and a full minute of quiet still ends the session"
    );
}

#[test]
fn the_idle_timeout_is_configurable() {
    let mut config = legal_kiosk::config::Config::default();
    config.kiosk.idle_timeout_secs = 120;
    config.kiosk.idle_warning_secs = 20;
    let kiosk = Kiosk::start_with(config);
    kiosk.tap("取号");
    kiosk.wait_idle(99);
    assert!(!kiosk.shows("继续"));
    kiosk.wait_idle(1);
    assert!(kiosk.shows("继续"));
    kiosk.wait_idle(20);
    assert!(kiosk.shows("取号"));
}

#[test]
fn the_home_screen_at_rest_asks_nothing() {
    let kiosk = Kiosk::start();
    kiosk.tap("取号");
    kiosk.tap("首页");
    kiosk.wait_idle(120);
    assert!(
        !kiosk.shows("继续"),
        "nobody to ask on an untouched home screen"
    );
}

#[test]
fn switching_language_changes_the_visible_text() {
    let kiosk = Kiosk::start();
    assert!(kiosk.shows("取号"));
    kiosk.tap("English");
    assert!(kiosk.shows("Take a ticket"));
    assert!(!kiosk.shows("取号"));
    kiosk.tap("Take a ticket");
    assert!(
        kiosk.shows("Legal aid"),
        "service names follow the language"
    );
    kiosk.tap("Home");
    // Home forgets the citizen's choice: the next person starts in Chinese.
    assert!(kiosk.shows("取号"));
    kiosk.tap("한국어");
    assert!(kiosk.shows("번호표 받기"));
    kiosk.tap("번호표 받기");
    assert!(kiosk.shows("공증"));
}
