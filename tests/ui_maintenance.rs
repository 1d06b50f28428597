//! The staff maintenance menu on the touchscreen (headless, real store, threads and the
//! simulated printer): the hidden gesture, the PIN pad and its lockout, the menu's idle
//! timeout, every page and its main action, and the audit trail each action leaves.

mod common;

use std::time::Duration;

use common::{Kiosk, beijing};
use legal_kiosk::config::Config;
use legal_kiosk::domain::maintenance::{Actor, Pin, Role, accounts};
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};

const STAFF_PIN: &str = "739152";
const INSTALLER_PIN: &str = "482916";

/// A kiosk on a 1080×1920 portrait screen with a staff account (王芳) and an installer (安装员).
fn kiosk_with(config: Config) -> Kiosk {
    let kiosk = Kiosk::start_with(config);
    portrait(&kiosk);
    add_account(&kiosk, "王芳", Role::Staff, STAFF_PIN);
    add_account(&kiosk, "安装员", Role::Installer, INSTALLER_PIN);
    kiosk
}

fn kiosk() -> Kiosk {
    kiosk_with(Config::default())
}

fn portrait(kiosk: &Kiosk) {
    kiosk
        .app
        .window()
        .set_size(slint::PhysicalSize::new(1080, 1920));
}

fn add_account(kiosk: &Kiosk, name: &str, role: Role, pin: &str) {
    let (name, pin) = (name.to_string(), pin.to_string());
    kiosk
        .kiosk
        .worker
        .call(move |s| {
            let at = chrono::Local::now().fixed_offset();
            accounts::add(
                s.conn(),
                &name,
                role,
                &Pin::new_for_account(&pin).unwrap(),
                &Actor::Console("test".into()),
                at,
            )
        })
        .unwrap()
        .unwrap();
}

/// Presses the top-right corner, holds it for `secs` of (mock) time, and lets go.
fn hold_corner(kiosk: &Kiosk, secs: u64) {
    let size = kiosk.app.window().size().to_logical(1.0);
    let position = slint::LogicalPosition::new(size.width - 30.0, 30.0);
    let window = kiosk.app.window();
    window.dispatch_event(WindowEvent::PointerPressed {
        position,
        button: PointerEventButton::Left,
    });
    kiosk.wait_idle(secs);
    window.dispatch_event(WindowEvent::PointerReleased {
        position,
        button: PointerEventButton::Left,
    });
}

fn type_pin(kiosk: &Kiosk, pin: &str) {
    for digit in pin.chars() {
        kiosk.tap(&digit.to_string());
    }
    kiosk.tap("确定");
}

fn pin_message(kiosk: &Kiosk) -> String {
    kiosk
        .find("pin-message")
        .first()
        .and_then(|e| e.accessible_value())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// Opens the menu with `pin` and waits for it.
fn log_in(kiosk: &Kiosk, pin: &str) {
    hold_corner(kiosk, 3);
    assert!(kiosk.shows("pin-dots"), "the PIN pad is open");
    type_pin(kiosk, pin);
    kiosk.settle("the menu", |k| k.shows("退出") && k.shows("状态"));
}

/// The value shown next to `label` (an `InfoRow`).
fn value_of(kiosk: &Kiosk, label: &str) -> String {
    value(kiosk, label)
}

fn value(kiosk: &Kiosk, label: &str) -> String {
    kiosk
        .find(label)
        .iter()
        .filter_map(|e| e.accessible_value())
        .map(|v| v.to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

/// The button labelled `label`.
fn button(kiosk: &Kiosk, label: &str) -> i_slint_backend_testing::ElementHandle {
    kiosk
        .find(label)
        .into_iter()
        .find(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button))
        .unwrap_or_else(|| panic!("no {label:?} button"))
}

fn result_text(kiosk: &Kiosk) -> String {
    kiosk
        .find("result")
        .iter()
        .filter_map(|e| e.accessible_value())
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The audit rows as `actor action outcome`, oldest first.
fn audit(kiosk: &Kiosk) -> Vec<String> {
    kiosk.query(|c| {
        let mut stmt = c
            .prepare("SELECT actor, action, outcome FROM audit_log ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| {
            Ok(format!(
                "{} {} {}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    })
}

/// Waits until the audit trail has a row `actor action outcome`.
fn settle_audit(kiosk: &Kiosk, row: &str) {
    kiosk.settle(row, |k| audit(k).iter().any(|r| r == row));
}

fn restart(old: Kiosk, config: Config) -> Kiosk {
    let Kiosk {
        app,
        kiosk,
        data_dir,
        clock,
        ..
    } = old;
    let now = legal_kiosk::clock::Clock::now(&*clock);
    drop(kiosk);
    drop(app);
    let kiosk = Kiosk::start_in(config, data_dir, now);
    portrait(&kiosk);
    kiosk
}

#[test]
fn holding_the_corner_opens_only_a_pin_pad_and_cancel_returns_home() {
    let kiosk = kiosk();
    hold_corner(&kiosk, 1);
    assert!(!kiosk.shows("pin-dots"), "a short touch opens nothing");
    assert!(kiosk.shows("取号"));

    hold_corner(&kiosk, 3);
    assert!(kiosk.shows("仅限工作人员"));
    assert!(kiosk.shows("请输入工作人员密码"));
    for menu_item in ["状态", "打印机", "排队", "日志", "取号"] {
        assert!(
            !kiosk.shows(menu_item),
            "{menu_item} is not reachable from the PIN pad"
        );
    }
    kiosk.tap("取消");
    assert!(kiosk.shows("取号"));
    assert!(!kiosk.shows("pin-dots"));
}

#[test]
fn the_pin_pad_closes_itself_when_left_alone() {
    let kiosk = kiosk();
    hold_corner(&kiosk, 3);
    kiosk.wait_idle(29);
    assert!(kiosk.shows("pin-dots"));
    kiosk.wait_idle(1);
    assert!(kiosk.shows("取号"), "back home after 30 s");
}

#[test]
fn a_tap_sequence_opens_the_pin_pad_when_configured() {
    let mut config = Config::default();
    config.maintenance.gesture = legal_kiosk::domain::maintenance::gesture::GestureKind::Taps;
    let kiosk = kiosk_with(config);
    hold_corner(&kiosk, 5);
    assert!(
        !kiosk.shows("pin-dots"),
        "holding is not the configured gesture"
    );
    for _ in 0..4 {
        hold_corner(&kiosk, 0);
    }
    assert!(kiosk.shows("pin-dots"), "five quick taps");
}

#[test]
fn the_gpio_key_switch_path_opens_the_same_pin_pad() {
    let kiosk = kiosk();
    let opener = kiosk.kiosk.ui.maintenance.pin_pad_opener();
    std::thread::spawn(move || opener.open()).join().unwrap();
    kiosk.settle("the PIN pad", |k| k.shows("pin-dots"));
}

#[test]
fn a_short_pin_is_refused_with_a_message_and_not_counted() {
    let kiosk = kiosk();
    hold_corner(&kiosk, 3);
    type_pin(&kiosk, "73915");
    assert_eq!(pin_message(&kiosk), "密码至少为 6 位数字。");
    kiosk.tap("1");
    kiosk.tap("删除");
    assert_eq!(pin_message(&kiosk), " ", "typing clears the message");
    let failures: i64 = kiosk.query(|c| {
        c.query_row("SELECT failures FROM staff_lockout", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(failures, 0);
}

#[test]
fn the_right_pin_opens_the_menu_which_closes_itself_after_two_quiet_minutes() {
    let kiosk = kiosk();
    log_in(&kiosk, STAFF_PIN);
    assert!(kiosk.shows("已登录：王芳（工作人员）"));
    assert_eq!(
        kiosk.kiosk.ui.maintenance.logged_in(),
        Some(("王芳".to_string(), Role::Staff))
    );
    kiosk.wait_idle(100);
    kiosk.tap("状态");
    kiosk.wait_idle(119);
    assert!(kiosk.shows("退出"), "a touch restarted the two minutes");
    assert!(!kiosk.shows("继续"), "no citizen idle question in the menu");
    kiosk.wait_idle(1);
    assert!(
        kiosk.shows("取号"),
        "closed after 2 minutes without a touch"
    );
    assert_eq!(kiosk.kiosk.ui.maintenance.logged_in(), None);
    settle_audit(&kiosk, "王芳 logout ok");
    assert!(audit(&kiosk).contains(&"王芳 login ok".to_string()));
}

#[test]
fn five_wrong_pins_lock_the_menu_across_a_restart_until_the_period_is_over() {
    let kiosk = kiosk();
    hold_corner(&kiosk, 3);
    for left in (1..=4).rev() {
        type_pin(&kiosk, "111222");
        kiosk.settle("wrong PIN", |k| {
            pin_message(k) == format!("密码错误。再错 {left} 次菜单将被锁定。")
        });
    }
    type_pin(&kiosk, "111222");
    kiosk.settle("locked", |k| {
        pin_message(k) == "密码错误次数过多，菜单已锁定，请 5 分钟后再试。"
    });
    // Even the right PIN cannot be typed now.
    kiosk.tap("7");
    assert_eq!(
        kiosk.find("pin-dots")[0].accessible_value().unwrap(),
        "0",
        "the digits are disabled"
    );

    let kiosk = restart(kiosk, Config::default());
    kiosk.clock.set(beijing(26, 9, 33));
    hold_corner(&kiosk, 3);
    kiosk.settle("still locked after a restart", |k| {
        pin_message(k) == "密码错误次数过多，菜单已锁定，请 2 分钟后再试。"
    });
    kiosk.tap("取消");

    kiosk.clock.set(beijing(26, 9, 35));
    log_in(&kiosk, STAFF_PIN);
    let rows = audit(&kiosk);
    assert_eq!(
        rows.iter()
            .filter(|r| *r == "unknown login refused")
            .count(),
        5
    );
    assert!(rows.contains(&"unknown login.lockout ok".to_string()));
    assert_eq!(rows.last().unwrap(), "王芳 login ok");
}

#[test]
fn a_test_page_reaches_the_simulated_printer_and_is_audited() {
    let kiosk = kiosk();
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("打印机");
    kiosk.settle("the printer's status", |k| value(k, "打印机") == "在线");
    kiosk.tap("打印测试页");
    kiosk.settle("printed", |k| result_text(k).contains("测试页已打印。"));
    let job = kiosk
        .printer()
        .wait_for_jobs(1, Duration::from_secs(5))
        .into_iter()
        .next()
        .expect("the simulated printer received the test page");
    assert!(job.to_text().contains("打印测试页"), "{}", job.to_text());
    assert_eq!(job.qr_codes().len(), 1);
    settle_audit(&kiosk, "王芳 printer.test_print ok");
}

#[test]
fn the_printer_page_says_when_paper_is_out() {
    let kiosk = kiosk();
    kiosk
        .printer()
        .handle()
        .apply(hardware::printer::sim::SimChange::Paper(
            hardware::printer::sim::PaperLevel::Out,
        ));
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("打印机");
    kiosk.settle("paper out", |k| {
        value(k, "纸张") == "缺纸" && value(k, "打印机") == "脱机"
    });
    kiosk.tap("打印测试页");
    kiosk.settle("refused", |k| result_text(k).contains("测试页未能打印"));
    assert!(kiosk.printer().jobs().is_empty());
    settle_audit(&kiosk, "王芳 printer.test_print failed");
}

#[test]
fn a_reprint_is_marked_and_an_unknown_number_is_refused() {
    let kiosk = kiosk();
    kiosk.tap("取号");
    kiosk.tap("法律援助");
    kiosk.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    kiosk.printer().wait_for_jobs(1, Duration::from_secs(5));
    kiosk.tap("完成");

    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("打印机");
    kiosk.settle("the printer's status", |k| value(k, "打印机") == "在线");
    for key in ["B", "1"] {
        kiosk.tap(key);
    }
    assert_eq!(
        kiosk.find("reprint-number")[0].accessible_value().unwrap(),
        "B1"
    );
    kiosk.tap("补打");
    kiosk.settle("reprinted", |k| result_text(k).contains("号票 B001 已补打"));
    let jobs = kiosk.printer().wait_for_jobs(2, Duration::from_secs(5));
    let text = jobs[1].to_text();
    assert!(text.contains("B001") && text.contains("补打"), "{text}");
    assert!(
        !jobs[0].to_text().contains("补打"),
        "the original is not marked"
    );
    settle_audit(&kiosk, "王芳 printer.reprint ok");

    kiosk.tap("清除");
    kiosk.tap("B");
    kiosk.tap("9");
    kiosk.tap("补打");
    kiosk.settle("not found", |k| {
        result_text(k).contains("今天没有发出 B9 号票")
    });
    settle_audit(&kiosk, "王芳 printer.reprint refused");
}

#[test]
fn restarting_the_numbering_asks_twice_then_numbers_begin_at_001() {
    let kiosk = kiosk();
    for expected in ["B001", "B002"] {
        kiosk.tap("取号");
        kiosk.tap("法律援助");
        kiosk.settle("a number", |k| k.ticket_number().is_some());
        assert_eq!(kiosk.ticket_number().as_deref(), Some(expected));
        kiosk.tap("完成");
    }
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("排队");
    kiosk.settle("today's queue", |k| {
        value(k, "B  法律援助") == "已发 2 张，等候 2 人，最新号码 B002"
    });
    kiosk.tap("重新编号");
    kiosk.tap("取消");
    kiosk.tap("重新编号");
    kiosk.tap("是，重新编号");
    assert!(audit(&kiosk).iter().all(|r| !r.contains("reset_numbering")));
    kiosk.tap("立即重新编号");
    kiosk.settle("restarted", |k| result_text(k).contains("已重新编号"));
    settle_audit(&kiosk, "王芳 queue.reset_numbering ok");
    kiosk.tap("退出");

    kiosk.tap("取号");
    kiosk.tap("法律援助");
    kiosk.settle("a number", |k| k.ticket_number().is_some());
    assert_eq!(kiosk.ticket_number().as_deref(), Some("B001"));
}

#[test]
fn out_of_service_shows_the_notice_on_the_home_screen_and_survives_a_restart() {
    let kiosk = kiosk();
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("终端设置");
    kiosk.find("notice")[0].set_accessible_value("设备维护中，请到2号窗口办理。");
    kiosk.tap("设为暂停服务");
    kiosk.settle("out of service", |k| {
        value(k, "为群众服务中") == "否：暂停服务"
    });
    settle_audit(&kiosk, "王芳 kiosk.service_state ok");
    kiosk.tap("退出");
    assert!(kiosk.shows("暂停服务"));
    assert_eq!(
        kiosk.find("service-notice")[0].accessible_value().unwrap(),
        "设备维护中，请到2号窗口办理。"
    );
    assert!(!kiosk.shows("取号"), "no ticket while out of service");

    let kiosk = restart(kiosk, Config::default());
    kiosk.settle("still out of service", |k| k.shows("service-notice"));
    assert!(!kiosk.shows("取号"));
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("终端设置");
    kiosk.tap("恢复服务");
    kiosk.settle("in service", |k| value(k, "为群众服务中") == "是");
    kiosk.tap("退出");
    assert!(kiosk.shows("取号"));
}

#[test]
fn installers_change_citizen_defaults_and_staff_cannot() {
    let kiosk = kiosk();
    log_in(&kiosk, STAFF_PIN);
    assert_eq!(
        button(&kiosk, "注册").accessible_enabled(),
        Some(false),
        "enrolment is for installers"
    );
    kiosk.tap("终端设置");
    assert!(kiosk.shows("只有安装人员可以更改这些设置。"));
    // The UI disables the button; the controller refuses a direct call too.
    kiosk
        .app
        .global::<legal_kiosk::ui::Maintenance>()
        .invoke_set_default_language("ko_KR".into());
    settle_audit(&kiosk, "王芳 kiosk.setting refused");
    kiosk.tap("退出");

    log_in(&kiosk, INSTALLER_PIN);
    assert!(kiosk.shows("已登录：安装员（安装人员）"));
    kiosk.tap("终端设置");
    let settings_saved = |k: &Kiosk| {
        audit(k)
            .iter()
            .filter(|r| *r == "安装员 kiosk.setting ok")
            .count()
    };
    kiosk.tap("한국어");
    kiosk.settle("Korean by default", |k| settings_saved(k) == 1);
    kiosk.tap("30 秒");
    kiosk.settle("30 s idle timeout", |k| settings_saved(k) == 2);
    kiosk.tap("退出");
    kiosk.settle("the home screen in Korean", |k| k.shows("번호표 받기"));
    kiosk.ui_queue.run_pending();

    // The new idle timeout applies to the next citizen.
    kiosk.tap("번호표 받기");
    kiosk.wait_idle(15);
    assert!(
        kiosk.shows("계속"),
        "still-there question after 15 s of a 30 s timeout"
    );
}

#[test]
fn each_page_is_reachable_and_shows_what_the_terminal_knows() {
    let kiosk = kiosk();
    log_in(&kiosk, INSTALLER_PIN);
    // The printer's first health report reaches the outbox on its own threads.
    kiosk.settle("an event in the outbox", |k| {
        k.query(|c| c.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0)))
            .is_ok_and(|n| n > 0)
    });

    kiosk.tap("状态");
    kiosk.settle("the status", |k| value(k, "打印机") == "在线");
    let value = |label: &str| value(&kiosk, label);
    assert_eq!(value("版本"), env!("CARGO_PKG_VERSION"));
    assert_eq!(value("身份证阅读器"), "未配置");
    assert_eq!(value("已注册"), "未注册");
    kiosk.settle("disk space", |k| value_of(k, "可用磁盘空间").contains('/'));
    // The outbox depth comes from the store thread, independently of the disk space.
    kiosk.settle("the outbox holds events", |k| {
        value_of(k, "待发送事件")
            .parse::<u32>()
            .is_ok_and(|n| n > 0)
    });
    kiosk.tap("返回");

    kiosk.tap("身份证阅读器");
    assert!(kiosk.shows("本终端尚未设置身份证阅读器。设置后，可在此进行读卡测试：等待放卡、读取，并显示证件类型、隐去部分的姓名和证件号码；不保存任何信息。"));
    assert_eq!(button(&kiosk, "读取证件").accessible_enabled(), Some(false));
    kiosk.tap("返回");

    kiosk.tap("注册");
    kiosk.find("registry-url")[0].set_accessible_value("http://registry.example");
    kiosk.tap("注册本终端");
    assert!(result_text(&kiosk).contains("https://"));
    kiosk.find("registry-url")[0].set_accessible_value("https://registry.example.gov.cn");
    kiosk.find("enrolment-code")[0].set_accessible_value("K7Q-29XM");
    kiosk.tap("注册本终端");
    // This kiosk has no registry CA configured: enrolment fails and says why.
    kiosk.settle("the enrolment result", |k| {
        result_text(k).contains("注册未成功")
    });
    assert!(
        result_text(&kiosk).contains("CA"),
        "{}",
        result_text(&kiosk)
    );
    settle_audit(&kiosk, "安装员 registry.enrolment failed");
    let logged: String = kiosk.query(|c| {
        c.query_row("SELECT group_concat(detail) FROM audit_log", [], |r| {
            r.get(0)
        })
        .unwrap()
    });
    assert!(
        !logged.contains("K7Q-29XM"),
        "the one-time code is never stored"
    );
    kiosk.tap("返回");

    kiosk.tap("日志");
    assert!(!kiosk.shows("最近 0 行"), "the log lines reach the page");
    kiosk.tap("导出到 U 盘");
    kiosk.settle("no stick", |k| result_text(k).contains("未找到 U 盘"));
    settle_audit(&kiosk, "安装员 logs.export failed");
    kiosk.tap("返回");

    kiosk.tap("关于本机");
    assert_eq!(value("许可证"), "GPL-3.0-only");
    assert_eq!(value("设备编号"), "尚未注册");
    assert!(!value("源代码").is_empty());
}

#[test]
fn a_test_read_shows_the_card_masked() {
    let kiosk = kiosk();
    let sim = hardware::idcard::sim::Simulator::start().unwrap();
    sim.place_sample("resident-ouyang").unwrap();
    let now = beijing(26, 9, 30);
    kiosk.kiosk.ui.maintenance.set_reader(std::sync::Arc::new(
        legal_kiosk::domain::maintenance::reader::DirectReader::new(
            hardware::idcard::ReaderConfig::for_device(sim.path()),
            move || now,
        ),
    ));
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("身份证阅读器");
    kiosk.tap("读取证件");
    kiosk.settle("the masked card", |k| !value(k, "证件号码").is_empty());
    let name = value(&kiosk, "姓名");
    assert!(name.starts_with("欧阳") && name.ends_with('*'), "{name}");
    let id = value(&kiosk, "证件号码");
    assert_eq!(id.chars().filter(|c| *c == '*').count(), 11, "{id}");
    settle_audit(&kiosk, "王芳 reader.test_read ok");
}

#[test]
fn screen_brightness_is_offered_only_where_the_board_has_a_backlight() {
    let class = tempfile::tempdir().unwrap();
    let device = class.path().join("rpi_backlight");
    std::fs::create_dir(&device).unwrap();
    std::fs::write(device.join("max_brightness"), "255").unwrap();
    std::fs::write(device.join("brightness"), "128").unwrap();
    let mut config = Config::default();
    config.maintenance.backlight_dir = class.path().to_path_buf();
    let kiosk = kiosk_with(config);
    log_in(&kiosk, INSTALLER_PIN);
    kiosk.tap("终端设置");
    kiosk.settle("the brightness", |k| k.shows("调亮"));
    kiosk.tap("调亮");
    settle_audit(&kiosk, "安装员 kiosk.brightness ok");
    assert_eq!(
        std::fs::read_to_string(device.join("brightness")).unwrap(),
        "153",
        "50 % + 10 % of 255"
    );

    let without = kiosk_with(Config::default());
    log_in(&without, INSTALLER_PIN);
    without.tap("终端设置");
    assert!(
        !without.shows("调亮"),
        "no backlight, no brightness setting"
    );
}

#[test]
fn no_action_runs_once_the_session_has_ended() {
    let kiosk = kiosk();
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("退出");
    let m = kiosk.app.global::<legal_kiosk::ui::Maintenance>();
    m.invoke_test_print();
    m.invoke_reset_numbering();
    m.invoke_reset_numbering();
    m.invoke_reset_numbering();
    m.invoke_open(legal_kiosk::ui::MaintScreen::Queue);
    assert!(kiosk.shows("pin-dots"), "asked for a PIN instead");
    std::thread::sleep(Duration::from_millis(300));
    kiosk.ui_queue.run_pending();
    assert!(kiosk.printer().jobs().is_empty());
    let rows = audit(&kiosk);
    assert!(
        rows.iter()
            .all(|r| !r.contains("test_print") && !r.contains("reset")),
        "{rows:?}"
    );
}

#[test]
fn no_pin_reaches_the_store_the_outbox_or_the_logs() {
    let kiosk = kiosk();
    hold_corner(&kiosk, 3);
    type_pin(&kiosk, "111222");
    kiosk.settle("wrong PIN", |k| pin_message(k).starts_with("密码错误"));
    kiosk.tap("取消");
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("打印机");
    kiosk.tap("打印测试页");
    kiosk.settle("printed", |k| result_text(k).contains("测试页已打印。"));
    kiosk.tap("退出");
    settle_audit(&kiosk, "王芳 logout ok");

    let text: String = kiosk.query(|c| {
        c.query_row(
            "SELECT (SELECT group_concat(actor || action || detail) FROM audit_log)
                 || (SELECT group_concat(payload) FROM outbox)",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert!(text.contains("王芳"), "the staff name is recorded");
    for pin in [STAFF_PIN, "111222"] {
        assert!(!text.contains(pin), "{pin} in the audit or outbox");
        for line in legal_kiosk::domain::maintenance::logs::ring().lines() {
            assert!(!line.contains(pin), "{pin} in the log: {line}");
        }
    }
    // And the database file itself.
    let bytes = std::fs::read(kiosk.data_dir.path().join("kiosk.sqlite3")).unwrap();
    let wal = std::fs::read(kiosk.data_dir.path().join("kiosk.sqlite3-wal")).unwrap_or_default();
    for pin in [STAFF_PIN, "111222"] {
        let needle = pin.as_bytes();
        assert!(!bytes.windows(6).any(|w| w == needle));
        assert!(!wal.windows(6).any(|w| w == needle));
    }
}

#[test]
fn the_operations_centre_lock_shows_the_same_out_of_service_screen() {
    use legal_kiosk::domain::maintenance::settings::ServiceState;
    let kiosk = kiosk();
    let settings = kiosk.kiosk.services.settings.clone();
    // What the sync client does on its own thread with a signed lock command.
    std::thread::spawn(move || {
        let state = ServiceState {
            out_of_service: true,
            notice: "系统升级中，请到窗口办理。".into(),
        };
        let stored = legal_kiosk::services::wait(|reply| {
            settings.set_service_state(state, Actor::OperationsCentre, move |_, r| reply(r))
        });
        assert!(matches!(stored, Some(Ok(()))), "{stored:?}");
    })
    .join()
    .unwrap();
    kiosk.settle("the lock", |k| k.shows("service-notice"));
    assert_eq!(
        value(&kiosk, "service-notice"),
        "系统升级中，请到窗口办理。"
    );
    assert!(!kiosk.shows("取号"));
    assert!(audit(&kiosk).contains(&"operations-centre kiosk.service_state ok".to_string()));

    // Staff see the lock in the menu and can lift it.
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("终端设置");
    assert_eq!(value(&kiosk, "为群众服务中"), "否：暂停服务");
    kiosk.tap("恢复服务");
    kiosk.settle("in service", |k| value(k, "为群众服务中") == "是");
    kiosk.tap("退出");
    assert!(kiosk.shows("取号"));
}

/// Issue 14: the About page names the legal-aid rules in force, where they come from, the
/// hardship threshold (marked while a placeholder) and every item not yet verified.
#[test]
fn the_about_page_marks_the_unverified_legal_aid_rules() {
    let kiosk = kiosk();
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("关于本机");
    assert_eq!(value(&kiosk, "法律援助规则"), "吉林省 2026.1-default");
    assert_eq!(value(&kiosk, "规则来源"), "built-in rules");
    assert_eq!(
        value(&kiosk, "经济困难标准（每人每月收入，元）"),
        "2000（占位数值，不是省里公布的标准）"
    );
    let rules = legal_aid_rules();
    let count = rules.unverified().len();
    assert!(count > 20, "nothing in the shipped rules is verified yet");
    assert!(kiosk.shows(&format!("尚未经具备资格的人员核实的事项（{count} 项）：")));
    // The first lines on screen; the content test lists them all.
    assert!(shows_starting(
        &kiosk,
        "scope employment-relationship: 要确认劳动关系"
    ));
    assert!(shows_starting(&kiosk, "own_means maintenance: "));
}

fn legal_aid_rules() -> legal_kiosk::domain::legal_aid::Rules {
    legal_kiosk::domain::legal_aid::Rules::jilin_default().unwrap()
}

/// Whether some text shown starts with `prefix`.
fn shows_starting(kiosk: &Kiosk, prefix: &str) -> bool {
    let prefix = prefix.to_owned();
    !i_slint_backend_testing::ElementQuery::from_root(&kiosk.app)
        .match_descendants()
        .match_predicate(move |e| e.accessible_label().is_some_and(|l| l.starts_with(&prefix)))
        .find_all()
        .is_empty()
}

#[test]
fn staff_see_the_software_update_and_postpone_its_install_by_a_day() {
    let kiosk = kiosk();
    let progress = kiosk.kiosk.data_dir.join("updates/state.json");
    std::fs::create_dir_all(progress.parent().unwrap()).unwrap();
    let write = |state: &str, detail: Option<&str>| {
        let json = serde_json::json!({
            "report": { "version": "1.4.0", "state": state, "detail": detail },
            "postponed_until": null,
        });
        std::fs::write(&progress, json.to_string()).unwrap();
    };
    write("downloaded", None);
    log_in(&kiosk, STAFF_PIN);
    kiosk.tap("状态");
    assert_eq!(value_of(&kiosk, "软件更新"), "等待无人使用时安装");
    assert_eq!(value_of(&kiosk, "推迟到"), "");

    kiosk.tap("推迟一天安装");
    settle_audit(&kiosk, "王芳 update.postpone ok");
    let tomorrow = (kiosk.clock_now() + chrono::Duration::days(1))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    assert!(
        value_of(&kiosk, "推迟到") == tomorrow,
        "{}",
        value_of(&kiosk, "推迟到")
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&progress).unwrap()).unwrap();
    assert!(saved["postponed_until"].is_string(), "{saved}");

    // A rolled-back release: the state and its reason, and nothing left to postpone.
    write(
        "rolled_back",
        Some("version 1.4.0 did not confirm its health within 600 s"),
    );
    kiosk.tap("刷新");
    assert_eq!(value_of(&kiosk, "软件更新"), "已回退到原版本");
    assert!(value_of(&kiosk, "详情").contains("did not confirm its health"));
    assert!(
        kiosk
            .find("推迟一天安装")
            .iter()
            .all(|e| e.accessible_role() != Some(i_slint_backend_testing::AccessibleRole::Button))
    );
}
