//! What several registry instances share through the database: the replay guard's nonces.

use super::PgStore;
use crate::store::StoreError;
use provisioning::auth::MAX_CLOCK_SKEW_SECS;

impl PgStore {
    /// Records a request's nonce; false when this device used it before (a replay), on
    /// this instance or another one. Nonces older than twice the clock window are pruned
    /// by [`PgStore::prune_nonces`]: their requests are refused for their timestamp anyway.
    pub async fn record_nonce(
        &self,
        device_id: &str,
        nonce: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let n = client
            .execute(
                "INSERT INTO request_nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&device_id, &nonce, &now],
            )
            .await?;
        Ok(n == 1)
    }

    /// Deletes nonces past the window; returns how many.
    pub async fn prune_nonces(&self, now: i64) -> Result<u64, StoreError> {
        let client = self.client().await?;
        Ok(client
            .execute(
                "DELETE FROM request_nonces WHERE seen_at < $1",
                &[&(now - 2 * MAX_CLOCK_SKEW_SECS)],
            )
            .await?)
    }
}
