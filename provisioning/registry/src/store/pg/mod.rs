//! The PostgreSQL store: the operations of the SQLite modules, in SQL for PostgreSQL 15,
//! over a pool of connections (`deadpool-postgres`). Several registry instances may share
//! one database: every guarantee rests on the database (unique keys, one transaction per
//! batch, row locks), not on a process's memory.

pub mod admin;
pub mod admin_more;
pub mod alerts;
pub mod directory;
pub mod institutions;
pub mod operators;
pub mod schema;
pub mod shared;
pub mod states;
pub mod stats;
pub mod sync;
pub mod tls;

use super::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use std::time::Duration;
use tokio_postgres::NoTls;
use tokio_postgres::tls::MakeTlsConnect;

/// A pool of connections to one database.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    config: std::sync::Arc<tokio_postgres::Config>,
    tls: tls::Tls,
}

/// Connects with `tls` and spawns the task that drives the connection, forwarding
/// notifications.
async fn drive<T>(
    config: &tokio_postgres::Config,
    tls: T,
    notified: tokio::sync::mpsc::UnboundedSender<()>,
) -> Result<(tokio_postgres::Client, tokio::task::JoinHandle<()>), StoreError>
where
    T: MakeTlsConnect<tokio_postgres::Socket>,
    T::Stream: Send + 'static,
{
    use futures_util::StreamExt as _;
    let (client, mut connection) = config.connect(tls).await?;
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(tokio_postgres::AsyncMessage::Notification(_)) => {
                    let _ = notified.send(());
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("dedicated PostgreSQL connection: {e}");
                    return;
                }
            }
        }
    });
    Ok((client, driver))
}

/// Connections per instance (two cores' worth of work waits on a few more).
const POOL_SIZE: usize = 16;

impl PgStore {
    /// Connects (lazily) and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url)?;
        store.migrate().await?;
        Ok(store)
    }

    /// A pool without touching the database yet (`migrate`, `readyz`). TLS when the URL
    /// asks for it ([`tls`]).
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let (config, tls) = tls::parse(url)?;
        // Fast: a connection taken from the pool is checked for being closed, not with a
        // query (a round trip per checkout, three per poll). After a database failover a
        // connection that still looks open fails its first query once; the terminal
        // retries, as after any error.
        let recycling = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match &tls {
            tls::Tls::None => Manager::from_config(config.clone(), NoTls, recycling),
            tls::Tls::Verified(connector) => {
                Manager::from_config(config.clone(), connector.clone(), recycling)
            }
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .timeouts(Timeouts {
                wait: Some(Duration::from_secs(10)),
                create: Some(Duration::from_secs(5)),
                recycle: Some(Duration::from_secs(5)),
            })
            .build()
            .map_err(|e| StoreError::Invalid(format!("PostgreSQL pool: {e}")))?;
        Ok(Self {
            pool,
            config: std::sync::Arc::new(config),
            tls,
        })
    }

    /// A connection of its own, outside the pool (for LISTEN), with the pool's settings
    /// and TLS; each notification it receives is sent on `notified`. The returned task
    /// drives the connection and ends with it.
    pub async fn dedicated(
        &self,
        notified: tokio::sync::mpsc::UnboundedSender<()>,
    ) -> Result<(tokio_postgres::Client, tokio::task::JoinHandle<()>), StoreError> {
        match &self.tls {
            tls::Tls::None => drive(&self.config, NoTls, notified).await,
            tls::Tls::Verified(connector) => drive(&self.config, connector.clone(), notified).await,
        }
    }

    /// A connection from the pool.
    pub async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        Ok(self.pool.get().await?)
    }

    /// The connection settings (for the dedicated LISTEN connection).
    pub fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// Applies missing migrations; returns (version before, after).
    pub async fn migrate(&self) -> Result<(i32, i32), StoreError> {
        let mut client = self.client().await?;
        schema::migrate(&mut client).await
    }

    /// The schema version of the database.
    pub async fn version(&self) -> Result<i32, StoreError> {
        let client = self.client().await?;
        schema::current(&client).await
    }
}

/// PostgreSQL text cannot hold NUL characters (SQLite's can): replaced, so a stray one in
/// a heartbeat or quarantined key does not fail a whole request.
pub(crate) fn text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        std::borrow::Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Makes an empty database `name` on the server of `admin_url` (a URL ending in a
/// database name); returns the URL of the new one. For tests and benchmarks: one database
/// each, beside the others on one throwaway server.
pub async fn create_database(admin_url: &str, name: &str) -> Result<String, StoreError> {
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::Invalid(format!("database name {name:?}")));
    }
    let admin = PgStore::connect(admin_url)?;
    admin
        .client()
        .await?
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let server = base
        .rsplit_once('/')
        .filter(|(s, _)| s.contains("://") && !s.ends_with('/'))
        .map_or(base, |(s, _)| s);
    Ok(format!("{server}/{name}{query}"))
}
