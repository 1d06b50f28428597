//! The directory of platforms and institutions (`crate::directory`): listed, and imported
//! all at once in one transaction. SQL shared with PostgreSQL (`pg/directory.rs`).

use super::{StoreError, now_text};
use crate::directory::{Entry, coordinate_from, coordinate_text};
use rusqlite::{Connection, params};

/// The schema (the same on SQLite and PostgreSQL): platforms gain the directory's columns;
/// institutions have the same. Coordinates are kept as text (`""` when unknown).
pub const DDL: &str = "
ALTER TABLE platforms ADD COLUMN level TEXT NOT NULL DEFAULT '';
ALTER TABLE platforms ADD COLUMN lat TEXT NOT NULL DEFAULT '';
ALTER TABLE platforms ADD COLUMN lon TEXT NOT NULL DEFAULT '';
ALTER TABLE platforms ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE platforms ADD COLUMN hours TEXT NOT NULL DEFAULT '';
ALTER TABLE platforms ADD COLUMN services TEXT NOT NULL DEFAULT '';
CREATE TABLE institutions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  level TEXT NOT NULL,
  region TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  lat TEXT NOT NULL DEFAULT '',
  lon TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  hours TEXT NOT NULL DEFAULT '',
  services TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
";

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Service platforms (their terminals enrol at them).
    Platforms,
    /// Institutions (law firms, notaries, mediation committees…).
    Institutions,
}

impl Kind {
    /// From the URL's word.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "platforms" => Some(Self::Platforms),
            "institutions" => Some(Self::Institutions),
            _ => None,
        }
    }

    /// The table.
    pub fn table(self) -> &'static str {
        match self {
            Self::Platforms => "platforms",
            Self::Institutions => "institutions",
        }
    }
}

pub(super) fn list_sql(kind: Kind) -> String {
    format!(
        "SELECT id, name, level, region, address, lat, lon, phone, hours, services FROM {}
         ORDER BY id",
        kind.table()
    )
}

pub(super) fn upsert_sql(kind: Kind) -> String {
    format!(
        "INSERT INTO {} (id, name, level, region, address, lat, lon, phone, hours, services, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level,
           region = excluded.region, address = excluded.address, lat = excluded.lat,
           lon = excluded.lon, phone = excluded.phone, hours = excluded.hours,
           services = excluded.services",
        kind.table()
    )
}

/// An entry from its ten stored columns.
pub(super) fn entry_from(c: [String; 10]) -> Entry {
    let [
        id,
        name,
        level,
        region,
        address,
        lat,
        lon,
        phone,
        hours,
        services,
    ] = c;
    Entry {
        line: 0,
        id,
        name,
        level,
        region,
        address,
        lat: coordinate_from(&lat),
        lon: coordinate_from(&lon),
        phone,
        hours,
        services,
    }
}

/// The coordinates as stored.
pub(super) fn coordinates(e: &Entry) -> (String, String) {
    (coordinate_text(e.lat), coordinate_text(e.lon))
}

/// Every entry by id.
pub fn list(conn: &Connection, kind: Kind) -> Result<Vec<Entry>, StoreError> {
    let mut stmt = conn.prepare_cached(&list_sql(kind))?;
    let rows = stmt.query_map([], |r| {
        let c = |i: usize| r.get::<_, String>(i);
        Ok(entry_from([
            c(0)?,
            c(1)?,
            c(2)?,
            c(3)?,
            c(4)?,
            c(5)?,
            c(6)?,
            c(7)?,
            c(8)?,
            c(9)?,
        ]))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds or updates every entry, in one transaction.
pub fn import(conn: &mut Connection, kind: Kind, entries: &[Entry]) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(&upsert_sql(kind))?;
        let now = now_text();
        for e in entries {
            let (lat, lon) = coordinates(e);
            stmt.execute(params![
                e.id, e.name, e.level, e.region, e.address, lat, lon, e.phone, e.hours, e.services,
                now
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}
