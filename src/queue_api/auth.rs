//! Who may use the API. Counter staff log in on the counter PC with their maintenance PIN
//! (checked by the maintenance [`Authenticator`]: Argon2id on its own thread, the same
//! persistent lockout as the touchscreen menu). A good PIN gets a session: a random 128-bit
//! token in an `HttpOnly; SameSite=Strict` cookie (`Secure` over HTTPS), kept only in this
//! process's memory, ended by logout, by `session_idle_minutes` without an action, after
//! `session_max_hours`, or when the account is removed.
//! Changing requests must also carry the `X-Kiosk-Request` header, which a page of another
//! site cannot send without a CORS permission the API never gives (so no cross-site request
//! forgery). Client terminals present a bearer token whose SHA-256 the host lists.
//!
//! [`Authenticator`]: crate::domain::maintenance::Authenticator

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::domain::maintenance::{Actor, Role};
use crate::domain::queue::SeqRange;

/// The session cookie.
pub const COOKIE: &str = "lk_staff";
/// The header every changing request from a page must carry.
pub const REQUEST_HEADER: &str = "x-kiosk-request";

/// A logged-in member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffLogin {
    pub name: String,
    pub role: Role,
}

impl StaffLogin {
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.name.clone())
    }
}

struct Session {
    login: StaffLogin,
    created: Instant,
    last_used: Instant,
}

/// The sessions of this process.
pub struct Sessions {
    idle: Duration,
    max: Duration,
    secure: bool,
    map: Mutex<HashMap<String, Session>>,
    /// Counts sessions ended, so that open streams notice at once.
    ended: tokio::sync::watch::Sender<u64>,
}

impl Sessions {
    pub fn new(idle: Duration, max: Duration) -> Self {
        Self {
            idle,
            max,
            secure: false,
            map: Mutex::new(HashMap::new()),
            ended: tokio::sync::watch::channel(0).0,
        }
    }

    /// Cookies marked `Secure` (the API speaks HTTPS).
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Changes each time sessions end.
    pub fn ended(&self) -> tokio::sync::watch::Receiver<u64> {
        self.ended.subscribe()
    }

    /// The names of the accounts with a session.
    pub fn names(&self) -> Vec<String> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<String> = map.values().map(|s| s.login.name.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Ends every session of the account `name` (it was removed); returns how many.
    pub fn end_account(&self, name: &str) -> usize {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let before = map.len();
        map.retain(|_, s| s.login.name != name);
        let n = before - map.len();
        drop(map);
        if n > 0 {
            self.ended.send_modify(|v| *v += 1);
        }
        n
    }

    /// Starts a session; returns its token.
    pub fn create(&self, login: StaffLogin) -> String {
        let token = crate::ids::random_hex();
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| self.alive(s, now));
        map.insert(
            token.clone(),
            Session {
                login,
                created: now,
                last_used: now,
            },
        );
        token
    }

    fn alive(&self, s: &Session, now: Instant) -> bool {
        now.duration_since(s.last_used) < self.idle && now.duration_since(s.created) < self.max
    }

    /// The login of a live session (and it counts as used now).
    pub fn touch(&self, token: &str) -> Option<StaffLogin> {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let live = map.get(token).is_some_and(|s| self.alive(s, now));
        if !live {
            map.remove(token);
            return None;
        }
        let s = map.get_mut(token)?;
        s.last_used = now;
        Some(s.login.clone())
    }

    /// Whether `token` is still a live session (without counting as use).
    pub fn is_live(&self, token: &str) -> bool {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(token)
            .is_some_and(|s| self.alive(s, Instant::now()))
    }

    /// Ends a session.
    pub fn end(&self, token: &str) -> Option<StaffLogin> {
        let ended = self
            .map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token)
            .map(|s| s.login);
        if ended.is_some() {
            self.ended.send_modify(|v| *v += 1);
        }
        ended
    }

    fn attributes(&self) -> &'static str {
        if self.secure {
            "Path=/; HttpOnly; SameSite=Strict; Secure"
        } else {
            "Path=/; HttpOnly; SameSite=Strict"
        }
    }

    /// The `Set-Cookie` value for a new session.
    pub fn cookie(&self, token: &str) -> String {
        format!(
            "{COOKIE}={token}; {}; Max-Age={}",
            self.attributes(),
            self.max.as_secs()
        )
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub fn clear_cookie(&self) -> String {
        format!("{COOKIE}=; {}; Max-Age=0", self.attributes())
    }
}

/// The session token in a `Cookie` header, if any.
pub fn token_from_cookies(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

/// The client terminals' tokens, by their SHA-256, each with its own offline range if the
/// host knows it.
#[derive(Debug, Clone, Default)]
pub struct TerminalTokens {
    hashes: Vec<([u8; 32], Option<SeqRange>)>,
}

/// A client terminal that presented its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownClient {
    /// Its own offline range (`None`: any of the reserved ranges).
    pub range: Option<SeqRange>,
}

impl TerminalTokens {
    /// From the configured hex digests (checked at load; bad entries are left out).
    pub fn from_hex(list: &[String]) -> Self {
        Self::from_config(list, &[])
    }

    /// From `[queue.clients]`: the plain digests and the terminals with their ranges.
    pub fn from_config(
        list: &[String],
        terminals: &[crate::config::queue_api::ClientTerminal],
    ) -> Self {
        let decode = |h: &str| -> Option<[u8; 32]> { hex::decode(h).ok()?.try_into().ok() };
        let plain = list.iter().filter_map(|h| Some((decode(h)?, None)));
        let ranged = terminals
            .iter()
            .filter_map(|t| Some((decode(&t.token_sha256)?, SeqRange::parse(&t.offline_range))));
        Self {
            hashes: ranged.chain(plain).collect(),
        }
    }

    /// The configured client terminal `token` belongs to, if any. Compares every digest,
    /// so the time taken says nothing about the token.
    pub fn find(&self, token: &str) -> Option<KnownClient> {
        let digest = Sha256::digest(token.as_bytes());
        self.hashes.iter().fold(None, |found, (h, range)| {
            let here = constant_eq(h, digest.as_slice());
            found.or(here.then_some(KnownClient { range: *range }))
        })
    }

    /// Whether `token` belongs to a configured client terminal.
    pub fn accepts(&self, token: &str) -> bool {
        self.find(token).is_some()
    }
}

fn constant_eq(a: &[u8; 32], b: &[u8]) -> bool {
    b.len() == 32 && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new client terminal token and the SHA-256 the host lists for it.
pub fn new_terminal_token() -> (String, String) {
    let token = format!("{}{}", crate::ids::random_hex(), crate::ids::random_hex());
    let digest = hex::encode(Sha256::digest(token.as_bytes()).as_slice());
    (token, digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login() -> StaffLogin {
        StaffLogin {
            name: "王芳".into(),
            role: Role::Staff,
        }
    }

    #[test]
    fn a_session_ends_at_logout_and_when_idle() {
        let s = Sessions::new(Duration::from_millis(50), Duration::from_secs(60));
        let t = s.create(login());
        assert_eq!(s.touch(&t), Some(login()));
        assert_eq!(s.end(&t), Some(login()));
        assert_eq!(s.touch(&t), None, "logged out");
        let t = s.create(login());
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(s.touch(&t), None, "idle too long");
        assert_eq!(s.touch("made-up"), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site_and_found_among_others() {
        let s = Sessions::new(Duration::from_secs(60), Duration::from_secs(3600));
        let c = s.cookie("abc");
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Strict"),
            "{c}"
        );
        let secure = Sessions::new(Duration::from_secs(60), Duration::from_secs(60)).secure(true);
        assert!(secure.cookie("abc").contains("; Secure"));
        assert!(secure.clear_cookie().contains("; Secure"));
        assert_eq!(token_from_cookies("a=1; lk_staff=abc; b=2"), Some("abc"));
        assert_eq!(token_from_cookies("a=1"), None);
        assert_eq!(token_from_cookies("lk_staff="), None);
    }

    #[test]
    fn only_listed_terminal_tokens_are_accepted() {
        let (token, digest) = new_terminal_token();
        let tokens = TerminalTokens::from_hex(&[digest]);
        assert!(tokens.accepts(&token));
        assert!(!tokens.accepts("something-else"));
        assert!(!TerminalTokens::default().accepts(&token));
    }
}
