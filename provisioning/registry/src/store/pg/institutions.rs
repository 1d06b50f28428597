//! Institutions with their bundle fields on PostgreSQL (SQL of `store/institutions.rs`).

use super::super::institutions::{InstitutionRow, list_sql, upsert_sql};
use super::super::{StoreError, now_text};
use super::{PgStore, text};

impl PgStore {
    /// Every institution by id.
    pub async fn institutions(&self) -> Result<Vec<InstitutionRow>, StoreError> {
        let rows = self.client().await?.query(&list_sql(), &[]).await?;
        Ok(rows
            .iter()
            .map(|r| InstitutionRow::from_fields(std::array::from_fn(|i| r.get::<_, String>(i))))
            .collect())
    }

    /// Adds or updates every row, in one transaction.
    pub async fn institutions_import(&self, rows: &[InstitutionRow]) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let stmt = tx.prepare(&upsert_sql()).await?;
        let now = now_text();
        for row in rows {
            let mut fields: Vec<String> =
                row.fields().iter().map(|f| text(f).into_owned()).collect();
            fields.push(now.clone());
            let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                fields.iter().map(|f| f as _).collect();
            tx.execute(&stmt, &params).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
