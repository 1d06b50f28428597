//! The directory of platforms and institutions (`crate::directory`): listed, and imported
//! all at once in one transaction. SQL shared with PostgreSQL (`pg/directory.rs`).

use super::{StoreError, now_text};
use crate::directory::{Entry, coordinate_from, coordinate_text};
use rusqlite::{Connection, OptionalExtension as _, params};

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

pub(super) fn get_sql(kind: Kind) -> String {
    format!(
        "SELECT id, name, level, region, address, lat, lon, phone, hours, services FROM {}
         WHERE id = $1",
        kind.table()
    )
}

/// Adds one entry; an id already there is left alone (the caller says so).
pub(super) fn add_sql(kind: Kind) -> String {
    format!(
        "INSERT INTO {} (id, name, level, region, address, lat, lon, phone, hours, services, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO NOTHING",
        kind.table()
    )
}

/// Changes one entry (its id last: SQLite numbers `$n` parameters in order of appearance).
pub(super) fn update_sql(kind: Kind) -> String {
    format!(
        "UPDATE {} SET name = $1, level = $2, region = $3, address = $4, lat = $5, lon = $6,
           phone = $7, hours = $8, services = $9 WHERE id = $10",
        kind.table()
    )
}

/// An entry's columns as stored, in [`crate::directory::COLUMNS`]' order.
pub(super) fn stored(e: &Entry) -> [String; 10] {
    let (lat, lon) = coordinates(e);
    [
        e.id.clone(),
        e.name.clone(),
        e.level.clone(),
        e.region.clone(),
        e.address.clone(),
        lat,
        lon,
        e.phone.clone(),
        e.hours.clone(),
        e.services.clone(),
    ]
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

fn row_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let mut c: [String; 10] = Default::default();
    for (i, v) in c.iter_mut().enumerate() {
        *v = r.get(i)?;
    }
    Ok(entry_from(c))
}

/// Every entry by id.
pub fn list(conn: &Connection, kind: Kind) -> Result<Vec<Entry>, StoreError> {
    let mut stmt = conn.prepare_cached(&list_sql(kind))?;
    let rows = stmt.query_map([], row_entry)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One entry.
pub fn get(conn: &Connection, kind: Kind, id: &str) -> Result<Option<Entry>, StoreError> {
    Ok(conn.query_row(&get_sql(kind), [id], row_entry).optional()?)
}

/// Adds one entry; false when its id is taken (nothing changed).
pub fn add(conn: &Connection, kind: Kind, e: &Entry) -> Result<bool, StoreError> {
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
    ] = stored(e);
    let n = conn.execute(
        &add_sql(kind),
        params![
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
            now_text()
        ],
    )?;
    Ok(n == 1)
}

/// Changes one entry; false when there is none with its id.
pub fn update(conn: &Connection, kind: Kind, e: &Entry) -> Result<bool, StoreError> {
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
    ] = stored(e);
    let n = conn.execute(
        &update_sql(kind),
        params![
            name, level, region, address, lat, lon, phone, hours, services, id
        ],
    )?;
    Ok(n == 1)
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
