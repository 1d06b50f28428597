//! Lawyers' login sessions: a random token in an HttpOnly, Secure, SameSite=Strict cookie;
//! the registry keeps only its SHA-256: in memory on SQLite (a restart logs everyone out),
//! in the database on PostgreSQL (a login on one instance holds on every other). Wrong
//! passwords are counted by `login_guard`; a disabled account's sessions end at once.

use super::hub::LawyerInfo;
use crate::store::pg::PgStore;
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

/// The sessions of one registry (or, with `shared`, of every instance on its database).
#[derive(Default)]
pub struct LawyerSessions {
    sessions: Mutex<HashMap<String, Session>>,
    shared: Option<PgStore>,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl LawyerSessions {
    /// Sessions kept in the database that several instances share.
    pub fn shared(store: PgStore) -> Self {
        Self {
            sessions: Mutex::default(),
            shared: Some(store),
        }
    }

    /// Starts a session; returns the token for the cookie.
    pub async fn create(&self, lawyer: LawyerInfo) -> Result<String, String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a session: {e}"))?;
        let token = hex::encode(bytes);
        if let Some(pg) = &self.shared {
            let expires = unix_now() + SESSION_LIFETIME.as_secs() as i64;
            pg.session_create(&token_hash(&token), &lawyer.username, expires)
                .await
                .map_err(|e| e.to_string())?;
            return Ok(token);
        }
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

    /// The lawyer behind a token, while the session lasts (a database failure counts as
    /// no session).
    pub async fn lookup(&self, token: &str) -> Option<LawyerInfo> {
        if let Some(pg) = &self.shared {
            return match pg.session_lookup(&token_hash(token), unix_now()).await {
                Ok(found) => found.map(|(username, display_name, regions)| LawyerInfo {
                    username,
                    display_name,
                    regions,
                }),
                Err(e) => {
                    tracing::warn!("session lookup: {e}");
                    None
                }
            };
        }
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .get(&token_hash(token))
            .filter(|s| s.expires > Instant::now())
            .map(|s| s.lawyer.clone())
    }

    /// Ends a session.
    pub async fn remove(&self, token: &str) {
        if let Some(pg) = &self.shared {
            if let Err(e) = pg.session_remove(&token_hash(token)).await {
                tracing::warn!("ending a session: {e}");
            }
            return;
        }
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&token_hash(token));
    }

    /// The accounts with a live session.
    pub async fn usernames(&self) -> Vec<String> {
        if let Some(pg) = &self.shared {
            return pg.session_usernames(unix_now()).await.unwrap_or_else(|e| {
                tracing::warn!("listing sessions: {e}");
                Vec::new()
            });
        }
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
    pub async fn end_for(&self, usernames: &[String]) -> usize {
        if let Some(pg) = &self.shared {
            return pg.sessions_end_for(usernames).await.unwrap_or_else(|e| {
                tracing::warn!("ending sessions: {e}");
                0
            }) as usize;
        }
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

    #[tokio::test]
    async fn a_session_token_finds_its_lawyer_until_removed() {
        let sessions = LawyerSessions::default();
        let token = sessions.create(lawyer()).await.unwrap();
        assert_eq!(sessions.lookup(&token).await.unwrap().username, "wang");
        assert!(sessions.lookup("forged").await.is_none());
        sessions.remove(&token).await;
        assert!(sessions.lookup(&token).await.is_none());
    }

    #[tokio::test]
    async fn ending_an_accounts_sessions_logs_out_every_console_of_it() {
        let sessions = LawyerSessions::default();
        let one = sessions.create(lawyer()).await.unwrap();
        let two = sessions.create(lawyer()).await.unwrap();
        let other = sessions
            .create(LawyerInfo {
                username: "li".into(),
                ..lawyer()
            })
            .await
            .unwrap();
        assert_eq!(
            sessions.usernames().await,
            vec!["li".to_string(), "wang".into()]
        );
        assert_eq!(sessions.end_for(&["wang".into()]).await, 2);
        assert!(sessions.lookup(&one).await.is_none() && sessions.lookup(&two).await.is_none());
        assert!(sessions.lookup(&other).await.is_some());
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
