//! `GET /v1/ops/audit`: who did what, when, from where — for admins.

use super::{Session, forbidden};
use crate::app::AppState;
use crate::error::ApiFailure;
use crate::store::operators::{AuditEntry, Role};
use axum::Json;
use axum::extract::State;

/// Entries returned (newest first).
const LIMIT: i64 = 500;

/// The latest audit entries; an account that is not an admin gets 403 (and is audited).
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<AuditEntry>>, ApiFailure> {
    if session.operator.role != Role::Admin {
        session.audit(&state, "audit.view", "", "forbidden").await;
        return Err(forbidden("only admins read the audit"));
    }
    Ok(Json(state.store.operator_audit_list(LIMIT).await?))
}
