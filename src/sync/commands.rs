//! Carrying out the operations centre's commands in the running kiosk. Each runs at most
//! once per id (the sync store records it, before any effect that could stop the kiosk);
//! this module only acts, through the same services staff use, and says how it went.

use provisioning::client::store::CommandOutcome;
use provisioning::command::{CommandAction, CommandBody};
use provisioning::protocol::CommandState;

use crate::clock::Clock;
use crate::domain::maintenance::Actor;
use crate::domain::maintenance::logs::LogRing;
use crate::domain::maintenance::settings::{HomeNotice, ServiceState};
use crate::events::{Events, KioskEvent};
use crate::services::settings::SettingsService;
use crate::services::wait;

/// What commands reach: the settings, the event bus, the recent logs.
#[derive(Clone)]
pub struct CommandContext {
    pub settings: SettingsService,
    pub events: Events,
    pub clock: std::sync::Arc<dyn Clock>,
    pub logs: LogRing,
}

/// A command carried out, and what must happen only once it is recorded as done.
pub struct Executed {
    pub outcome: CommandOutcome,
    /// Runs after the record is stored (a restart: a crash must never run it again).
    pub then: Option<Box<dyn FnOnce() + Send>>,
}

impl From<CommandOutcome> for Executed {
    fn from(outcome: CommandOutcome) -> Self {
        Self {
            outcome,
            then: None,
        }
    }
}

fn outcome(state: CommandState, detail: impl Into<String>) -> CommandOutcome {
    CommandOutcome {
        state,
        detail: Some(detail.into()),
        logs: None,
    }
}

/// Carries out `command` (on the sync thread; it waits for the store thread).
pub fn execute(ctx: &CommandContext, command: &CommandBody) -> Executed {
    match &command.action {
        CommandAction::Lock { notice } => set_service(ctx, true, notice).into(),
        CommandAction::Unlock => set_service(ctx, false, "").into(),
        CommandAction::Notice { text, until } => {
            let notice = HomeNotice {
                text: text.clone(),
                until: until.map(|u| u.with_timezone(&ctx.clock.now().timezone())),
            };
            let saved = wait(|reply| {
                ctx.settings
                    .set_home_notice(notice, Actor::OperationsCentre, reply)
            });
            match saved {
                Some(Ok(())) => outcome(CommandState::Succeeded, "notice shown"),
                Some(Err(e)) => outcome(CommandState::Failed, e.to_string()),
                None => outcome(CommandState::Failed, "the store thread has stopped"),
            }
            .into()
        }
        CommandAction::Reload { stream } => {
            let streams = match stream {
                Some(stream) => vec![stream.clone()],
                None => vec!["catalogue".to_owned(), "settings".to_owned()],
            };
            for stream in streams {
                ctx.events.publish(KioskEvent::ContentChanged { stream });
            }
            outcome(
                CommandState::Succeeded,
                format!("reloaded {}", stream.as_deref().unwrap_or("all streams")),
            )
            .into()
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
            .into()
        }
        CommandAction::Restart => {
            let events = ctx.events.clone();
            Executed {
                outcome: outcome(CommandState::Succeeded, "restarting"),
                then: Some(Box::new(move || {
                    events.publish(KioskEvent::RestartRequested)
                })),
            }
        }
    }
}

fn set_service(ctx: &CommandContext, out_of_service: bool, notice: &str) -> CommandOutcome {
    let state = ServiceState {
        out_of_service,
        notice: notice.to_string(),
    };
    let saved = wait(|reply| {
        ctx.settings
            .set_service_state(state, Actor::OperationsCentre, move |_, result| {
                reply(result)
            })
    });
    match saved {
        Some(Ok(())) => outcome(
            CommandState::Succeeded,
            if out_of_service {
                "out of service"
            } else {
                "in service"
            },
        ),
        Some(Err(e)) => outcome(CommandState::Failed, e.to_string()),
        None => outcome(CommandState::Failed, "the store thread has stopped"),
    }
}
