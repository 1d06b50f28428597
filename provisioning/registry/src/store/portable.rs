//! SQL written once for both stores, for the features that need no store-specific tricks
//! (releases and rollouts): `?1`-style placeholders (turned into `$1` for PostgreSQL),
//! integer, text and byte values, statements run together in one transaction.

use super::{Store, StoreError, raw::for_postgres};
use tokio_postgres::types::{ToSql, Type};

/// A parameter or a column's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// NULL (as a parameter: text only, PostgreSQL wants a type).
    Null,
    /// Integer (`INTEGER` in SQLite, `BIGINT` in PostgreSQL).
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes (`BLOB` / `BYTEA`).
    Bytes(Vec<u8>),
}

impl Value {
    /// The text, or "" for anything else.
    pub fn text(&self) -> &str {
        match self {
            Self::Text(s) => s,
            _ => "",
        }
    }

    /// The text, or None for NULL.
    pub fn opt_text(&self) -> Option<String> {
        match self {
            Self::Text(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// The integer, or 0 for anything else.
    pub fn int(&self) -> i64 {
        match self {
            Self::Int(i) => *i,
            _ => 0,
        }
    }

    /// Takes the bytes out.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Self::Bytes(b) => b,
            _ => Vec::new(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        s.map_or(Self::Null, Self::Text)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Self::Int(i)
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Self::Bytes(b)
    }
}

/// One statement and its parameters.
pub type Statement = (&'static str, Vec<Value>);

/// A row: its columns in order.
pub type Row = Vec<Value>;

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Null => ValueRef::Null,
            Self::Int(i) => ValueRef::Integer(*i),
            Self::Text(s) => ValueRef::Text(s.as_bytes()),
            Self::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

pub(super) fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Int(f as i64),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

pub(super) fn pg_params(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    static NULL_TEXT: Option<String> = None;
    params
        .iter()
        .map(|p| match p {
            Value::Null => &NULL_TEXT as &(dyn ToSql + Sync),
            Value::Int(i) => i as &(dyn ToSql + Sync),
            Value::Text(s) => s as &(dyn ToSql + Sync),
            Value::Bytes(b) => b as &(dyn ToSql + Sync),
        })
        .collect()
}

pub(super) fn from_pg(row: &tokio_postgres::Row) -> Result<Row, StoreError> {
    let mut out = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        out.push(if *ty == Type::INT8 {
            row.get::<_, Option<i64>>(i).map_or(Value::Null, Value::Int)
        } else if *ty == Type::INT4 {
            row.get::<_, Option<i32>>(i)
                .map_or(Value::Null, |v| Value::Int(v.into()))
        } else if *ty == Type::BYTEA {
            row.get::<_, Option<Vec<u8>>>(i)
                .map_or(Value::Null, Value::Bytes)
        } else {
            row.get::<_, Option<String>>(i)
                .map_or(Value::Null, Value::Text)
        });
    }
    Ok(out)
}

impl Store {
    /// Runs `statements` in one transaction; returns the rows each changed.
    pub async fn exec_all(&self, statements: Vec<Statement>) -> Result<Vec<u64>, StoreError> {
        match self {
            Self::Sqlite(s) => {
                s.call(move |c| {
                    let tx = c.transaction()?;
                    let mut changed = Vec::with_capacity(statements.len());
                    for (sql, params) in &statements {
                        let n = tx
                            .prepare_cached(sql)?
                            .execute(rusqlite::params_from_iter(params))?;
                        changed.push(n as u64);
                    }
                    tx.commit()?;
                    Ok(changed)
                })
                .await
            }
            Self::Postgres(p) => {
                let mut client = p.client().await?;
                let tx = client.transaction().await?;
                let mut changed = Vec::with_capacity(statements.len());
                for (sql, params) in &statements {
                    let sql = for_postgres(sql);
                    changed.push(tx.execute(&sql, &pg_params(params)).await?);
                }
                tx.commit().await?;
                Ok(changed)
            }
        }
    }

    /// Runs a query; returns every row.
    pub async fn rows(
        &self,
        sql: &'static str,
        params: Vec<Value>,
    ) -> Result<Vec<Row>, StoreError> {
        match self {
            Self::Sqlite(s) => {
                s.call(move |c| {
                    let mut stmt = c.prepare_cached(sql)?;
                    let width = stmt.column_count();
                    let rows = stmt
                        .query_map(rusqlite::params_from_iter(&params), |r| {
                            (0..width)
                                .map(|i| r.get_ref(i).map(from_sqlite))
                                .collect::<Result<Row, _>>()
                        })?
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(rows)
                })
                .await
            }
            Self::Postgres(p) => {
                let sql = for_postgres(sql);
                let rows = p.client().await?.query(&sql, &pg_params(&params)).await?;
                rows.iter().map(from_pg).collect()
            }
        }
    }
}
