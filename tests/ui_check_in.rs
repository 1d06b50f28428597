//! Appointments end to end on loopback (issue 20): a booking channel books through the real
//! registry's channel API; the registry publishes the platform's bookings; the running
//! kiosk syncs them; the citizen places their ID card and gets a ticket in the appointment
//! priority group, printed; the same booking cannot check in twice; a late arrival gets
//! the configured behaviour; the registry learns of the check-in and of the missed
//! appointment; and neither the kiosk nor the registry keeps the full ID number or name.

mod common;
mod guidance_support;

use std::time::Duration;

use chrono::{Duration as Days, NaiveDateTime, TimeZone as _};
use common::Kiosk;
use common::registry::{PLATFORM, Registry, enrolled_by_cli, wait_for_bundles};
use kiosk_registry::appointments::Schedule;
use kiosk_registry::store::wait;
use serde_json::{Value, json};

const SERVICE: &str = "legal-consultation";
/// The simulator's sample card `resident-zhang` (张伟).
const ZHANG_ID: &str = "110101198506150019";
const ZHANG_NAME: &str = "张伟";
const CHANNEL_KEY: &str = "kc_test-online-channel-key-0123456789abcdef";

/// Books `start` (local, `YYYY-MM-DDTHH:MM`) for `name` with `id_number` through the
/// `online` channel's API; returns the booking code.
fn book(registry: &Registry, start: &str, name: &str, id_number: &str) -> String {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, body): (u16, Value) = runtime.block_on(async {
        let response = registry
            .https()
            .post(format!("{}/v1/channels/online/bookings", registry.url))
            .header("authorization", format!("Bearer {CHANNEL_KEY}"))
            .json(&json!({
                "platform": PLATFORM, "service": SERVICE, "start": start,
                "name": name, "id_number": id_number, "phone": "13912345678"
            }))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    });
    assert_eq!(status, 201, "{body}");
    body["code"].as_str().unwrap().to_string()
}

/// The registry's status of booking `code`.
fn registry_status(registry: &Registry, code: &str) -> String {
    let code = code.to_string();
    registry
        .sqlite()
        .with(move |c| {
            Ok(
                c.query_row("SELECT status FROM bookings WHERE code = ?1", [code], |r| {
                    r.get::<_, String>(0)
                })?,
            )
        })
        .unwrap()
}

fn beijing(t: NaiveDateTime) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .from_local_datetime(&t)
        .unwrap()
}

#[test]
fn a_booking_checks_in_by_card_once_and_a_late_one_is_recorded_missed() {
    let registry = Registry::start();
    let store = registry.store();
    let schedule = Schedule {
        platform_id: PLATFORM.into(),
        service_id: SERVICE.into(),
        capacity: 2,
        days: (1..=7).collect(),
        opens: "08:00".into(),
        closes: "20:00".into(),
    };
    wait(|| store.schedule_set(&schedule)).unwrap();
    wait(|| store.channel_add("online", CHANNEL_KEY)).unwrap();
    // Tomorrow, in China Standard Time: a booking must be in the future for the registry.
    let day = (chrono::Utc::now() + Days::hours(8) + Days::days(1)).date_naive();
    let at = |h: u32, m: u32| day.and_hms_opt(h, m, 0).unwrap();
    let code = book(&registry, &format!("{day}T10:00"), ZHANG_NAME, ZHANG_ID);
    let missed = book(
        &registry,
        &format!("{day}T08:30"),
        "李四",
        "11010519491231002X",
    );
    kiosk_registry::cli_appointments::publish_platform(
        &store,
        PLATFORM,
        &registry.ops_key,
        chrono::Utc::now(),
    )
    .unwrap();

    // The terminal, its clock on the booked day at 09:50.
    let kiosk = enrolled_by_cli(
        &registry,
        "[queue.appointments]\nearly_minutes = 30\nlate_minutes = 15\nlate = \"staff\"\n",
        beijing(at(9, 50)),
    );
    kiosk.kiosk.sync.sync_now();
    wait_for_bundles(&kiosk, &["appointments"]);

    // The card on the check-in page: an appointment-priority ticket, printed.
    kiosk.tap("预约签到");
    assert!(kiosk.shows("请把身份证放在读卡器上，或输入预约码。"));
    kiosk.place_card("resident-zhang", "张*");
    kiosk.settle("the ticket", |k| k.ticket_number().is_some());
    let number = kiosk.ticket_number().unwrap();
    let job = kiosk
        .printer()
        .wait_for_jobs(1, Duration::from_secs(5))
        .into_iter()
        .next()
        .expect("the ticket printed");
    assert!(job.to_text().contains(&number), "{}", job.to_text());
    let priority: Option<String> = kiosk.query(move |c| {
        c.query_row(
            "SELECT priority FROM tickets WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(priority.as_deref(), Some("appointment"));

    // The card again (still on the reader): already checked in, the same number, no new
    // ticket.
    let first = kiosk.ticket_number().unwrap();
    kiosk.tap("首页");
    kiosk.tap("预约签到");
    kiosk.settle("the answer", |k| {
        guidance_support::shows_containing(k, "这个预约已经签到过了")
    });
    assert!(guidance_support::shows_containing(&kiosk, &first));
    assert_eq!(kiosk.printer().jobs().len(), 1, "no second ticket");
    kiosk.tap("完成");
    kiosk.reader().remove();
    kiosk.settle("the session over", |k| !k.kiosk.ui.has_identity());

    // By its code: the same answer.
    kiosk.tap("预约签到");
    type_code(&kiosk, &code);
    kiosk.tap("签到");
    kiosk.settle("the answer", |k| {
        guidance_support::shows_containing(k, "这个预约已经签到过了")
    });
    kiosk.tap("完成");

    // 08:30's booking was never checked in: at 10:16 its window is long closed. The
    // citizen arrives late; the centre wants staff to decide.
    kiosk.clock.set(beijing(at(10, 16)));
    kiosk.tap("预约签到");
    type_code(&kiosk, &missed);
    kiosk.tap("签到");
    kiosk.settle("the answer", |k| {
        guidance_support::shows_containing(k, "签到时间已经过了。请找工作人员。")
    });

    // The registry learns both, through the outbox (the missed one once the minute's sweep
    // has run: run now, as its timer would).
    kiosk.kiosk.services.appointments.sweep_missed();
    // The store thread runs in order: once this returns, the sweep has written.
    kiosk.query(|_| ());
    kiosk.kiosk.sync.sync_now();
    kiosk.settle("the registry's bookings updated", |_| {
        registry_status(&registry, &code) == "checked_in"
            && registry_status(&registry, &missed) == "missed"
    });

    // Nothing kept the full number or name: not the kiosk's files, not the registry's.
    let mut files = Vec::new();
    collect(&kiosk.kiosk.data_dir, &mut files);
    collect(registry.dir.path(), &mut files);
    assert!(files.len() > 2, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [ZHANG_ID, ZHANG_NAME, "11010519491231002X", "李四"] {
            assert!(!text.contains(secret), "{secret} in {}", file.display());
        }
    }
}

/// Types `text` on the check-in page's keyboard (letters upper case on the keys).
fn type_code(kiosk: &Kiosk, text: &str) {
    for c in text.chars() {
        if c == '-' {
            continue;
        }
        kiosk.tap(&c.to_ascii_uppercase().to_string());
    }
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
