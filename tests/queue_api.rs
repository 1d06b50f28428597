//! The terminal's queue API on loopback, with the real kiosk behind it: who may call, two
//! counters at once, the hall stream, a ticket's QR page, and the kiosk's screen following.

mod common;

use std::time::Duration;

use common::Kiosk;
use common::queue_http::{Api, PIN, add_staff, next_matching};
use legal_kiosk::config::{Config, PrinterKind};
use serde_json::json;

fn kiosk() -> Kiosk {
    let mut config = Config::default();
    config.printer.kind = PrinterKind::None;
    config.reader.kind = legal_kiosk::config::ReaderKind::None;
    Kiosk::start_with(config)
}

/// Takes a ticket at the touchscreen; returns its number.
fn take(kiosk: &Kiosk, service_label: &str) -> String {
    kiosk.tap("取号");
    kiosk.tap(service_label);
    kiosk.settle("a number on the ticket page", |k| {
        k.ticket_number().is_some()
    });
    kiosk.ticket_number().unwrap()
}

fn token_of(kiosk: &Kiosk, number: &str) -> String {
    let number = number.to_string();
    kiosk.query(move |c| {
        c.query_row(
            "SELECT token FROM tickets WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
    })
}

#[test]
fn without_a_login_nothing_can_be_called_or_seen_and_wrong_pins_are_refused() {
    let k = kiosk();
    add_staff(&k);
    assert_eq!(take(&k, "法律援助"), "B001");
    let mut api = Api::of(&k);
    for path in [
        "/api/counters/1/call-next",
        "/api/counters/1/recall",
        "/api/counters/1/start",
        "/api/counters/1/finish",
        "/api/counters/1/no-show",
        "/api/counters/1/transfer",
        "/api/counters/1/call",
        "/api/counters/1/open",
        "/api/counters/1/close",
        "/api/counters/1/pause",
        "/api/counters/1/resume",
        "/api/priority",
    ] {
        let body = json!({ "number": "B001", "service_id": "notary", "group": "military" });
        let (status, answer) = api.send(
            reqwest::Method::POST,
            path,
            Some(body),
            &[("x-kiosk-request", "1")],
        );
        assert_eq!(status, 401, "{path}: {answer}");
        assert_eq!(answer["error"], "login_required");
    }
    let (status, _) = api.send(
        reqwest::Method::PUT,
        "/api/notice",
        Some(json!({ "text": "有人冒充" })),
        &[("x-kiosk-request", "1")],
    );
    assert_eq!(status, 401, "the hall notice is for staff");
    let (state, priority, called): (String, Option<String>, i64) = k.query(|c| {
        c.query_row(
            "SELECT state, priority,
                    (SELECT COUNT(*) FROM outbox WHERE kind LIKE 'ticket.%' AND kind != 'ticket.issued')
             FROM tickets WHERE number = 'B001'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    });
    assert_eq!(
        (state.as_str(), priority, called),
        ("waiting", None, 0),
        "nothing happened to the ticket"
    );
    assert_eq!(api.get("/api/state").0, 401);
    assert_eq!(
        api.get("/api/stream").0,
        401,
        "the waiting list is for staff"
    );
    assert_eq!(api.get("/api/me").0, 401);
    let (status, body) = api.login("111222");
    assert_eq!((status, body["error"].as_str()), (401, Some("wrong_pin")));
    assert_eq!(api.login("12").0, 400, "not a PIN at all");
    // A forged cookie is no session.
    let (status, _) = api.send(
        reqwest::Method::POST,
        "/api/counters/1/call-next",
        None,
        &[
            ("cookie", "lk_staff=0123456789abcdef0123456789abcdef"),
            ("x-kiosk-request", "1"),
        ],
    );
    assert_eq!(status, 401);
    // Logged in, a change still needs the page's header (no cross-site requests).
    assert_eq!(api.login(PIN).0, 200);
    let (status, body) = api.send(reqwest::Method::POST, "/api/counters/1/open", None, &[]);
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("missing_header"))
    );
    // Terminals need their token.
    let (status, _) = api.post("/api/issue", json!({ "service_id": "notary" }));
    assert_eq!(status, 401);
    // What anyone may see: the hall (numbers only) and a ticket by its token.
    assert_eq!(api.get("/api/hall").0, 200);
    assert_eq!(
        api.get("/api/tickets/0123456789abcdef0123456789abcdef").0,
        404
    );
    let refused: i64 = k.query(|c| {
        c.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND outcome = 'refused'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(
        refused, 1,
        "the wrong PIN is audited (the malformed one never reached a check)"
    );
}

#[test]
fn two_counters_calling_at_once_through_the_api_never_get_the_same_ticket() {
    let k = kiosk();
    add_staff(&k);
    let now = k.clock_now();
    k.kiosk
        .worker
        .call(move |s| {
            let catalogue = legal_kiosk::domain::queue::Catalogue::built_in();
            for i in 0..40 {
                legal_kiosk::domain::queue::issue_ticket(
                    s.conn(),
                    &catalogue,
                    if i % 2 == 0 { "legal-aid" } else { "notary" },
                    now + chrono::Duration::seconds(i),
                    None,
                )
                .unwrap();
            }
        })
        .unwrap();
    let base = Api::of(&k).base;
    let counters: Vec<_> = ["1", "2"]
        .into_iter()
        .map(|counter| {
            let base = base.clone();
            std::thread::spawn(move || {
                let mut api = Api::new(&base);
                assert_eq!(api.login(PIN).0, 200);
                let mut got = Vec::new();
                loop {
                    let (status, body) =
                        api.post(&format!("/api/counters/{counter}/call-next"), json!({}));
                    if status == 409 {
                        // Still called: finish it, then call again.
                        let (s, b) =
                            api.post(&format!("/api/counters/{counter}/finish"), json!({}));
                        assert_eq!(s, 200, "{b}");
                        continue;
                    }
                    assert_eq!(status, 200, "{body}");
                    match body["called"]["number"].as_str() {
                        Some(n) => got.push(n.to_string()),
                        None => return got,
                    }
                }
            })
        })
        .collect();
    let mut all: Vec<String> = counters
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!((n, all.len()), (40, 40), "every ticket called exactly once");
    let audited: i64 = k.query(|c| {
        c.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'queue.call_next' AND actor = '王芳'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert!(audited >= 40, "each call audited ({audited})");
}

#[test]
fn a_call_reaches_the_hall_stream_the_ticket_page_and_the_kiosk_screen() {
    let k = kiosk();
    add_staff(&k);
    let first = take(&k, "法律援助");
    k.tap("完成");
    let second = take(&k, "法律援助");
    assert_eq!((first.as_str(), second.as_str()), ("B001", "B002"));
    k.settle("one person ahead", |k| k.shows("前面还有 1 人等候"));
    let shown = {
        use slint::ComponentHandle;
        k.app.global::<legal_kiosk::ui::Queue>().get_ticket()
    };
    assert!(
        shown.has_estimate && shown.wait_low < shown.wait_high,
        "an estimate range"
    );
    assert!(k.shows(&format!(
        "预计等候约 {}–{} 分钟（仅供参考）",
        shown.wait_low, shown.wait_high
    )));
    let token = token_of(&k, &second);

    let mut api = Api::of(&k);
    let (_, ticket) = api.get(&format!("/api/tickets/{token}"));
    assert_eq!(
        (ticket["state"].as_str(), ticket["people_ahead"].as_u64()),
        (Some("waiting"), Some(1))
    );
    assert!(ticket.get("masked_id").is_none() && ticket.get("token").is_none());

    let hall = api.follow("/api/hall/stream");
    next_matching(&hall, Duration::from_secs(5), |_| true).expect("the hall's first state");
    assert_eq!(api.login(PIN).0, 200);
    assert_eq!(api.post("/api/counters/1/open", json!({})).0, 200);
    let (status, body) = api.post("/api/counters/1/call-next", json!({}));
    assert_eq!(
        (status, body["called"]["number"].as_str()),
        (200, Some("B001"))
    );
    // A generous wait-until, not a measurement (benches/queue_api.rs measures).
    let (_, view) = next_matching(&hall, Duration::from_secs(2), |v| {
        v["now_serving"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["number"] == "B001"))
    })
    .expect("the hall shows the call");
    assert_eq!(view["now_serving"][0]["counter_name"], "1号窗口");
    assert_eq!(view["last_calls"][0]["number"], "B001");
    let text = view.to_string();
    assert!(
        !text.contains("masked") && !text.contains("id_hash"),
        "numbers only: {text}"
    );

    // The second ticket is next now: on its QR page and on the kiosk's screen.
    let (_, ticket) = api.get(&format!("/api/tickets/{token}"));
    assert_eq!(ticket["people_ahead"], 0);
    k.settle("the kiosk shows the new position", |k| {
        k.shows("下一位就是您")
    });

    let (_, b1) = api.get(&format!("/api/tickets/{}", token_of(&k, "B001")));
    assert_eq!(
        (b1["state"].as_str(), b1["counter_name"].as_str()),
        (Some("called"), Some("1号窗口"))
    );
}

#[test]
fn staff_see_the_waiting_list_with_priorities_and_can_set_one() {
    let k = kiosk();
    add_staff(&k);
    take(&k, "公证");
    k.tap("完成");
    take(&k, "公证");
    let mut api = Api::of(&k);
    assert_eq!(api.login(PIN).0, 200);
    let (status, row) = api.post(
        "/api/priority",
        json!({ "number": "D002", "group": "military" }),
    );
    assert_eq!(status, 200, "{row}");
    let (_, state) = api.get("/api/state");
    let waiting = state["waiting"].as_array().unwrap();
    assert_eq!(waiting.len(), 2);
    assert_eq!(waiting[1]["priority_label"], "军人军属");
    assert_eq!(
        state["counters"][0]["next"], "D002",
        "the priority ticket is next"
    );
    assert_eq!(state["today"]["issued"], 2);
    let (status, body) = api.post("/api/priority", json!({ "number": "D002", "group": "vip" }));
    assert!(
        status == 400 || status == 422,
        "an unknown group is refused: {status} {body}"
    );
}

#[test]
fn the_printed_ticket_carries_the_people_ahead_and_the_estimate_the_screen_shows() {
    let k = Kiosk::start();
    k.tap("取号");
    k.tap("人民调解");
    k.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    let shown = {
        use slint::ComponentHandle;
        k.app.global::<legal_kiosk::ui::Queue>().get_ticket()
    };
    assert!(shown.has_estimate);
    let job = k
        .printer()
        .wait_for_jobs(1, Duration::from_secs(5))
        .into_iter()
        .next()
        .expect("the ticket was printed");
    let text = job.to_text();
    assert!(text.contains("前面还有 0 人等候"), "{text}");
    let estimate = format!(
        "预计等候约 {}-{} 分钟（仅供参考）",
        shown.wait_low, shown.wait_high
    );
    assert!(text.contains(&estimate), "{estimate} in {text}");
}

#[test]
fn the_hall_the_counter_view_and_the_ticket_page_carry_no_personal_data() {
    // Simulated card reader and printer: the ticket is taken with an elderly holder's card.
    let k = Kiosk::start();
    add_staff(&k);
    k.place_card("resident-li-elderly", "李**");
    k.tap("取号");
    k.tap("法律援助");
    k.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    let (token, masked): (String, String) = k.query(|c| {
        c.query_row(
            "SELECT token, masked_id FROM tickets WHERE number = 'B001'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    });

    let mut api = Api::of(&k);
    let mut seen = vec![
        api.get("/api/hall").1,
        api.get(&format!("/api/tickets/{token}")).1,
    ];
    assert_eq!(api.login(PIN).0, 200);
    let staff = api.get("/api/state").1;
    assert!(
        staff.to_string().contains("elderly"),
        "the counter sees the priority: {staff}"
    );
    seen.push(staff);
    assert_eq!(api.post("/api/counters/1/open", json!({})).0, 200);
    let (status, called) = api.post("/api/counters/1/call-next", json!({}));
    assert_eq!(
        (status, called["called"]["number"].as_str()),
        (200, Some("B001"))
    );
    seen.extend([
        called,
        api.get("/api/hall").1,
        api.get("/api/state").1,
        api.get(&format!("/api/tickets/{token}")).1,
    ]);
    for view in &seen {
        let text = view.to_string();
        for personal in [
            "李桂兰",
            "桂兰",
            "410105194809200042",
            "19480920",
            "河南省郑州市",
            masked.as_str(),
        ] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }
    assert!(
        seen[4].to_string().contains("B001"),
        "the hall shows the number"
    );
}
