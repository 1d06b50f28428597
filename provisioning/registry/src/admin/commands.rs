//! Sending a command to a terminal.

use crate::store::Store;
use anyhow::Result;
use chrono::Utc;
use ed25519_dalek::SigningKey;
use provisioning::command::{CommandAction, CommandBody, sign_command};

/// Signs a command for `device_id`, valid for `valid_for`, and queues it for the terminal's
/// next poll. Returns its id.
pub fn send(
    store: &Store,
    device_id: &str,
    action: CommandAction,
    valid_for: chrono::Duration,
    key: &SigningKey,
) -> Result<String> {
    let now = Utc::now();
    let body = CommandBody {
        command_id: format!("cmd-{}", uuid::Uuid::now_v7()),
        device_id: device_id.to_string(),
        action,
        issued_at: now,
        not_after: now + valid_for,
    };
    let signed = sign_command(&body, key);
    store.command_create(&signed, &body)?;
    Ok(body.command_id)
}
