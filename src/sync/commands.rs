//! Carrying out the operations centre's commands in the running kiosk. Each runs at most
//! once per id (the store records it); this module only acts.

use std::sync::Arc;

use provisioning::client::store::CommandOutcome;
use provisioning::command::{CommandAction, CommandBody};
use provisioning::protocol::CommandState;

use crate::ui::{KioskController, Poster, UiRef};
use crate::worker::Worker;

/// What commands reach: the store thread and the UI.
#[derive(Clone)]
pub struct CommandContext {
    pub worker: Worker,
    pub poster: Poster,
    pub ui: UiRef<KioskController>,
}

fn done(state: CommandState, detail: impl Into<String>) -> CommandOutcome {
    CommandOutcome {
        state,
        detail: Some(detail.into()),
        logs: None,
    }
}

/// Carries out `command` (on the sync thread; it may wait for the store thread).
pub fn execute(ctx: &CommandContext, command: &CommandBody) -> CommandOutcome {
    match &command.action {
        CommandAction::Reload { stream } => {
            reload_catalogue(ctx);
            done(
                CommandState::Succeeded,
                format!("reloaded {}", stream.as_deref().unwrap_or("all streams")),
            )
        }
        CommandAction::Restart => {
            ctx.poster
                .post_to(&ctx.ui, |controller| controller.request_restart());
            done(CommandState::Succeeded, "restarting")
        }
        other => done(
            CommandState::Rejected,
            format!("this firmware cannot carry out {other:?} yet"),
        ),
    }
}

/// Reads the catalogue in force and shows it.
pub fn reload_catalogue(ctx: &CommandContext) {
    let Some(catalogue) = ctx
        .worker
        .call(|store| super::catalogue_in_force(store.conn()))
    else {
        return;
    };
    let catalogue = Arc::new(catalogue);
    ctx.poster.post_to(&ctx.ui, move |controller| {
        controller.set_catalogue(catalogue)
    });
}
