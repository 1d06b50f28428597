//! Commands from the console: `POST /v1/ops/commands` (lock with a notice, unlock, notice,
//! reload, upload logs, restart) to one terminal or every active terminal of a platform or
//! region, signed with the registry's command key (see `command_key`); and
//! `GET /v1/ops/terminals/{device_id}/logs/{command_id}`, the logs a terminal uploaded.

use super::fleet::{FleetTerminal, all_terminals};
use super::{Session, forbidden};
use crate::app::AppState;
use crate::error::{ApiFailure, parse_json};
use crate::routes::body_bytes;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use provisioning::command::{CommandAction, CommandBody, sign_command};
use provisioning::scope::region_contains;
use serde::{Deserialize, Serialize};

/// Longest notice shown on a terminal (characters).
const MAX_NOTICE_CHARS: usize = 500;
/// How long a command stays valid by default, and at most.
const DEFAULT_VALID_S: i64 = 24 * 3600;
const MAX_VALID_S: i64 = 7 * 24 * 3600;

/// Which terminals.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target {
    /// One terminal.
    Terminal(String),
    /// Every active terminal of a platform.
    Platform(String),
    /// Every active terminal of a region (district, city or province code).
    Region(String),
}

/// The form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// Which terminals.
    pub target: Target,
    /// What they are to do.
    pub action: CommandAction,
    /// Seconds the command stays valid (default a day, at most a week).
    pub valid_for_s: Option<i64>,
}

/// What was queued.
#[derive(Debug, Serialize)]
pub struct Sent {
    /// (device, command id), one per terminal.
    pub commands: Vec<SentCommand>,
}

/// One queued command.
#[derive(Debug, Serialize)]
pub struct SentCommand {
    /// The terminal.
    pub device_id: String,
    /// The command's id.
    pub command_id: String,
}

fn check_action(action: &CommandAction) -> Result<(), ApiFailure> {
    let text = match action {
        CommandAction::Lock { notice } => Some(notice),
        CommandAction::Notice { text, .. } => Some(text),
        _ => None,
    };
    match text.map(|t| t.trim().chars().count()) {
        Some(0) => Err(ApiFailure::bad_request(
            "write the notice citizens will see (e.g. where the nearest working terminal is)",
        )),
        Some(n) if n > MAX_NOTICE_CHARS => Err(ApiFailure::bad_request(format!(
            "the notice has {n} characters; at most {MAX_NOTICE_CHARS}"
        ))),
        _ => Ok(()),
    }
}

fn describe(target: &Target) -> String {
    match target {
        Target::Terminal(id) => format!("terminal:{id}"),
        Target::Platform(id) => format!("platform:{id}"),
        Target::Region(id) => format!("region:{id}"),
    }
}

/// The active terminals of the target; 403 if any of them, or the target itself, is outside
/// the account's regions.
async fn resolve(
    state: &AppState,
    session: &Session,
    target: &Target,
    action: &str,
) -> Result<Vec<FleetTerminal>, ApiFailure> {
    if let Target::Region(region) = target {
        session.require_region(state, action, region).await?;
    }
    let chosen: Vec<FleetTerminal> = all_terminals(state)
        .await?
        .into_iter()
        .filter(|t| match target {
            Target::Terminal(id) => &t.health.device_id == id,
            Target::Platform(id) => &t.health.platform_id == id,
            Target::Region(id) => region_contains(id, &t.health.region),
        })
        .collect();
    if let Some(outside) = chosen
        .iter()
        .find(|t| !session.operator.covers(&t.health.region))
    {
        let region = outside.health.region.clone();
        session.require_region(state, action, &region).await?;
    }
    let active: Vec<_> = chosen
        .into_iter()
        .filter(|t| t.health.status == "active")
        .collect();
    if active.is_empty() {
        return Err(ApiFailure::not_found(format!(
            "no active terminal at {}",
            describe(target)
        )));
    }
    Ok(active)
}

/// Signs and queues the command for each terminal of the target (audited).
pub async fn send(
    State(state): State<AppState>,
    session: Session,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Sent>, ApiFailure> {
    let body = body_bytes(body)?;
    let form: SendRequest = parse_json(&body)?;
    let action = format!("command.{}", form.action.name());
    let target = describe(&form.target);
    if !session.operator.role.may_command() {
        session.audit(&state, &action, &target, "forbidden").await;
        return Err(forbidden("this account may not send commands"));
    }
    check_action(&form.action)?;
    let valid_s = form.valid_for_s.unwrap_or(DEFAULT_VALID_S);
    if !(60..=MAX_VALID_S).contains(&valid_s) {
        return Err(ApiFailure::bad_request(format!(
            "valid_for_s must be between 60 and {MAX_VALID_S}"
        )));
    }
    let terminals = resolve(&state, &session, &form.target, &action).await?;
    let now = chrono::Utc::now();
    let mut commands = Vec::new();
    for t in terminals {
        let body = CommandBody {
            command_id: format!("cmd-{}", uuid::Uuid::now_v7()),
            device_id: t.health.device_id.clone(),
            action: form.action.clone(),
            issued_at: now,
            not_after: now + chrono::Duration::seconds(valid_s),
        };
        let signed = sign_command(&body, &state.command_key);
        state
            .store
            .command_create_async(signed, body.clone())
            .await?;
        commands.push(SentCommand {
            device_id: body.device_id,
            command_id: body.command_id,
        });
    }
    let outcome = format!("ok ({} terminals)", commands.len());
    session.audit(&state, &action, &target, &outcome).await;
    Ok(Json(Sent { commands }))
}

/// The logs a terminal of the account's regions uploaded for one of its commands.
pub async fn logs(
    State(state): State<AppState>,
    session: Session,
    Path((device_id, command_id)): Path<(String, String)>,
) -> Result<String, ApiFailure> {
    let target = Target::Terminal(device_id.clone());
    resolve(&state, &session, &target, "command.logs").await?;
    let now = chrono::Utc::now();
    let mine = state
        .store
        .commands_of(&device_id, now)
        .await?
        .iter()
        .any(|c| c.command_id == command_id);
    let logs = if mine {
        state.store.command_logs_async(&command_id).await?
    } else {
        None
    };
    let logs = logs.ok_or_else(|| {
        ApiFailure::not_found(format!("no logs uploaded for {command_id} of {device_id}"))
    })?;
    session
        .audit(&state, "command.logs", &command_id, "ok")
        .await;
    Ok(logs)
}
