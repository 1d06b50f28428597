//! Tickets: one ticket's live position for anyone holding its token, and tickets issued for
//! client terminals (by the same ticket service as this terminal's own touchscreen).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::AppState;
use super::auth::Terminal;
use super::error::{ApiError, ApiResult};
use crate::domain::queue::view::{self, TicketStatus};
use crate::queue_api::wire::IssueAnswer;
use crate::services::tickets::Origin;
use crate::services::{TicketError, TicketRequest, answer};

fn unknown_ticket() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "unknown_ticket", "no such ticket")
}

pub(super) async fn ticket_status(
    State(st): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<TicketStatus> {
    if token.len() != 32 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(unknown_ticket());
    }
    let (catalogue, policy) = (st.shared.catalogue(), st.shared.policy());
    let found = st
        .shared
        .read(move |s| view::ticket_status(s.conn(), &catalogue, &policy, &token))
        .await
        .map_err(|_| ApiError::unavailable())?
        .map_err(|e| {
            tracing::error!("cannot read a ticket's status: {e}");
            ApiError::unavailable()
        })?;
    found.map(Json).ok_or_else(unknown_ticket)
}

pub(super) async fn issue_for_terminal(
    State(st): State<AppState>,
    _terminal: Terminal,
    Json(request): Json<TicketRequest>,
) -> ApiResult<IssueAnswer> {
    let issued = answer(|reply| st.tickets.issue_here(request, Origin::Client, reply))
        .await
        .ok_or_else(ApiError::unavailable)?;
    match issued {
        Ok(ticket) => Ok(Json(IssueAnswer::from_ticket(ticket))),
        Err(TicketError::UnknownService(s)) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_service",
            format!("unknown service {s:?}"),
        )),
        Err(e) => {
            tracing::error!("cannot issue a ticket for a client terminal: {e}");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "issue_failed",
                e.to_string(),
            ))
        }
    }
}
