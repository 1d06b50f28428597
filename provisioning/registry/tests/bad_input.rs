//! Malformed, oversized, mistyped and slow requests get clear 4xx answers and do not harm
//! other terminals.

mod common;

use common::{Pilot, Terminal, https_client, signed};
use reqwest::{Method, StatusCode};
use std::io::{Read as _, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn answer(response: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn malformed_unknown_and_mistyped_bodies_are_refused_clearly() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let http = https_client(&pilot);
    let send = |body: &str| {
        signed(
            &http,
            &pilot,
            &t.identity,
            &t.device_id(),
            Method::POST,
            "/v1/poll",
            body.as_bytes().to_vec(),
        )
        .send()
    };

    let (status, body) = answer(send("{\"app_version\": ").await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    assert!(body["message"].as_str().unwrap().contains("EOF"), "{body}");

    let full = serde_json::to_value(provisioning::protocol::Heartbeat::default()).unwrap();
    let mut extra = full.clone();
    extra["surprise"] = serde_json::json!(1);
    let (status, body) = answer(send(&extra.to_string()).await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `surprise`"),
        "{body}"
    );

    let mut wrong = full.clone();
    wrong["outbox_depth"] = serde_json::json!("many");
    let (status, body) = answer(send(&wrong.to_string()).await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("invalid type"),
        "{body}"
    );

    // Unauthenticated enrolment with garbage.
    let (status, body) = answer(
        http.post(format!("{}/v1/enrol", pilot.url()))
            .body("[1,2]")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("invalid type"),
        "{body}"
    );

    // Too many events in one batch.
    let events: Vec<_> = (0..501)
        .map(|i| serde_json::json!({"seq": i, "idempotency_key": format!("k{i}"), "kind": "audit", "payload": {}, "created_at": "2026-11-20T09:00:00+08:00"}))
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({ "events": events })).unwrap();
    let (status, body) = answer(
        signed(
            &http,
            &pilot,
            &t.identity,
            &t.device_id(),
            Method::POST,
            "/v1/events",
            body,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("at most 500"),
        "{body}"
    );

    // Unknown endpoint and wrong method.
    let (status, body) = answer(
        http.get(format!("{}/v2/nothing", pilot.url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = answer(
        http.get(format!("{}/v1/poll", pilot.url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn malformed_events_are_quarantined_not_lost_and_not_counted() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    // A row whose payload column is not JSON (a firmware bug) must not block the queue.
    let db = rusqlite::Connection::open(t.dir.path().join("kiosk.db")).unwrap();
    db.execute("INSERT INTO outbox (idempotency_key, kind, payload, created_at) VALUES ('k-bad', 'ticket.issued', 'not json', '2026-11-20T09:00:00+08:00')", []).unwrap();
    t.store.enqueue("ticket.issued", &serde_json::json!({"service_id": "mediation", "number": "A001", "service_day": "2026-11-20", "issued_at": "2026-11-20T09:00:00+08:00"})).unwrap();
    let report = t.client(&pilot).deliver_outbox().await.unwrap();
    assert_eq!((report.acknowledged, report.quarantined), (2, 1));
    assert_eq!(pilot.events_count(), 1);
    let kept = pilot
        .store()
        .sql_text("SELECT reason FROM events_quarantine", &[])
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(kept.contains("not a JSON object"));
}

#[tokio::test]
async fn an_oversized_body_gets_413() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let http = https_client(&pilot);
    let body = vec![b' '; 3 * 1024 * 1024];
    let (status, body) = answer(
        signed(
            &http,
            &pilot,
            &t.identity,
            &t.device_id(),
            Method::POST,
            "/v1/events",
            body,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
}

#[tokio::test]
async fn a_slow_client_gets_408_while_others_are_served() {
    let mut pilot = Pilot::new();
    pilot.serve_args = vec!["--request-timeout".into(), "2".into()];
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let port = pilot.port;
    let ca = pilot.pki.ca_cert.clone();

    // A raw TLS connection that announces 1,000 bytes and sends 10.
    let slow = std::thread::spawn(move || {
        use rustls::pki_types::pem::PemObject as _;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls::pki_types::CertificateDer::pem_file_iter(&ca).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
        let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let mut tls = rustls::Stream::new(&mut conn, &mut sock);
        let started = Instant::now();
        tls.write_all(b"POST /v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"code\":\"").unwrap();
        let mut response = Vec::new();
        let _ = tls.read_to_end(&mut response);
        (
            started.elapsed(),
            String::from_utf8_lossy(&response).into_owned(),
        )
    });

    // Meanwhile a normal terminal polls without delay.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let begun = Instant::now();
    t.client(&pilot).poll_once().await.unwrap();
    assert!(
        begun.elapsed() < Duration::from_secs(1),
        "others are not held up by the slow client"
    );

    let (elapsed, response) = tokio::task::spawn_blocking(move || slow.join().unwrap())
        .await
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("request_timeout"), "{response}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}
