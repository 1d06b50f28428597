//! Commands from the operations centre. The ops tool signs each command when it is created
//! (the registry only stores and relays it), and the terminal checks it like a bundle: pinned
//! key, addressed to this terminal, not past `not_after`.

use crate::bundle::PinnedKeys;
use crate::bundle::verify::SignatureCheck;
use crate::keys::public_key_to_base64;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer as _, SigningKey};
use serde::{Deserialize, Serialize};

/// Domain-separation prefix of the bytes a command signature covers.
pub const COMMAND_SIGNATURE_CONTEXT: &[u8] = b"legal-kiosk command v1\n";

/// What the terminal is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum CommandAction {
    /// Out of service: show the out-of-service screen with this notice.
    Lock {
        /// Text for citizens, e.g. where the nearest working terminal is.
        notice: String,
    },
    /// Back in service.
    Unlock,
    /// Show a notice on the home screen.
    Notice {
        /// The text.
        text: String,
        /// Until when (none: until replaced).
        until: Option<DateTime<Utc>>,
    },
    /// Reload content from the bundles in force (all streams, or one).
    Reload {
        /// One stream, or all.
        stream: Option<String>,
    },
    /// Upload recent logs (the terminal posts them to `/v1/commands/{id}/logs`).
    UploadLogs {
        /// Most bytes to send.
        max_bytes: Option<u64>,
    },
    /// Restart the kiosk application.
    Restart,
}

impl CommandAction {
    /// The action's wire name, e.g. `upload-logs`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Lock { .. } => "lock",
            Self::Unlock => "unlock",
            Self::Notice { .. } => "notice",
            Self::Reload { .. } => "reload",
            Self::UploadLogs { .. } => "upload-logs",
            Self::Restart => "restart",
        }
    }
}

/// The signed content of a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandBody {
    /// Unique id; the terminal carries out each id at most once.
    pub command_id: String,
    /// The terminal it is for.
    pub device_id: String,
    /// What to do.
    pub action: CommandAction,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// After this the terminal rejects it.
    pub not_after: DateTime<Utc>,
}

/// A command as relayed in a poll answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCommand {
    /// The id, readable before verification (to acknowledge a rejection).
    pub command_id: String,
    /// [`CommandBody`] as JSON text, exactly as signed.
    pub body: String,
    /// Signer's public key, base64.
    pub public_key: String,
    /// Ed25519 signature over `COMMAND_SIGNATURE_CONTEXT + body`, base64.
    pub signature: String,
}

/// Why a command was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Signed by a key the terminal has not pinned.
    #[error("command is signed by a key that is not pinned on this terminal")]
    UnknownKey,
    /// The signature does not verify.
    #[error("command signature does not verify")]
    BadSignature,
    /// The body is not a command this terminal understands.
    #[error("command is malformed: {0}")]
    Malformed(String),
    /// The outer id differs from the signed one.
    #[error("command id {outer:?} does not match the signed id {signed:?}")]
    IdMismatch {
        /// The relayed id.
        outer: String,
        /// The signed id.
        signed: String,
    },
    /// For another terminal.
    #[error("command is for terminal {0}, not this one")]
    WrongTerminal(String),
    /// Past `not_after`.
    #[error("command expired at {0}")]
    Expired(DateTime<Utc>),
}

/// The bytes a command signature covers.
pub fn signed_bytes(body: &str) -> Vec<u8> {
    let mut bytes = COMMAND_SIGNATURE_CONTEXT.to_vec();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// Signs a command (ops side).
pub fn sign_command(body: &CommandBody, key: &SigningKey) -> SignedCommand {
    // Serialising strings, dates and a tagged enum cannot fail.
    let text = serde_json::to_string(body).unwrap_or_default();
    let signature = key.sign(&signed_bytes(&text));
    SignedCommand {
        command_id: body.command_id.clone(),
        body: text,
        public_key: public_key_to_base64(&key.verifying_key()),
        signature: B64.encode(signature.to_bytes()),
    }
}

/// Checks a relayed command (terminal side).
pub fn verify_command(
    command: &SignedCommand,
    pinned: &PinnedKeys,
    device_id: &str,
    now: DateTime<Utc>,
) -> Result<CommandBody, CommandError> {
    pinned
        .verify(
            &command.public_key,
            &command.signature,
            &signed_bytes(&command.body),
        )
        .map_err(|check| match check {
            SignatureCheck::UnknownKey => CommandError::UnknownKey,
            SignatureCheck::Bad => CommandError::BadSignature,
        })?;
    let body: CommandBody =
        serde_json::from_str(&command.body).map_err(|e| CommandError::Malformed(e.to_string()))?;
    if body.command_id != command.command_id {
        return Err(CommandError::IdMismatch {
            outer: command.command_id.clone(),
            signed: body.command_id,
        });
    }
    if body.device_id != device_id {
        return Err(CommandError::WrongTerminal(body.device_id));
    }
    if body.not_after <= now {
        return Err(CommandError::Expired(body.not_after));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::generate_signing_key;
    use chrono::Duration;

    fn body(now: DateTime<Utc>) -> CommandBody {
        CommandBody {
            command_id: "c-1".into(),
            device_id: "kt-1".into(),
            action: CommandAction::Lock {
                notice: "请到二楼窗口办理".into(),
            },
            issued_at: now,
            not_after: now + Duration::hours(1),
        }
    }

    #[test]
    fn commands_are_checked_for_key_terminal_and_expiry() {
        let key = generate_signing_key().unwrap();
        let pinned = PinnedKeys::new(vec![key.verifying_key()]).unwrap();
        let now = Utc::now();
        let signed = sign_command(&body(now), &key);
        assert_eq!(
            verify_command(&signed, &pinned, "kt-1", now).unwrap(),
            body(now)
        );
        assert_eq!(
            verify_command(&signed, &pinned, "kt-2", now),
            Err(CommandError::WrongTerminal("kt-1".into()))
        );
        let later = now + Duration::hours(2);
        assert!(matches!(
            verify_command(&signed, &pinned, "kt-1", later),
            Err(CommandError::Expired(_))
        ));
        let stranger = sign_command(&body(now), &generate_signing_key().unwrap());
        assert_eq!(
            verify_command(&stranger, &pinned, "kt-1", now),
            Err(CommandError::UnknownKey)
        );
        let mut tampered = signed.clone();
        tampered.body = tampered.body.replace("kt-1", "kt-9");
        assert_eq!(
            verify_command(&tampered, &pinned, "kt-9", now),
            Err(CommandError::BadSignature)
        );
    }
}
