//! Logging in at a counter PC: the account's name and its PIN. Unlike the touchscreen's
//! PIN-only login, a wrong PIN here does not count towards the terminal's lockout (the
//! queue API counts it per source address and per account), so that a host on the LAN
//! cannot lock the touchscreen's menu. An unknown name is checked against a dummy hash,
//! so the time taken does not say which names exist.

use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::accounts::{CREDENTIAL_COLUMNS, Credential};
use super::audit::{self, Actor, Outcome, action};
use super::auth::{LoginError, StaffSession, logged_in};
use super::pin::Pin;
use super::pin_hash;
use crate::clock::Clock;
use crate::store::worker::Worker;

/// The credential of the account `name`, if there is one.
pub fn credential_of(conn: &Connection, name: &str) -> rusqlite::Result<Option<Credential>> {
    conn.query_row(
        &format!("SELECT {CREDENTIAL_COLUMNS} FROM staff_accounts WHERE name = ?1"),
        [name.trim()],
        Credential::from_row,
    )
    .optional()
}

/// Whether the account `name` still exists (a session ends when its account is removed).
pub fn account_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(credential_of(conn, name)?.is_some())
}

/// A hash of a random PIN with the real parameters: what an unknown name is checked
/// against.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let pin = Pin::parse(&format!("{:08}", rand::random::<u32>() % 100_000_000))
            .unwrap_or_else(|_| unreachable!("eight digits are a PIN"));
        pin_hash::hash_pin(&pin).unwrap_or_default()
    })
}

/// Records the outcome of a counter login with its audit entry.
pub fn finish(
    conn: &mut Connection,
    matched: Option<&Credential>,
    now: DateTime<FixedOffset>,
) -> Result<StaffSession, LoginError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(cred) = matched else {
        audit::record(
            &tx,
            &Actor::Unknown,
            action::LOGIN,
            Outcome::Refused,
            serde_json::json!({ "reason": "wrong_pin", "via": "counter_page" }),
            now,
        )?;
        tx.commit()?;
        return Err(LoginError::WrongPin {
            after: super::lockout::AfterFailure::TriesLeft(0),
        });
    };
    logged_in(tx, cred, Some("counter_page"), now)
}

/// The whole check, on the login thread: the credential from the store thread, the hash
/// here, the outcome on the store thread.
pub(super) fn check(
    worker: &Worker,
    clock: &dyn Clock,
    name: &str,
    pin: Pin,
) -> Result<StaffSession, LoginError> {
    let stopped = || LoginError::Store("the store thread has stopped".into());
    let wanted = name.to_string();
    let cred = worker
        .call(move |store| credential_of(store.conn(), &wanted))
        .ok_or_else(stopped)??;
    let good = match &cred {
        Some(c) => pin_hash::verify_pin(&pin, &c.pin_hash),
        None => {
            pin_hash::verify_pin(&pin, dummy_hash());
            false
        }
    };
    drop(pin);
    let matched = cred.filter(|_| good);
    let now = clock.now();
    worker
        .call(move |store| finish(store.conn(), matched.as_ref(), now))
        .ok_or_else(stopped)?
}
