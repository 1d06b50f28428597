//! What the queue keeps (issue 15): the store is private to the kiosk's user; ticket
//! events carry no token and no identity; the day's masked IDs and hashes go with the day;
//! one ticket per person holds across a host and its client. Real kiosks, their API on
//! loopback.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::queue_http::Api;
use common::{Kiosk, beijing};
use legal_kiosk::config::{Config, PrinterKind, ReaderKind};
use legal_kiosk::queue_api::HostConfig;
use serde_json::{Value, json};

fn config() -> Config {
    let mut config = Config::default();
    config.printer.kind = PrinterKind::None;
    config.reader.kind = ReaderKind::None;
    config
}

/// A host with one client terminal (the returned token).
fn host() -> (Kiosk, String) {
    let (token, digest) = legal_kiosk::queue_api::auth::new_terminal_token();
    let mut config = config();
    config.queue.clients.token_sha256 = vec![digest];
    (Kiosk::start_with(config), token)
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
