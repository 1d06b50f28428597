//! `migrate-store`: a pilot's SQLite registry copied into PostgreSQL. Every table, row by
//! row with its own keys (event ids too, so legal-aid application numbers stay valid);
//! a row already present is kept (the copy can be run again, e.g. after a pilot's last
//! events arrived); then counts are compared.

use super::pg::PgStore;
use super::{StoreError, wait};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use tokio_postgres::types::ToSql;

/// Column types: text, integer or bytes, each nullable.
#[derive(Clone, Copy)]
enum Ty {
    Text,
    Int,
    Blob,
}

use Ty::{Blob, Int, Text};

/// Tables in an order that satisfies foreign keys, with their columns.
const TABLES: &[(&str, &[(&str, Ty)])] = &[
    (
        "platforms",
        &[
            ("id", Text),
            ("name", Text),
            ("region", Text),
            ("address", Text),
            ("created_at", Text),
            ("level", Text),
            ("lat", Text),
            ("lon", Text),
            ("phone", Text),
            ("hours", Text),
            ("services", Text),
        ],
    ),
    (
        "institutions",
        &[
            ("id", Text),
            ("name", Text),
            ("level", Text),
            ("region", Text),
            ("address", Text),
            ("lat", Text),
            ("lon", Text),
            ("phone", Text),
            ("hours", Text),
            ("services", Text),
            ("created_at", Text),
            // The `institutions` bundle's fields (store/institutions.rs).
            ("kind", Text),
            ("name_ko", Text),
            ("name_en", Text),
            ("hours_note", Text),
            ("free_services", Text),
            ("wheelchair", Text),
        ],
    ),
    (
        "signing_keys",
        &[("public_key", Text), ("name", Text), ("created_at", Text)],
    ),
    (
        "enrolment_codes",
        &[
            ("code_hash", Text),
            ("platform_id", Text),
            ("created_at", Text),
            ("expires_at", Text),
            ("used_at", Text),
            ("used_by", Text),
        ],
    ),
    (
        "terminals",
        &[
            ("device_id", Text),
            ("public_key", Text),
            ("platform_id", Text),
            ("hardware_serial", Text),
            ("status", Text),
            ("enrolled_at", Text),
            ("revoked_at", Text),
            ("last_seen", Text),
            ("app_version", Text),
            ("heartbeat", Text),
        ],
    ),
    (
        "bundles",
        &[
            ("stream", Text),
            ("version", Int),
            ("scope", Text),
            ("payload_size", Int),
            ("expires_at", Text),
            ("published_at", Text),
            ("signed_by", Text),
            ("body", Text),
        ],
    ),
    (
        "events",
        &[
            ("id", Int),
            ("device_id", Text),
            ("platform_id", Text),
            ("seq", Int),
            ("idempotency_key", Text),
            ("kind", Text),
            ("payload", Text),
            ("created_at", Text),
            ("received_at", Text),
        ],
    ),
    (
        "events_quarantine",
        &[
            ("id", Int),
            ("device_id", Text),
            ("seq", Int),
            ("idempotency_key", Text),
            ("raw", Text),
            ("reason", Text),
            ("received_at", Text),
        ],
    ),
    (
        "commands",
        &[
            ("command_id", Text),
            ("device_id", Text),
            ("action", Text),
            ("body", Text),
            ("issued_at", Text),
            ("not_after", Text),
            ("state", Text),
            ("detail", Text),
            ("updated_at", Text),
            ("logs", Text),
        ],
    ),
    (
        "lawyers",
        &[
            ("username", Text),
            ("display_name", Text),
            ("regions", Text),
            ("password_hash", Text),
            ("status", Text),
            ("created_at", Text),
        ],
    ),
    (
        "ice_servers",
        &[
            ("id", Int),
            ("url", Text),
            ("username", Text),
            ("credential", Text),
            ("rest_secret", Text),
            ("rest_ttl_s", Int),
        ],
    ),
    ("settings", &[("key", Text), ("value", Text)]),
    (
        "legal_aid_recipients",
        &[
            ("key_id", Text),
            ("region", Text),
            ("centre", Text),
            ("public_key", Text),
            ("added_at", Text),
            ("retired_at", Text),
        ],
    ),
    (
        "operators",
        &[
            ("username", Text),
            ("role", Text),
            ("regions", Text),
            ("password_hash", Text),
            ("status", Text),
            ("created_at", Text),
        ],
    ),
    (
        "operator_audit",
        &[
            ("id", Int),
            ("at", Text),
            ("username", Text),
            ("source", Text),
            ("action", Text),
            ("target", Text),
            ("outcome", Text),
        ],
    ),
    (
        "alerts",
        &[
            ("id", Int),
            ("device_id", Text),
            ("kind", Text),
            ("detail", Text),
            ("raised_at", Text),
            ("acknowledged_at", Text),
            ("acknowledged_by", Text),
            ("cleared_at", Text),
        ],
    ),
    (
        "terminal_states",
        &[
            ("id", Int),
            ("device_id", Text),
            ("at", Text),
            ("signature", Text),
            ("state", Text),
        ],
    ),
    (
        "releases",
        &[
            ("version", Text),
            ("package", Text),
            ("architecture", Text),
            ("size", Int),
            ("sha256", Text),
            ("signed_by", Text),
            ("body", Text),
            ("published_at", Text),
        ],
    ),
    (
        "release_chunks",
        &[("version", Text), ("idx", Int), ("data", Blob)],
    ),
    (
        "map_files",
        &[
            ("sha256", Text),
            ("size", Int),
            ("name", Text),
            ("published_at", Text),
        ],
    ),
    (
        "map_chunks",
        &[("sha256", Text), ("idx", Int), ("data", Blob)],
    ),
    (
        "rollouts",
        &[
            ("id", Text),
            ("release_version", Text),
            ("stages", Text),
            ("success_threshold", Int),
            ("error_threshold", Int),
            ("max_bytes_per_s", Int),
            ("state", Text),
            ("current_stage", Int),
            ("reason", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    ),
    (
        "terminal_updates",
        &[
            ("device_id", Text),
            ("version", Text),
            ("state", Text),
            ("detail", Text),
            ("updated_at", Text),
        ],
    ),
    // Appointments (issue 20).
    (
        "schedules",
        &[
            ("platform_id", Text),
            ("service_id", Text),
            ("capacity", Int),
            ("days", Text),
            ("opens", Text),
            ("closes", Text),
            ("updated_at", Text),
        ],
    ),
    (
        "holidays",
        &[("platform_id", Text), ("day", Text), ("name", Text)],
    ),
    (
        "slot_counts",
        &[
            ("platform_id", Text),
            ("service_id", Text),
            ("slot", Text),
            ("booked", Int),
        ],
    ),
    (
        "channels",
        &[
            ("name", Text),
            ("key_hash", Text),
            ("status", Text),
            ("created_at", Text),
        ],
    ),
    (
        "region_keys",
        &[("region", Text), ("hash_key", Blob), ("created_at", Text)],
    ),
    (
        "bookings",
        &[
            ("id", Int),
            ("code", Text),
            ("channel", Text),
            ("platform_id", Text),
            ("region", Text),
            ("service_id", Text),
            ("slot", Text),
            ("day", Text),
            ("masked_name", Text),
            ("id_hash", Text),
            ("phone", Text),
            ("status", Text),
            ("created_at", Text),
            ("cancelled_at", Text),
            ("cancelled_by", Text),
        ],
    ),
    // Work orders (issue 20).
    (
        "work_orders",
        &[
            ("id", Int),
            ("source_device", Text),
            ("source_key", Text),
            ("category", Text),
            ("kind", Text),
            ("region", Text),
            ("platform_id", Text),
            ("channel", Text),
            ("id_hash", Text),
            ("phone", Text),
            ("summary", Text),
            ("status", Text),
            ("assignee_kind", Text),
            ("assignee", Text),
            ("deadline", Text),
            ("outcome", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    ),
    (
        "work_order_history",
        &[
            ("id", Int),
            ("order_id", Int),
            ("at", Text),
            ("actor", Text),
            ("action", Text),
            ("from_status", Text),
            ("to_status", Text),
            ("detail", Text),
        ],
    ),
    (
        "work_order_categories",
        &[
            ("code", Text),
            ("name", Text),
            ("class_code", Text),
            ("class_name", Text),
            ("position", Int),
        ],
    ),
    (
        "operator_institutions",
        &[("username", Text), ("institution_id", Text)],
    ),
];

/// Tables whose id column is generated (their sequences move past the copied ids).
const IDENTITIES: &[&str] = &[
    "events",
    "events_quarantine",
    "ice_servers",
    "operator_audit",
    "alerts",
    "terminal_states",
    "bookings",
    "work_orders",
    "work_order_history",
];

/// Rows per INSERT (of a table with bytes: a release's 256 KiB chunks).
const CHUNK: usize = 500;
const BLOB_CHUNK: usize = 8;

/// What was copied, per table.
#[derive(Debug, Clone)]
pub struct TableReport {
    /// Table.
    pub table: &'static str,
    /// Rows in SQLite.
    pub source: u64,
    /// Rows inserted now (the rest were there already).
    pub copied: u64,
    /// Rows in PostgreSQL afterwards.
    pub target: u64,
}

type Value = Box<dyn ToSql + Sync + Send>;

/// Copies every table; fails if PostgreSQL then holds fewer rows than SQLite in any.
pub fn sqlite_to_postgres(from: &Path, to: &str) -> Result<Vec<TableReport>, StoreError> {
    if !from.exists() {
        return Err(StoreError::NotFound(format!("no file {}", from.display())));
    }
    // Brought up to date first (a pilot on an older schema), then read only.
    drop(super::SqliteStore::open(from)?);
    let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let report = wait(move || async move {
        let source = source;
        let pg = PgStore::open(to).await?;
        let mut report = Vec::new();
        for (table, columns) in TABLES {
            report.push(copy_table(&source, &pg, table, columns).await?);
        }
        // The copied events are counted by the demand analysis afresh (rows copied one by
        // one bypass ingest, and a copy run again must not add them twice).
        pg.stats_rebuild().await?;
        let client = pg.client().await?;
        for table in IDENTITIES {
            client
                .execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                           GREATEST((SELECT MAX(id) FROM {table}), 1))"
                    ),
                    &[],
                )
                .await?;
        }
        Ok::<_, StoreError>(report)
    })?;
    let short: Vec<String> = report
        .iter()
        .filter(|t| t.target < t.source)
        .map(|t| {
            format!(
                "{}: {} in SQLite, {} in PostgreSQL",
                t.table, t.source, t.target
            )
        })
        .collect();
    if !short.is_empty() {
        return Err(StoreError::Invalid(format!(
            "rows missing after the copy: {}",
            short.join("; ")
        )));
    }
    Ok(report)
}

async fn copy_table(
    source: &Connection,
    pg: &PgStore,
    table: &'static str,
    columns: &[(&str, Ty)],
) -> Result<TableReport, StoreError> {
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let mut stmt = source.prepare(&format!(
        "SELECT {} FROM {table} ORDER BY rowid",
        names.join(", ")
    ))?;
    let mut rows = stmt.query([])?;
    let mut client = pg.client().await?;
    let tx = client.transaction().await?;
    let (mut source_count, mut copied) = (0u64, 0u64);
    let rows_per_insert = if columns.iter().any(|(_, t)| matches!(t, Blob)) {
        BLOB_CHUNK
    } else {
        CHUNK
    };
    let mut chunk: Vec<Value> = Vec::with_capacity(rows_per_insert * columns.len());
    loop {
        let row = rows.next()?;
        if let Some(r) = row {
            for (i, (_, ty)) in columns.iter().enumerate() {
                let v: Value = match ty {
                    Text => Box::new(r.get::<_, Option<String>>(i)?),
                    Int => Box::new(r.get::<_, Option<i64>>(i)?),
                    Blob => Box::new(r.get::<_, Option<Vec<u8>>>(i)?),
                };
                chunk.push(v);
            }
            source_count += 1;
        }
        let full = chunk.len() >= rows_per_insert * columns.len();
        if (full || row.is_none()) && !chunk.is_empty() {
            let n = chunk.len() / columns.len();
            let values: Vec<String> = (0..n)
                .map(|i| {
                    let cells: Vec<String> = (0..columns.len())
                        .map(|j| format!("${}", i * columns.len() + j + 1))
                        .collect();
                    format!("({})", cells.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES {} ON CONFLICT DO NOTHING",
                names.join(", "),
                values.join(", ")
            );
            let params: Vec<&(dyn ToSql + Sync)> = chunk
                .iter()
                .map(|v| v.as_ref() as &(dyn ToSql + Sync))
                .collect();
            copied += tx.execute(&sql, &params).await?;
            chunk.clear();
        }
        if row.is_none() {
            break;
        }
    }
    tx.commit().await?;
    let target: i64 = client
        .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
        .await?
        .get(0);
    Ok(TableReport {
        table,
        source: source_count,
        copied,
        target: target as u64,
    })
}
