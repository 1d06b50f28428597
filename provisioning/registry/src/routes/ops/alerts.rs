//! Alerts: `GET /v1/ops/alerts` (the open alerts of the account's regions and their counts,
//! shown on every page) and `POST /v1/ops/alerts/{id}/ack`. The registry raises and clears
//! them from the terminals' state ([`refresh`]): at every alerts request and every poll
//! interval in the background, so a condition is raised even when nobody is watching.

use super::fleet::{Condition, FleetTerminal, all_terminals};
use super::{Session, forbidden};
use crate::app::AppState;
use crate::error::ApiFailure;
use crate::store::alerts::{Alert, Change};
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// An outbox this deep on a terminal that still reaches the registry means its events are
/// not being accepted (about an hour of a busy terminal's events).
pub const OUTBOX_ALERT_DEPTH: u64 = 200;

fn condition_kind(c: Condition) -> Option<&'static str> {
    Some(match c {
        Condition::Overdue => "overdue",
        Condition::PaperOut => "paper_out",
        Condition::PrinterFault => "printer_fault",
        Condition::ReaderFault => "reader_fault",
        Condition::Locked | Condition::PaperNearEnd | Condition::Error => return None,
    })
}

/// The alerts each terminal should have now: (device, kind) → detail.
fn wanted(
    fleet: &[FleetTerminal],
    refusals: &[(String, String)],
) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    let mut versions = HashMap::new();
    for t in fleet.iter().filter(|t| t.health.status == "active") {
        let device = &t.health.device_id;
        for kind in t.conditions.iter().filter_map(|c| condition_kind(*c)) {
            out.insert((device.clone(), kind.to_string()), String::new());
        }
        if let Some(hb) = &t.health.heartbeat {
            if hb.outbox_depth >= OUTBOX_ALERT_DEPTH && !t.health.overdue {
                let detail = hb.outbox_depth.to_string();
                out.insert((device.clone(), "outbox_growing".into()), detail);
            }
            versions.insert(device.as_str(), &hb.bundles);
        }
    }
    // A refused bundle stays an alert until the terminal has that version (or a newer one)
    // in force.
    for (device, payload) in refusals {
        let Ok(payload) = serde_json::from_str::<serde_json::Value>(payload) else {
            continue;
        };
        let (Some(stream), Some(version)) =
            (payload["stream"].as_str(), payload["version"].as_u64())
        else {
            continue;
        };
        let Some(in_force) = versions.get(device.as_str()) else {
            continue;
        };
        if in_force.get(stream).copied().unwrap_or(0) < version {
            out.entry((device.clone(), "bundle_refused".into()))
                .or_insert_with(|| format!("{stream} v{version}"));
        }
    }
    out
}

/// Raises the alerts whose condition appeared and clears those whose condition is gone;
/// returns the terminals and the open alerts.
pub async fn refresh(state: &AppState) -> Result<(Vec<FleetTerminal>, Vec<Alert>), ApiFailure> {
    let fleet = all_terminals(state).await?;
    record_states(state, &fleet).await?;
    let refusals = state.store.bundle_refusals().await?;
    let mut wanted = wanted(&fleet, &refusals);
    // Work orders past their deadline: one alert on the terminal each came from.
    wanted.extend(
        state
            .store
            .work_orders_overdue(&crate::store::now_text())
            .await?,
    );
    let open = state.store.alerts_open().await?;
    let mut changes = Vec::new();
    for alert in &open {
        if wanted
            .remove(&(alert.device_id.clone(), alert.kind.clone()))
            .is_none()
        {
            changes.push(Change::Clear(alert.id));
        }
    }
    changes.extend(
        wanted
            .into_iter()
            .map(|((device, kind), detail)| Change::Raise(device, kind, detail)),
    );
    if changes.is_empty() {
        return Ok((fleet, open));
    }
    state
        .store
        .alerts_apply(changes, crate::store::now_text())
        .await?;
    Ok((fleet, state.store.alerts_open().await?))
}

/// Appends a row to the history of each terminal whose state (conditions, devices,
/// versions, lock, last error) differs from its last row; the outbox depth rides along.
async fn record_states(state: &AppState, fleet: &[FleetTerminal]) -> Result<(), ApiFailure> {
    use sha2::{Digest as _, Sha256};
    let last: HashMap<String, String> = state.store.states_last().await?.into_iter().collect();
    let mut rows = Vec::new();
    for t in fleet.iter().filter(|t| t.health.status == "active") {
        let Some(hb) = &t.health.heartbeat else {
            continue;
        };
        let mut snapshot = serde_json::json!({
            "conditions": t.conditions, "app_version": hb.app_version, "bundles": hb.bundles,
            "locked": hb.locked, "last_error": hb.last_error, "printer": hb.printer,
            "paper": hb.paper, "reader": hb.reader,
        });
        let signature = hex::encode(Sha256::digest(snapshot.to_string().as_bytes()));
        if last.get(&t.health.device_id) != Some(&signature) {
            snapshot["outbox_depth"] = hb.outbox_depth.into();
            rows.push((t.health.device_id.clone(), signature, snapshot.to_string()));
        }
    }
    if !rows.is_empty() {
        let now = crate::store::now_text();
        state.store.states_append(rows, now).await?;
    }
    Ok(())
}

/// Raises and clears alerts every poll interval until the server stops.
pub async fn watch(state: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    let every = std::time::Duration::from_secs(u64::from(state.config.poll_interval_s.max(1)));
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopped.changed() => return,
        }
        if let Err(e) = refresh(&state).await {
            tracing::warn!("alerts: {}", e.body.message);
        }
    }
}

/// An open alert with where its terminal stands.
#[derive(Debug, Serialize)]
pub struct AlertView {
    /// The alert.
    #[serde(flatten)]
    pub alert: Alert,
    /// The terminal's platform.
    pub platform_id: String,
    /// Its name.
    pub platform_name: String,
    /// Its region.
    pub region: String,
}

/// The open alerts of the account's regions.
#[derive(Debug, Serialize)]
pub struct Alerts {
    /// Oldest first.
    pub alerts: Vec<AlertView>,
    /// Open alerts per kind.
    pub counts: BTreeMap<String, usize>,
    /// Open alerts nobody acknowledged yet.
    pub unacknowledged: usize,
}

/// `GET /v1/ops/alerts`.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Alerts>, ApiFailure> {
    let (fleet, open) = refresh(&state).await?;
    let place: HashMap<&str, &FleetTerminal> = fleet
        .iter()
        .filter(|t| session.operator.covers(&t.health.region))
        .map(|t| (t.health.device_id.as_str(), t))
        .collect();
    let mut counts = BTreeMap::new();
    let mut alerts = Vec::new();
    for alert in open {
        let Some(t) = place.get(alert.device_id.as_str()) else {
            continue;
        };
        *counts.entry(alert.kind.clone()).or_insert(0) += 1;
        alerts.push(AlertView {
            platform_id: t.health.platform_id.clone(),
            platform_name: t.platform_name.clone(),
            region: t.health.region.clone(),
            alert,
        });
    }
    let unacknowledged = alerts
        .iter()
        .filter(|a| a.alert.acknowledged_at.is_none())
        .count();
    Ok(Json(Alerts {
        alerts,
        counts,
        unacknowledged,
    }))
}

/// `POST /v1/ops/alerts/{id}/ack`: an operator or admin of the terminal's region takes it
/// on (audited).
pub async fn acknowledge(
    State(state): State<AppState>,
    session: Session,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Alert>, ApiFailure> {
    let Path(id) = id.map_err(|e| ApiFailure::bad_request(e.body_text()))?;
    let target = format!("alert {id}");
    if !session.operator.role.may_command() {
        session
            .audit(&state, "alert.ack", &target, "forbidden")
            .await;
        return Err(forbidden("viewers cannot acknowledge alerts"));
    }
    let alert = state
        .store
        .alert(id)
        .await?
        .ok_or_else(|| ApiFailure::not_found(format!("no alert {id}")))?;
    let fleet = all_terminals(&state).await?;
    let seen: HashSet<&str> = fleet
        .iter()
        .filter(|t| session.operator.covers(&t.health.region))
        .map(|t| t.health.device_id.as_str())
        .collect();
    if !seen.contains(alert.device_id.as_str()) {
        session
            .audit(&state, "alert.ack", &target, "forbidden")
            .await;
        return Err(forbidden(
            "the alert's terminal is outside this account's regions",
        ));
    }
    state
        .store
        .alert_acknowledge(
            id,
            session.operator.username.clone(),
            crate::store::now_text(),
        )
        .await?;
    session.audit(&state, "alert.ack", &target, "ok").await;
    let alert = state.store.alert(id).await?;
    alert
        .map(Json)
        .ok_or_else(|| ApiFailure::not_found(format!("no alert {id}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::terminals::TerminalHealth;
    use provisioning::protocol::{Heartbeat, PaperLevel};

    fn terminal(device: &str, heartbeat: Heartbeat, overdue: bool) -> FleetTerminal {
        let health = TerminalHealth {
            device_id: device.into(),
            platform_id: "p".into(),
            region: "220104".into(),
            status: "active".into(),
            hardware_serial: "s".into(),
            last_seen: None,
            overdue,
            app_version: None,
            heartbeat: Some(heartbeat),
        };
        let conditions = super::super::fleet::conditions(&health);
        FleetTerminal {
            health,
            platform_name: String::new(),
            conditions,
            state: String::new(),
        }
    }

    #[test]
    fn conditions_become_alerts_and_a_refused_bundle_stays_one_until_a_newer_is_in_force() {
        let mut newer = Heartbeat::default();
        newer.bundles.insert("catalogue".into(), 8);
        let fleet = vec![
            terminal(
                "a",
                Heartbeat {
                    paper: PaperLevel::Out,
                    outbox_depth: OUTBOX_ALERT_DEPTH,
                    ..Default::default()
                },
                false,
            ),
            terminal("b", newer, false),
            terminal("c", Heartbeat::default(), true),
        ];
        let refused = r#"{"type":"bundle.refused","stream":"catalogue","version":7,"reason":"x"}"#;
        let refusals = vec![
            ("a".to_string(), refused.to_string()),
            ("b".into(), refused.into()),
        ];
        let mut got: Vec<_> = wanted(&fleet, &refusals).into_iter().collect();
        got.sort();
        let expect =
            |d: &str, k: &str, detail: &str| ((d.to_string(), k.to_string()), detail.to_string());
        assert_eq!(
            got,
            vec![
                expect("a", "bundle_refused", "catalogue v7"),
                expect("a", "outbox_growing", "200"),
                expect("a", "paper_out", ""),
                expect("c", "overdue", ""),
            ]
        );
    }
}
