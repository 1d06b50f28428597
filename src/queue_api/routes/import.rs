//! A client terminal hands over the tickets it issued offline; each is taken into this
//! terminal's queue or refused with its reason.

use axum::Json;
use axum::extract::State;
use serde_json::json;

use super::AppState;
use super::auth::Terminal;
use super::error::ApiError;
use crate::queue_api::wire::ImportBody;
use crate::services::answer;

pub(super) async fn import_for_terminal(
    State(st): State<AppState>,
    Terminal(client): Terminal,
    Json(body): Json<ImportBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let ranges = client.range.map(|r| vec![r]);
    let taken = answer(|reply| st.tickets.take_offline(body.tickets, ranges, reply))
        .await
        .ok_or_else(ApiError::unavailable)?;
    let results: Vec<_> = taken
        .into_iter()
        .map(|(token, outcome)| match outcome {
            Ok(outcome) => json!({ "token": token, "outcome": outcome }),
            Err(e) => json!({
                "token": token,
                "outcome": "refused",
                "error": e.code(),
                "message": e.to_string(),
            }),
        })
        .collect();
    Ok(Json(json!({ "results": results })))
}
