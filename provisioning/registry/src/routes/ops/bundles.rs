//! `GET /v1/ops/bundles`: the bundles published, and for each stream and version how many
//! terminals of the account's regions have it in force (from their last heartbeat).

use super::Session;
use super::fleet::all_terminals;
use crate::app::AppState;
use crate::error::ApiFailure;
use crate::store::bundles::PublishedBundle;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use std::collections::BTreeMap;

/// What is published and what is in force.
#[derive(Debug, Serialize)]
pub struct Bundles {
    /// Published bundles, newest first per stream.
    pub published: Vec<PublishedBundle>,
    /// Stream → version → terminals of the scope with it in force (`0`: none yet).
    pub in_force: BTreeMap<String, BTreeMap<u64, usize>>,
    /// Active terminals of the scope.
    pub terminals: usize,
}

/// The bundles view of the account's regions.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Bundles>, ApiFailure> {
    let published = state.store.bundles_async().await?;
    let fleet: Vec<_> = all_terminals(&state)
        .await?
        .into_iter()
        .filter(|t| t.health.status == "active" && session.operator.covers(&t.health.region))
        .collect();
    let mut in_force: BTreeMap<String, BTreeMap<u64, usize>> = BTreeMap::new();
    for stream in published.iter().map(|b| &b.stream) {
        in_force.entry(stream.clone()).or_default();
    }
    for t in &fleet {
        let versions = t.health.heartbeat.as_ref().map(|h| &h.bundles);
        for (stream, counts) in in_force.iter_mut() {
            let version = versions.and_then(|v| v.get(stream)).copied().unwrap_or(0);
            *counts.entry(version).or_insert(0) += 1;
        }
    }
    Ok(Json(Bundles {
        published,
        in_force,
        terminals: fleet.len(),
    }))
}
