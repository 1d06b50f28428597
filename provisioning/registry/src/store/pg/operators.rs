//! The console's accounts, sessions and audit on PostgreSQL (the SQL is SQLite's, see
//! `store/operators.rs`).

use super::super::operators::{self as sql, AuditEntry, Operator, operator_from, regions_json};
use super::super::{StoreError, now_text};
use super::{PgStore, text};

fn from_row(r: &tokio_postgres::Row) -> (Operator, String) {
    let (role, regions): (String, String) = (r.get(1), r.get(2));
    (operator_from(r.get(0), &role, &regions, r.get(3)), r.get(4))
}

impl PgStore {
    /// Adds an account or replaces its role, regions and password hash.
    pub async fn operator_upsert(&self, op: &Operator, hash: &str) -> Result<(), StoreError> {
        let regions = regions_json(op)?;
        self.client()
            .await?
            .execute(
                sql::UPSERT,
                &[
                    &text(&op.username),
                    &op.role.as_str(),
                    &regions,
                    &hash,
                    &now_text(),
                ],
            )
            .await?;
        Ok(())
    }

    /// An account and its password hash.
    pub async fn operator(&self, username: &str) -> Result<Option<(Operator, String)>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(sql::GET, &[&text(username)])
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Every account by name.
    pub async fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let rows = self.client().await?.query(sql::LIST, &[]).await?;
        Ok(rows.iter().map(|r| from_row(r).0).collect())
    }

    /// Disables an account and ends its sessions.
    pub async fn operator_disable(&self, username: &str) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        if tx.execute(sql::DISABLE, &[&username]).await? == 0 {
            return Err(StoreError::NotFound(format!("no operator {username}")));
        }
        tx.execute(sql::END_SESSIONS, &[&username]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a session until `expires_at`, forgetting expired ones.
    pub async fn operator_session_create(
        &self,
        token_hash: &str,
        username: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.execute(sql::PRUNE_SESSIONS, &[&now]).await?;
        client
            .execute(sql::CREATE_SESSION, &[&token_hash, &username, &expires_at])
            .await?;
        Ok(())
    }

    /// The active account behind a live session.
    pub async fn operator_session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<Operator>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(sql::LOOKUP_SESSION, &[&token_hash, &now])
            .await?;
        Ok(row.as_ref().map(|r| from_row(r).0))
    }

    /// Ends one session.
    pub async fn operator_session_remove(&self, token_hash: &str) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(sql::REMOVE_SESSION, &[&token_hash])
            .await?;
        Ok(())
    }

    /// Appends to the audit.
    pub async fn operator_audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                sql::AUDIT,
                &[
                    &e.at,
                    &text(&e.username),
                    &e.source,
                    &e.action,
                    &text(&e.target),
                    &e.outcome,
                ],
            )
            .await?;
        Ok(())
    }

    /// The latest `limit` audit entries, newest first.
    pub async fn operator_audit_list(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(sql::AUDIT_LIST, &[&limit])
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                at: r.get(0),
                username: r.get(1),
                source: r.get(2),
                action: r.get(3),
                target: r.get(4),
                outcome: r.get(5),
            })
            .collect())
    }
}
