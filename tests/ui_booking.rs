//! Booking at the kiosk end to end on loopback (issue 20): the project's registry on
//! 127.0.0.1 with schedules for a counter service and the lawyers' video consultation;
//! an enrolled kiosk; the citizen places their ID card (the simulator over a
//! pseudo-terminal), chooses the service, the day (a holiday shown as such), a half hour
//! that someone else takes meanwhile (the plain message, then a fresh list), another half
//! hour, types a phone number and confirms: the code is shown and the slip printed (read
//! back from the printer simulator's GB18030 bytes). The registry keeps the booking under
//! the terminal's channel with the masked name and the keyed hash; nothing anywhere keeps
//! the ID number or the name. The video page's booking books the video consultation; both
//! then sync back and check in with the card: a ticket for the counter, the video call for
//! the lawyer (here, a terminal without video, the plain way to the video area). With the
//! registry down, booking says plainly that it needs the network and offers the ways that
//! work offline.

mod common;
mod guidance_support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike as _, FixedOffset, NaiveDate, NaiveDateTime, TimeZone as _};
use common::Kiosk;
use common::registry::{PLATFORM, Registry, enrolled_by_cli};
use guidance_support::shows_containing;
use kiosk_registry::appointments::Schedule;
use kiosk_registry::store::wait;
use legal_kiosk::domain::appointments::Appointments;
use legal_kiosk::ui::AppointmentBooking;
use serde_json::{Value, json};
use slint::ComponentHandle as _;

const SERVICE: &str = "legal-consultation";
const VIDEO: &str = "lawyer-video";
/// The simulator's sample card `resident-zhang` (张伟).
const ZHANG_ID: &str = "110101198506150019";
const ZHANG_NAME: &str = "张伟";
const OTHER_ID: &str = "11010519491231002X";
const CHANNEL_KEY: &str = "kc_test-online-channel-key-0123456789abcdef";
const PHONE: &str = "13912345678";

fn beijing(t: NaiveDateTime) -> chrono::DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .from_local_datetime(&t)
        .unwrap()
}

fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// The day's label on the day list, as a citizen reads it.
fn day_label(day: NaiveDate) -> String {
    const W: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    format!(
        "{}月{}日 星期{}",
        day.month(),
        day.day(),
        W[day.weekday().num_days_from_monday() as usize]
    )
}

/// Someone else books `start` through the `online` channel (the hotline, say).
fn book_elsewhere(registry: &Registry, start: &str) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, body): (u16, Value) = runtime.block_on(async {
        let response = registry
            .https()
            .post(format!("{}/v1/channels/online/bookings", registry.url))
            .header("authorization", format!("Bearer {CHANNEL_KEY}"))
            .json(&json!({
                "platform": PLATFORM, "service": SERVICE, "start": start,
                "name": "李四", "id_number": OTHER_ID, "phone": "13800000000"
            }))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    });
    assert_eq!(status, 201, "{body}");
}

/// A registry whose platform books SERVICE (one place a half hour) and VIDEO (two), every
/// day 08:00–20:00, with a holiday the day after tomorrow, and has published the
/// platform's appointments (the region's hash key reaches the terminal with them).
fn registry() -> Registry {
    let registry = Registry::start();
    let store = registry.store();
    for (service, capacity) in [(SERVICE, 1), (VIDEO, 2)] {
        let schedule = Schedule {
            platform_id: PLATFORM.into(),
            service_id: service.into(),
            capacity,
            days: (1..=7).collect(),
            opens: "08:00".into(),
            closes: "20:00".into(),
        };
        wait(|| store.schedule_set(&schedule)).unwrap();
    }
    let holiday = today() + chrono::Duration::days(2);
    wait(|| store.holiday_add(Some(PLATFORM), holiday, "测试节")).unwrap();
    wait(|| store.channel_add("online", CHANNEL_KEY)).unwrap();
    publish(&registry);
    registry
}

fn publish(registry: &Registry) {
    kiosk_registry::cli_appointments::publish_platform(
        &registry.store(),
        PLATFORM,
        &registry.ops_key,
        chrono::Utc::now(),
    )
    .unwrap();
}

/// An enrolled kiosk (no video calls) that has the platform's appointments in force.
fn kiosk(registry: &Registry, now: chrono::DateTime<FixedOffset>) -> Kiosk {
    let kiosk = enrolled_by_cli(registry, "[video]\nenabled = false\n", now);
    synced(&kiosk, |_| true);
    kiosk
}

/// Syncs until the appointments in force satisfy `ready`.
fn synced(kiosk: &Kiosk, ready: impl Fn(&Appointments) -> bool + Send + Sync + 'static) {
    let ready = Arc::new(ready);
    kiosk.kiosk.sync.sync_now();
    kiosk.settle("the appointments in force", |k| {
        let ready = ready.clone();
        k.query(move |c| Appointments::in_force(c).is_some_and(|a| ready(&a)))
    });
}

fn type_phone(kiosk: &Kiosk) {
    for digit in PHONE.chars() {
        kiosk.tap(&digit.to_string());
    }
    kiosk.tap("下一步");
    assert!(kiosk.shows("请核对您的预约"));
    assert!(kiosk.shows("139 1234 5678"));
}

fn booking_code(kiosk: &Kiosk) -> String {
    kiosk.settle("the booking code", |k| {
        k.find("booking-code")
            .first()
            .and_then(|e| e.accessible_value())
            .is_some_and(|v| !v.is_empty())
    });
    kiosk.find("booking-code")[0]
        .accessible_value()
        .unwrap()
        .to_string()
}

#[test]
fn a_citizen_books_at_the_kiosk_then_checks_in_with_the_card() {
    let registry = registry();
    let tomorrow = today() + chrono::Duration::days(1);
    let kiosk = kiosk(
        &registry,
        beijing(chrono::Utc::now().naive_utc() + chrono::Duration::hours(8)),
    );

    // 预约签到 → 还没有预约？现在预约 → the card.
    kiosk.tap("预约签到");
    kiosk.tap("还没有预约？现在预约");
    assert!(kiosk.shows("请把身份证放在读卡器上。"));
    kiosk.place_card("resident-zhang", "张*");
    kiosk.settle("the services", |k| k.shows("您要预约哪项服务？"));
    assert!(kiosk.shows("律师视频咨询"));
    kiosk.tap("法律咨询");

    // Seven days; the holiday is shown as one and cannot be chosen.
    assert!(kiosk.shows("选哪一天？"));
    let holiday = &kiosk.find(&day_label(today() + chrono::Duration::days(2)))[0];
    assert_eq!(
        holiday.accessible_description().as_deref(),
        Some("节假日（测试节）")
    );
    assert_eq!(holiday.accessible_enabled(), Some(false));
    let label = day_label(tomorrow);
    let day = &kiosk.find(&label)[0];
    assert_eq!(
        day.accessible_description().as_deref(),
        Some("24个时段可约")
    );
    kiosk.tap(&label);
    assert!(kiosk.shows("选哪个时间？"));

    // 10:30 is free when shown; someone else takes it before the citizen confirms.
    kiosk.tap("10:30–11:00");
    book_elsewhere(&registry, &format!("{tomorrow}T10:30"));
    type_phone(&kiosk);
    kiosk.tap("确认预约");
    kiosk.settle("the slot-full message", |k| {
        shows_containing(k, "这个时间刚刚约满了。请另选一个时间。")
    });
    kiosk.tap("另选一个时间");
    kiosk.settle("the slots again", |k| k.shows("选哪个时间？"));
    assert!(!kiosk.shows("10:30–11:00"), "the full slot is gone");
    kiosk.tap("11:00–11:30");
    type_phone_kept(&kiosk);
    kiosk.tap("确认预约");
    let code = booking_code(&kiosk);
    assert!(shows_containing(&kiosk, "11:00–11:30"));

    // The slip: the code, the service and the time on paper; never the number or name.
    let job = kiosk
        .printer()
        .wait_for_jobs(1, Duration::from_secs(5))
        .into_iter()
        .next()
        .expect("the slip printed");
    let paper = job.to_text();
    for wanted in [
        code.as_str(),
        "预约凭条",
        "法律咨询",
        &format!("{} 11:00–11:30", day_label(tomorrow)),
        // The place: the centre's name as the terminal knows it.
        kiosk.kiosk.services.printing.centre_name(),
        "张*",
        "身份证",
    ] {
        assert!(paper.contains(wanted), "{wanted} on the slip:\n{paper}");
    }
    let raw = String::from_utf8_lossy(&job.raw);
    assert!(!raw.contains(ZHANG_ID) && !paper.contains(ZHANG_ID));
    assert!(!paper.contains(ZHANG_NAME) && !paper.contains(PHONE));
    kiosk.settle("the slip note", |k| {
        shows_containing(k, "请取走您的预约凭条。")
    });

    // At the registry: the terminal's booking, the masked name only.
    let store = registry.store();
    let kept = wait(|| store.booking(&code)).unwrap().unwrap();
    assert!(kept.channel.starts_with("terminal:"), "{kept:?}");
    assert_eq!(kept.masked_name, "张*");
    assert_eq!(kept.start, format!("{tomorrow}T11:00"));
    assert_eq!(kept.service_id, SERVICE);
    kiosk.tap("完成");
    kiosk.reader().remove();
    kiosk.settle("the session over", |k| !k.kiosk.ui.has_identity());

    // The video page's 预约律师 (as its button does): only the video consultation.
    kiosk.place_card("resident-zhang", "张*");
    kiosk.app.global::<AppointmentBooking>().invoke_open_video();
    kiosk.settle("the days", |k| k.shows("选哪一天？"));
    assert!(kiosk.shows("律师视频咨询"));
    kiosk.tap(&label);
    kiosk.tap("11:30–12:00");
    type_phone(&kiosk);
    kiosk.tap("确认预约");
    let video_code = booking_code(&kiosk);
    let slip = kiosk
        .printer()
        .wait_for_jobs(2, Duration::from_secs(5))
        .pop()
        .expect("the video slip printed")
        .to_text();
    assert!(
        slip.contains(&video_code) && slip.contains("律师视频咨询"),
        "{slip}"
    );
    // Where the call starts (the text wraps on paper: its first words).
    assert!(slip.contains("请在预约时间到本中心任意"), "{slip}");
    kiosk.tap("完成");
    kiosk.reader().remove();
    kiosk.settle("the session over", |k| !k.kiosk.ui.has_identity());

    // Tomorrow: both bookings reach the terminal; the card checks in for each.
    publish(&registry);
    let (a, b) = (code.clone(), video_code.clone());
    synced(&kiosk, move |apps| {
        apps.by_code(&a).is_some() && apps.by_code(&b).is_some()
    });
    kiosk
        .clock
        .set(beijing(tomorrow.and_hms_opt(10, 55, 0).unwrap()));
    kiosk.place_card("resident-zhang", "张*");
    kiosk.tap("预约签到");
    kiosk.settle("the ticket", |k| k.ticket_number().is_some());
    let number = kiosk.ticket_number().unwrap();
    let ticket = kiosk
        .printer()
        .wait_for_jobs(3, Duration::from_secs(5))
        .pop()
        .unwrap()
        .to_text();
    assert!(ticket.contains(&number), "{ticket}");
    kiosk.tap("首页");

    // 11:25: the video consultation. No counter ticket; this terminal makes no video calls,
    // so it says where to go.
    kiosk
        .clock
        .set(beijing(tomorrow.and_hms_opt(11, 25, 0).unwrap()));
    kiosk.tap("预约签到");
    kiosk.settle("the video answer", |k| {
        shows_containing(k, "您已签到。本机现在不能视频通话，请到视频咨询区")
    });
    assert_eq!(
        kiosk.printer().jobs().len(),
        3,
        "no ticket for a video call"
    );
    let recorded: String = kiosk.query(move |c| {
        c.query_row(
            "SELECT ticket_number FROM appointment_checkins WHERE code = ?1",
            [video_code],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(recorded, "VIDEO");
    kiosk.tap("完成");

    // Nothing kept the full number or name: not the logs (every level), not the kiosk's
    // files, not the registry's.
    let logs = String::from_utf8_lossy(&common::captured_logs()).into_owned();
    assert!(logs.len() > 200, "the logs were captured");
    for secret in [ZHANG_ID, ZHANG_NAME, PHONE] {
        assert!(!logs.contains(secret), "{secret} in the logs");
    }
    let mut files = Vec::new();
    collect(&kiosk.kiosk.data_dir, &mut files);
    collect(registry.dir.path(), &mut files);
    assert!(files.len() > 2, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [ZHANG_ID, ZHANG_NAME, OTHER_ID, "李四"] {
            assert!(!text.contains(secret), "{secret} in {}", file.display());
        }
    }
}

/// After a refusal the phone number typed stays: straight on.
fn type_phone_kept(kiosk: &Kiosk) {
    assert!(kiosk.shows("您的电话号码"));
    kiosk.tap("下一步");
    assert!(kiosk.shows("请核对您的预约"));
}

#[test]
fn without_the_registry_booking_says_it_needs_the_network() {
    let mut registry = registry();
    let kiosk = kiosk(
        &registry,
        beijing(chrono::Utc::now().naive_utc() + chrono::Duration::hours(8)),
    );
    registry.stop_serving();
    kiosk.tap("预约签到");
    kiosk.tap("还没有预约？现在预约");
    kiosk.place_card("resident-zhang", "张*");
    kiosk.settle("the offline message", |k| {
        shows_containing(k, "预约需要联网，现在连不上。")
    });
    // The ways that work offline: a ticket, or checking in.
    kiosk.tap("取号");
    kiosk.settle("the services", |k| !shows_containing(k, "预约需要联网"));
    assert!(kiosk.printer().jobs().is_empty());
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        // Regular files only: the simulators' pseudo-terminals would block a read.
        match entry.file_type() {
            Ok(t) if t.is_dir() => collect(&path, out),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}
