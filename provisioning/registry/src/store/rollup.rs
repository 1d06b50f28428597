//! What a batch of events adds to the demand analysis's rollups (see `store::stats`).
//!
//! A batch first sums its events at the finest grain (place × day × hour × metric × keys):
//! a terminal's batch of 500 events folds into a hundred or so such cells, and only those are
//! spread over the nine tables. Spreading every event over every table built thousands of
//! key vectors per batch, the largest part of what the rollups cost at ingest.

use super::StoreError;
use super::stats::{MEASURES, Sums, Table, contributions, counted, day_hour, merge};
use rusqlite::Transaction;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The finest grain: one place, one hour of one day, one metric and its keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Cell {
    /// Index into `Rollup::places`.
    place: usize,
    day: String,
    weekday: String,
    hour: String,
    metric: &'static str,
    k1: String,
    k2: String,
}

/// The rollups' additions of a batch of events, merged (one upsert per row touched). Rows
/// come out in key order (so that concurrent batches on PostgreSQL lock rows in the same
/// order).
#[derive(Debug, Default)]
pub struct Rollup {
    /// The (terminal, platform, region) of the events, each once.
    places: Vec<(String, String, String)>,
    /// Their indices (a batch has one; a rebuild's step has many).
    place_index: HashMap<(String, String, String), usize>,
    cells: HashMap<Cell, Sums>,
}

/// Rows of each table: key values and the sums to add.
pub type Rows = BTreeMap<(Table, Vec<String>), Sums>;

/// The rows of `table` in `rows`, in key order.
pub fn of(rows: &Rows, table: Table) -> impl Iterator<Item = (&Vec<String>, &Sums)> {
    rows.range((table, Vec::new())..)
        .take_while(move |((t, _), _)| *t == table)
        .map(|((_, k), s)| (k, s))
}

impl Rollup {
    fn place(&mut self, device_id: &str, platform_id: &str, region: &str) -> usize {
        // A batch is one terminal's: the last place is almost always the one.
        if let Some(last) = self.places.len().checked_sub(1) {
            let (d, p, r) = &self.places[last];
            if d == device_id && p == platform_id && r == region {
                return last;
            }
        }
        let key = (device_id.into(), platform_id.into(), region.into());
        if let Some(i) = self.place_index.get(&key) {
            return *i;
        }
        self.places.push(key.clone());
        self.place_index.insert(key, self.places.len() - 1);
        self.places.len() - 1
    }

    /// Adds one stored event of a terminal at `platform_id` in `region`.
    pub fn add(
        &mut self,
        device_id: &str,
        platform_id: &str,
        region: &str,
        kind: &str,
        payload: &Value,
        created_at: &str,
    ) {
        let contributions = contributions(kind, payload);
        if contributions.is_empty() {
            return;
        }
        let Some((day, weekday, hour)) = day_hour(created_at) else {
            return;
        };
        let place = self.place(device_id, platform_id, region);
        for c in contributions {
            let cell = Cell {
                place,
                day: day.clone(),
                weekday: weekday.clone(),
                hour: hour.clone(),
                metric: c.metric,
                k1: c.k1,
                k2: c.k2,
            };
            self.cells.entry(cell).or_default().add(&c.sums);
        }
    }

    /// Adds one stored event whose payload is JSON text.
    pub fn add_text(
        &mut self,
        device_id: &str,
        platform_id: &str,
        region: &str,
        kind: &str,
        payload: &str,
        created_at: &str,
    ) {
        if !counted(kind) {
            return;
        }
        if let Ok(payload) = serde_json::from_str::<Value>(payload) {
            self.add(device_id, platform_id, region, kind, &payload, created_at);
        }
    }

    /// Nothing to add.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Every table's rows to add.
    pub fn rows(&self) -> Rows {
        let mut rows = Rows::new();
        for (cell, sums) in &self.cells {
            let (d, p, r) = &self.places[cell.place];
            let (day, wd, h) = (&cell.day, &cell.weekday, &cell.hour);
            let month = &day[..7.min(day.len())];
            let m = cell.metric;
            let (k1, k2) = (cell.k1.as_str(), cell.k2.as_str());
            for (table, key) in [
                (Table::Daily, [day, p, m, k1, k2].as_slice()),
                (Table::Hourly, &[day, wd, h, p, m]),
                (Table::Terminal, &[day, d, p, m]),
                (Table::PlatformMonthly, &[month, p, m]),
                (Table::RegionDaily, &[day, r, m, k1, k2]),
                (Table::RegionMonthly, &[month, r, m, k1, k2]),
                (Table::RegionHourly, &[day, wd, h, r, m]),
                (Table::RegionMonthlyHours, &[month, wd, h, r, m]),
                (Table::RegionDay, &[day, r, m]),
            ] {
                let key = key.iter().map(|k| k.to_string()).collect();
                rows.entry((table, key)).or_default().add(sums);
            }
        }
        rows
    }

    /// Adds to SQLite's rollups (in the caller's transaction).
    pub fn write(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        let rows = self.rows();
        for table in Table::ALL {
            let keys = table.keys();
            let width = keys.len() + 5;
            let placeholders = (1..=width)
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut stmt = tx.prepare_cached(&format!(
                "INSERT INTO {name} ({cols}, {MEASURES}) VALUES ({placeholders})
                 ON CONFLICT ({cols}) DO UPDATE SET {merge}",
                name = table.name(),
                cols = keys.join(", "),
                merge = merge(table.name())
            ))?;
            for (key, s) in of(&rows, table) {
                let measures = [s.n, s.wait_n, s.wait_s, s.serve_n, s.serve_s];
                let values: Vec<&dyn rusqlite::ToSql> = key
                    .iter()
                    .map(|k| k as &dyn rusqlite::ToSql)
                    .chain(measures.iter().map(|m| m as &dyn rusqlite::ToSql))
                    .collect();
                stmt.execute(values.as_slice())?;
            }
        }
        Ok(())
    }
}
