//! A citizen asks for a video call with a lawyer from the home screen (headless UI, the real
//! controller and call engine, the real registry on 127.0.0.1): privacy notice, waiting in
//! the queue, nobody answers within the configured time → other ways to get help; cancel;
//! and a terminal that cannot make calls says so on the tile.

mod common;

#[path = "../video/tests/support/pilot.rs"]
mod pilot;

use common::Kiosk;
use legal_kiosk::config::{Config, PrinterKind};
use pilot::Pilot;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// A data folder enrolled with `pilot` (its terminal's key and enrolment, as
/// `legal-kiosk enroll` leaves them), and the configuration that trusts the pilot's CA.
fn enrolled_with(pilot: &Pilot) -> (Config, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let paths = legal_kiosk::sync::SyncPaths::in_data_dir(data.path());
    std::fs::create_dir_all(paths.device_key.parent().unwrap()).unwrap();
    std::fs::copy(pilot.dir.path().join("device.key"), &paths.device_key).unwrap();
    std::fs::create_dir_all(paths.enrolment.parent().unwrap()).unwrap();
    pilot.enrolment.save(&paths.enrolment).unwrap();
    let mut config = Config::default();
    config.printer.kind = PrinterKind::None;
    config.registry.ca_certificate = Some(pilot.pki.ca_cert.clone());
    // Bundles are not the point here: any pinned key lets the sync link start.
    let key = provisioning::keys::generate_signing_key().unwrap();
    config.registry.pinned_keys = vec![provisioning::keys::public_key_to_base64(
        &key.verifying_key(),
    )];
    (config, data)
}

/// A kiosk enrolled with `pilot`, waiting 90 s for an answer (longer than the idle timeout).
fn kiosk_for(pilot: &Pilot) -> Kiosk {
    let (mut config, data) = enrolled_with(pilot);
    config.video.answer_timeout_secs = 90;
    config.video.media = kiosk_video::MediaConfig::loopback();
    Kiosk::start_in(config, data, common::beijing(26, 9, 30))
}

/// The events of `kind` the kiosk recorded, wherever they are now: still in its outbox, or
/// delivered to the registry (the sync link runs in these tests and deletes what the
/// registry acknowledged). By the kiosk's sequence number, so a row caught in both places
/// between delivery and acknowledgement counts once.
fn events(kiosk: &Kiosk, pilot: &Pilot, kind: &'static str) -> Vec<serde_json::Value> {
    fn rows(c: &rusqlite::Connection, sql: &str, kind: &str) -> Vec<(i64, String)> {
        let mut stmt = c.prepare(sql).unwrap();
        stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
    let mut by_seq: std::collections::BTreeMap<i64, String> = kiosk
        .query(move |c| rows(c, "SELECT seq, payload FROM outbox WHERE kind = ?1", kind))
        .into_iter()
        .collect();
    let delivered = pilot
        .store
        .with(|c| {
            Ok(rows(
                c,
                "SELECT seq, payload FROM events WHERE kind = ?1",
                kind,
            ))
        })
        .unwrap();
    by_seq.extend(delivered);
    by_seq
        .values()
        .map(|p| serde_json::from_str(p).unwrap())
        .collect()
}

#[test]
fn nobody_answers_in_time_and_the_citizen_is_offered_a_ticket_or_12348() {
    let runtime = runtime();
    let mut pilot = Pilot::start(&runtime);
    let kiosk = kiosk_for(&pilot);
    {
        use slint::ComponentHandle as _;
        let video = kiosk.app.global::<legal_kiosk::ui::Video>();
        assert!(video.get_available(), "{}", video.get_unavailable_reason());
    }
    assert!(kiosk.shows("与律师视频面对面交谈"), "the tile is enabled");
    kiosk.tap("视频咨询律师");
    assert!(kiosk.shows("本次通话不录音、不录像，您的谈话和画面不会保存在本机上。"));
    kiosk.tap("同意并呼叫律师");
    kiosk.settle("a place in the queue", |k| k.shows("下一位就是您。"));
    assert!(
        kiosk.shows("律师们正在忙，请稍候。"),
        "no lawyer is on duty"
    );
    assert_eq!(pilot_calls(&pilot), 1, "the registry queues the call");

    // Waiting is never cut short by the idle timeout (60 s); the answer timeout (90 s) is.
    kiosk.wait_idle(89);
    kiosk.ui_queue.run_pending();
    assert!(kiosk.shows("下一位就是您。"), "still waiting after 89 s");
    assert!(!kiosk.shows("还在吗？"), "no idle question while waiting");
    kiosk.wait_idle(2);
    kiosk.settle("the fallback offer", |k| {
        k.shows("抱歉，现在没有律师可以接听。")
    });
    assert!(kiosk.shows("拨打12348公共法律服务热线"));
    // 预约律师 is a real booking now (tests/ui_booking.rs books through it), no longer
    // "coming soon".
    let book = &kiosk.find("预约律师")[0];
    assert_eq!(book.accessible_enabled(), Some(true));
    assert_eq!(
        book.accessible_description().as_deref(),
        Some("选一个时间，和律师视频咨询")
    );

    // The store thread records the request on its own time: wait for it, then check it.
    kiosk.settle("the requested event", |k| {
        !events(k, &pilot, "video.call_requested").is_empty()
    });
    let requested = events(&kiosk, &pilot, "video.call_requested");
    assert_eq!(requested, vec![serde_json::json!({ "category": null })]);
    kiosk.settle("the ended event", |k| {
        !events(k, &pilot, "video.call_ended").is_empty()
    });
    let ended = &events(&kiosk, &pilot, "video.call_ended")[0];
    assert_eq!(ended["reason"], "no_answer");
    assert_eq!(ended["answered"], false);
    assert_eq!(ended["ended_by"], "citizen");
    assert_eq!(ended["duration_s"], 0);
    assert!(events(&kiosk, &pilot, "video.call_answered").is_empty());
    assert_eq!(pilot_calls(&pilot), 0, "the call left the registry's queue");

    kiosk.tap("取号到窗口咨询");
    assert!(
        kiosk.shows("请选择您要办理的业务"),
        "the services to take a ticket"
    );
    pilot.stop(&runtime);
}

#[test]
fn the_citizen_can_leave_the_notice_or_cancel_while_waiting() {
    let runtime = runtime();
    let mut pilot = Pilot::start(&runtime);
    let kiosk = kiosk_for(&pilot);
    kiosk.tap("视频咨询律师");
    kiosk.tap("暂不需要");
    assert!(kiosk.shows("取号"), "back home");
    assert!(events(&kiosk, &pilot, "video.call_requested").is_empty());

    kiosk.tap("视频咨询律师");
    kiosk.tap("同意并呼叫律师");
    kiosk.settle("a place in the queue", |k| k.shows("下一位就是您。"));
    kiosk.tap("取消呼叫");
    kiosk.settle("home", |k| k.shows("取号"));
    kiosk.settle("the ended event", |k| {
        !events(k, &pilot, "video.call_ended").is_empty()
    });
    assert_eq!(
        events(&kiosk, &pilot, "video.call_ended")[0]["reason"],
        "cancelled"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while pilot_calls(&pilot) != 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(pilot_calls(&pilot), 0, "the registry forgot the call");
    pilot.stop(&runtime);
}

#[test]
fn a_terminal_missing_a_gstreamer_element_shows_the_tile_as_unavailable() {
    let runtime = runtime();
    let mut pilot = Pilot::start(&runtime);
    let (mut config, data) = enrolled_with(&pilot);
    config.video.media.codec = kiosk_video::Codec::H264;
    config.video.media.h264_encoder = "x264enc-not-installed".into();
    let kiosk = Kiosk::start_in(config, data, common::beijing(26, 9, 30));
    assert!(
        kiosk.shows("暂不可用"),
        "the tile says video calls are unavailable"
    );
    kiosk.tap("视频咨询律师");
    assert!(kiosk.shows("取号"), "the disabled tile does nothing");
    assert!(!kiosk.shows("同意并呼叫律师"));
    pilot.stop(&runtime);
}

#[test]
fn an_unenrolled_terminal_offers_no_video_calls() {
    let kiosk = Kiosk::without_printer();
    assert!(kiosk.shows("暂不可用"));
}

/// Calls the registry holds (waiting or in progress).
fn pilot_calls(pilot: &Pilot) -> usize {
    pilot.calls()
}
