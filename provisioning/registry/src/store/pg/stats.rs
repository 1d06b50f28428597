//! Demand analysis rollups on PostgreSQL (see `store::stats`): written by one statement per
//! table and batch, read with the same SQL as SQLite's in PostgreSQL's dialect.

use super::PgStore;
use crate::store::StoreError;
use crate::store::stats::{self, Dialect, MEASURES, Param, Query, Rollup, Row, Sums};
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;

/// The measures of `sums` as five columns.
#[derive(Default)]
struct Columns {
    n: Vec<i64>,
    wait_n: Vec<i64>,
    wait_s: Vec<i64>,
    serve_n: Vec<i64>,
    serve_s: Vec<i64>,
}

impl Columns {
    fn push(&mut self, s: &Sums) {
        self.n.push(s.n);
        self.wait_n.push(s.wait_n);
        self.wait_s.push(s.wait_s);
        self.serve_n.push(s.serve_n);
        self.serve_s.push(s.serve_s);
    }
}

/// Adds a batch's rollup to the tables (in the caller's transaction). Rows go in key order
/// (the maps are sorted), so two batches touching the same rows lock them in the same order
/// and never deadlock.
pub async fn write(tx: &impl GenericClient, rollup: &Rollup) -> Result<(), StoreError> {
    if rollup.is_empty() {
        return Ok(());
    }
    let (mut day, mut hour, mut platform, mut metric, mut k1, mut k2, mut m) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Columns::default(),
    );
    for ((d, h, p, me, a, b), s) in &rollup.hourly {
        day.push(d.as_str());
        hour.push(*h);
        platform.push(p.as_str());
        metric.push(*me);
        k1.push(a.as_str());
        k2.push(b.as_str());
        m.push(s);
    }
    tx.execute(
        &format!(
            "INSERT INTO stats_hourly (day, hour, platform_id, metric, k1, k2, {MEASURES})
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
             ON CONFLICT (day, hour, platform_id, metric, k1, k2) DO UPDATE SET {}",
            stats::merge("stats_hourly")
        ),
        &[&day, &hour, &platform, &metric, &k1, &k2, &m.n, &m.wait_n, &m.wait_s, &m.serve_n, &m.serve_s],
    )
    .await?;
    let (mut day, mut platform, mut metric, mut k1, mut k2, mut m) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Columns::default(),
    );
    for ((d, p, me, a, b), s) in &rollup.daily {
        day.push(d.as_str());
        platform.push(p.as_str());
        metric.push(*me);
        k1.push(a.as_str());
        k2.push(b.as_str());
        m.push(s);
    }
    tx.execute(
        &format!(
            "INSERT INTO stats_daily (day, platform_id, metric, k1, k2, {MEASURES})
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                  $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
             ON CONFLICT (day, platform_id, metric, k1, k2) DO UPDATE SET {}",
            stats::merge("stats_daily")
        ),
        &[&day, &platform, &metric, &k1, &k2, &m.n, &m.wait_n, &m.wait_s, &m.serve_n, &m.serve_s],
    )
    .await?;
    let (mut day, mut device, mut platform, mut metric, mut m) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Columns::default(),
    );
    for ((d, dev, p, me), s) in &rollup.terminal {
        day.push(d.as_str());
        device.push(dev.as_str());
        platform.push(p.as_str());
        metric.push(*me);
        m.push(s);
    }
    tx.execute(
        &format!(
            "INSERT INTO stats_terminal_daily (day, device_id, platform_id, metric, {MEASURES})
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
                                  $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
             ON CONFLICT (day, device_id, platform_id, metric) DO UPDATE SET {}",
            stats::merge("stats_terminal_daily")
        ),
        &[&day, &device, &platform, &metric, &m.n, &m.wait_n, &m.wait_s, &m.serve_n, &m.serve_s],
    )
    .await?;
    Ok(())
}

impl PgStore {
    /// Sums of the rollups (see `stats::Query`).
    pub async fn stats_query(&self, q: &Query) -> Result<Vec<Row>, StoreError> {
        let (sql, params) = q.sql(Dialect::Postgres);
        let platforms = q.platforms.clone().unwrap_or_default();
        let device = q.device.clone().unwrap_or_default();
        let values: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| -> &(dyn ToSql + Sync) {
                match p {
                    Param::From => &q.from,
                    Param::To => &q.to,
                    Param::Metrics => &q.metrics,
                    Param::Platforms => &platforms,
                    Param::Device => &device,
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
        tx.batch_execute(
            "LOCK TABLE events IN SHARE MODE;
             DELETE FROM stats_hourly; DELETE FROM stats_daily; DELETE FROM stats_terminal_daily;",
        )
        .await?;
        let kinds = stats::rebuilt_kinds();
        let (mut last, mut counted) = (0i64, 0u64);
        loop {
            let rows = tx
                .query(
                    "SELECT id, device_id, platform_id, kind, payload, created_at FROM events
                     WHERE id > $1 AND kind = ANY($2::text[]) ORDER BY id LIMIT $3",
                    &[&last, &kinds, &stats::REBUILD_STEP],
                )
                .await?;
            let mut rollup = Rollup::default();
            for r in &rows {
                last = r.get(0);
                counted += 1;
                rollup.add_text(r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
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
