//! The store's operations for the demand analysis: queries of the rollups (async, for the
//! console) and their rebuild from the events (blocking, for `kiosk-registry stats rebuild`).

use super::stats::{self, Query, Row};
use super::{Store, StoreError, wait};

impl Store {
    /// Sums of the rollups.
    pub async fn stats_query(&self, q: Query) -> Result<Vec<Row>, StoreError> {
        match self {
            Store::Sqlite(s) => s.call(move |c| stats::query(c, &q)).await,
            Store::Postgres(p) => p.stats_query(&q).await,
        }
    }

    /// Recomputes the rollups from the stored events (blocking); returns the events counted.
    pub fn stats_rebuild(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.with(stats::rebuild),
            Store::Postgres(p) => wait(|| p.stats_rebuild()),
        }
    }
}
