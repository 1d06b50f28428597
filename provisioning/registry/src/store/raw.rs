//! Plain SQL on either store, for tests and one-off ops checks: `?1`-style placeholders
//! (written as for SQLite, turned into `$1` for PostgreSQL), text or integer parameters,
//! the first column of results as text.

use super::{Store, StoreError, wait};
use tokio_postgres::types::ToSql;

/// A parameter.
#[derive(Debug, Clone)]
pub enum Param {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
}

impl From<&str> for Param {
    fn from(s: &str) -> Self {
        Self::Text(s.to_string())
    }
}

impl From<String> for Param {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<i64> for Param {
    fn from(i: i64) -> Self {
        Self::Int(i)
    }
}

pub(crate) fn for_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

fn sqlite_params(params: &[Param]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(s) => rusqlite::types::Value::Text(s.clone()),
            Param::Int(i) => rusqlite::types::Value::Integer(*i),
        })
        .collect()
}

fn pg_params(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(s) => s as &(dyn ToSql + Sync),
            Param::Int(i) => i as &(dyn ToSql + Sync),
        })
        .collect()
}

impl Store {
    /// Runs a statement; returns the rows changed.
    pub fn sql_execute(&self, sql: &str, params: &[Param]) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.with(|c| {
                Ok(c.execute(sql, rusqlite::params_from_iter(sqlite_params(params)))? as u64)
            }),
            Store::Postgres(p) => wait(|| async {
                let sql = for_postgres(sql);
                Ok(p.client().await?.execute(&sql, &pg_params(params)).await?)
            }),
        }
    }

    /// Runs a query; returns its first column as text (write `CAST(… AS TEXT)` for others).
    pub fn sql_text(&self, sql: &str, params: &[Param]) -> Result<Vec<Option<String>>, StoreError> {
        match self {
            Store::Sqlite(s) => s.with(|c| {
                let mut stmt = c.prepare(sql)?;
                let rows = stmt
                    .query_map(rusqlite::params_from_iter(sqlite_params(params)), |r| {
                        r.get::<_, Option<String>>(0)
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            }),
            Store::Postgres(p) => wait(|| async {
                let sql = for_postgres(sql);
                let rows = p.client().await?.query(&sql, &pg_params(params)).await?;
                Ok(rows.iter().map(|r| r.get::<_, Option<String>>(0)).collect())
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_numbered_dollars() {
        assert_eq!(
            super::for_postgres("UPDATE t SET a = ?2 WHERE b = ?1 AND c = '?'"),
            "UPDATE t SET a = $2 WHERE b = $1 AND c = '?'"
        );
    }
}
