//! Request authentication against the real registry.

mod common;

use common::{Pilot, Terminal, https_client, signed};
use provisioning::auth::*;
use reqwest::{Method, StatusCode};

async fn error_of(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap().to_string(),
        body["message"].as_str().unwrap().to_string(),
    )
}

fn heartbeat() -> Vec<u8> {
    serde_json::to_vec(&provisioning::protocol::Heartbeat {
        app_version: "t".into(),
        ..Default::default()
    })
    .unwrap()
}

#[tokio::test]
async fn a_request_signed_with_another_terminals_key_is_refused() {
    let mut pilot = Pilot::new();
    pilot.start();
    let a = Terminal::enrolled(&pilot).await;
    let b = Terminal::enrolled(&pilot).await;
    let http = https_client(&pilot);
    let ok = signed(
        &http,
        &pilot,
        &a.identity,
        &a.device_id(),
        Method::POST,
        "/v1/poll",
        heartbeat(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    // B claims to be A.
    let forged = signed(
        &http,
        &pilot,
        &b.identity,
        &a.device_id(),
        Method::POST,
        "/v1/poll",
        heartbeat(),
    )
    .send()
    .await
    .unwrap();
    let (status, code, message) = error_of(forged).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    assert!(message.contains("does not verify"), "{message}");
}

#[tokio::test]
async fn a_replayed_or_altered_request_is_refused() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    t.store
        .enqueue("audit", &serde_json::json!({"action": "login"}))
        .unwrap();
    let http = https_client(&pilot);
    use provisioning::client::OutboxStore as _;
    let body = serde_json::to_vec(&provisioning::protocol::EventBatch {
        events: t.store.pending_batch(10).unwrap(),
    })
    .unwrap();
    let request = signed(
        &http,
        &pilot,
        &t.identity,
        &t.device_id(),
        Method::POST,
        "/v1/events",
        body.clone(),
    )
    .build()
    .unwrap();
    let replay = request.try_clone().unwrap();
    assert_eq!(
        http.execute(request).await.unwrap().status(),
        StatusCode::OK
    );
    let (status, _, message) = error_of(http.execute(replay).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("replayed"), "{message}");

    // The same signature on another body or path does not verify.
    let mut altered = signed(
        &http,
        &pilot,
        &t.identity,
        &t.device_id(),
        Method::POST,
        "/v1/events",
        body.clone(),
    )
    .build()
    .unwrap();
    *altered.body_mut() = Some(br#"{"events":[]}"#.to_vec().into());
    let (status, _, message) = error_of(http.execute(altered).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("does not verify"), "{message}");

    // A stale timestamp is refused even with a valid signature.
    let stale = sign_request(
        &t.identity,
        &t.device_id(),
        "POST",
        "/v1/poll",
        &heartbeat(),
        chrono::Utc::now().timestamp() - 3600,
        new_nonce().unwrap(),
    );
    let response = http
        .post(format!("{}/v1/poll", pilot.url()))
        .header(HEADER_DEVICE, stale.device_id)
        .header(HEADER_TIMESTAMP, stale.timestamp.to_string())
        .header(HEADER_NONCE, stale.nonce)
        .header(HEADER_SIGNATURE, stale.signature)
        .body(heartbeat())
        .send()
        .await
        .unwrap();
    let (status, _, message) = error_of(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("clock"), "{message}");

    // No headers at all.
    let (status, _, message) = error_of(
        http.post(format!("{}/v1/poll", pilot.url()))
            .body(heartbeat())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("x-kiosk-device"), "{message}");
}

#[tokio::test]
async fn a_request_signed_before_a_registry_restart_cannot_be_replayed_after_it() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let http = https_client(&pilot);
    let request = signed(
        &http,
        &pilot,
        &t.identity,
        &t.device_id(),
        Method::POST,
        "/v1/poll",
        heartbeat(),
    )
    .build()
    .unwrap();
    let replay = request.try_clone().unwrap();
    assert_eq!(
        http.execute(request).await.unwrap().status(),
        StatusCode::OK
    );
    pilot.kill();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    pilot.start();
    let http = https_client(&pilot);
    let (status, _, message) = error_of(http.execute(replay).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // SQLite: the nonces were in memory, so nothing signed before the start is accepted.
    // PostgreSQL: the nonces outlive the process, which recognises the replay itself.
    let reason = if common::on_postgres() {
        "replayed"
    } else {
        "before the registry started"
    };
    assert!(message.contains(reason), "{message}");
}
