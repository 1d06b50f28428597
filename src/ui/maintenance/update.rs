//! The status page's software update: what the updater is doing with which release, why
//! it failed or was rolled back, and staff postponing the install by a day.

use slint::ComponentHandle;

use super::{MaintenanceController, Need};
use crate::domain::maintenance::audit::{Outcome, action};
use crate::ui::Maintenance;

impl MaintenanceController {
    pub(super) fn show_update(&self, m: &Maintenance<'_>) {
        let progress = self.deps.sync.updates().progress();
        let (state, version, detail) = match progress.report {
            Some(r) => (
                serde_json::to_value(r.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                r.version,
                r.detail.unwrap_or_default(),
            ),
            None => Default::default(),
        };
        let until = progress
            .postponed_until
            .filter(|u| *u > self.shell.clock().now().naive_local())
            .map(|u| u.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        m.set_update_state(state.into());
        m.set_update_version(version.into());
        m.set_update_detail(detail.into());
        m.set_update_postponed_until(until.into());
    }

    pub(super) fn postpone_update(&self) {
        let Some(session) = self.require(Need::AnyStaff, action::UPDATE_POSTPONE) else {
            return;
        };
        let now = self.shell.clock().now().naive_local();
        let (outcome, detail) = match self.deps.sync.updates().postpone(now) {
            Ok(until) => (
                Outcome::Ok,
                serde_json::json!({ "until": until.to_string() }),
            ),
            Err(e) => (
                Outcome::Failed,
                serde_json::json!({ "error": e.to_string() }),
            ),
        };
        self.audit(&session.actor(), action::UPDATE_POSTPONE, outcome, detail);
        if let Some(app) = self.app() {
            self.show_update(&app.global::<Maintenance>());
        }
    }
}
