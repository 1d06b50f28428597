//! Demand analysis rollups on PostgreSQL (see `store::stats`): written by one statement per
//! table and batch, read with the same SQL as SQLite's in PostgreSQL's dialect.

use super::PgStore;
use crate::store::StoreError;
use crate::store::rollup;
use crate::store::stats::{self, Dialect, MEASURES, Param, Query, Rollup, Row, Sums, Table};
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;

/// Adds a batch's rollup to the tables (in the caller's transaction). Rows go in key order
/// (the rollup is sorted), so two batches touching the same rows lock them in the same
/// order and never deadlock.
pub async fn write(tx: &impl GenericClient, rollup: &Rollup) -> Result<(), StoreError> {
    let rows = rollup.rows();
    for table in Table::ALL {
        let keys = table.keys();
        let mut columns: Vec<Vec<&str>> = vec![Vec::new(); keys.len()];
        let mut measures: [Vec<i64>; 5] = Default::default();
        for (key, s) in rollup::of(&rows, table) {
            for (column, value) in columns.iter_mut().zip(key) {
                column.push(value);
            }
            for (column, value) in measures
                .iter_mut()
                .zip([s.n, s.wait_n, s.wait_s, s.serve_n, s.serve_s])
            {
                column.push(value);
            }
        }
        if measures[0].is_empty() {
            continue;
        }
        let arrays = (1..=keys.len())
            .map(|i| format!("${i}::text[]"))
            .chain((keys.len() + 1..=keys.len() + 5).map(|i| format!("${i}::bigint[]")))
            .collect::<Vec<_>>()
            .join(", ");
        let mut values: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(keys.len() + 5);
        for column in &columns {
            values.push(column);
        }
        for column in &measures {
            values.push(column);
        }
        tx.execute(
            &format!(
                "INSERT INTO {name} ({cols}, {MEASURES}) SELECT * FROM unnest({arrays})
                 ON CONFLICT ({cols}) DO UPDATE SET {merge}",
                name = table.name(),
                cols = keys.join(", "),
                merge = stats::merge(table.name())
            ),
            &values,
        )
        .await?;
    }
    Ok(())
}

impl PgStore {
    /// Sums of the rollups (see `stats::Query`).
    pub async fn stats_query(&self, q: &Query) -> Result<Vec<Row>, StoreError> {
        let (sql, params) = q.sql(Dialect::Postgres)?;
        let places = q.places.clone().unwrap_or_default();
        let values: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| -> &(dyn ToSql + Sync) {
                match p {
                    Param::From => &q.from,
                    Param::To => &q.to,
                    Param::Metrics => &q.metrics,
                    Param::Places => &places,
                }
            })
            .collect();
        let client = self.client().await?;
        let width = q.group.len();
        let rows = client.query(&sql, &values).await?;
        Ok(rows
            .into_iter()
            .map(|r| Row {
                keys: (0..width)
                    .map(|i| r.get::<_, Option<String>>(i).unwrap_or_default())
                    .collect(),
                sums: Sums {
                    n: r.get(width),
                    wait_n: r.get(width + 1),
                    wait_s: r.get(width + 2),
                    serve_n: r.get(width + 3),
                    serve_s: r.get(width + 4),
                },
            })
            .collect())
    }

    /// Recomputes the rollups from the events in one transaction. The events table is locked
    /// against writes meanwhile (instances' ingest waits), so no batch is counted twice or
    /// missed.
    pub async fn stats_rebuild(&self) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.batch_execute("LOCK TABLE events IN SHARE MODE").await?;
        for table in Table::ALL {
            tx.batch_execute(&format!("DELETE FROM {}", table.name()))
                .await?;
        }
        let kinds = stats::rebuilt_kinds();
        let (mut last, mut counted) = (0i64, 0u64);
        loop {
            let rows = tx
                .query(
                    &format!(
                        "{} WHERE e.id > $1 AND e.kind = ANY($2::text[]) ORDER BY e.id LIMIT $3",
                        stats::REBUILD_READ
                    ),
                    &[&last, &kinds, &stats::REBUILD_STEP],
                )
                .await?;
            let mut rollup = Rollup::default();
            for r in &rows {
                last = r.get(0);
                counted += 1;
                rollup.add_text(r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6));
            }
            write(&tx, &rollup).await?;
            if (rows.len() as i64) < stats::REBUILD_STEP {
                break;
            }
        }
        tx.commit().await?;
        Ok(counted)
    }
}
