//! Work orders in the console (issue 20): `GET /v1/ops/work-orders` and
//! `GET /v1/ops/work-orders/{id}` (with its history), and the changes
//! `POST /v1/ops/work-orders/{id}/{dispatch,accept,close,return}`.
//!
//! Scope: an account sees the orders of its regions. An account of role `institution`
//! sees and acts on only the orders assigned to its institution (or to its login), and may
//! accept, close and return them, not dispatch. Viewers read only. Every change is audited.

use super::{Session, forbidden};
use crate::app::AppState;
use crate::error::{ApiFailure, parse_json};
use crate::routes::body_bytes;
use crate::store::operators::Role;
use crate::store::work_orders::{Change, ChangeRefusal, HistoryEntry, OrderFilter, WorkOrder};
use crate::work_orders::{Action, Status};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use provisioning::protocol::ErrorCode;
use serde::{Deserialize, Serialize};

/// The console's paths for work orders.
pub mod paths {
    /// `GET`: the work orders in scope.
    pub const LIST: &str = "/v1/ops/work-orders";
    /// `GET`: one, with its history.
    pub const ONE: &str = "/v1/ops/work-orders/{id}";
    /// `POST`: assign to an institution or a person, with a deadline.
    pub const DISPATCH: &str = "/v1/ops/work-orders/{id}/dispatch";
    /// `POST`: the assignee takes it on.
    pub const ACCEPT: &str = "/v1/ops/work-orders/{id}/accept";
    /// `POST`: the assignee finished it (with the outcome).
    pub const CLOSE: &str = "/v1/ops/work-orders/{id}/close";
    /// `POST`: the assignee sends it back (with the reason).
    pub const RETURN: &str = "/v1/ops/work-orders/{id}/return";
}

/// Whose orders an account may see: None for every one of its regions, else the
/// assignees that are its own.
async fn own_assignees(
    state: &AppState,
    session: &Session,
) -> Result<Option<Vec<(String, String)>>, ApiFailure> {
    if session.operator.role != Role::Institution {
        return Ok(None);
    }
    let mut own = vec![("person".to_string(), session.operator.username.clone())];
    if let Some(institution) = state
        .store
        .operator_institution(&session.operator.username)
        .await?
    {
        own.push(("institution".to_string(), institution));
    }
    Ok(Some(own))
}

fn visible(session: &Session, own: Option<&[(String, String)]>, o: &WorkOrder) -> bool {
    session.operator.covers(&o.region)
        && own.is_none_or(|own| {
            own.iter()
                .any(|(k, a)| *k == o.assignee_kind && *a == o.assignee)
        })
}

/// `GET /v1/ops/work-orders` parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this status.
    pub status: Option<String>,
}

/// The list.
#[derive(Debug, Serialize)]
pub struct List {
    /// Newest first.
    pub work_orders: Vec<WorkOrder>,
}

/// `GET /v1/ops/work-orders`.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<List>, ApiFailure> {
    let Query(q) = query.map_err(|e| ApiFailure::bad_request(e.body_text()))?;
    if let Some(s) = &q.status
        && Status::parse(s).is_none()
    {
        return Err(ApiFailure::bad_request(format!(
            "status {s:?} is not new, dispatched, accepted, done or returned"
        )));
    }
    let own = own_assignees(&state, &session).await?;
    let mut orders = state
        .store
        .work_orders(&OrderFilter {
            status: q.status,
            assigned: None,
        })
        .await?;
    orders.retain(|o| visible(&session, own.as_deref(), o));
    Ok(Json(List {
        work_orders: orders,
    }))
}

/// One order and its history.
#[derive(Debug, Serialize)]
pub struct Detail {
    /// The order.
    pub order: WorkOrder,
    /// Every change, oldest first.
    pub history: Vec<HistoryEntry>,
}

fn parse_id(text: &str) -> Result<i64, ApiFailure> {
    text.parse()
        .map_err(|_| ApiFailure::bad_request("a work order's number is a whole number"))
}

/// The order if the account may see it: 404 if there is none, 403 if it is outside the
/// account's scope (audited).
async fn scoped(
    state: &AppState,
    session: &Session,
    id: i64,
    action: &str,
) -> Result<(WorkOrder, Vec<HistoryEntry>), ApiFailure> {
    let (order, history) = state
        .store
        .work_order(id)
        .await?
        .ok_or_else(|| ApiFailure::not_found(format!("no work order #{id}")))?;
    let own = own_assignees(state, session).await?;
    if !visible(session, own.as_deref(), &order) {
        session
            .audit(state, action, &format!("work-order:{id}"), "forbidden")
            .await;
        return Err(forbidden(format!(
            "work order #{id} is not in this account's scope"
        )));
    }
    Ok((order, history))
}

/// `GET /v1/ops/work-orders/{id}`.
pub async fn one(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Detail>, ApiFailure> {
    let id = parse_id(&id)?;
    let (order, history) = scoped(&state, &session, id, "work_order.view").await?;
    Ok(Json(Detail { order, history }))
}

/// The body of a change.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    /// Dispatch: an institution's id.
    #[serde(default)]
    pub institution: Option<String>,
    /// Dispatch: a person's login.
    #[serde(default)]
    pub person: Option<String>,
    /// Dispatch: the deadline (RFC 3339).
    #[serde(default)]
    pub deadline: Option<String>,
    /// Close: the outcome; return: the reason.
    #[serde(default)]
    pub detail: Option<String>,
}

async fn apply(
    state: AppState,
    session: Session,
    id: String,
    body: Result<Bytes, BytesRejection>,
    action: Action,
) -> Result<Json<Detail>, ApiFailure> {
    let id = parse_id(&id)?;
    let audit_action = format!("work_order.{}", action.as_str());
    let target = format!("work-order:{id}");
    let body = body_bytes(body)?;
    // Accept needs no body: none, `null` and `{}` are alike.
    let request: ChangeRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ChangeRequest::default()
    } else {
        parse_json::<Option<ChangeRequest>>(&body)?.unwrap_or_default()
    };
    match (session.operator.role, action) {
        (Role::Viewer, _) | (Role::Institution, Action::Dispatch) => {
            session
                .audit(&state, &audit_action, &target, "forbidden")
                .await;
            return Err(forbidden(format!(
                "role {} may not {} work orders",
                session.operator.role.as_str(),
                match action {
                    Action::Dispatch => "dispatch",
                    Action::Accept => "accept",
                    Action::Close => "close",
                    Action::Return => "return",
                }
            )));
        }
        _ => {}
    }
    let (order, _) = scoped(&state, &session, id, &audit_action).await?;
    let mut change = Change {
        id,
        action,
        actor: session.operator.username.clone(),
        assignee: None,
        deadline: None,
        detail: request
            .detail
            .clone()
            .unwrap_or_default()
            .trim()
            .to_string(),
        only_if_assigned_to: None,
    };
    if session.operator.role == Role::Institution {
        change.only_if_assigned_to = Some((order.assignee_kind.clone(), order.assignee.clone()));
    }
    match action {
        Action::Dispatch => {
            let (kind, who) = match (request.institution, request.person) {
                (Some(i), None) => ("institution", i),
                (None, Some(p)) => ("person", p),
                _ => {
                    return Err(ApiFailure::bad_request(
                        "dispatch to one institution or one person",
                    ));
                }
            };
            if !state.store.assignee_exists(kind, &who).await? {
                return Err(ApiFailure::bad_request(format!("no {kind} {who}")));
            }
            let deadline = request
                .deadline
                .as_deref()
                .ok_or_else(|| ApiFailure::bad_request("a dispatch needs a deadline"))?;
            let deadline = chrono::DateTime::parse_from_rfc3339(deadline)
                .map_err(|_| ApiFailure::bad_request("deadline is not RFC 3339"))?;
            change.assignee = Some((kind.to_string(), who));
            change.deadline = Some(crate::store::time_text(deadline.to_utc()));
        }
        Action::Close | Action::Return if change.detail.is_empty() => {
            return Err(ApiFailure::bad_request(
                "say what was done (close) or why (return) in detail",
            ));
        }
        _ => {}
    }
    if change.detail.chars().count() > 2000 {
        return Err(ApiFailure::bad_request(
            "detail is longer than 2,000 characters",
        ));
    }
    let result = state.store.work_order_change(&change).await?;
    let outcome = match &result {
        Ok(_) => "ok".to_string(),
        Err(ChangeRefusal::WrongStatus(s)) => format!("refused: {s}"),
        Err(other) => format!("refused: {other:?}"),
    };
    session
        .audit(&state, &audit_action, &target, &outcome)
        .await;
    match result {
        Ok(_) => {
            // A returned order stays assigned: whoever returned it still sees it.
            let (order, history) = scoped(&state, &session, id, &audit_action).await?;
            Ok(Json(Detail { order, history }))
        }
        Err(ChangeRefusal::NotFound) => Err(ApiFailure::not_found(format!("no work order #{id}"))),
        Err(ChangeRefusal::NotAssigned) => Err(forbidden(format!(
            "work order #{id} is assigned to someone else"
        ))),
        Err(ChangeRefusal::WrongStatus(status)) => Err(ApiFailure::new(
            StatusCode::CONFLICT,
            ErrorCode::BadRequest,
            format!(
                "work order #{id} is {status}; it cannot be {} from there",
                action.as_str()
            ),
        )),
    }
}

/// `POST /v1/ops/work-orders/{id}/dispatch`: `{"institution" | "person", "deadline"}`.
pub async fn dispatch(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Detail>, ApiFailure> {
    apply(state, session, id, body, Action::Dispatch).await
}

/// `POST /v1/ops/work-orders/{id}/accept`.
pub async fn accept(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Detail>, ApiFailure> {
    apply(state, session, id, body, Action::Accept).await
}

/// `POST /v1/ops/work-orders/{id}/close`: `{"detail": outcome}`.
pub async fn close(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Detail>, ApiFailure> {
    apply(state, session, id, body, Action::Close).await
}

/// `POST /v1/ops/work-orders/{id}/return`: `{"detail": reason}`.
pub async fn return_(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Detail>, ApiFailure> {
    apply(state, session, id, body, Action::Return).await
}
