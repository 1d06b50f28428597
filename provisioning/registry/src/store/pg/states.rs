//! Terminals' changes of state on PostgreSQL (SQL of `store/states.rs`).

use super::super::StoreError;
use super::super::states::{APPEND, HISTORY, LAST, NewState, StateChange, change};
use super::PgStore;

impl PgStore {
    /// The signature of each terminal's last row.
    pub async fn states_last(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self.client().await?.query(LAST, &[]).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Appends rows in one transaction.
    pub async fn states_append(&self, rows: &[NewState], at: &str) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for (device, signature, state) in rows {
            tx.execute(APPEND, &[device, &at, signature, state]).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A terminal's latest changes, newest first.
    pub async fn states_history(
        &self,
        device: &str,
        limit: i64,
    ) -> Result<Vec<StateChange>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(HISTORY, &[&device, &limit])
            .await?;
        Ok(rows
            .iter()
            .map(|r| change(r.get(0), &r.get::<_, String>(1)))
            .collect())
    }
}
