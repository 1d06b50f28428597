//! `POST /v1/enrol`.

use super::body_bytes;
use crate::app::AppState;
use crate::error::{ApiFailure, parse_json};
use crate::peer::SourceAddr;
use crate::store::Enrolment;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::Signature;
use provisioning::identity::device_id_for;
use provisioning::protocol::{
    EnrolRequest, EnrolResponse, enrolment_proof_message, normalise_enrolment_code,
};

/// Checks the proof of possession, consumes the code and records the terminal. Attempts are
/// counted per source address first (a successful one is given back), so codes cannot be
/// guessed at speed.
pub async fn enrol(
    State(state): State<AppState>,
    SourceAddr(source): SourceAddr,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<EnrolResponse>, ApiFailure> {
    if let Err(seconds) = state.enrol_attempts.take(source) {
        return Err(ApiFailure::rate_limited(
            format!("too many enrolment attempts from this address; try again in {seconds} s"),
            seconds,
        ));
    }
    let request: EnrolRequest = parse_json(&body_bytes(body)?)?;
    if request.hardware_serial.len() > 128
        || request.app_version.len() > 64
        || request.code.len() > 64
    {
        return Err(ApiFailure::bad_request(
            "code, hardware_serial or app_version is too long",
        ));
    }
    let key = provisioning::keys::public_key_from_base64(&request.public_key)
        .map_err(|e| ApiFailure::bad_request(e.to_string()))?;
    let code = normalise_enrolment_code(&request.code);
    let proof: [u8; 64] = B64
        .decode(request.proof.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ApiFailure::bad_request("proof is not a base64 Ed25519 signature"))?;
    key.verify_strict(
        &enrolment_proof_message(&code, &request.public_key, &request.hardware_serial),
        &Signature::from_bytes(&proof),
    )
    .map_err(|_| {
        ApiFailure::unauthenticated("proof of possession does not verify with the public key")
    })?;
    let device_id = device_id_for(&key);
    let now = chrono::Utc::now();
    let outcome = state
        .store
        .enrol(
            state.code_key.clone(),
            Enrolment {
                code,
                device_id: device_id.clone(),
                public_key: request.public_key,
                hardware_serial: request.hardware_serial,
                app_version: request.app_version,
            },
            now,
        )
        .await?;
    match outcome {
        Ok(enrolled) => {
            state.enrol_attempts.refund(source);
            tracing::info!(device_id, platform = %enrolled.platform_id, "terminal enrolled");
            Ok(Json(EnrolResponse {
                device_id,
                platform_id: enrolled.platform_id,
                region: enrolled.region,
                poll_interval_s: state.config.poll_interval_s,
                server_time: now,
            }))
        }
        Err(refusal) => Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            refusal.code,
            refusal.message,
        )),
    }
}
