//! Carrying out the operations centre's commands in the running kiosk. Each runs at most
//! once per id (the sync store records it); this module only acts, on the store thread and
//! the UI, and says how it went.

use std::sync::Arc;

use provisioning::client::store::CommandOutcome;
use provisioning::command::{CommandAction, CommandBody};
use provisioning::protocol::CommandState;

use crate::clock::Clock;
use crate::domain::maintenance::settings::{self, HomeNotice, ServiceState};
use crate::domain::maintenance::{Actor, logs::LogRing};
use crate::store::worker::Worker;
use crate::ui::{KioskController, Poster, ServiceStateUpdater, UiRef};

/// What commands reach: the store thread, the UI, the recent logs.
#[derive(Clone)]
pub struct CommandContext {
    pub worker: Worker,
    pub poster: Poster,
    pub ui: UiRef<KioskController>,
    pub service: ServiceStateUpdater,
    pub clock: Arc<dyn Clock>,
    pub logs: LogRing,
}

fn outcome(state: CommandState, detail: impl Into<String>) -> CommandOutcome {
    CommandOutcome {
        state,
        detail: Some(detail.into()),
        logs: None,
    }
}

/// Carries out `command` (on the sync thread; it waits for the store thread).
pub fn execute(ctx: &CommandContext, command: &CommandBody) -> CommandOutcome {
    match &command.action {
        CommandAction::Lock { notice } => set_service(ctx, true, notice),
        CommandAction::Unlock => set_service(ctx, false, ""),
        CommandAction::Notice { text, until } => {
            let notice = HomeNotice {
                text: text.clone(),
                until: until.map(|u| u.with_timezone(&ctx.clock.now().timezone())),
            };
            let at = ctx.clock.now();
            let stored = notice.clone();
            let saved = ctx.worker.call(move |store| {
                settings::set_home_notice(store.conn(), &stored, &Actor::OperationsCentre, at)
            });
            match saved {
                Some(Ok(())) => {
                    ctx.poster.post_to(&ctx.ui, move |controller| {
                        controller.show_home_notice(notice)
                    });
                    outcome(CommandState::Succeeded, "notice shown")
                }
                Some(Err(e)) => outcome(CommandState::Failed, e.to_string()),
                None => outcome(CommandState::Failed, "the store thread has stopped"),
            }
        }
        CommandAction::Reload { stream } => {
            reload_catalogue(ctx);
            outcome(
                CommandState::Succeeded,
                format!("reloaded {}", stream.as_deref().unwrap_or("all streams")),
            )
        }
        CommandAction::UploadLogs { max_bytes } => {
            // The ring holds recent lines only, and logs never carry personal data.
            let max = max_bytes.unwrap_or(256 * 1024) as usize;
            let mut text = ctx.logs.lines().join("\n");
            if text.len() > max {
                let mut cut = text.len() - max;
                while !text.is_char_boundary(cut) {
                    cut += 1;
                }
                text = text.split_off(cut);
            }
            CommandOutcome {
                state: CommandState::Succeeded,
                detail: Some(format!("{} bytes of recent logs", text.len())),
                logs: Some(text),
            }
        }
        CommandAction::Restart => {
            ctx.poster
                .post_to(&ctx.ui, |controller| controller.request_restart());
            outcome(CommandState::Succeeded, "restarting")
        }
    }
}

fn set_service(ctx: &CommandContext, out_of_service: bool, notice: &str) -> CommandOutcome {
    let state = ServiceState {
        out_of_service,
        notice: notice.to_string(),
    };
    let at = ctx.clock.now();
    let stored = state.clone();
    let saved = ctx.worker.call(move |store| {
        settings::set_service_state(store.conn(), &stored, &Actor::OperationsCentre, at)
    });
    match saved {
        Some(Ok(())) => {
            ctx.service.show(state);
            let done = if out_of_service {
                "out of service"
            } else {
                "in service"
            };
            outcome(CommandState::Succeeded, done)
        }
        Some(Err(e)) => outcome(CommandState::Failed, e.to_string()),
        None => outcome(CommandState::Failed, "the store thread has stopped"),
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
