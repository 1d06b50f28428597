//! Enrolment against the real registry: one-time codes, refusals with clear messages,
//! unenrolled and revoked terminals.

mod common;

use common::{PLATFORM, Pilot, Terminal};
use provisioning::client::SyncError;
use provisioning::protocol::ErrorCode;

fn refusal(result: Result<impl std::fmt::Debug, SyncError>) -> (ErrorCode, String) {
    match result {
        Err(SyncError::Refused { code, message, .. }) => (code, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_code_enrols_once_and_binds_the_platform() {
    let mut pilot = Pilot::new();
    pilot.start();
    let code = pilot.code(PLATFORM);
    let mut first = Terminal::new();
    // Installers type codes in lower case with spaces; that must still work.
    let typed = code.to_lowercase().replace('-', " ");
    let enrolment = first.enrol(&pilot, &typed).await.unwrap();
    assert_eq!(enrolment.platform_id, PLATFORM);
    assert_eq!(enrolment.region, "330106");
    assert!(enrolment.device_id.starts_with("kt-"));

    let mut second = Terminal::new();
    let (error, message) = refusal(second.enrol(&pilot, &code).await);
    assert_eq!(error, ErrorCode::EnrolmentCodeUsed);
    assert!(message.contains("already used"), "{message}");

    // The enrolled terminal can poll; the one refused cannot.
    first.client(&pilot).poll_once().await.unwrap();
}

#[tokio::test]
async fn unknown_and_expired_codes_are_refused_with_clear_messages() {
    let mut pilot = Pilot::new();
    pilot.start();
    let mut t = Terminal::new();
    let (error, message) = refusal(t.enrol(&pilot, "ZZZZZ-ZZZZZ").await);
    assert_eq!(error, ErrorCode::EnrolmentCodeUnknown);
    assert!(message.contains("not known"), "{message}");

    let expired = pilot
        .store()
        .create_code(
            &pilot.code_key(),
            PLATFORM,
            chrono::Utc::now() - chrono::Duration::seconds(1),
        )
        .unwrap();
    let (error, message) = refusal(t.enrol(&pilot, &expired).await);
    assert_eq!(error, ErrorCode::EnrolmentCodeExpired);
    assert!(message.contains("expired"), "{message}");
}

#[tokio::test]
async fn an_unenrolled_terminal_is_refused() {
    let mut pilot = Pilot::new();
    pilot.start();
    let mut stranger = Terminal::new();
    // A terminal that believes it is enrolled but the registry never saw its key.
    stranger.enrolment = Some(provisioning::client::Enrolment {
        registry_url: pilot.url(),
        device_id: provisioning::identity::device_id_for(&stranger.identity.public_key()),
        platform_id: PLATFORM.into(),
        region: "330106".into(),
    });
    let (error, message) = refusal(stranger.client(&pilot).poll_once().await);
    assert_eq!(error, ErrorCode::Unauthenticated);
    assert!(message.contains("not enrolled"), "{message}");
}

#[tokio::test]
async fn a_revoked_terminal_is_refused_and_cannot_enrol_again() {
    let mut pilot = Pilot::new();
    pilot.start();
    let mut t = Terminal::enrolled(&pilot).await;
    pilot.store().revoke(&t.device_id()).unwrap();
    let (error, message) = refusal(t.client(&pilot).poll_once().await);
    assert_eq!(error, ErrorCode::TerminalRevoked);
    assert!(message.contains("revoked"), "{message}");
    let (error, _) = refusal(t.enrol(&pilot, &pilot.code(PLATFORM)).await);
    assert_eq!(error, ErrorCode::TerminalRevoked);
}

#[tokio::test]
async fn a_wrong_ca_is_not_trusted() {
    let mut pilot = Pilot::new();
    pilot.start();
    let other = Pilot::new();
    let mut config = pilot.client_config();
    config.ca_certificate = other.pki.ca_cert.clone();
    let t = Terminal::new();
    let result =
        provisioning::client::enrol(&config, &t.identity, &pilot.code(PLATFORM), "SIM").await;
    assert!(matches!(result, Err(SyncError::Network(_))), "{result:?}");
}

/// An enrolment request for `code` from a new key, as `source` sends it; the status.
async fn enrol_from(pilot: &Pilot, source: &str, code: &str) -> (u16, Option<String>) {
    use base64::Engine as _;
    let identity = provisioning::identity::DeviceIdentity::from_signing_key(
        provisioning::keys::generate_signing_key().unwrap(),
    );
    let code = provisioning::protocol::normalise_enrolment_code(code);
    let public_key = identity.public_key_base64();
    let proof = identity.sign(&provisioning::protocol::enrolment_proof_message(
        &code,
        &public_key,
        "SIM",
    ));
    let request = provisioning::protocol::EnrolRequest {
        code,
        public_key,
        hardware_serial: "SIM".into(),
        app_version: "test".into(),
        proof: base64::engine::general_purpose::STANDARD.encode(proof.to_bytes()),
    };
    let response = common::https_client_from(pilot, source)
        .post(format!("{}/v1/enrol", pilot.url()))
        .json(&request)
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (response.status().as_u16(), retry_after)
}

#[tokio::test]
async fn enrolment_attempts_are_limited_per_source_address() {
    let mut pilot = Pilot::new();
    pilot.serve_args = vec!["--enrol-attempts-per-minute".into(), "5".into()];
    pilot.start();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(enrol_from(&pilot, "127.0.0.1", "ZZZZZ-ZZZZZ").await);
    }
    assert!(
        statuses[..5].iter().all(|(s, _)| *s == 403),
        "the first attempts are checked: {statuses:?}"
    );
    assert!(
        statuses[5..]
            .iter()
            .all(|(s, retry)| *s == 429 && retry.is_some()),
        "then the address waits: {statuses:?}"
    );
    // Another address is not held up; a good code from it still enrols.
    assert_eq!(enrol_from(&pilot, "127.0.0.2", "ZZZZZ-ZZZZZ").await.0, 403);
    assert_eq!(
        enrol_from(&pilot, "127.0.0.2", &pilot.code(PLATFORM))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_copy_of_the_database_does_not_confirm_a_guessed_code() {
    use sha2::Digest as _;
    let mut pilot = Pilot::new();
    let code = pilot
        .admin(&["code", "create", "--platform", PLATFORM], "")
        .trim()
        .to_string();
    let stored: Vec<String> = pilot
        .store()
        .sql_text("SELECT code_hash FROM enrolment_codes", &[])
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    let normalised = provisioning::protocol::normalise_enrolment_code(&code);
    let plain = hex::encode(sha2::Sha256::digest(normalised.as_bytes()));
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], plain, "not a plain hash of the code");
    // The key is its own private file, not in the database.
    use std::os::unix::fs::PermissionsExt as _;
    let key_file = pilot.dir.path().join("enrolment-code.key");
    assert_eq!(
        std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // And the code works with the server, which uses the same key.
    pilot.start();
    let mut t = Terminal::new();
    t.enrol(&pilot, &code).await.unwrap();
}
