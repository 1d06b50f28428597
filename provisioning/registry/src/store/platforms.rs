//! Platforms: the service centres terminals belong to.

use super::{StoreError, now_text};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

/// A service centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Platform {
    /// Id, e.g. `hz-xihu-01`.
    pub id: String,
    /// Name, e.g. 西湖区公共法律服务中心.
    pub name: String,
    /// Region (administrative division code).
    pub region: String,
    /// Street address.
    pub address: String,
}

provisioning::row_reader!(Platform: id, name, region, address);

/// Adds a platform or updates its name, region and address.
pub fn upsert(conn: &Connection, p: &Platform) -> Result<(), StoreError> {
    if p.id.trim().is_empty() || p.region.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a platform needs an id and a region".into(),
        ));
    }
    conn.execute(
        "INSERT INTO platforms (id, name, region, address, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, region = excluded.region, address = excluded.address",
        params![p.id, p.name, p.region, p.address, now_text()],
    )?;
    Ok(())
}

/// One platform.
pub fn get(conn: &Connection, id: &str) -> Result<Option<Platform>, StoreError> {
    let sql = format!("SELECT {} FROM platforms WHERE id = ?1", Platform::COLUMNS);
    Ok(conn.query_row(&sql, [id], Platform::from_row).optional()?)
}

/// All platforms by id.
pub fn list(conn: &Connection) -> Result<Vec<Platform>, StoreError> {
    let sql = format!("SELECT {} FROM platforms ORDER BY id", Platform::COLUMNS);
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], Platform::from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes a platform that has no terminals.
pub fn remove(conn: &Connection, id: &str) -> Result<(), StoreError> {
    let terminals: i64 = conn.query_row(
        "SELECT COUNT(*) FROM terminals WHERE platform_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    if terminals > 0 {
        return Err(StoreError::Invalid(format!(
            "platform {id} still has {terminals} terminal(s)"
        )));
    }
    conn.execute("DELETE FROM enrolment_codes WHERE platform_id = ?1", [id])?;
    if conn.execute("DELETE FROM platforms WHERE id = ?1", [id])? == 0 {
        return Err(StoreError::NotFound(format!("no platform {id}")));
    }
    Ok(())
}
