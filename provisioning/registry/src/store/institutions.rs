//! Institutions with everything the `institutions` bundle carries (issue 19): the directory's
//! `institutions` table (`store/directory.rs`, which the console imports into) gains the
//! kind, the Korean and English names, the hours note, the free services and wheelchair
//! access. Coordinates stay WGS-84 text, as the directory keeps them. SQL shared with
//! PostgreSQL (`pg/institutions.rs`).

use super::{Store, StoreError, now_text};
use rusqlite::{Connection, params};

/// The schema (the same on SQLite and PostgreSQL).
pub const DDL: &str = "
ALTER TABLE institutions ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN name_ko TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN hours_note TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN free_services TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN wheelchair TEXT NOT NULL DEFAULT '';
";

/// One stored institution, as text (empty = not known). Checked by `crate::institutions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstitutionRow {
    /// Id.
    pub id: String,
    /// Kind code (empty for rows the console imported without one).
    pub kind: String,
    /// Chinese name.
    pub name: String,
    /// Korean name.
    pub name_ko: String,
    /// English name.
    pub name_en: String,
    /// The directory's level (市 / 县区 / …), or empty.
    pub level: String,
    /// Division code.
    pub region: String,
    /// Address.
    pub address: String,
    /// WGS-84 latitude.
    pub lat: String,
    /// WGS-84 longitude.
    pub lon: String,
    /// Phone.
    pub phone: String,
    /// Opening hours (`provisioning::institutions::hours` syntax).
    pub hours: String,
    /// About the hours, as published.
    pub hours_note: String,
    /// Services, `;`-separated.
    pub services: String,
    /// Free services, `;`-separated.
    pub free_services: String,
    /// Wheelchair access code.
    pub wheelchair: String,
}

/// Columns, in the order of [`InstitutionRow`].
pub(super) const COLUMNS: &str = "id, kind, name, name_ko, name_en, level, region, address, lat, lon, phone, hours, hours_note, services, free_services, wheelchair";

pub(super) fn list_sql() -> String {
    format!("SELECT {COLUMNS} FROM institutions ORDER BY id")
}

pub(super) fn upsert_sql() -> String {
    format!(
        "INSERT INTO institutions ({COLUMNS}, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
           name_ko = excluded.name_ko, name_en = excluded.name_en, level = excluded.level,
           region = excluded.region, address = excluded.address, lat = excluded.lat,
           lon = excluded.lon, phone = excluded.phone, hours = excluded.hours,
           hours_note = excluded.hours_note, services = excluded.services,
           free_services = excluded.free_services, wheelchair = excluded.wheelchair"
    )
}

impl InstitutionRow {
    /// The columns as text, in order.
    pub(super) fn fields(&self) -> [&str; 16] {
        [
            &self.id,
            &self.kind,
            &self.name,
            &self.name_ko,
            &self.name_en,
            &self.level,
            &self.region,
            &self.address,
            &self.lat,
            &self.lon,
            &self.phone,
            &self.hours,
            &self.hours_note,
            &self.services,
            &self.free_services,
            &self.wheelchair,
        ]
    }

    /// From the columns, in order.
    pub(super) fn from_fields(c: [String; 16]) -> Self {
        let [
            id,
            kind,
            name,
            name_ko,
            name_en,
            level,
            region,
            address,
            lat,
            lon,
            phone,
            hours,
            hours_note,
            services,
            free_services,
            wheelchair,
        ] = c;
        Self {
            id,
            kind,
            name,
            name_ko,
            name_en,
            level,
            region,
            address,
            lat,
            lon,
            phone,
            hours,
            hours_note,
            services,
            free_services,
            wheelchair,
        }
    }
}

/// Every institution by id.
pub fn list(conn: &Connection) -> Result<Vec<InstitutionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&list_sql())?;
    let rows = stmt.query_map([], |r| {
        let mut c: [String; 16] = Default::default();
        for (i, slot) in c.iter_mut().enumerate() {
            *slot = r.get(i)?;
        }
        Ok(InstitutionRow::from_fields(c))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds or updates every row, in one transaction (all or nothing).
pub fn import(conn: &mut Connection, rows: &[InstitutionRow]) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(&upsert_sql())?;
        let now = now_text();
        for row in rows {
            let f = row.fields();
            stmt.execute(params![
                f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12],
                f[13], f[14], f[15], now
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

impl Store {
    /// Every institution with its bundle fields (blocking).
    pub fn institutions(&self) -> Result<Vec<InstitutionRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.with(|c| list(c)),
            Store::Postgres(p) => super::wait(|| p.institutions()),
        }
    }

    /// Adds or updates institutions, all in one transaction (blocking).
    pub fn institutions_import(&self, rows: &[InstitutionRow]) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.with(|c| import(c, rows)),
            Store::Postgres(p) => super::wait(|| p.institutions_import(rows)),
        }
    }
}
