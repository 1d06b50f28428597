//! One poll cycle: heartbeat → bundle offers and commands.

use super::bundles::BundleResult;
use super::error::SyncError;
use super::{SyncClient, blocking};
use crate::protocol::{CommandState, Heartbeat, PollResponse, paths};
use std::time::Duration;

/// What one poll did.
#[derive(Debug)]
pub struct PollReport {
    /// When to poll next (the registry's suggestion, before jitter).
    pub next_poll: Duration,
    /// Each offered bundle: put in force, or why not.
    pub bundles: Vec<BundleResult>,
    /// Each command relayed, with the state acknowledged.
    pub commands: Vec<(String, CommandState)>,
    /// Valid commands left open, unacknowledged, because this process does not carry out
    /// commands: the application gets them at its next poll.
    pub left_open: Vec<String>,
    /// A software update the registry offers (the firmware's updater verifies it).
    pub update: Option<crate::protocol::UpdateOffer>,
}

impl SyncClient {
    /// The heartbeat this terminal would send now.
    pub async fn heartbeat(&self) -> Result<Heartbeat, SyncError> {
        let health = self.health.snapshot();
        let (bundles, outbox) = (self.bundles.clone(), self.outbox.clone());
        let versions = blocking(move || bundles.current_versions()).await?;
        let depth = blocking(move || outbox.depth()).await?;
        Ok(Heartbeat {
            app_version: self.config.app_version.clone(),
            bundles: versions,
            printer: health.printer,
            paper: health.paper,
            reader: health.reader,
            outbox_depth: depth,
            last_error: health.last_error.or_else(|| self.last_error()),
            locked: health.locked,
            uptime_s: health.uptime_s,
            update: health.update,
        })
    }

    /// Sends a heartbeat, then downloads, verifies and applies every offered bundle and
    /// carries out every relayed command. A bad bundle or command does not fail the poll: it
    /// is reported (and the old bundle stays in force).
    pub async fn poll_once(&self) -> Result<PollReport, SyncError> {
        let heartbeat = self.heartbeat().await?;
        let answer: PollResponse = self.http.post_json(paths::POLL, &heartbeat).await?;
        let mut bundles = Vec::new();
        for offer in &answer.bundles {
            bundles.push(self.fetch_and_apply(offer).await);
        }
        let (mut commands, mut left_open) = (Vec::new(), Vec::new());
        for command in &answer.commands {
            let id = command.command_id.clone();
            match self.handle_command(command).await? {
                Some(state) => commands.push((id, state)),
                None => left_open.push(id),
            }
        }
        let problem = bundles.iter().find_map(|b| {
            b.outcome
                .as_ref()
                .err()
                .map(|e| format!("bundle {} v{}: {e}", b.stream, b.version))
        });
        self.note_error(problem);
        Ok(PollReport {
            next_poll: Duration::from_secs(u64::from(answer.poll_interval_s.max(1))),
            bundles,
            commands,
            left_open,
            update: answer.update,
        })
    }
}
