//! The directory of platforms and institutions on PostgreSQL (SQL of `store/directory.rs`).

use super::super::directory::{Kind, coordinates, entry_from, list_sql, upsert_sql};
use super::super::{StoreError, now_text};
use super::{PgStore, text};
use crate::directory::Entry;

impl PgStore {
    /// Every entry by id.
    pub async fn directory(&self, kind: Kind) -> Result<Vec<Entry>, StoreError> {
        let rows = self.client().await?.query(&list_sql(kind), &[]).await?;
        Ok(rows
            .iter()
            .map(|r| entry_from(std::array::from_fn(|i| r.get::<_, String>(i))))
            .collect())
    }

    /// Adds or updates every entry, in one transaction.
    pub async fn directory_import(&self, kind: Kind, entries: &[Entry]) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let stmt = tx.prepare(&upsert_sql(kind)).await?;
        let now = now_text();
        for e in entries {
            let (lat, lon) = coordinates(e);
            let fields = [
                text(&e.id).into_owned(),
                text(&e.name).into_owned(),
                text(&e.level).into_owned(),
                text(&e.region).into_owned(),
                text(&e.address).into_owned(),
                text(&lat).into_owned(),
                text(&lon).into_owned(),
                text(&e.phone).into_owned(),
                text(&e.hours).into_owned(),
                text(&e.services).into_owned(),
                text(&now).into_owned(),
            ];
            let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                fields.iter().map(|f| f as _).collect();
            tx.execute(&stmt, &params).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
