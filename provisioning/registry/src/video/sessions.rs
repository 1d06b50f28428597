//! Lawyers' login sessions: a random token in an HttpOnly, Secure, SameSite=Strict cookie;
//! the registry keeps only its SHA-256, in memory (a restart logs everyone out). Wrong
//! passwords are counted by `login_guard`; a disabled account's sessions end at once.

use super::hub::LawyerInfo;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a login lasts (one working day).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

struct Session {
    lawyer: LawyerInfo,
    expires: Instant,
}

/// The sessions of one registry.
#[derive(Default)]
pub struct LawyerSessions {
    sessions: Mutex<HashMap<String, Session>>,
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

    /// The accounts with a live session.
    pub fn usernames(&self) -> Vec<String> {
        let now = Instant::now();
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<String> = sessions
            .values()
            .filter(|s| s.expires > now)
            .map(|s| s.lawyer.username.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Ends every session of these accounts (disabled or removed); returns how many ended.
    pub fn end_for(&self, usernames: &[String]) -> usize {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let before = sessions.len();
        sessions.retain(|_, s| !usernames.contains(&s.lawyer.username));
        before - sessions.len()
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
    fn ending_an_accounts_sessions_logs_out_every_console_of_it() {
        let sessions = LawyerSessions::default();
        let one = sessions.create(lawyer()).unwrap();
        let two = sessions.create(lawyer()).unwrap();
        let other = sessions
            .create(LawyerInfo {
                username: "li".into(),
                ..lawyer()
            })
            .unwrap();
        assert_eq!(sessions.usernames(), vec!["li".to_string(), "wang".into()]);
        assert_eq!(sessions.end_for(&["wang".into()]), 2);
        assert!(sessions.lookup(&one).is_none() && sessions.lookup(&two).is_none());
        assert!(sessions.lookup(&other).is_some());
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
