//! Enrolment against the real registry: one-time codes, refusals with clear messages,
//! unenrolled and revoked terminals.

mod common;

use common::{PLATFORM, Pilot, Terminal};
use kiosk_registry::store::{enrolment, terminals};
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
        .with(|c| {
            enrolment::create_code(
                c,
                PLATFORM,
                chrono::Utc::now() - chrono::Duration::seconds(1),
            )
        })
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
    pilot
        .store()
        .with(|c| terminals::revoke(c, &t.device_id()))
        .unwrap();
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
