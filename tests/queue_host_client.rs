//! Two terminals, one queue, on loopback: the client issues through the host's API, so
//! both terminals' tickets are one sequence; with the host down the client says so and, as
//! configured, issues from its own range or not at all; its offline tickets reach the host
//! once it is back, at the places their times give them.

mod common;

use std::time::{Duration, Instant};

use common::Kiosk;
use legal_kiosk::config::{Config, PrinterKind, ReaderKind};
use legal_kiosk::domain::maintenance::Authenticator;
use legal_kiosk::queue_api::{ClientsConfig, HostConfig, ServerConfig};

fn base_config() -> Config {
    let mut config = Config::default();
    config.printer.kind = PrinterKind::None;
    config.reader.kind = ReaderKind::None;
    config
}

fn host(token_sha256: &str) -> Kiosk {
    let mut config = base_config();
    config.queue.clients = ClientsConfig {
        token_sha256: vec![token_sha256.to_string()],
        reserved_ranges: vec!["800-899".into()],
        ..ClientsConfig::default()
    };
    Kiosk::start_with(config)
}

fn client(url: &str, token: &str, offline_range: Option<&str>) -> Kiosk {
    let mut config = base_config();
    config.queue.host = Some(HostConfig {
        url: url.to_string(),
        token: token.to_string(),
        offline_range: offline_range.map(str::to_string),
        timeout_ms: 1000,
        cert_sha256: None,
        id_hash_key: None,
    });
    Kiosk::start_with(config)
}

fn take(kiosk: &Kiosk, service_label: &str) -> Option<String> {
    kiosk.tap("取号");
    kiosk.tap(service_label);
    kiosk.settle("the desk's answer", |k| {
        k.ticket_number().is_some() || k.shows(UNREACHABLE_NO_NUMBER)
    });
    let number = kiosk.ticket_number();
    kiosk.tap("完成");
    number
}

const UNREACHABLE_NO_NUMBER: &str =
    "抱歉，本终端暂时无法连接叫号系统，现在不能取号。请联系工作人员。";

fn numbers(kiosk: &Kiosk) -> Vec<String> {
    kiosk.query(|c| {
        let mut stmt = c
            .prepare("SELECT number FROM tickets ORDER BY issued_ms, id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    })
}

/// Waits (really: a background thread does the work) until `done` holds.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn tickets_from_both_terminals_are_one_sequence_and_offline_ones_join_it_later() {
    let (token, digest) = legal_kiosk::queue_api::auth::new_terminal_token();
    let mut h = host(&digest);
    let addr = h.kiosk.queue_server.as_ref().unwrap().addr;
    let url = format!("http://{addr}");
    let c = client(&url, &token, Some("800-899"));

    assert_eq!(take(&h, "法律援助").as_deref(), Some("B001"));
    assert_eq!(
        take(&c, "法律援助").as_deref(),
        Some("B002"),
        "through the host"
    );
    assert_eq!(take(&h, "法律援助").as_deref(), Some("B003"));
    assert_eq!(numbers(&h), ["B001", "B002", "B003"]);
    assert!(
        numbers(&c).is_empty(),
        "the client keeps no queue of its own"
    );
    let origin: Option<String> = h.query(|c| {
        c.query_row(
            "SELECT origin FROM tickets WHERE number = 'B002'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(origin.as_deref(), Some("client"));

    // The host goes down.
    h.kiosk.queue_server.take().unwrap().stop();
    c.clock.set(common::beijing(26, 9, 40));
    let offline = take(&c, "法律援助");
    assert_eq!(
        offline.as_deref(),
        Some("B800"),
        "from the client's own range"
    );
    c.tap("取号");
    c.settle("the services page says the queue is unreachable", |k| {
        k.shows("暂时无法连接叫号系统。在此取的号码依然有效，工作人员会叫号。")
    });
    c.tap("法律援助");
    c.settle("the second offline ticket", |k| {
        k.ticket_number().as_deref() == Some("B801")
    });
    assert!(c.shows("暂时无法连接叫号系统，前面人数暂时无法获知。您的号码有效，请留意叫号。"));
    c.tap("完成");
    // The host issues on meanwhile (its own kiosk needs no network).
    h.clock.set(common::beijing(26, 9, 45));
    assert_eq!(take(&h, "法律援助").as_deref(), Some("B004"));

    // The host comes back on the same address.
    let mut server_config = ServerConfig {
        listen: addr,
        ..ServerConfig::default()
    };
    server_config.session_idle_minutes = 30;
    let login = Authenticator::spawn(
        h.kiosk.worker.clone(),
        h.clock.clone(),
        legal_kiosk::domain::maintenance::LockoutPolicy::default(),
    )
    .unwrap();
    h.kiosk.queue_server = Some(
        legal_kiosk::queue_api::start(
            h.kiosk.queue.clone(),
            &server_config,
            &ClientsConfig {
                token_sha256: vec![digest],
                reserved_ranges: vec!["800-899".into()],
                ..ClientsConfig::default()
            },
            login,
            legal_kiosk::domain::maintenance::LockoutPolicy::default(),
            &h.kiosk.network.handle(),
        )
        .expect("the host listens again"),
    );
    eventually("the host has the offline tickets", || {
        numbers(&h).len() == 6
    });
    assert_eq!(
        numbers(&h),
        ["B001", "B002", "B003", "B800", "B801", "B004"],
        "offline tickets at the places their times give them"
    );
    eventually("the client has handed them over", || {
        c.query(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM tickets WHERE origin = 'offline' AND synced_at IS NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
        }) == 0
    });
    // Handed over once: a later reconnection sends nothing again.
    assert_eq!(numbers(&h).len(), 6);
    c.tap("取号");
    c.settle("the unreachable notice is gone", |k| {
        !k.shows("暂时无法连接叫号系统。在此取的号码依然有效，工作人员会叫号。")
    });
    c.tap("法律援助");
    c.settle("a host number again", |k| {
        k.ticket_number().as_deref() == Some("B005")
    });
}

#[test]
fn without_an_offline_range_the_client_says_it_cannot_issue() {
    let (token, digest) = legal_kiosk::queue_api::auth::new_terminal_token();
    let mut h = host(&digest);
    let url = format!("http://{}", h.kiosk.queue_server.as_ref().unwrap().addr);
    h.kiosk.queue_server.take().unwrap().stop();
    let c = client(&url, &token, None);
    assert_eq!(take(&c, "公证"), None);
    c.tap("取号");
    c.settle("the services page says so", |k| {
        k.shows("暂时无法连接叫号系统，此处暂不能取号。请联系工作人员。")
    });
    assert!(
        numbers(&c).is_empty() && numbers(&h).is_empty(),
        "no number was issued anywhere"
    );
}

#[test]
fn a_client_with_a_wrong_token_gets_no_tickets() {
    let (_, digest) = legal_kiosk::queue_api::auth::new_terminal_token();
    let h = host(&digest);
    let url = format!("http://{}", h.kiosk.queue_server.as_ref().unwrap().addr);
    let c = client(&url, "not-the-token-not-the-token", Some("800-899"));
    c.tap("取号");
    c.tap("公证");
    c.settle("a refusal", |k| {
        k.shows("抱歉，暂时无法取号，请联系工作人员。") || k.ticket_number().is_some()
    });
    assert_eq!(c.ticket_number(), None, "refused, not issued offline");
    assert!(numbers(&h).is_empty());
}

/// What an installer does: `legal-kiosk queue client-token`, the token into the client's
/// configuration, its digest into the host's; the client then issues through the host.
#[test]
fn the_token_from_the_command_line_joins_a_client_to_its_host() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
            .args(args)
            .output()
            .expect("the kiosk binary runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let plain = run(&["queue", "client-token"]);
    assert!(
        plain.contains("token = \"") && plain.contains("token_sha256 = [\""),
        "{plain}"
    );
    let answer: serde_json::Value =
        serde_json::from_str(&run(&["queue", "client-token", "--json"])).expect("JSON");
    let (token, digest) = (
        answer["token"].as_str().expect("a token"),
        answer["token_sha256"].as_str().expect("a digest"),
    );
    assert!(
        !plain.contains(token),
        "a new token each time, never a fixed one"
    );
    assert_eq!(digest.len(), 64);

    let h = host(digest);
    let url = format!("http://{}", h.kiosk.queue_server.as_ref().unwrap().addr);
    let c = client(&url, token, None);
    assert_eq!(take(&c, "法律援助").as_deref(), Some("B001"));
    assert_eq!(numbers(&h), ["B001"], "issued in the host's queue");
}
