//! The directory of platforms and institutions: `GET /v1/ops/directory/{kind}` (JSON),
//! `GET …/{kind}/csv` (export) and `POST …/{kind}/csv` (import, admins). An import is all or
//! nothing: every bad line is reported, lines outside the admin's regions too, and nothing
//! is stored unless the whole file is good.

use super::{Session, forbidden};
use crate::app::AppState;
use crate::directory::{self, Entry, LineError};
use crate::error::ApiFailure;
use crate::routes::body_bytes;
use crate::store::directory::Kind;
use crate::store::operators::Role;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use serde::Serialize;

fn kind(word: &str) -> Result<Kind, ApiFailure> {
    Kind::parse(word).ok_or_else(|| {
        ApiFailure::not_found(format!("no directory {word:?} (platforms, institutions)"))
    })
}

async fn in_scope(
    state: &AppState,
    session: &Session,
    kind: Kind,
) -> Result<Vec<Entry>, ApiFailure> {
    let mut entries = state.store.directory(kind).await?;
    entries.retain(|e| session.operator.covers(&e.region));
    Ok(entries)
}

/// The entries of the account's regions.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Path(word): Path<String>,
) -> Result<Json<Vec<Entry>>, ApiFailure> {
    Ok(Json(in_scope(&state, &session, kind(&word)?).await?))
}

/// The entries of the account's regions as CSV (the import's format).
pub async fn export(
    State(state): State<AppState>,
    session: Session,
    Path(word): Path<String>,
) -> Result<Response, ApiFailure> {
    let entries = in_scope(&state, &session, kind(&word)?).await?;
    let mut response = directory::write(&entries).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let disposition = format!("attachment; filename=\"{word}.csv\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct Imported {
    /// Entries added or updated.
    pub imported: usize,
}

fn report(errors: &[LineError]) -> ApiFailure {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("line {}: {}", e.line, e.problem))
        .collect();
    ApiFailure::bad_request(format!(
        "nothing was imported; fix these lines:\n{}",
        lines.join("\n")
    ))
}

/// Imports a CSV file (admins of the regions of every line; audited).
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    Path(word): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Imported>, ApiFailure> {
    let kind = kind(&word)?;
    let action = format!("directory.import.{word}");
    if session.operator.role != Role::Admin {
        session.audit(&state, &action, "", "forbidden").await;
        return Err(forbidden("only admins import the directory"));
    }
    let body = body_bytes(body)?;
    let entries = directory::parse(&body).map_err(|errors| report(&errors))?;
    let outside: Vec<LineError> = entries
        .iter()
        .filter(|e| !session.operator.covers(&e.region))
        .map(|e| LineError {
            line: e.line,
            problem: format!("region {} is outside this account's regions", e.region),
        })
        .collect();
    if !outside.is_empty() {
        session.audit(&state, &action, "", "refused").await;
        return Err(report(&outside));
    }
    let imported = entries.len();
    state.store.directory_import(kind, entries).await?;
    let outcome = format!("ok ({imported} entries)");
    session.audit(&state, &action, "", &outcome).await;
    Ok(Json(Imported { imported }))
}
