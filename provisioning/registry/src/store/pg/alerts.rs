//! Alerts on PostgreSQL (the SQL is SQLite's, see `store/alerts.rs`).

use super::super::StoreError;
use super::super::alerts::{self as sql, Alert, Change};
use super::PgStore;

fn from_row(r: &tokio_postgres::Row) -> Alert {
    Alert {
        id: r.get(0),
        device_id: r.get(1),
        kind: r.get(2),
        detail: r.get(3),
        raised_at: r.get(4),
        acknowledged_at: r.get(5),
        acknowledged_by: r.get(6),
        cleared_at: r.get(7),
    }
}

impl PgStore {
    /// The open alerts, oldest first.
    pub async fn alerts_open(&self) -> Result<Vec<Alert>, StoreError> {
        let rows = self.client().await?.query(&sql::open_sql(), &[]).await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// One alert.
    pub async fn alert(&self, id: i64) -> Result<Option<Alert>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(&sql::one_sql(), &[&id])
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Applies changes in one transaction.
    pub async fn alerts_apply(&self, changes: &[Change], now: &str) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for change in changes {
            match change {
                Change::Raise(device, kind, detail) => {
                    tx.execute(sql::RAISE, &[device, kind, detail, &now])
                        .await?;
                }
                Change::Clear(id) => {
                    tx.execute(sql::CLEAR, &[&now, id]).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks an alert acknowledged; false if no such alert.
    pub async fn alert_acknowledge(
        &self,
        id: i64,
        by: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        let client = self.client().await?;
        client.execute(sql::ACK, &[&now, &by, &id]).await?;
        Ok(client.query_opt(&sql::one_sql(), &[&id]).await?.is_some())
    }

    /// (device, payload) of every refused-bundle report.
    pub async fn bundle_refusals(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self.client().await?.query(sql::REFUSALS, &[]).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}
