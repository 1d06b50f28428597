//! The directory of platforms and institutions on PostgreSQL (SQL of `store/directory.rs`).

use super::super::directory::{
    Kind, add_sql, coordinates, entry_from, get_sql, list_sql, stored, update_sql, upsert_sql,
};
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

    /// One entry.
    pub async fn directory_get(&self, kind: Kind, id: &str) -> Result<Option<Entry>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(&get_sql(kind), &[&text(id).as_ref()])
            .await?;
        Ok(row.map(|r| entry_from(std::array::from_fn(|i| r.get::<_, String>(i)))))
    }

    /// Adds one entry; false when its id is taken (nothing changed).
    pub async fn directory_add(&self, kind: Kind, e: &Entry) -> Result<bool, StoreError> {
        let mut fields = stored(e).map(|f| text(&f).into_owned()).to_vec();
        fields.push(now_text());
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            fields.iter().map(|f| f as _).collect();
        let n = self
            .client()
            .await?
            .execute(&add_sql(kind), &params)
            .await?;
        Ok(n == 1)
    }

    /// Changes one entry; false when there is none with its id.
    pub async fn directory_update(&self, kind: Kind, e: &Entry) -> Result<bool, StoreError> {
        let mut fields = stored(e).map(|f| text(&f).into_owned()).to_vec();
        // The id goes last (see `update_sql`).
        fields.rotate_left(1);
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            fields.iter().map(|f| f as _).collect();
        let n = self
            .client()
            .await?
            .execute(&update_sql(kind), &params)
            .await?;
        Ok(n == 1)
    }
}
