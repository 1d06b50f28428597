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

/// Lawyers' console sessions in the database: a login on one instance opens signalling on
/// any other. Only the token's SHA-256 is stored.
impl PgStore {
    /// Records a session until `expires_at` (Unix seconds).
    pub async fn session_create(
        &self,
        token_hash: &str,
        username: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM lawyer_sessions WHERE expires_at <= $1",
                &[&chrono::Utc::now().timestamp()],
            )
            .await?;
        client
            .execute(
                "INSERT INTO lawyer_sessions (token_hash, username, expires_at) VALUES ($1, $2, $3)",
                &[&token_hash, &username, &expires_at],
            )
            .await?;
        Ok(())
    }

    /// The active account behind a live session: (username, display name, regions).
    pub async fn session_lookup(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(String, String, Vec<String>)>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT l.username, l.display_name, l.regions FROM lawyer_sessions s
                 JOIN lawyers l ON l.username = s.username
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND l.status = 'active'",
                &[&token_hash, &now],
            )
            .await?;
        Ok(row.map(|r| {
            let regions: String = r.get(2);
            (
                r.get(0),
                r.get(1),
                serde_json::from_str(&regions).unwrap_or_default(),
            )
        }))
    }

    /// Ends one session.
    pub async fn session_remove(&self, token_hash: &str) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM lawyer_sessions WHERE token_hash = $1",
                &[&token_hash],
            )
            .await?;
        Ok(())
    }

    /// Accounts with a live session on any instance.
    pub async fn session_usernames(&self, now: i64) -> Result<Vec<String>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT DISTINCT username FROM lawyer_sessions WHERE expires_at > $1 ORDER BY username",
                &[&now],
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.get(0)).collect())
    }

    /// Ends every session of these accounts; returns how many.
    pub async fn sessions_end_for(&self, usernames: &[String]) -> Result<u64, StoreError> {
        Ok(self
            .client()
            .await?
            .execute(
                "DELETE FROM lawyer_sessions WHERE username = ANY($1)",
                &[&usernames],
            )
            .await?)
    }
}

/// Wrong passwords per account across instances (each instance also keeps its own guard).
impl PgStore {
    /// Seconds until `account` may try again, if its wrong passwords reached `max` within
    /// the last `lockout_s` seconds.
    pub async fn account_locked(
        &self,
        account: &str,
        max: u32,
        lockout_s: i64,
        now: i64,
    ) -> Result<Option<u64>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT failures, last_failure FROM login_failures WHERE account = $1",
                &[&super::text(account)],
            )
            .await?;
        Ok(row.and_then(|r| {
            let (failures, last): (i32, i64) = (r.get(0), r.get(1));
            let left = lockout_s - (now - last);
            (failures >= max as i32 && left > 0).then_some(left as u64)
        }))
    }

    /// Records a login's outcome: a success forgets the account's wrong passwords; a
    /// failure counts one more (starting again after `lockout_s` without any).
    pub async fn record_login(
        &self,
        account: &str,
        succeeded: bool,
        lockout_s: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        let account = super::text(account);
        if succeeded {
            client
                .execute("DELETE FROM login_failures WHERE account = $1", &[&account])
                .await?;
            return Ok(());
        }
        client
            .execute(
                "DELETE FROM login_failures WHERE last_failure < $1",
                &[&(now - lockout_s)],
            )
            .await?;
        client
            .execute(
                "INSERT INTO login_failures (account, failures, last_failure) VALUES ($1, 1, $2)
                 ON CONFLICT (account) DO UPDATE SET failures = login_failures.failures + 1,
                   last_failure = excluded.last_failure",
                &[&account, &now],
            )
            .await?;
        Ok(())
    }
}
