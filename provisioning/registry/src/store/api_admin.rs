//! The store's operations for the ops staff's commands (blocking: the command line and
//! tests). PostgreSQL's run on a runtime of their own, from a thread of their own, so they
//! may also be called from inside an async test.

use super::bundles::PublishedBundle;
use super::commands::CommandRow;
use super::events::{EventFilter, EventRow, TicketCount};
use super::lawyers::Lawyer;
use super::legal_aid::{RegisteredRecipient, StoredApplication};
use super::platforms::Platform;
use super::terminals::TerminalHealth;
use super::{DbTarget, Store, StoreError};
use super::{
    bundles, commands, enrolment, events, lawyers, legal_aid, platforms, stats, terminals, video,
};
use crate::code_key::CodeKey;
use crate::video::turn::IceConfig;
use chrono::{DateTime, Utc};
use provisioning::bundle::{Manifest, SignedBundle};
use provisioning::command::{CommandBody, SignedCommand};
use provisioning::sealing::Recipient;
use provisioning::signalling::IceTransportPolicy;
use std::future::Future;
use std::sync::OnceLock;

/// Runs `f`'s future to completion on the blocking commands' runtime.
pub fn wait<T: Send, F: Future<Output = T>>(f: impl FnOnce() -> F + Send) -> T {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("store-admin")
            .enable_all()
            .build()
            .expect("a tokio runtime for the store's blocking commands")
    });
    std::thread::scope(|s| {
        s.spawn(|| runtime.block_on(f()))
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

macro_rules! either {
    ($self:ident, |$c:ident| $sqlite:expr, |$p:ident| $pg:expr) => {
        match $self {
            Store::Sqlite(s) => s.with(|$c| $sqlite),
            Store::Postgres($p) => wait(|| async move { $pg.await }),
        }
    };
}

impl Store {
    /// Opens (blocking) the database named by `target`, bringing its schema up to date.
    pub fn open_blocking(target: &DbTarget) -> Result<Self, StoreError> {
        wait(|| Self::open(target))
    }

    /// Records a signing key's public half under a name.
    pub fn register_key(&self, name: &str, public_key: &str) -> Result<(), StoreError> {
        either!(self, |c| bundles::register_key(c, name, public_key), |p| p
            .register_key(name, public_key))
    }

    /// Registered signing keys: (name, public key).
    pub fn keys(&self) -> Result<Vec<(String, String)>, StoreError> {
        either!(self, |c| bundles::keys(c), |p| p.keys())
    }

    /// Stores a signed bundle.
    pub fn publish(&self, bundle: &SignedBundle) -> Result<Manifest, StoreError> {
        either!(self, |c| bundles::publish(c, bundle), |p| p.publish(bundle))
    }

    /// Published bundles.
    pub fn bundles(&self) -> Result<Vec<PublishedBundle>, StoreError> {
        either!(self, |c| bundles::list(c), |p| p.bundles())
    }

    /// Adds or updates a platform.
    pub fn platform_upsert(&self, platform: &Platform) -> Result<(), StoreError> {
        either!(self, |c| platforms::upsert(c, platform), |p| p
            .platform_upsert(platform))
    }

    /// One platform.
    pub fn platform(&self, id: &str) -> Result<Option<Platform>, StoreError> {
        either!(self, |c| platforms::get(c, id), |p| p.platform(id))
    }

    /// Platforms by id.
    pub fn platforms(&self) -> Result<Vec<Platform>, StoreError> {
        either!(self, |c| platforms::list(c), |p| p.platforms())
    }

    /// Removes a platform without terminals.
    pub fn platform_remove(&self, id: &str) -> Result<(), StoreError> {
        either!(self, |c| platforms::remove(c, id), |p| p
            .platform_remove(id))
    }

    /// Makes a one-time enrolment code.
    pub fn create_code(
        &self,
        key: &CodeKey,
        platform: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        either!(
            self,
            |c| enrolment::create_code(c, key, platform, expires_at),
            |p| p.create_code(key, platform, expires_at)
        )
    }

    /// Terminals with their health.
    pub fn terminals_health(
        &self,
        platform: Option<&str>,
        now: DateTime<Utc>,
        overdue_after: chrono::Duration,
    ) -> Result<Vec<TerminalHealth>, StoreError> {
        either!(
            self,
            |c| terminals::list_health(c, platform, now, overdue_after),
            |p| p.terminals_health(platform, now, overdue_after)
        )
    }

    /// Revokes a terminal.
    pub fn revoke(&self, device_id: &str) -> Result<(), StoreError> {
        either!(self, |c| terminals::revoke(c, device_id), |p| p
            .revoke(device_id))
    }

    /// Stores a signed command.
    pub fn command_create(
        &self,
        command: &SignedCommand,
        body: &CommandBody,
    ) -> Result<(), StoreError> {
        either!(self, |c| commands::create(c, command, body), |p| p
            .command_create(command, body))
    }

    /// Commands, newest first.
    pub fn commands(
        &self,
        device_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CommandRow>, StoreError> {
        either!(self, |c| commands::list(c, device_id, now), |p| p
            .commands(device_id, now))
    }

    /// A command's uploaded logs.
    pub fn command_logs(&self, command_id: &str) -> Result<Option<String>, StoreError> {
        either!(self, |c| commands::logs(c, command_id), |p| p
            .command_logs(command_id))
    }

    /// Calls `each` for every matching event in the order received.
    pub fn export(
        &self,
        filter: &EventFilter,
        each: &mut (dyn FnMut(EventRow) -> Result<(), StoreError> + Send),
    ) -> Result<u64, StoreError> {
        either!(self, |c| events::export(c, filter, &mut *each), |p| p
            .export(filter, each))
    }

    /// Tickets per platform, day and service, from the demand analysis's rollups (the daily
    /// platform table's `ticket.issued`, kept at ingest), not from the raw events.
    pub fn tickets_per_service_day(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        platform: Option<&str>,
    ) -> Result<Vec<TicketCount>, StoreError> {
        let q = stats::Query {
            table: stats::Table::Daily,
            from: from.unwrap_or("0000-01-01").into(),
            to: to.unwrap_or("9999-12-31").into(),
            metrics: vec![stats::metric::TICKET_ISSUED.into()],
            places: platform.map(|p| vec![p.to_string()]),
            group: vec!["platform_id", "day", "k1"],
        };
        let q = &q;
        let mut rows = either!(self, |c| stats::query(c, q), |p| p.stats_query(q))?;
        rows.sort_by(|a, b| a.keys.cmp(&b.keys));
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let [platform_id, service_day, service_id]: [String; 3] = r.keys.try_into().ok()?;
                Some(TicketCount {
                    platform_id,
                    service_day,
                    service_id,
                    tickets: r.sums.n.max(0) as u64,
                })
            })
            .collect())
    }

    /// Events stored for a device, or in all.
    pub fn count_events(&self, device_id: Option<&str>) -> Result<u64, StoreError> {
        either!(
            self,
            |c| match device_id {
                Some(d) => events::count_for_device(c, d),
                None => Ok(
                    c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))? as u64
                ),
            },
            |p| p.count_events(device_id)
        )
    }

    /// Adds or replaces a lawyer's account.
    pub fn lawyer_upsert(&self, lawyer: &Lawyer, hash: &str) -> Result<(), StoreError> {
        either!(self, |c| lawyers::upsert(c, lawyer, hash), |p| p
            .lawyer_upsert(lawyer, hash))
    }

    /// Lawyers' accounts.
    pub fn lawyers(&self) -> Result<Vec<Lawyer>, StoreError> {
        either!(self, |c| lawyers::list(c), |p| p.lawyers())
    }

    /// Disables an account.
    pub fn lawyer_disable(&self, username: &str) -> Result<(), StoreError> {
        either!(self, |c| lawyers::disable(c, username), |p| p
            .lawyer_disable(username))
    }

    /// Adds a STUN/TURN server with fixed credentials.
    pub fn add_ice_server(
        &self,
        url: &str,
        user: &str,
        credential: &str,
    ) -> Result<(), StoreError> {
        either!(
            self,
            |c| video::add_ice_server(c, url, user, credential),
            |p| p.add_ice_server(url, user, credential)
        )
    }

    /// Adds a TURN server with minted credentials.
    pub fn add_rest_ice_server(
        &self,
        url: &str,
        secret: &str,
        ttl_s: u64,
    ) -> Result<(), StoreError> {
        either!(
            self,
            |c| video::add_rest_ice_server(c, url, secret, ttl_s),
            |p| p.add_rest_ice_server(url, secret, ttl_s)
        )
    }

    /// Removes an ICE server.
    pub fn remove_ice_server(&self, url: &str) -> Result<(), StoreError> {
        either!(self, |c| video::remove_ice_server(c, url), |p| p
            .remove_ice_server(url))
    }

    /// Sets the transport policy.
    pub fn set_policy(&self, policy: IceTransportPolicy) -> Result<(), StoreError> {
        either!(self, |c| video::set_policy(c, policy), |p| p
            .set_policy(policy))
    }

    /// The ICE servers and policy.
    pub fn ice_config(&self) -> Result<IceConfig, StoreError> {
        either!(self, |c| video::ice_config(c), |p| p.ice_config())
    }

    /// Registers a legal-aid centre's key.
    pub fn add_recipient(&self, recipient: &Recipient) -> Result<(), StoreError> {
        either!(self, |c| legal_aid::add_recipient(c, recipient), |p| p
            .add_recipient(recipient))
    }

    /// Retires a centre's key.
    pub fn retire_recipient(&self, key_id: &str) -> Result<(), StoreError> {
        either!(self, |c| legal_aid::retire_recipient(c, key_id), |p| p
            .retire_recipient(key_id))
    }

    /// Registered centres' keys.
    pub fn recipients(&self) -> Result<Vec<RegisteredRecipient>, StoreError> {
        either!(self, |c| legal_aid::recipients(c), |p| p.recipients())
    }

    /// Every pre-application, oldest first.
    pub fn applications(&self) -> Result<Vec<StoredApplication>, StoreError> {
        either!(self, |c| legal_aid::applications(c), |p| p.applications())
    }

    /// Deletes the sealed boxes of these pre-applications, in one transaction.
    pub fn mark_handled(&self, ids: &[i64], now: DateTime<Utc>) -> Result<(), StoreError> {
        either!(
            self,
            |c| {
                let tx = c.transaction()?;
                for id in ids {
                    legal_aid::mark_handled(&tx, *id, now)?;
                }
                tx.commit()?;
                Ok(())
            },
            |p| p.mark_handled(ids, now)
        )
    }

    /// Deletes the ciphertext of pre-applications received before `cutoff`.
    pub fn delete_expired(
        &self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        either!(self, |c| legal_aid::delete_expired(c, cutoff, now), |p| p
            .delete_expired(cutoff, now))
    }
}
