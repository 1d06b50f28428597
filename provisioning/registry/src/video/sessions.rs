//! Lawyers' login sessions: a random token in an HttpOnly, Secure, SameSite=Strict cookie;
//! the registry keeps only its SHA-256, in memory (a restart logs everyone out). Repeated
//! wrong passwords lock the account's logins for a while.

use super::hub::LawyerInfo;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a login lasts (one working day).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Wrong passwords in a row that lock an account's logins.
pub const MAX_FAILURES: u32 = 5;
/// How long such a lock lasts.
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);

struct Session {
    lawyer: LawyerInfo,
    expires: Instant,
}

/// The sessions of one registry.
#[derive(Default)]
pub struct LawyerSessions {
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl LawyerSessions {
    /// Starts a session; returns the token for the cookie.
    pub fn create(&self, lawyer: LawyerInfo) -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let token = hex::encode(bytes);
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        sessions.retain(|_, s| s.expires > now);
        sessions.insert(
            token_hash(&token),
            Session {
                lawyer,
                expires: now + SESSION_LIFETIME,
            },
        );
        Ok(token)
    }

    /// The lawyer behind a token, while the session lasts.
    pub fn lookup(&self, token: &str) -> Option<LawyerInfo> {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .get(&token_hash(token))
            .filter(|s| s.expires > Instant::now())
            .map(|s| s.lawyer.clone())
    }

    /// Ends a session.
    pub fn remove(&self, token: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&token_hash(token));
    }

    /// Seconds until `username` may try again, if locked.
    pub fn locked_for(&self, username: &str) -> Option<u64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (count, last) = failures.get(username)?;
        let until = *last + LOCKOUT;
        (*count >= MAX_FAILURES && until > Instant::now())
            .then(|| until.saturating_duration_since(Instant::now()).as_secs() + 1)
    }

    /// Records a wrong password.
    pub fn failed(&self, username: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let entry = failures
            .entry(username.to_string())
            .or_insert((0, Instant::now()));
        if entry.1 + LOCKOUT < Instant::now() {
            entry.0 = 0;
        }
        entry.0 += 1;
        entry.1 = Instant::now();
    }

    /// Clears the failures after a good password.
    pub fn succeeded(&self, username: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(username);
    }
}

/// The session token from a `Cookie` header.
pub fn token_from_cookie(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == provisioning::signalling::LAWYER_COOKIE && !value.is_empty()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lawyer() -> LawyerInfo {
        LawyerInfo {
            username: "wang".into(),
            display_name: "王律师".into(),
            regions: vec!["330000".into()],
        }
    }

    #[test]
    fn a_session_token_finds_its_lawyer_until_removed() {
        let sessions = LawyerSessions::default();
        let token = sessions.create(lawyer()).unwrap();
        assert_eq!(sessions.lookup(&token).unwrap().username, "wang");
        assert!(sessions.lookup("forged").is_none());
        sessions.remove(&token);
        assert!(sessions.lookup(&token).is_none());
    }

    #[test]
    fn five_wrong_passwords_lock_the_account() {
        let sessions = LawyerSessions::default();
        for _ in 0..MAX_FAILURES - 1 {
            sessions.failed("wang");
        }
        assert_eq!(sessions.locked_for("wang"), None);
        sessions.failed("wang");
        assert!(sessions.locked_for("wang").is_some());
        assert_eq!(sessions.locked_for("li"), None);
        sessions.succeeded("wang");
        assert_eq!(sessions.locked_for("wang"), None);
    }

    #[test]
    fn the_token_is_read_from_the_cookie_header() {
        assert_eq!(
            token_from_cookie("a=b; kiosk_lawyer=abc123; c=d"),
            Some("abc123")
        );
        assert_eq!(token_from_cookie("kiosk_lawyer="), None);
        assert_eq!(token_from_cookie("other=1"), None);
    }
}
