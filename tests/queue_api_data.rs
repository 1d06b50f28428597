//! What the queue keeps and takes (issue 15): a host takes only the offline tickets a
//! client could have issued; the store is private to the kiosk's user; ticket events carry
//! no token and no identity; the day's masked IDs and hashes go with the day; one ticket
//! per person holds across a host and its client. Real kiosks, their API on loopback.

mod common;

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;

use common::queue_http::Api;
use common::{Kiosk, beijing};
use legal_kiosk::config::{Config, PrinterKind, ReaderKind};
use legal_kiosk::domain::queue::PriorityGroup;
use legal_kiosk::queue_api::ClientTerminal;
use legal_kiosk::queue_api::{ClientsConfig, HostConfig};
use serde_json::{Value, json};

fn config() -> Config {
    let mut config = Config::default();
    config.printer.kind = PrinterKind::None;
    config.reader.kind = ReaderKind::None;
    config
}

/// A host whose client terminal (the returned token) keeps 800-899; another client keeps
/// 900-999; appointments carry no weight in its policy.
fn host() -> (Kiosk, String) {
    let (token, digest) = legal_kiosk::queue_api::auth::new_terminal_token();
    let mut config = config();
    config.queue.clients = ClientsConfig {
        reserved_ranges: vec!["900-999".into()],
        terminal: vec![ClientTerminal {
            token_sha256: digest,
            offline_range: "800-899".into(),
        }],
        ..ClientsConfig::default()
    };
    config
        .queue
        .policy
        .weights
        .remove(&PriorityGroup::Appointment);
    (Kiosk::start_with(config), token)
}

fn offline(seq: u32, issued_at: &str, priority: Option<&str>) -> Value {
    json!({
        "token": format!("{:032x}", rand_token(seq)),
        "service_id": "legal-aid",
        "seq": seq,
        "number": format!("B{seq:03}"),
        "issued_at": issued_at,
        "priority": priority,
        "identity": null,
    })
}

fn rand_token(seq: u32) -> u128 {
    0x5eed_0000_0000_0000_0000_0000_0000_0000 + u128::from(seq)
}

#[test]
fn the_host_takes_only_todays_tickets_from_the_clients_range_with_grantable_priorities() {
    let (h, token) = host();
    let mut api = Api::of(&h);
    let tickets = vec![
        offline(800, "2026-11-26T09:10:00+08:00", None),
        offline(801, "2026-11-25T16:00:00+08:00", None),
        offline(802, "2026-11-26T11:00:00+08:00", None),
        offline(5, "2026-11-26T09:11:00+08:00", None),
        offline(900, "2026-11-26T09:12:00+08:00", None),
        offline(803, "2026-11-26T09:13:00+08:00", Some("appointment")),
        offline(804, "2026-11-26T09:14:00+08:00", Some("elderly")),
        offline(805, "2026-11-26T09:15:00+08:00", Some("military")),
    ];
    let bearer = format!("Bearer {token}");
    let (status, answer) = api.send(
        reqwest::Method::POST,
        "/api/import",
        Some(json!({ "tickets": tickets })),
        &[("authorization", &bearer)],
    );
    assert_eq!(status, 200, "{answer}");
    let by_token: HashMap<String, (String, String)> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let outcome = r["outcome"].as_str().unwrap().to_string();
            let code = r["error"].as_str().unwrap_or("").to_string();
            (r["token"].as_str().unwrap().to_string(), (outcome, code))
        })
        .collect();
    let outcome = |seq: u32| by_token[&format!("{:032x}", rand_token(seq))].clone();
    let refused = |code: &str| ("refused".to_string(), code.to_string());
    assert_eq!(outcome(800), ("imported".into(), String::new()));
    assert_eq!(outcome(801), refused("not_today"), "yesterday's ticket");
    assert_eq!(
        outcome(802),
        refused("in_the_future"),
        "ahead of the host's clock"
    );
    assert_eq!(
        outcome(5),
        refused("outside_range"),
        "one of the host's own numbers"
    );
    assert_eq!(
        outcome(900),
        refused("outside_range"),
        "another client's range"
    );
    assert_eq!(
        outcome(803),
        refused("priority_not_granted"),
        "no weight here"
    );
    assert_eq!(
        outcome(804),
        refused("priority_not_granted"),
        "elderly without a card"
    );
    assert_eq!(outcome(805), ("imported".into(), String::new()));
    let message = answer["results"][1]["message"].as_str().unwrap();
    assert!(
        message.contains("2026-11-26"),
        "says which day it takes: {message}"
    );
    let numbers: Vec<String> = h.query(|c| {
        let mut stmt = c
            .prepare("SELECT number FROM tickets ORDER BY number")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    });
    assert_eq!(numbers, ["B800", "B805"]);
}

#[test]
fn the_store_is_created_readable_by_the_kiosk_alone() {
    let k = Kiosk::start_with(config());
    for name in ["kiosk.sqlite3", "kiosk.sqlite3-wal", "kiosk.sqlite3-shm"] {
        let path = k.kiosk.data_dir.join(name);
        if name != "kiosk.sqlite3" && !path.exists() {
            continue;
        }
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is {mode:o}");
    }
}

fn issue_with_card(api: &mut Api, token: &str) -> Value {
    let bearer = format!("Bearer {token}");
    let (status, answer) = api.send(
        reqwest::Method::POST,
        "/api/issue",
        Some(json!({
            "service_id": "legal-aid",
            "one_per_person": true,
            "identity": {
                "masked_id": "110***********0019",
                "id_hash": "c0ffee".repeat(10) + "c0ff",
                "age_band": "60-69",
                "elderly": true,
            },
        })),
        &[("authorization", &bearer)],
    );
    assert_eq!(status, 200, "{answer}");
    answer
}

#[test]
fn ticket_events_carry_no_token_and_the_days_identities_go_with_the_day() {
    let (h, token) = host();
    let mut api = Api::of(&h);
    let ticket = issue_with_card(&mut api, &token);
    let private = ticket["token"].as_str().unwrap().to_string();
    let payload: String = h.query(|c| {
        c.query_row(
            "SELECT payload FROM outbox WHERE kind = 'ticket.issued'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert!(!payload.contains(&private), "the ticket's token: {payload}");
    assert!(
        !payload.contains("110***") && !payload.contains("c0ffee"),
        "the identity: {payload}"
    );
    assert!(payload.contains("60-69"), "the age band stays: {payload}");

    // The next day opens: the masked ID and the hash of the 26th are gone.
    h.clock.set(beijing(27, 8, 30));
    let next = api.send(
        reqwest::Method::POST,
        "/api/issue",
        Some(json!({ "service_id": "notary" })),
        &[("authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(next.0, 200);
    let kept: (Option<String>, Option<String>, String, String) = h.query(|c| {
        c.query_row(
            "SELECT masked_id, id_hash, age_band, service_id FROM tickets
             WHERE service_day = '2026-11-26'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
    });
    assert_eq!(kept, (None, None, "60-69".into(), "legal-aid".into()));
}

#[test]
fn one_ticket_per_person_holds_across_a_host_and_its_client() {
    let (token, digest) = legal_kiosk::queue_api::auth::new_terminal_token();
    let mut host_config = Config::default();
    host_config.printer.kind = PrinterKind::None;
    host_config.queue.clients.token_sha256 = vec![digest];
    let h = Kiosk::start_with(host_config);
    let key = legal_kiosk::session::HashKey::read_hex(&h.kiosk.data_dir.join("keys/id-hash.key"))
        .expect("the host made its key");
    let mut client_config = Config::default();
    client_config.printer.kind = PrinterKind::None;
    client_config.queue.host = Some(HostConfig {
        url: format!("http://{}", h.kiosk.queue_server.as_ref().unwrap().addr),
        token,
        offline_range: None,
        timeout_ms: 2000,
        cert_sha256: None,
        id_hash_key: Some(key),
    });
    let c = Kiosk::start_with(client_config);
    for k in [&h, &c] {
        k.place_card("resident-zhang", "张*");
        k.tap("取号");
        k.tap("法律援助");
        k.settle("a number", |k| k.ticket_number().is_some());
    }
    assert!(c.shows("您今天已取过此业务的号，请留意叫号。"));
    assert_eq!(c.ticket_number().as_deref(), Some("B001"));
    let issued: i64 = h.query(|c| {
        c.query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(issued, 1, "the person's second ticket is the first one");
}
