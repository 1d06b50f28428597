//! Protection for password logins (the lawyers' console today, the operators' console next):
//!
//! * every attempt is counted **before** any expensive check: per source address (a token
//!   bucket; IPv6 by /64, since one host owns a whole /64) and per account name (wrong
//!   passwords, with attempts still being checked counted as wrong until they are not);
//! * Argon2 runs on its own threads, at most `max_concurrent_hashes` at a time, never on the
//!   blocking pool the database uses, so a burst of logins cannot starve terminals' polls;
//! * an unknown account name is checked against a dummy hash with the same parameters, so the
//!   answer time does not tell which names exist;
//! * the maps are pruned and capped, so a flood of names or addresses cannot grow memory.
//!
//! A refused attempt never reaches Argon2. Handlers turn [`Refusal`] into 429 with
//! `Retry-After`.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How many attempts one source address may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLimit {
    /// Attempts allowed at once (the bucket's size).
    pub burst: u32,
    /// One more attempt becomes available this often.
    pub refill_every: Duration,
}

impl SourceLimit {
    /// `per_minute` attempts a minute, all of them available at once.
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        Self {
            burst: per_minute,
            refill_every: Duration::from_secs(60) / per_minute,
        }
    }
}

/// Settings of a [`LoginGuard`].
#[derive(Debug, Clone)]
pub struct LoginGuardConfig {
    /// Password hashes computed at the same time (each Argon2id check takes 19 MiB).
    pub max_concurrent_hashes: usize,
    /// How long an admitted attempt may wait for a hashing slot before it is told to retry.
    pub hash_wait: Duration,
    /// Wrong passwords in a row that lock an account name.
    pub account_failures: u32,
    /// How long such a lock lasts (counted from the last wrong password).
    pub account_lockout: Duration,
    /// Attempts per source address.
    pub source: SourceLimit,
    /// Most account names and most source addresses remembered (each map).
    pub max_tracked: usize,
}

impl Default for LoginGuardConfig {
    fn default() -> Self {
        Self {
            max_concurrent_hashes: 2,
            hash_wait: Duration::from_secs(5),
            account_failures: 5,
            account_lockout: Duration::from_secs(5 * 60),
            source: SourceLimit::per_minute(10),
            max_tracked: 10_000,
        }
    }
}

/// Why an attempt was not checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Too many attempts from this address.
    #[error("too many login attempts from this address; try again in {retry_after_s} s")]
    TooManyFromSource {
        /// Seconds until the next attempt is allowed.
        retry_after_s: u64,
    },
    /// Too many wrong passwords for this account name.
    #[error("too many wrong passwords; try again in {retry_after_s} s")]
    AccountLocked {
        /// Seconds until the lock ends.
        retry_after_s: u64,
    },
    /// Every hashing slot stayed busy.
    #[error("the registry is busy checking passwords; try again in {retry_after_s} s")]
    Busy {
        /// Seconds to wait.
        retry_after_s: u64,
    },
    /// The check itself failed (no thread, no randomness).
    #[error("the password could not be checked: {0}")]
    Unavailable(String),
}

impl Refusal {
    /// Seconds for `Retry-After`, if the attempt may simply be repeated later.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyFromSource { retry_after_s }
            | Self::AccountLocked { retry_after_s }
            | Self::Busy { retry_after_s } => Some(*retry_after_s),
            Self::Unavailable(_) => None,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How often the maps are swept of entries that no longer matter (besides when full).
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// A map with the time it was last swept.
struct Tracked<K, V> {
    map: HashMap<K, V>,
    swept: Instant,
}

impl<K: std::hash::Hash + Eq, V> Tracked<K, V> {
    fn new() -> Self {
        Self {
            map: HashMap::new(),
            swept: Instant::now(),
        }
    }

    /// Drops the entries `stale` says no longer matter, when due or when the map is full.
    fn sweep(&mut self, now: Instant, full: bool, mut stale: impl FnMut(&mut V) -> bool) {
        if full || now.saturating_duration_since(self.swept) >= PRUNE_EVERY {
            self.map.retain(|_, v| !stale(v));
            self.swept = now;
        }
    }
}

fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The key a source address is counted under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by
/// its /64.
fn source_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Attempts per source address: a token bucket each, in a capped map. Also used on its own
/// (enrolment attempts).
pub struct SourceLimiter {
    limit: SourceLimit,
    max_tracked: usize,
    buckets: Mutex<Tracked<IpAddr, Bucket>>,
}

impl SourceLimiter {
    /// A limiter remembering at most `max_tracked` addresses.
    pub fn new(limit: SourceLimit, max_tracked: usize) -> Self {
        Self {
            limit,
            max_tracked: max_tracked.max(1),
            buckets: Mutex::new(Tracked::new()),
        }
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let gained = now.saturating_duration_since(bucket.updated).as_secs_f64()
            / self.limit.refill_every.as_secs_f64().max(1e-9);
        bucket.tokens = (bucket.tokens + gained).min(f64::from(self.limit.burst));
        bucket.updated = now;
    }

    /// Takes one attempt for `source`, or says how many seconds until one is available.
    pub fn take(&self, source: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let key = source_key(source);
        let mut buckets = lock(&self.buckets);
        // Forget the addresses whose buckets have filled up again: they are as new.
        let full = !buckets.map.contains_key(&key) && buckets.map.len() >= self.max_tracked;
        let burst = f64::from(self.limit.burst);
        buckets.sweep(now, full, |b| {
            self.refill(b, now);
            b.tokens >= burst
        });
        if !buckets.map.contains_key(&key) && buckets.map.len() >= self.max_tracked {
            // Still full: a flood from very many addresses. Refuse newcomers rather than
            // grow; the known ones keep their buckets.
            return Err(whole_seconds(self.limit.refill_every).max(1));
        }
        let bucket = buckets.map.entry(key).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        self.refill(bucket, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let missing = self.limit.refill_every.mul_f64(1.0 - bucket.tokens);
            Err(whole_seconds(missing).max(1))
        }
    }

    /// Gives an attempt back (it succeeded; only failures should count).
    pub fn refund(&self, source: IpAddr) {
        let mut buckets = lock(&self.buckets);
        if let Some(bucket) = buckets.map.get_mut(&source_key(source)) {
            bucket.tokens = (bucket.tokens + 1.0).min(f64::from(self.limit.burst));
        }
    }

    /// Addresses remembered now.
    pub fn tracked(&self) -> usize {
        lock(&self.buckets).map.len()
    }
}

struct Account {
    failures: u32,
    in_flight: u32,
    last_failure: Instant,
}

/// Wrong passwords per account name, counted before hashing.
struct AccountLockout {
    max_failures: u32,
    lockout: Duration,
    max_tracked: usize,
    accounts: Mutex<Tracked<String, Account>>,
}

impl AccountLockout {
    fn expired(&self, a: &Account, now: Instant) -> bool {
        a.in_flight == 0 && now.saturating_duration_since(a.last_failure) >= self.lockout
    }

    /// Reserves an attempt: refused while the wrong passwords so far plus the attempts still
    /// being checked reach the limit.
    fn reserve(&self, account: &str) -> Result<(), Refusal> {
        let now = Instant::now();
        let mut accounts = lock(&self.accounts);
        let full = !accounts.map.contains_key(account) && accounts.map.len() >= self.max_tracked;
        accounts.sweep(now, full, |a| self.expired(a, now));
        if !accounts.map.contains_key(account) && accounts.map.len() >= self.max_tracked {
            return Err(Refusal::Busy {
                retry_after_s: whole_seconds(self.lockout),
            });
        }
        let a = accounts.map.entry(account.to_string()).or_insert(Account {
            failures: 0,
            in_flight: 0,
            last_failure: now,
        });
        if self.expired(a, now) {
            a.failures = 0;
        }
        if a.failures >= self.max_failures {
            let left = self
                .lockout
                .saturating_sub(now.saturating_duration_since(a.last_failure));
            return Err(Refusal::AccountLocked {
                retry_after_s: whole_seconds(left).max(1),
            });
        }
        if a.failures + a.in_flight >= self.max_failures {
            // The attempts being checked may still all be wrong: wait for them.
            return Err(Refusal::AccountLocked { retry_after_s: 1 });
        }
        a.in_flight += 1;
        Ok(())
    }

    fn settle(&self, account: &str, succeeded: bool) {
        let now = Instant::now();
        let mut accounts = lock(&self.accounts);
        if succeeded {
            accounts.map.remove(account);
            return;
        }
        let a = accounts.map.entry(account.to_string()).or_insert(Account {
            failures: 0,
            in_flight: 1,
            last_failure: now,
        });
        a.in_flight = a.in_flight.saturating_sub(1);
        a.failures = a.failures.saturating_add(1);
        a.last_failure = now;
    }

    fn tracked(&self) -> usize {
        lock(&self.accounts).map.len()
    }
}

/// Hashes a password with Argon2id (the `argon2` crate's RFC 9106 defaults: 19 MiB, 2 passes)
/// and a fresh salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the PHC string `hash` (a malformed hash never matches).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Argon2 checks on their own threads, a bounded number at a time.
struct Hasher {
    slots: Arc<Semaphore>,
    wait: Duration,
    /// Checked against when the account does not exist: same parameters, same cost.
    dummy: Arc<OnceLock<String>>,
    started: AtomicU64,
}

impl Hasher {
    async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, Refusal> {
        let permit = match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await
        {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return Err(Refusal::Unavailable("hashing is shut down".into())),
            Err(_) => return Err(Refusal::Busy { retry_after_s: 2 }),
        };
        self.started.fetch_add(1, Ordering::Relaxed);
        let dummy = self.dummy.clone();
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("password-check".into())
            .spawn(move || {
                let _permit = permit;
                let matched = match hash {
                    Some(hash) => verify_password(&password, &hash),
                    None => {
                        let dummy = dummy.get_or_init(dummy_hash);
                        // The same work as a real check; the answer is always no (the
                        // dummy's password is random and thrown away).
                        std::hint::black_box(verify_password(&password, dummy));
                        false
                    }
                };
                let _ = tx.send(matched);
            })
            .map_err(|e| Refusal::Unavailable(format!("no thread for the check: {e}")))?;
        rx.await
            .map_err(|_| Refusal::Unavailable("the check stopped".into()))
    }
}

fn dummy_hash() -> String {
    let mut secret = [0u8; 24];
    // Without randomness the dummy is still a valid hash of the same cost; its password just
    // is not secret, and the result is thrown away anyway.
    let _ = getrandom::fill(&mut secret);
    hash_password(&hex::encode(secret)).unwrap_or_default()
}

/// The protections of one kind of login (one per registry for lawyers; the operators'
/// console gets its own).
pub struct LoginGuard {
    sources: SourceLimiter,
    accounts: AccountLockout,
    hasher: Hasher,
}

impl LoginGuard {
    /// A guard with these settings.
    pub fn new(config: &LoginGuardConfig) -> Arc<Self> {
        Arc::new(Self {
            sources: SourceLimiter::new(config.source, config.max_tracked),
            accounts: AccountLockout {
                max_failures: config.account_failures.max(1),
                lockout: config.account_lockout,
                max_tracked: config.max_tracked.max(1),
                accounts: Mutex::new(Tracked::new()),
            },
            hasher: Hasher {
                slots: Arc::new(Semaphore::new(config.max_concurrent_hashes.max(1))),
                wait: config.hash_wait,
                dummy: Arc::new(OnceLock::new()),
                started: AtomicU64::new(0),
            },
        })
    }

    /// Counts an attempt by `source` on `account`, before anything expensive. The
    /// [`Admission`] counts as a wrong password unless [`Admission::succeeded`] is called.
    pub fn admit(self: &Arc<Self>, source: IpAddr, account: &str) -> Result<Admission, Refusal> {
        self.sources
            .take(source)
            .map_err(|retry_after_s| Refusal::TooManyFromSource { retry_after_s })?;
        self.accounts.reserve(account)?;
        Ok(Admission {
            guard: self.clone(),
            account: account.to_string(),
            settled: false,
        })
    }

    /// Password checks started since the registry started (each one Argon2 run).
    pub fn checks_started(&self) -> u64 {
        self.hasher.started.load(Ordering::Relaxed)
    }

    /// Account names and source addresses remembered now.
    pub fn tracked(&self) -> (usize, usize) {
        (self.accounts.tracked(), self.sources.tracked())
    }
}

/// One admitted attempt.
pub struct Admission {
    guard: Arc<LoginGuard>,
    account: String,
    settled: bool,
}

impl Admission {
    /// Checks `password` against the account's PHC hash, or against the dummy when the
    /// account does not exist (`None`): same cost either way.
    pub async fn check_password(
        &self,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, Refusal> {
        self.guard.hasher.verify(password, hash).await
    }

    /// The login succeeded: the account's wrong passwords are forgotten.
    pub fn succeeded(mut self) {
        self.settled = true;
        self.guard.accounts.settle(&self.account, true);
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        // Wrong password, unknown or disabled account, or the request was abandoned: all
        // count as failures.
        if !self.settled {
            self.guard.accounts.settle(&self.account, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn quick(source: SourceLimit) -> LoginGuardConfig {
        LoginGuardConfig {
            source,
            ..LoginGuardConfig::default()
        }
    }

    #[test]
    fn a_source_gets_its_burst_then_waits_and_ipv6_counts_by_64() {
        let limiter = SourceLimiter::new(SourceLimit::per_minute(3), 100);
        for _ in 0..3 {
            limiter.take(ip("10.0.0.1")).unwrap();
        }
        let wait = limiter.take(ip("10.0.0.1")).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(limiter.take(ip("10.0.0.2")).is_ok(), "another address");
        assert!(
            limiter.take(ip("::ffff:10.0.0.1")).is_err(),
            "the same IPv4 address, mapped"
        );
        for _ in 0..3 {
            limiter.take(ip("2001:db8:1:2::1")).unwrap();
        }
        assert!(
            limiter.take(ip("2001:db8:1:2:ffff::9")).is_err(),
            "same /64"
        );
        assert!(limiter.take(ip("2001:db8:1:3::1")).is_ok(), "another /64");
        limiter.refund(ip("10.0.0.1"));
        assert!(limiter.take(ip("10.0.0.1")).is_ok(), "refunded");
    }

    #[test]
    fn the_source_map_stays_capped_and_forgets_addresses_whose_bucket_refilled() {
        let limiter = SourceLimiter::new(
            SourceLimit {
                burst: 2,
                refill_every: Duration::from_millis(20),
            },
            4,
        );
        for i in 0..4 {
            limiter.take(ip(&format!("10.0.1.{i}"))).unwrap();
        }
        assert!(
            limiter.take(ip("10.0.1.99")).is_err(),
            "full: newcomer refused"
        );
        assert_eq!(limiter.tracked(), 4);
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.take(ip("10.0.1.99")).is_ok(), "pruned, room again");
        assert!(limiter.tracked() <= 4);
    }

    #[tokio::test]
    async fn attempts_are_counted_before_hashing_so_a_burst_cannot_pass_the_lock() {
        let guard = LoginGuard::new(&quick(SourceLimit::per_minute(1000)));
        // Five attempts admitted at once, none checked yet: the sixth is refused already.
        let admitted: Vec<Admission> = (0..5)
            .map(|_| guard.admit(ip("10.0.0.1"), "wang").unwrap())
            .collect();
        assert!(matches!(
            guard.admit(ip("10.0.0.1"), "wang"),
            Err(Refusal::AccountLocked { .. })
        ));
        drop(admitted);
        match guard.admit(ip("10.0.0.2"), "wang") {
            Err(Refusal::AccountLocked { retry_after_s }) => assert!(retry_after_s > 200),
            other => panic!("{:?}", other.err()),
        }
        assert!(guard.admit(ip("10.0.0.1"), "li").is_ok(), "other accounts");
        assert_eq!(guard.checks_started(), 0, "nothing reached Argon2");
    }

    #[tokio::test]
    async fn unknown_names_cost_a_hash_and_a_success_clears_the_failures() {
        let guard = LoginGuard::new(&quick(SourceLimit::per_minute(1000)));
        let hash = hash_password("correct horse battery").unwrap();
        let a = guard.admit(ip("10.0.0.1"), "nobody").unwrap();
        assert!(!a.check_password("x".into(), None).await.unwrap());
        drop(a);
        assert_eq!(guard.checks_started(), 1, "the dummy was hashed");
        for _ in 0..4 {
            let a = guard.admit(ip("10.0.0.1"), "wang").unwrap();
            assert!(
                !a.check_password("wrong".into(), Some(hash.clone()))
                    .await
                    .unwrap()
            );
        }
        let a = guard.admit(ip("10.0.0.1"), "wang").unwrap();
        assert!(
            a.check_password("correct horse battery".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        a.succeeded();
        for _ in 0..4 {
            drop(guard.admit(ip("10.0.0.1"), "wang").unwrap());
        }
        assert!(
            guard.admit(ip("10.0.0.1"), "wang").is_ok(),
            "counting restarted"
        );
    }

    #[tokio::test]
    async fn no_more_than_the_configured_hashes_run_at_once() {
        let guard = LoginGuard::new(&LoginGuardConfig {
            max_concurrent_hashes: 1,
            hash_wait: Duration::from_millis(1),
            source: SourceLimit::per_minute(1000),
            ..LoginGuardConfig::default()
        });
        let hash = hash_password("correct horse battery").unwrap();
        let a = guard.admit(ip("10.0.0.1"), "a").unwrap();
        let b = guard.admit(ip("10.0.0.1"), "b").unwrap();
        let (first, second) = tokio::join!(
            a.check_password("x".into(), Some(hash.clone())),
            b.check_password("y".into(), Some(hash.clone()))
        );
        let busy = [&first, &second]
            .iter()
            .filter(|r| matches!(r, Err(Refusal::Busy { .. })))
            .count();
        assert_eq!(busy, 1, "{first:?} {second:?}");
        assert_eq!(guard.checks_started(), 1);
    }

    #[test]
    fn the_account_map_stays_capped() {
        let guard = LoginGuard::new(&LoginGuardConfig {
            max_tracked: 8,
            source: SourceLimit::per_minute(1000),
            ..LoginGuardConfig::default()
        });
        for i in 0..8 {
            drop(guard.admit(ip("10.0.0.1"), &format!("user{i}")).unwrap());
        }
        assert!(matches!(
            guard.admit(ip("10.0.0.1"), "one-too-many"),
            Err(Refusal::Busy { .. })
        ));
        assert_eq!(guard.tracked().0, 8);
    }

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }
}
