//! Enrolment: a one-time code and proof that the terminal holds its key.

use super::config::{ClientConfig, Enrolment};
use super::error::SyncError;
use super::http::RegistryHttp;
use crate::identity::DeviceIdentity;
use crate::protocol::{
    EnrolRequest, EnrolResponse, enrolment_proof_message, normalise_enrolment_code, paths,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

/// Enrols this terminal with `code` (as typed by the installer). The answer's device id,
/// platform and region are what the firmware must keep; a refusal is
/// [`SyncError::Refused`] with code `enrolment_code_unknown`, `…_used`, `…_expired` or
/// `terminal_revoked` and a message to show.
pub async fn enrol(
    config: &ClientConfig,
    identity: &DeviceIdentity,
    code: &str,
    hardware_serial: &str,
) -> Result<Enrolment, SyncError> {
    let http = RegistryHttp::new(config, None)?;
    let code = normalise_enrolment_code(code);
    let public_key = identity.public_key_base64();
    let proof = identity.sign(&enrolment_proof_message(
        &code,
        &public_key,
        hardware_serial,
    ));
    let request = EnrolRequest {
        code,
        public_key,
        hardware_serial: hardware_serial.to_string(),
        app_version: config.app_version.clone(),
        proof: B64.encode(proof.to_bytes()),
    };
    let answer: EnrolResponse = http.post_json(paths::ENROL, &request).await?;
    Ok(Enrolment {
        registry_url: config.registry_url.clone(),
        device_id: answer.device_id,
        platform_id: answer.platform_id,
        region: answer.region,
    })
}
