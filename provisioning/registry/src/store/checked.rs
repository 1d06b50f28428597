//! Conditional transactions on either store (SQL written once, `?1` placeholders as in
//! [`super::portable`]): statements run in order, and one that must change a row but
//! changed none rolls the whole transaction back. This is how a booking takes the last
//! place of a slot exactly once, and a work order moves from one status to the next once,
//! on SQLite (one connection, serialised) and on PostgreSQL (the `UPDATE … WHERE` re-checks
//! its condition after waiting for a concurrent writer's row lock).

use super::portable::{Row, Value, from_pg, from_sqlite, pg_params};
use super::raw::for_postgres;
use super::{Store, StoreError};

/// One statement of a conditional transaction.
#[derive(Debug, Clone)]
pub struct Step {
    /// SQL, `?1`-style placeholders.
    pub sql: &'static str,
    /// Its parameters.
    pub params: Vec<Value>,
    /// Whether it must change at least one row for the transaction to go on.
    pub must_change: bool,
    /// Whether its rows are wanted (a `SELECT` or `… RETURNING`).
    pub returns: bool,
}

impl Step {
    /// A statement that may change nothing.
    pub fn run(sql: &'static str, params: Vec<Value>) -> Self {
        Self {
            sql,
            params,
            must_change: false,
            returns: false,
        }
    }

    /// A statement that must change a row.
    pub fn must(sql: &'static str, params: Vec<Value>) -> Self {
        Self {
            must_change: true,
            ..Self::run(sql, params)
        }
    }

    /// A query (or `RETURNING` statement) whose rows are returned; with `must_change`, it
    /// must return at least one.
    pub fn query(sql: &'static str, params: Vec<Value>) -> Self {
        Self {
            returns: true,
            ..Self::run(sql, params)
        }
    }
}

/// How a conditional transaction ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Committed: per step, the rows a query returned (empty for other statements).
    Committed(Vec<Vec<Row>>),
    /// Rolled back because step `n` (from 0) changed nothing.
    Refused(usize),
}

impl Store {
    /// Runs `steps` in one transaction, stopping and rolling back at the first step that
    /// must change a row and changed none.
    pub async fn transact(&self, steps: Vec<Step>) -> Result<Outcome, StoreError> {
        match self {
            Self::Sqlite(s) => {
                s.call(move |c| {
                    let tx = c.transaction()?;
                    let mut out = Vec::with_capacity(steps.len());
                    for (i, step) in steps.iter().enumerate() {
                        let mut stmt = tx.prepare_cached(step.sql)?;
                        let (changed, rows) = if step.returns {
                            let width = stmt.column_count();
                            let rows = stmt
                                .query_map(rusqlite::params_from_iter(&step.params), |r| {
                                    (0..width)
                                        .map(|i| r.get_ref(i).map(from_sqlite))
                                        .collect::<Result<Row, _>>()
                                })?
                                .collect::<Result<Vec<_>, _>>()?;
                            (rows.len(), rows)
                        } else {
                            let n = stmt.execute(rusqlite::params_from_iter(&step.params))?;
                            (n, Vec::new())
                        };
                        if step.must_change && changed == 0 {
                            // Dropping the transaction rolls it back.
                            return Ok(Outcome::Refused(i));
                        }
                        out.push(rows);
                    }
                    tx.commit()?;
                    Ok(Outcome::Committed(out))
                })
                .await
            }
            Self::Postgres(p) => {
                let mut client = p.client().await?;
                let tx = client.transaction().await?;
                let mut out = Vec::with_capacity(steps.len());
                for (i, step) in steps.iter().enumerate() {
                    let sql = for_postgres(step.sql);
                    let params = pg_params(&step.params);
                    let (changed, rows) = if step.returns {
                        let rows = tx
                            .query(&sql, &params)
                            .await?
                            .iter()
                            .map(from_pg)
                            .collect::<Result<Vec<_>, _>>()?;
                        (rows.len(), rows)
                    } else {
                        (tx.execute(&sql, &params).await? as usize, Vec::new())
                    };
                    if step.must_change && changed == 0 {
                        tx.rollback().await?;
                        return Ok(Outcome::Refused(i));
                    }
                    out.push(rows);
                }
                tx.commit().await?;
                Ok(Outcome::Committed(out))
            }
        }
    }
}
