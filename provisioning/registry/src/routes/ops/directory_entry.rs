//! One platform or institution at a time, for the console's forms: `POST
//! /v1/ops/directory/{kind}` adds one, `PUT /v1/ops/directory/{kind}/entries/{id}` changes
//! one. The fields and their checks are a CSV row's (`directory::check`), and a refusal names
//! the field, so the form can show it beside that field. Admins and operators may edit, in
//! their own regions only (the entry's region before and after); every attempt is audited.

use super::{Session, forbidden};
use crate::app::AppState;
use crate::directory::{self, COLUMNS, Entry, FieldError};
use crate::error::{ApiFailure, parse_json};
use crate::routes::body_bytes;
use crate::store::directory::Kind;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use provisioning::protocol::ErrorCode;
use serde_json::{Map, Value, json};

/// A refusal: an `ApiFailure`, or a field the form got wrong (400 naming it).
pub enum Refusal {
    /// Any other failure.
    Api(ApiFailure),
    /// A field's problem.
    Field(FieldError),
}

impl From<ApiFailure> for Refusal {
    fn from(e: ApiFailure) -> Self {
        Self::Api(e)
    }
}

impl From<crate::store::StoreError> for Refusal {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Api(e.into())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Api(e) => e.into_response(),
            // The usual error body (its message names the field in words), and the field.
            Self::Field(e) => (
                StatusCode::BAD_REQUEST,
                Json(json!({
                    "error": ErrorCode::BadRequest,
                    "message": e.problem,
                    "field": e.field,
                })),
            )
                .into_response(),
        }
    }
}

fn field(field: &'static str, problem: impl Into<String>) -> Refusal {
    Refusal::Field(FieldError {
        field,
        problem: problem.into(),
    })
}

fn kind(word: &str) -> Result<Kind, ApiFailure> {
    Kind::parse(word).ok_or_else(|| {
        ApiFailure::not_found(format!("no directory {word:?} (platforms, institutions)"))
    })
}

/// The form's fields as a CSV row's: text, a number for lat/lon, null or absent for empty.
fn fields(body: &[u8], id: Option<&str>) -> Result<[String; 10], Refusal> {
    let form: Map<String, Value> = parse_json(body)?;
    if let Some(unknown) = form.keys().find(|k| !COLUMNS.contains(&k.as_str())) {
        return Err(ApiFailure::bad_request(format!(
            "unknown field {unknown:?} (the fields are {})",
            COLUMNS.join(", ")
        ))
        .into());
    }
    let mut out: [String; 10] = Default::default();
    for (slot, name) in out.iter_mut().zip(COLUMNS) {
        *slot = match form.get(name) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) if matches!(name, "lat" | "lon") => n.to_string(),
            Some(_) => return Err(field(name, format!("{name} must be text"))),
        };
    }
    if let Some(id) = id {
        // An edit names the entry in its path; the body may repeat the id, not change it.
        if !out[0].trim().is_empty() && out[0].trim() != id {
            return Err(field("id", "the id of an entry cannot be changed"));
        }
        out[0] = id.to_string();
    }
    Ok(out)
}

/// Refuses (and audits) accounts that may not edit and entries outside their regions.
async fn allowed(
    state: &AppState,
    session: &Session,
    action: &str,
    target: &str,
    regions: &[&str],
) -> Result<(), ApiFailure> {
    if !session.operator.role.may_edit_directory() {
        session.audit(state, action, target, "forbidden").await;
        return Err(forbidden("this account may not edit the directory"));
    }
    for region in regions {
        if !session.operator.covers(region) {
            session.audit(state, action, target, "forbidden").await;
            return Err(forbidden(format!(
                "region {region} is outside this account's regions ({})",
                session.operator.regions.join(", ")
            )));
        }
    }
    Ok(())
}

/// Adds one entry (201 with it).
pub async fn add(
    State(state): State<AppState>,
    session: Session,
    Path(word): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Entry>), Refusal> {
    let kind = kind(&word)?;
    let action = format!("directory.add.{word}");
    if !session.operator.role.may_edit_directory() {
        session.audit(&state, &action, "", "forbidden").await;
        return Err(forbidden("this account may not edit the directory").into());
    }
    let body = body_bytes(body)?;
    let entry = directory::check(fields(&body, None)?, 0).map_err(Refusal::Field)?;
    allowed(&state, &session, &action, &entry.id, &[&entry.region]).await?;
    let id = entry.id.clone();
    if !state.store.directory_add(kind, entry.clone()).await? {
        return Err(field(
            "id",
            format!("id {id} is already in the directory; edit that entry instead"),
        ));
    }
    session.audit(&state, &action, &id, "ok").await;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Changes one entry (200 with it).
pub async fn edit(
    State(state): State<AppState>,
    session: Session,
    Path((word, id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Entry>, Refusal> {
    let kind = kind(&word)?;
    let action = format!("directory.edit.{word}");
    if !session.operator.role.may_edit_directory() {
        session.audit(&state, &action, &id, "forbidden").await;
        return Err(forbidden("this account may not edit the directory").into());
    }
    let Some(before) = state.store.directory_get(kind, &id).await? else {
        return Err(ApiFailure::not_found(format!("no {word} entry {id:?}")).into());
    };
    allowed(&state, &session, &action, &id, &[&before.region]).await?;
    let body = body_bytes(body)?;
    let entry = directory::check(fields(&body, Some(&id))?, 0).map_err(Refusal::Field)?;
    allowed(&state, &session, &action, &id, &[&entry.region]).await?;
    if !state.store.directory_update(kind, entry.clone()).await? {
        return Err(ApiFailure::not_found(format!("no {word} entry {id:?}")).into());
    }
    session.audit(&state, &action, &id, "ok").await;
    Ok(Json(entry))
}
