//! `GET /v1/ops/fleet` and `GET /v1/ops/terminals/{device_id}`: the terminals of the
//! operator's regions with their live state, and one terminal with the commands it received.

use super::Session;
use crate::app::AppState;
use crate::error::ApiFailure;
use crate::store::commands::CommandRow;
use crate::store::terminals::TerminalHealth;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use provisioning::protocol::{DeviceState, PaperLevel};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What is wrong with a terminal, worst first (the order the console colours by).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// No poll for longer than the allowed number of intervals.
    Overdue,
    /// The printer has no paper: citizens get no ticket.
    PaperOut,
    /// The printer reports a fault or is disconnected.
    PrinterFault,
    /// The ID-card reader reports a fault or is disconnected.
    ReaderFault,
    /// Locked out of service (by staff or a command).
    Locked,
    /// The paper's near-end sensor is on.
    PaperNearEnd,
    /// The terminal reported an error.
    Error,
}

/// One terminal as the fleet page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FleetTerminal {
    /// Health as last reported.
    #[serde(flatten)]
    pub health: TerminalHealth,
    /// The platform's name.
    pub platform_name: String,
    /// What is wrong, worst first (empty: all is well).
    pub conditions: Vec<Condition>,
    /// The worst condition, `ok`, or `revoked`.
    pub state: String,
}

fn faulty(state: DeviceState) -> bool {
    matches!(state, DeviceState::Fault | DeviceState::Disconnected)
}

/// The conditions of a terminal's last known health.
pub fn conditions(h: &TerminalHealth) -> Vec<Condition> {
    let mut out = Vec::new();
    if h.status != "active" {
        return out;
    }
    if h.overdue {
        out.push(Condition::Overdue);
    }
    if let Some(hb) = &h.heartbeat {
        let checks = [
            (hb.paper == PaperLevel::Out, Condition::PaperOut),
            (faulty(hb.printer), Condition::PrinterFault),
            (faulty(hb.reader), Condition::ReaderFault),
            (hb.locked, Condition::Locked),
            (hb.paper == PaperLevel::NearEnd, Condition::PaperNearEnd),
            (hb.last_error.is_some(), Condition::Error),
        ];
        out.extend(checks.into_iter().filter(|(on, _)| *on).map(|(_, c)| c));
    }
    out
}

fn state_name(h: &TerminalHealth, conditions: &[Condition]) -> String {
    if h.status != "active" {
        return h.status.clone();
    }
    conditions
        .first()
        .map_or_else(|| "ok".to_string(), |c| state_of(*c))
}

/// Filters and order of the fleet list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetQuery {
    /// Only this region (within the account's).
    pub region: Option<String>,
    /// Only this platform.
    pub platform: Option<String>,
    /// Only terminals in this state (`ok`, `overdue`, `paper_out`, …).
    pub state: Option<String>,
    /// Text in the device id, platform id or name.
    pub q: Option<String>,
    /// `device`, `platform`, `region`, `state`, `last_seen`, `outbox`.
    pub sort: Option<String>,
}

fn bad_query(rejection: QueryRejection) -> ApiFailure {
    ApiFailure::bad_request(format!("query: {}", rejection.body_text()))
}

/// Every terminal with its conditions (before the account's scope is applied).
pub(super) async fn all_terminals(state: &AppState) -> Result<Vec<FleetTerminal>, ApiFailure> {
    let now = chrono::Utc::now();
    let health = state.store.fleet(now, state.config.overdue_after()).await?;
    let names: HashMap<String, String> = state
        .store
        .platforms_async()
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(health
        .into_iter()
        .map(|health| {
            let conditions = conditions(&health);
            FleetTerminal {
                platform_name: names.get(&health.platform_id).cloned().unwrap_or_default(),
                state: state_name(&health, &conditions),
                conditions,
                health,
            }
        })
        .collect())
}

fn matches(t: &FleetTerminal, query: &FleetQuery) -> bool {
    let region = query
        .region
        .as_deref()
        .is_none_or(|r| provisioning::scope::region_contains(r, &t.health.region));
    let platform = query
        .platform
        .as_deref()
        .is_none_or(|p| p == t.health.platform_id);
    let state = query
        .state
        .as_deref()
        .is_none_or(|s| s == t.state || t.conditions.iter().any(|c| state_of(*c) == s));
    let text = query.q.as_deref().is_none_or(|q| {
        [&t.health.device_id, &t.health.platform_id, &t.platform_name]
            .iter()
            .any(|f| f.contains(q))
    });
    region && platform && state && text
}

fn state_of(c: Condition) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn sort(list: &mut [FleetTerminal], by: Option<&str>) -> Result<(), ApiFailure> {
    let outbox = |t: &FleetTerminal| t.health.heartbeat.as_ref().map_or(0, |h| h.outbox_depth);
    match by.unwrap_or("state") {
        "device" => list.sort_by(|a, b| a.health.device_id.cmp(&b.health.device_id)),
        "platform" => list.sort_by(|a, b| a.platform_name.cmp(&b.platform_name)),
        "region" => list.sort_by(|a, b| a.health.region.cmp(&b.health.region)),
        "last_seen" => list.sort_by(|a, b| a.health.last_seen.cmp(&b.health.last_seen)),
        "outbox" => list.sort_by_key(|t| std::cmp::Reverse(outbox(t))),
        // Worst first: terminals with conditions before those without.
        "state" => list.sort_by(|a, b| {
            let key = |t: &FleetTerminal| {
                (
                    t.conditions.first().copied().map_or(1, |_| 0),
                    t.conditions.first().copied(),
                )
            };
            key(a)
                .cmp(&key(b))
                .then(a.health.device_id.cmp(&b.health.device_id))
        }),
        other => {
            return Err(ApiFailure::bad_request(format!(
                "sort by {other:?}? (device, platform, region, state, last_seen, outbox)"
            )));
        }
    }
    Ok(())
}

/// The fleet list and how many terminals of the scope are in each condition.
#[derive(Debug, Serialize)]
pub struct Fleet {
    /// Terminals matching the filters.
    pub terminals: Vec<FleetTerminal>,
    /// Per condition, terminals of the whole scope in it (the counts on every page).
    pub counts: std::collections::BTreeMap<String, usize>,
    /// Terminals in the scope.
    pub total: usize,
}

/// The terminals of the account's regions, filtered and sorted.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<FleetQuery>, QueryRejection>,
) -> Result<Json<Fleet>, ApiFailure> {
    let Query(query) = query.map_err(bad_query)?;
    if let Some(region) = &query.region {
        session.require_region(&state, "fleet.view", region).await?;
    }
    let all: Vec<_> = all_terminals(&state)
        .await?
        .into_iter()
        .filter(|t| session.operator.covers(&t.health.region))
        .collect();
    let mut counts = std::collections::BTreeMap::new();
    for t in &all {
        for c in &t.conditions {
            *counts.entry(state_of(*c)).or_insert(0) += 1;
        }
    }
    let total = all.len();
    let mut terminals: Vec<_> = all.into_iter().filter(|t| matches(t, &query)).collect();
    sort(&mut terminals, query.sort.as_deref())?;
    Ok(Json(Fleet {
        terminals,
        counts,
        total,
    }))
}

/// One terminal and the commands it received.
#[derive(Debug, Serialize)]
pub struct TerminalDetail {
    /// As in the fleet list.
    pub terminal: FleetTerminal,
    /// Commands sent to it, newest first.
    pub commands: Vec<CommandRow>,
    /// Its latest changes of state, newest first.
    pub history: Vec<crate::store::states::StateChange>,
}

/// A terminal of the account's regions (403 for one elsewhere, 404 for none).
pub async fn terminal(
    State(state): State<AppState>,
    session: Session,
    Path(device_id): Path<String>,
) -> Result<Json<TerminalDetail>, ApiFailure> {
    let Some(terminal) = all_terminals(&state)
        .await?
        .into_iter()
        .find(|t| t.health.device_id == device_id)
    else {
        return Err(ApiFailure::not_found(format!("no terminal {device_id}")));
    };
    session
        .require_region(&state, "terminal.view", &terminal.health.region)
        .await?;
    let now = chrono::Utc::now();
    let commands = state.store.commands_of(&device_id, now).await?;
    // Brought up to date first, so the page shows the state just reported.
    super::alerts::refresh(&state).await?;
    let history = state.store.states_history(&device_id, 50).await?;
    session
        .audit(&state, "terminal.view", &device_id, "ok")
        .await;
    Ok(Json(TerminalDetail {
        terminal,
        commands,
        history,
    }))
}
