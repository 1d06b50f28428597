//! Commands: verify, carry out once, acknowledge.

use super::error::SyncError;
use super::store::CommandOutcome;
use super::{SyncClient, blocking};
use crate::command::{CommandAction, CommandError, SignedCommand, verify_command};
use crate::protocol::{CommandAck, CommandState, paths};

/// Default size of a log upload when the command does not say.
const DEFAULT_LOG_BYTES: usize = 1024 * 1024;

impl SyncClient {
    /// Verifies a relayed command; rejects it (expired, other terminal, bad signature) or has
    /// the [`super::CommandSink`] carry it out, uploads logs if it produced any, and
    /// acknowledges the outcome. Returns the acknowledged state, or `None` for a valid
    /// command left open because this process does not carry out commands
    /// ([`super::CommandSink::carries_out_commands`]).
    pub async fn handle_command(
        &self,
        command: &SignedCommand,
    ) -> Result<Option<CommandState>, SyncError> {
        let (device, now) = (&self.enrolment.device_id, self.http.now());
        let mut verified = verify_command(command, &self.pinned, device, now);
        // Not signed by a bundle key: perhaps by the registry's command key (commands only).
        if let (Err(CommandError::UnknownKey), Some(keys)) = (&verified, &self.command_keys) {
            verified = verify_command(command, keys, device, now);
        }
        let outcome = match verified {
            Err(e) => {
                tracing::warn!(command_id = %command.command_id, "command rejected: {e}");
                CommandOutcome {
                    state: CommandState::Rejected,
                    detail: Some(e.to_string()),
                    logs: None,
                }
            }
            Ok(body) if !self.commands.carries_out_commands() => {
                tracing::info!(
                    command_id = %command.command_id,
                    action = body.action.name(),
                    "command left open for the application"
                );
                return Ok(None);
            }
            Ok(body) => {
                let sink = self.commands.clone();
                let action = body.action.clone();
                let mut outcome = blocking(move || Ok(sink.execute(&body))).await?;
                if let (CommandAction::UploadLogs { max_bytes }, Some(logs)) =
                    (&action, outcome.logs.take())
                {
                    let limit = max_bytes
                        .map_or(DEFAULT_LOG_BYTES, |m| m as usize)
                        .min(crate::protocol::limits::MAX_LOG_UPLOAD_BYTES);
                    self.http
                        .post_text(
                            &paths::command_logs(&command.command_id),
                            tail(&logs, limit),
                        )
                        .await?;
                }
                outcome
            }
        };
        let ack = CommandAck {
            state: outcome.state,
            detail: outcome.detail,
        };
        let _: serde_json::Value = self
            .http
            .post_json(&paths::command_ack(&command.command_id), &ack)
            .await?;
        Ok(Some(outcome.state))
    }
}

/// The last `limit` bytes of `text`, cut at a character boundary.
fn tail(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut start = text.len() - limit;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    text[start..].to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_cuts_at_character_boundaries() {
        assert_eq!(super::tail("abc", 10), "abc");
        assert_eq!(super::tail("日志abc", 4), "abc");
    }
}
