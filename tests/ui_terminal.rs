//! The terminal around the citizen: the screen-saver after a long quiet spell, woken by a
//! touch or by someone walking up (simulated presence sensor), who is then greeted; calls
//! for staff from the screen or the call-staff button, shown on screen, on the status
//! light and in the outbox.

mod common;

use std::time::Duration;

use common::Kiosk;
use hardware::gpio::{Lamp, LightState, SimBoard};
use hardware::printer::sim::{PaperLevel, SimChange};
use legal_kiosk::config::{Config, GpioKind, GpioSection};
use legal_kiosk::ui::System;
use slint::ComponentHandle;

/// The attract message the screen-saver starts with.
const ATTRACT: &str = "请触摸屏幕开始";
const GREETING: &str = "您好！请点击下方按钮开始办理。";

/// A kiosk with a simulated GPIO board (presence on 17, button on 27, one lamp on 22).
fn kiosk_with_gpio() -> Kiosk {
    let mut config = Config::default();
    let text = include_str!("../config/example.toml");
    let example: Config = toml::from_str(text).expect("example config");
    config.gpio = Some(GpioSection {
        kind: GpioKind::Simulator,
        ..example.gpio.expect("the example has [gpio]")
    });
    Kiosk::start_with(config)
}

fn board(kiosk: &Kiosk) -> SimBoard {
    let gpio = kiosk.kiosk.system.gpio.as_ref().expect("GPIO configured");
    gpio.sim.clone().expect("simulated board")
}

fn screensaver_on(kiosk: &Kiosk) -> bool {
    kiosk.app.global::<System>().get_screensaver()
}

/// Where the screen-saver's text `label` is; fails unless it lies wholly on the screen.
fn on_screen(kiosk: &Kiosk, label: &str) -> (i32, i32) {
    let window = kiosk.app.window().size();
    let found = kiosk.find(label);
    // The saver's copy is the last one drawn (the home page may have the same text).
    let text = found
        .last()
        .unwrap_or_else(|| panic!("{label:?} not shown"));
    let (pos, size) = (text.absolute_position(), text.size());
    let scale = kiosk.app.window().scale_factor();
    assert!(
        pos.x >= 0.0
            && pos.y >= 0.0
            && (pos.x + size.width) * scale <= window.width as f32
            && (pos.y + size.height) * scale <= window.height as f32,
        "{label:?} at {pos:?} size {size:?} is not within the {window:?} screen"
    );
    (pos.x as i32, pos.y as i32)
}

fn outbox(kiosk: &Kiosk, kind: &'static str) -> Vec<serde_json::Value> {
    kiosk.query(move |c| {
        let mut stmt = c
            .prepare("SELECT payload FROM outbox WHERE kind = ?1 ORDER BY seq")
            .unwrap();
        stmt.query_map([kind], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|p| serde_json::from_str(&p.unwrap()).unwrap())
            .collect()
    })
}

#[test]
fn after_five_quiet_minutes_the_screen_saver_comes_and_a_touch_wakes_it_without_acting() {
    let kiosk = Kiosk::start();
    // The portrait panel (the testing backend lays out at another size unless told).
    kiosk
        .app
        .window()
        .set_size(slint::PhysicalSize::new(1080, 1920));
    kiosk.wait_idle(299);
    assert!(!screensaver_on(&kiosk));
    kiosk.wait_idle(1);
    assert!(screensaver_on(&kiosk));
    let first = on_screen(&kiosk, ATTRACT);

    // The attract loop moves on slowly: another message every 8 s, back after three, in
    // another place (the panel does not burn in).
    kiosk.wait_idle(7);
    assert!(kiosk.shows(ATTRACT));
    kiosk.wait_idle(1);
    assert!(!kiosk.shows(ATTRACT), "the next message after 8 s");
    on_screen(&kiosk, "排队到窗口办理业务");
    kiosk.wait_idle(16);
    let again = on_screen(&kiosk, ATTRACT);
    assert_ne!(first, again, "the message moved");

    // A tap where 取号 is wakes the kiosk; the saver takes the touch, 取号 does not.
    kiosk.tap("取号");
    assert!(!screensaver_on(&kiosk));
    assert!(
        !kiosk.shows("请选择您要办理的业务"),
        "the touch that woke the kiosk opened nothing"
    );
    kiosk.tap("取号");
    assert!(kiosk.shows("请选择您要办理的业务"), "the next touch works");
}

#[test]
fn the_screen_saver_waits_while_a_citizen_is_busy() {
    let kiosk = Kiosk::start();
    kiosk.tap("取号");
    kiosk.wait_idle(50);
    kiosk.tap("继续");
    kiosk.wait_idle(290);
    assert!(
        !screensaver_on(&kiosk),
        "the session ended at its idle timeout; the saver counts from the last touch"
    );
    kiosk.wait_idle(10);
    assert!(screensaver_on(&kiosk));
}

#[test]
fn a_screen_saver_set_to_zero_never_comes() {
    let mut config = Config::default();
    config.screensaver.after_secs = 0;
    let kiosk = Kiosk::start_with(config);
    kiosk.wait_idle(3600);
    assert!(!screensaver_on(&kiosk));
}

#[test]
fn someone_walking_up_wakes_the_screen_and_is_greeted() {
    let kiosk = kiosk_with_gpio();
    let board = board(&kiosk);
    kiosk.wait_idle(300);
    assert!(screensaver_on(&kiosk));

    board.set_presence(true);
    kiosk.settle("presence wakes the screen", |k| !screensaver_on(k));
    assert!(kiosk.shows(GREETING));
    kiosk.wait_idle(10);
    assert!(!kiosk.shows(GREETING), "the greeting lasts 10 s");

    // While someone stands there the screen stays awake.
    kiosk.wait_idle(600);
    assert!(!screensaver_on(&kiosk));
    board.set_presence(false);
    // The sensor's debounce, then the event reaches the UI thread.
    std::thread::sleep(Duration::from_millis(200));
    kiosk.ui_queue.run_pending();
    kiosk.wait_idle(300);
    assert!(
        screensaver_on(&kiosk),
        "after they left, the quiet spell counts again"
    );
}

#[test]
fn the_call_staff_button_raises_one_call_shown_on_screen_on_the_light_and_in_the_outbox() {
    let kiosk = kiosk_with_gpio();
    let board = board(&kiosk);
    std::thread::sleep(Duration::from_millis(100));
    assert!(board.lamp_lit(Lamp::Single), "ready: the lamp is on");

    board.press_call_button();
    kiosk.settle("the staff call", |k| {
        k.app.global::<System>().get_staff_call_active()
    });
    board.release_call_button();
    assert!(kiosk.shows("工作人员马上就到"));
    assert_eq!(
        kiosk.kiosk.system.status.light(),
        LightState::NeedsAttention
    );
    let blinks_from = board.lamp_changes(Lamp::Single);
    std::thread::sleep(Duration::from_millis(1300));
    assert!(
        board.lamp_changes(Lamp::Single) >= blinks_from + 2,
        "the lamp blinks for staff"
    );

    // Pressing again (or on screen) while staff are coming raises nothing new.
    std::thread::sleep(Duration::from_millis(100));
    board.press_call_button();
    std::thread::sleep(Duration::from_millis(150));
    board.release_call_button();
    std::thread::sleep(Duration::from_millis(150));
    kiosk.ui_queue.run_pending();
    kiosk.tap("工作人员马上就到");
    let called = outbox(&kiosk, "staff.called");
    assert_eq!(called.len(), 1, "{called:?}");
    assert_eq!(called[0]["origin"], "button");

    let answered = kiosk
        .kiosk
        .services
        .staff_calls
        .answer()
        .expect("a waiting call");
    assert_eq!(answered.call_id, called[0]["call_id"]);
    // The answer reaches the screen as an event.
    kiosk.settle("the call answered on screen", |k| k.shows("呼叫工作人员"));
    assert_eq!(kiosk.kiosk.system.status.light(), LightState::Ready);
    let ended = outbox(&kiosk, "staff.call_ended");
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["ended"], "answered");
}

#[test]
fn call_staff_on_screen_works_from_every_page_and_an_unanswered_call_expires() {
    let kiosk = Kiosk::start();
    kiosk.tap("取号");
    kiosk.tap("呼叫工作人员");
    assert!(kiosk.shows("工作人员马上就到"));
    assert!(
        kiosk.shows("请选择您要办理的业务"),
        "the citizen stays where they were"
    );
    let called = outbox(&kiosk, "staff.called");
    assert_eq!(called.len(), 1);
    assert_eq!(called[0]["origin"], "screen");

    // Nobody answers within 15 minutes (the kiosk went home meanwhile).
    kiosk.wait_idle(900);
    assert!(kiosk.shows("呼叫工作人员"));
    let ended = outbox(&kiosk, "staff.call_ended");
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["ended"], "expired");
    assert_eq!(kiosk.kiosk.system.status.light(), LightState::Ready);
}

#[test]
fn the_light_follows_the_printer_and_the_out_of_service_lock() {
    let mut config = Config::default();
    config.printer.status_poll_secs = 1;
    let example: Config = toml::from_str(include_str!("../config/example.toml")).unwrap();
    config.gpio = example.gpio;
    let kiosk = Kiosk::start_with(config);
    let board = board(&kiosk);
    assert_eq!(kiosk.kiosk.system.status.light(), LightState::Ready);
    kiosk
        .printer()
        .handle()
        .apply(SimChange::Paper(PaperLevel::Out));
    kiosk.settle("the printer's paper-out status", |k| {
        k.kiosk.system.status.light() == LightState::NeedsAttention
    });
    kiosk.kiosk.system.status.set_out_of_service(true);
    std::thread::sleep(Duration::from_millis(100));
    assert!(!board.lamp_lit(Lamp::Single), "out of service: off");
    let changes = board.lamp_changes(Lamp::Single);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        board.lamp_changes(Lamp::Single),
        changes,
        "and not blinking"
    );
}
