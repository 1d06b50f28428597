//! The operations centre's console (`/ops`): operators log in with a password, see and act
//! on the terminals of their regions only. Every handler takes an [`Session`], which is
//! the region and role check's only source, and audits what it did.

pub mod alerts;
pub mod audit;
pub mod bundles;
pub mod commands;
pub mod directory;
pub mod directory_entry;
pub mod fleet;
pub mod map;
pub mod pages;
pub mod session;
pub mod stats;
pub mod work_orders;

use crate::app::AppState;
use crate::error::ApiFailure;
use crate::peer::SourceAddr;
use crate::store::operators::{AuditEntry, Operator};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use provisioning::protocol::ErrorCode;
use sha2::{Digest as _, Sha256};
use std::net::IpAddr;

/// The console's paths.
pub mod paths {
    /// The page.
    pub const PAGE: &str = "/ops";
    /// Its script.
    pub const SCRIPT: &str = "/ops/ops.js";
    /// Its style sheet.
    pub const STYLE: &str = "/ops/ops.css";
    /// Its font (CJK and Hangul).
    pub const FONT: &str = "/ops/font.otf";
    /// Leaflet, vendored.
    pub const LEAFLET_JS: &str = "/ops/leaflet.js";
    /// Apache ECharts, vendored (the statistics' charts).
    pub const ECHARTS_JS: &str = "/ops/echarts.js";
    /// Leaflet's style sheet.
    pub const LEAFLET_CSS: &str = "/ops/leaflet.css";
    /// `GET`: whether map tiles are served, and their metadata.
    pub const MAP: &str = "/v1/ops/map";
    /// `GET`: one map tile (XYZ).
    pub const TILE: &str = "/ops/tiles/{z}/{x}/{y}";
    /// `POST`: log in.
    pub const LOGIN: &str = "/v1/ops/login";
    /// `POST`: log out.
    pub const LOGOUT: &str = "/v1/ops/logout";
    /// `GET`: who is logged in.
    pub const ME: &str = "/v1/ops/me";
    /// `GET`: the terminals in scope with their state.
    pub const FLEET: &str = "/v1/ops/fleet";
    /// `GET`: one terminal.
    pub const TERMINAL: &str = "/v1/ops/terminals/{device_id}";
    /// `GET`: the open alerts in scope and their counts.
    pub const ALERTS: &str = "/v1/ops/alerts";
    /// `POST`: acknowledge an alert.
    pub const ALERT_ACK: &str = "/v1/ops/alerts/{id}/ack";
    /// `POST`: send a command to a terminal, platform or region.
    pub const COMMANDS: &str = "/v1/ops/commands";
    /// `GET`: the logs a terminal uploaded for a command.
    pub const LOGS: &str = "/v1/ops/terminals/{device_id}/logs/{command_id}";
    /// `GET`: the directory's platforms or institutions of the account's regions; `POST`:
    /// add one (admins and operators, in their regions).
    pub const DIRECTORY: &str = "/v1/ops/directory/{kind}";
    /// `PUT`: change one entry (admins and operators, in their regions).
    pub const DIRECTORY_ENTRY: &str = "/v1/ops/directory/{kind}/entries/{id}";
    /// `GET`: export as CSV; `POST`: import a CSV file (admins).
    pub const DIRECTORY_CSV: &str = "/v1/ops/directory/{kind}/csv";
    /// `GET`: bundles published and in force.
    pub const BUNDLES: &str = "/v1/ops/bundles";
    /// `GET`: the audit (admins).
    pub const AUDIT: &str = "/v1/ops/audit";
    /// `GET`: a view of the demand analysis (summary, trend, heatmap, ranking, drill,
    /// compare), JSON or `?format=csv`.
    pub const STATS: &str = "/v1/ops/stats/{view}";
}

/// The session cookie's name.
pub const COOKIE: &str = "kiosk_operator";

/// How long a login lasts (one working day).
pub const SESSION_LIFETIME_S: u64 = 12 * 3600;

/// The database keeps a token's SHA-256 only.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A logged-in operator making this request.
pub struct Session {
    /// The account (role and regions as they are now in the database).
    pub operator: Operator,
    /// Where the request came from.
    pub source: IpAddr,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(SourceAddr(source)) = SourceAddr::from_request_parts(parts, state).await;
        let token = super::password_login::cookie_value(&parts.headers, COOKIE)
            .ok_or_else(|| ApiFailure::unauthenticated("log in to the console first"))?;
        let now = chrono::Utc::now().timestamp();
        let operator = state
            .store
            .operator_session(token_hash(token), now)
            .await?
            .ok_or_else(|| {
                ApiFailure::unauthenticated("the session has ended; log in to the console again")
            })?;
        Ok(Self { operator, source })
    }
}

impl Session {
    /// Records `action` on `target` with its outcome (a failure to record is logged: the
    /// action already happened).
    pub async fn audit(&self, state: &AppState, action: &str, target: &str, outcome: &str) {
        record(
            state,
            &self.operator.username,
            self.source,
            action,
            target,
            outcome,
        )
        .await;
    }

    /// Refuses (and audits) when `region` is outside the account's scope.
    pub async fn require_region(
        &self,
        state: &AppState,
        action: &str,
        region: &str,
    ) -> Result<(), ApiFailure> {
        if self.operator.covers(region) {
            return Ok(());
        }
        self.audit(state, action, region, "forbidden").await;
        Err(forbidden(format!(
            "region {region} is outside this account's regions ({})",
            self.operator.regions.join(", ")
        )))
    }
}

/// Appends to the audit; a failure is logged, not returned.
pub async fn record(
    state: &AppState,
    username: &str,
    source: IpAddr,
    action: &str,
    target: &str,
    outcome: &str,
) {
    let entry = AuditEntry {
        at: crate::store::now_text(),
        username: username.to_string(),
        source: source.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        outcome: outcome.to_string(),
    };
    if let Err(e) = state.store.operator_audit(entry).await {
        tracing::error!("audit of {action} by {username}: {e}");
    }
}

/// 403 with a reason.
pub fn forbidden(message: impl Into<String>) -> ApiFailure {
    ApiFailure::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
}
