//! Logging in with a PIN. The menu asks for the PIN alone (a citizen who finds the menu
//! sees no names), so the PIN is checked against each account's hash. The steps are split
//! so the slow part runs on a thread of its own: [`begin`] and [`finish`] on the store
//! thread, [`accounts::match_pin`] in between elsewhere. [`Authenticator`] runs them.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use thiserror::Error;

use super::accounts::{self, Credential, Role};
use super::audit::{self, Actor, Outcome, action};
use super::lockout::{self, AfterFailure, LockoutPolicy};
use super::pin::Pin;
use crate::clock::Clock;
use crate::store::worker::Worker;

/// Someone logged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    pub name: String,
    pub role: Role,
    pub started_at: DateTime<FixedOffset>,
}

impl StaffSession {
    /// The actor for audit entries.
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.name.clone())
    }
}

/// Why a login did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LoginError {
    /// Locked after wrong PINs; `remaining` until the next try.
    #[error("the menu is locked after too many wrong PINs; try again in {} s", .remaining.as_secs())]
    Locked { remaining: Duration },
    /// No account has this PIN; `after` says how many tries are left or that it locked.
    #[error("wrong PIN")]
    WrongPin { after: AfterFailure },
    /// The terminal has no account at all.
    #[error("no staff account is set up; add one with `legal-kiosk staff add`")]
    NoAccounts,
    /// The store failed or its thread is gone.
    #[error("the store cannot be reached: {0}")]
    Store(String),
}

impl From<rusqlite::Error> for LoginError {
    fn from(e: rusqlite::Error) -> Self {
        LoginError::Store(e.to_string())
    }
}

/// Step 1 (store thread): refuses while locked; otherwise the credentials to check.
pub fn begin(
    conn: &mut Connection,
    now: DateTime<FixedOffset>,
) -> Result<Vec<Credential>, LoginError> {
    if let Some(remaining) = lockout::load(conn)?.remaining(now) {
        audit::record_alone(
            conn,
            &Actor::Unknown,
            action::LOGIN,
            Outcome::Refused,
            serde_json::json!({ "reason": "locked", "remaining_secs": remaining.as_secs() }),
            now,
        );
        return Err(LoginError::Locked { remaining });
    }
    Ok(accounts::credentials(conn)?)
}

/// A good PIN: the account's last login and the audit entry (the role, and `via` a way in
/// other than the touchscreen), committed with `tx`; the session begins.
pub(super) fn logged_in(
    tx: Transaction<'_>,
    cred: &Credential,
    via: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<StaffSession, LoginError> {
    tx.execute(
        "UPDATE staff_accounts SET last_login_at = ?2 WHERE id = ?1",
        rusqlite::params![cred.id, now.to_rfc3339()],
    )?;
    let mut detail = serde_json::json!({ "role": cred.role.as_str() });
    if let Some(via) = via {
        detail["via"] = via.into();
    }
    let actor = Actor::Staff(cred.name.clone());
    audit::record(&tx, &actor, action::LOGIN, Outcome::Ok, detail, now)?;
    tx.commit()?;
    Ok(StaffSession {
        name: cred.name.clone(),
        role: cred.role,
        started_at: now,
    })
}

/// Step 3 (store thread): records the outcome of the check, with its audit entry.
pub fn finish(
    conn: &mut Connection,
    matched: Option<&Credential>,
    accounts_exist: bool,
    policy: &LockoutPolicy,
    now: DateTime<FixedOffset>,
) -> Result<StaffSession, LoginError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // A lock may have begun while the PIN was being checked (a second login path).
    if let Some(remaining) = lockout::load(&tx)?.remaining(now) {
        return Err(LoginError::Locked { remaining });
    }
    match matched {
        Some(cred) => {
            lockout::record_success(&tx)?;
            logged_in(tx, cred, None, now)
        }
        None => {
            let after = lockout::record_failure(&tx, policy, now)?;
            audit::record(
                &tx,
                &Actor::Unknown,
                action::LOGIN,
                Outcome::Refused,
                serde_json::json!({ "reason": "wrong_pin" }),
                now,
            )?;
            if let AfterFailure::Locked(length) = after {
                audit::record(
                    &tx,
                    &Actor::Unknown,
                    action::LOCKOUT,
                    Outcome::Ok,
                    serde_json::json!({ "lock_secs": length.as_secs(),
                                        "after_wrong_pins": policy.max_failures }),
                    now,
                )?;
                tracing::warn!(
                    lock_secs = length.as_secs(),
                    "maintenance menu locked after wrong PINs"
                );
            }
            tx.commit()?;
            if accounts_exist {
                Err(LoginError::WrongPin { after })
            } else {
                Err(LoginError::NoAccounts)
            }
        }
    }
}

/// All three steps on the calling thread (command line, tests).
pub fn login(
    conn: &mut Connection,
    pin: &Pin,
    policy: &LockoutPolicy,
    now: DateTime<FixedOffset>,
) -> Result<StaffSession, LoginError> {
    let creds = begin(conn, now)?;
    let matched = accounts::match_pin(&creds, pin);
    finish(conn, matched, !creds.is_empty(), policy, now)
}

type Done = Box<dyn FnOnce(Result<StaffSession, LoginError>) + Send>;

/// A PIN to check: against every account (the touchscreen), or for one account (the
/// counter page).
enum Job {
    Any(Pin, Done),
    Account(String, Pin, Done),
}

/// Checks PINs on a thread of its own, one at a time, talking to the store through the
/// store thread. Cheap to clone.
#[derive(Clone)]
pub struct Authenticator {
    tx: mpsc::Sender<Job>,
}

impl Authenticator {
    /// Starts the thread; it ends when every handle is dropped.
    pub fn spawn(
        worker: Worker,
        clock: Arc<dyn Clock>,
        policy: LockoutPolicy,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("staff-login".into())
            .spawn(move || {
                for job in rx {
                    match job {
                        Job::Any(pin, done) => done(check(&worker, &*clock, &policy, pin)),
                        Job::Account(name, pin, done) => {
                            done(super::counter_login::check(&worker, &*clock, &name, pin))
                        }
                    }
                }
            })?;
        Ok(Self { tx })
    }

    /// Checks `pin` against every account, counted by the terminal's lockout (the
    /// touchscreen's way); `done` runs on the login thread with the result.
    pub fn login(
        &self,
        pin: Pin,
        done: impl FnOnce(Result<StaffSession, LoginError>) + Send + 'static,
    ) {
        self.send(Job::Any(pin, Box::new(done)));
    }

    /// Checks `pin` for the account `name` (the counter page's way): the terminal's
    /// lockout is neither consulted nor fed (the caller counts wrong PINs by source and by
    /// account), and an unknown name costs the same hash as a known one.
    pub fn login_account(
        &self,
        name: String,
        pin: Pin,
        done: impl FnOnce(Result<StaffSession, LoginError>) + Send + 'static,
    ) {
        self.send(Job::Account(name, pin, Box::new(done)));
    }

    fn send(&self, job: Job) {
        if let Err(mpsc::SendError(job)) = self.tx.send(job) {
            let (Job::Any(_, done) | Job::Account(_, _, done)) = job;
            done(Err(LoginError::Store(
                "the login thread has stopped".into(),
            )));
        }
    }
}

fn check(
    worker: &Worker,
    clock: &dyn Clock,
    policy: &LockoutPolicy,
    pin: Pin,
) -> Result<StaffSession, LoginError> {
    let stopped = || LoginError::Store("the store thread has stopped".into());
    let (p, now) = (*policy, clock.now());
    let creds = worker
        .call(move |store| begin(store.conn(), now))
        .ok_or_else(stopped)??;
    let matched = accounts::match_pin(&creds, &pin).cloned();
    drop(pin);
    let exist = !creds.is_empty();
    let now = clock.now();
    worker
        .call(move |store| finish(store.conn(), matched.as_ref(), exist, &p, now))
        .ok_or_else(stopped)?
}

#[cfg(test)]
mod tests;
