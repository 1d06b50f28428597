//! The counter page's API: its view (JSON and stream, for staff) and the staff actions,
//! each parsed into a [`StaffAction`] for the counter service.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::auth::{Staff, session_token};
use super::error::{ApiError, ApiResult};
use super::hall::{json_text, read_json};
use super::sse::event_stream;
use crate::domain::queue::calling::{ActionResult, CounterChange, StaffAction};
use crate::domain::queue::day::day_text;
use crate::domain::queue::notice::NoticeError;
use crate::domain::queue::{Command, PriorityGroup, view};
use crate::services::{QueueShared, answer};

/// How many waiting tickets the counter page lists.
const WAITING_LIST: u32 = 200;

/// Computes the counter page's view as JSON.
pub(super) async fn staff_json(shared: &Arc<QueueShared>) -> Result<String, ApiError> {
    let (catalogue, policy) = (shared.catalogue(), shared.policy());
    let day = day_text(shared.clock.now().date_naive());
    read_json("the counter view", shared, move |conn| {
        view::staff(conn, &catalogue, &policy, &day, WAITING_LIST)
    })
    .await
}

pub(super) async fn staff_state(
    State(st): State<AppState>,
    _staff: Staff,
) -> Result<Response, ApiError> {
    Ok(json_text(staff_json(&st.shared).await?))
}

pub(super) async fn staff_stream(
    State(st): State<AppState>,
    headers: HeaderMap,
    _staff: Staff,
) -> Result<Response, ApiError> {
    let rx = st.streams.subscribe(&st.streams.staff, st.max_streams)?;
    let first = staff_json(&st.shared).await?;
    let token = session_token(&headers).unwrap_or_default();
    let sessions = st.sessions.clone();
    let ended = Some(sessions.ended());
    // The stream ends with the session (logout, expiry, the account removed).
    Ok(event_stream("state", first, rx, move || sessions.is_live(&token), ended).into_response())
}

/// Runs `action` as `staff`'s through the counter service.
async fn act(st: &AppState, staff: &Staff, action: StaffAction) -> ApiResult<ActionResult> {
    let actor = staff.login.actor();
    let result = answer(|reply| st.counter.act(actor, action, reply))
        .await
        .ok_or_else(ApiError::unavailable)?;
    Ok(Json(result?))
}

/// `/api/counters/{id}/{action}` as a staff action, if it is one.
fn counter_action_of(counter: String, what: &str) -> Option<StaffAction> {
    let change = |change| {
        Some(StaffAction::Counter {
            counter: counter.clone(),
            change,
        })
    };
    let command = match what {
        "open" => return change(CounterChange::Open),
        "close" => return change(CounterChange::Close),
        "pause" => return change(CounterChange::Pause),
        "resume" => return change(CounterChange::Resume),
        "call-next" => Command::CallNext { counter },
        "recall" => Command::Recall { counter },
        "start" => Command::Start { counter },
        "finish" => Command::Finish { counter },
        "no-show" => Command::NoShow { counter },
        _ => return None,
    };
    Some(StaffAction::Ticket(command))
}

pub(super) async fn counter_action(
    State(st): State<AppState>,
    staff: Staff,
    Path((id, what)): Path<(String, String)>,
) -> ApiResult<ActionResult> {
    let action = counter_action_of(id, &what).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_action",
            format!("no counter action {what:?}"),
        )
    })?;
    act(&st, &staff, action).await
}

#[derive(Deserialize)]
pub(super) struct TransferBody {
    service_id: String,
}

pub(super) async fn transfer(
    State(st): State<AppState>,
    staff: Staff,
    Path(counter): Path<String>,
    Json(body): Json<TransferBody>,
) -> ApiResult<ActionResult> {
    let to_service = body.service_id;
    let command = Command::Transfer {
        counter,
        to_service,
    };
    act(&st, &staff, StaffAction::Ticket(command)).await
}

#[derive(Deserialize)]
pub(super) struct NumberBody {
    number: String,
}

pub(super) async fn call_number(
    State(st): State<AppState>,
    staff: Staff,
    Path(counter): Path<String>,
    Json(body): Json<NumberBody>,
) -> ApiResult<ActionResult> {
    let number = body.number;
    let command = Command::CallNumber { counter, number };
    act(&st, &staff, StaffAction::Ticket(command)).await
}

#[derive(Deserialize)]
pub(super) struct PriorityBody {
    number: String,
    group: Option<PriorityGroup>,
}

pub(super) async fn set_priority(
    State(st): State<AppState>,
    staff: Staff,
    Json(body): Json<PriorityBody>,
) -> ApiResult<ActionResult> {
    let (number, group) = (body.number, body.group);
    let command = Command::SetPriority { number, group };
    act(&st, &staff, StaffAction::Ticket(command)).await
}

#[derive(Deserialize)]
pub(super) struct NoticeBody {
    text: String,
}

pub(super) async fn set_notice(
    State(st): State<AppState>,
    staff: Staff,
    Json(body): Json<NoticeBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = staff.login.actor();
    let saved = answer(|reply| st.counter.set_notice(actor, body.text, reply))
        .await
        .ok_or_else(ApiError::unavailable)?;
    match saved {
        Ok(()) => Ok(Json(json!({ "ok": true }))),
        Err(e @ NoticeError::Bad) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_notice",
            e.to_string(),
        )),
        Err(NoticeError::Sql(_)) => Err(ApiError::unavailable()),
    }
}
