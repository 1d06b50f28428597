//! `provisioning/openapi.json` is the contract: the server's routes are exactly the documented
//! ones, every documented route answers, and the documented schemas have exactly the fields
//! the protocol types serialise.

mod common;

use common::{Pilot, https_client};
use provisioning::bundle::sign::{BundleSpec, sign_bundle};
use provisioning::command::{CommandAction, CommandBody, sign_command};
use provisioning::protocol::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn document() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.clone(), path.clone()));
        }
    }
    out
}

#[test]
fn server_routes_are_exactly_the_documented_ones() {
    let served: BTreeSet<(String, String)> = kiosk_registry::app::route_list()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(served, documented_routes(&document()));
}

#[test]
fn every_reference_resolves_and_signed_routes_document_401() {
    let doc = document();
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &piece[..piece.find('"').unwrap()];
        assert!(schemas.contains_key(name), "unresolved $ref {name}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let open = op
                .get("security")
                .is_some_and(|s| s.as_array().unwrap().is_empty());
            if !open {
                assert!(
                    op["responses"].get("401").is_some(),
                    "{method} {path} must document 401"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_documented_route_is_answered_by_the_server() {
    let mut pilot = Pilot::new();
    pilot.start();
    let http = https_client(&pilot);
    for (method, path) in documented_routes(&document()) {
        let concrete = path
            .replace("{stream}", "catalogue")
            .replace("{version}", "1")
            .replace("{command_id}", "cmd-x");
        let url = format!("{}{}", pilot.url(), concrete);
        let response = match method.as_str() {
            "get" => http.get(&url).send().await.unwrap(),
            "post" => http.post(&url).body("{}").send().await.unwrap(),
            "put" => http.put(&url).body("{}").send().await.unwrap(),
            other => panic!("unexpected method {other}"),
        };
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        assert!(
            status != 405 && !body.contains("no such endpoint"),
            "{method} {path} → {status} {body}"
        );
        let code = status.to_string();
        let doc = document();
        assert!(
            doc["paths"][&path][&method]["responses"]
                .get(&code)
                .is_some(),
            "{method} {path} answered {status}, which is not documented"
        );
    }
}

fn fields(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

fn assert_schema_matches(doc: &Value, name: &str, sample: &impl serde::Serialize) {
    assert_schema_with_optional(doc, name, sample, &[]);
}

/// As `assert_schema_matches`, for a type whose `optional` fields are left out when absent
/// (`sample` has them all).
fn assert_schema_with_optional(
    doc: &Value,
    name: &str,
    sample: &impl serde::Serialize,
    optional: &[&str],
) {
    let schema = &doc["components"]["schemas"][name];
    let documented: BTreeSet<String> = schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{name}"))
        .keys()
        .cloned()
        .collect();
    let sample = serde_json::to_value(sample).unwrap();
    assert_eq!(fields(&sample), documented, "schema {name}");
    let required: BTreeSet<String> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let always: BTreeSet<String> = documented
        .iter()
        .filter(|f| !optional.contains(&f.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        required, always,
        "schema {name}: every field but {optional:?} is always present"
    );
}

#[test]
fn schemas_have_exactly_the_fields_of_the_protocol_types() {
    let doc = document();
    let now = chrono::Utc::now();
    let key = provisioning::keys::generate_signing_key().unwrap();
    let event = Event {
        seq: 1,
        idempotency_key: "k".into(),
        kind: "audit".into(),
        payload: serde_json::json!({}),
        created_at: now.to_rfc3339(),
    };
    let offer = BundleOffer {
        stream: "catalogue".into(),
        version: 2,
        payload_size: 10,
    };
    let body = CommandBody {
        command_id: "c".into(),
        device_id: "kt-1".into(),
        action: CommandAction::Restart,
        issued_at: now,
        not_after: now,
    };
    let command = sign_command(&body, &key);
    let spec = BundleSpec {
        stream: "catalogue".into(),
        version: 1,
        scope: provisioning::scope::Scope::All,
        issued_at: now,
        expires_at: now,
    };
    let bundle = sign_bundle(&spec, &provisioning::bundle::Payload::default(), &key);
    let manifest: provisioning::bundle::Manifest = serde_json::from_str(&bundle.manifest).unwrap();

    assert_schema_matches(
        &doc,
        "EnrolRequest",
        &EnrolRequest {
            code: "c".into(),
            public_key: "k".into(),
            hardware_serial: "s".into(),
            app_version: "v".into(),
            proof: "p".into(),
        },
    );
    assert_schema_matches(
        &doc,
        "EnrolResponse",
        &EnrolResponse {
            device_id: "d".into(),
            platform_id: "p".into(),
            region: "r".into(),
            poll_interval_s: 30,
            server_time: now,
        },
    );
    let report = UpdateReport {
        version: "1.1.0".into(),
        state: UpdateState::RolledBack,
        detail: Some("health check".into()),
    };
    let heartbeat = Heartbeat {
        update: Some(report.clone()),
        ..Heartbeat::default()
    };
    assert_schema_with_optional(&doc, "Heartbeat", &heartbeat, &["update"]);
    assert_schema_matches(&doc, "UpdateReport", &report);
    let release_manifest = provisioning::release::ReleaseManifest {
        format: 1,
        package: "legal-kiosk".into(),
        version: "1.1.0".into(),
        architecture: "arm64".into(),
        size: 1,
        sha256: "0".repeat(64),
        min_from_version: None,
        notes_zh: "说明".into(),
        issued_at: now,
    };
    let key = provisioning::keys::generate_signing_key().unwrap();
    let release = provisioning::release::sign_release(&release_manifest, &key);
    let update = UpdateOffer {
        release: release.clone(),
        rollout_id: "ro-1".into(),
        max_bytes_per_s: 0,
    };
    assert_schema_matches(&doc, "ReleaseManifest", &release_manifest);
    assert_schema_matches(&doc, "SignedRelease", &release);
    assert_schema_matches(&doc, "UpdateOffer", &update);
    assert_schema_matches(&doc, "BundleOffer", &offer);
    assert_schema_with_optional(
        &doc,
        "PollResponse",
        &PollResponse {
            poll_interval_s: 30,
            server_time: now,
            bundles: vec![offer.clone()],
            commands: vec![command.clone()],
            update: Some(update),
        },
        &["update"],
    );
    assert_schema_matches(&doc, "Event", &event);
    assert_schema_matches(
        &doc,
        "EventBatch",
        &EventBatch {
            events: vec![event.clone()],
        },
    );
    assert_schema_matches(
        &doc,
        "EventBatchResponse",
        &EventBatchResponse {
            acknowledged: vec![1],
            stored: 1,
            duplicates: 0,
            quarantined: 0,
        },
    );
    assert_schema_matches(
        &doc,
        "CommandAck",
        &CommandAck {
            state: CommandState::Succeeded,
            detail: None,
        },
    );
    assert_schema_matches(
        &doc,
        "ApiError",
        &ApiError {
            error: ErrorCode::NotFound,
            message: "m".into(),
        },
    );
    assert_schema_matches(&doc, "SignedCommand", &command);
    assert_schema_matches(&doc, "CommandBody", &body);
    assert_schema_matches(&doc, "SignedBundle", &bundle);
    assert_schema_matches(&doc, "BundleSignature", bundle.signature.as_ref().unwrap());
    assert_schema_matches(&doc, "Manifest", &manifest);
    assert_schema_matches(
        &doc,
        "Operator",
        &kiosk_registry::store::operators::Operator {
            username: "zhang".into(),
            role: kiosk_registry::store::operators::Role::Operator,
            regions: vec!["220104".into()],
            status: "active".into(),
        },
    );
    assert_schema_matches(
        &doc,
        "AuditEntry",
        &kiosk_registry::store::operators::AuditEntry {
            at: "t".into(),
            username: "u".into(),
            source: "127.0.0.1".into(),
            action: "login".into(),
            target: String::new(),
            outcome: "ok".into(),
        },
    );

    // Every error code the client knows is documented, and nothing else.
    let codes: BTreeSet<String> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let known = [
        ErrorCode::BadRequest,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RequestTimeout,
        ErrorCode::Unauthenticated,
        ErrorCode::TerminalRevoked,
        ErrorCode::EnrolmentCodeUnknown,
        ErrorCode::EnrolmentCodeUsed,
        ErrorCode::EnrolmentCodeExpired,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::Forbidden,
        ErrorCode::Internal,
        ErrorCode::UnknownService,
        ErrorCode::NotASlot,
        ErrorCode::PastTime,
        ErrorCode::TooFarAhead,
        ErrorCode::SlotFull,
        ErrorCode::DuplicateBooking,
    ];
    let serialised: BTreeSet<String> = known
        .iter()
        .map(|c| {
            serde_json::to_value(c)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(codes, serialised);
}
