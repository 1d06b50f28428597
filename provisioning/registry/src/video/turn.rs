//! The STUN/TURN settings handed to both peers of a call. TURN servers run by the centre
//! (coturn with `use-auth-secret`) get time-limited credentials minted per connection and
//! per call, by the TURN REST scheme coturn implements: the user name is
//! `<expiry in Unix seconds>:<who>`, the password `base64(HMAC-SHA1(shared secret, user
//! name))`. coturn checks the expiry when an allocation is made, so a leaked credential is
//! useless after its TTL; the shared secret never leaves the registry and coturn.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use provisioning::signalling::{IceServer, IceSettings, IceTransportPolicy};
use std::time::Duration;
use zeroize::Zeroizing;

/// How a peer authenticates to a STUN/TURN server.
#[derive(Clone)]
pub enum Credentials {
    /// None (STUN).
    None,
    /// The same user name and password for everyone (a TURN server of another kind).
    Static {
        /// User name.
        username: String,
        /// Password.
        credential: String,
    },
    /// Minted per connection and call from a secret shared with coturn.
    Rest {
        /// The shared secret (`static-auth-secret` in coturn).
        secret: Zeroizing<String>,
        /// How long each credential is valid.
        ttl: Duration,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Static { username, .. } => write!(f, "Static({username})"),
            Self::Rest { ttl, .. } => write!(f, "Rest(ttl {}s)", ttl.as_secs()),
        }
    }
}

/// One configured server.
#[derive(Debug, Clone)]
pub struct IceServerConfig {
    /// `stun:`, `stuns:`, `turn:` or `turns:` URL.
    pub url: String,
    /// How peers authenticate.
    pub credentials: Credentials,
}

/// The configured servers and policy, with their secrets (stays in the registry).
#[derive(Debug, Clone, Default)]
pub struct IceConfig {
    /// Servers, in the order configured.
    pub servers: Vec<IceServerConfig>,
    /// Whether only relayed candidates may be used.
    pub policy: IceTransportPolicy,
}

/// A TURN REST credential for `who`, valid until `expires` (Unix seconds).
pub fn rest_credential(secret: &str, who: &str, expires: i64) -> (String, String) {
    let username = format!("{expires}:{who}");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    let tag = ring::hmac::sign(&key, username.as_bytes());
    (username, B64.encode(tag.as_ref()))
}

impl IceConfig {
    /// The settings for one peer (`who`: a device id, or `lawyer.<name>`), with TURN REST
    /// credentials minted now.
    pub fn issue(&self, who: &str, now: DateTime<Utc>) -> IceSettings {
        let ice_servers = self
            .servers
            .iter()
            .map(|s| {
                let (username, credential) = match &s.credentials {
                    Credentials::None => (String::new(), String::new()),
                    Credentials::Static {
                        username,
                        credential,
                    } => (username.clone(), credential.clone()),
                    Credentials::Rest { secret, ttl } => {
                        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
                        rest_credential(secret, who, now.timestamp().saturating_add(ttl))
                    }
                };
                IceServer {
                    urls: vec![s.url.clone()],
                    username,
                    credential,
                }
            })
            .collect();
        IceSettings {
            ice_servers,
            ice_transport_policy: self.policy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_follow_the_turn_rest_scheme() {
        // printf %s "1700000600:kt-1" | openssl dgst -sha1 -hmac "secret" -binary | base64
        let (user, password) = rest_credential("secret", "kt-1", 1_700_000_600);
        assert_eq!(user, "1700000600:kt-1");
        assert_eq!(password, "TmIcEjcaWgX3uhkSPNnDbpVHpVE=");
    }

    #[test]
    fn each_peer_gets_its_own_credential_expiring_after_the_ttl() {
        let config = IceConfig {
            servers: vec![
                IceServerConfig {
                    url: "stun:turn.centre:3478".into(),
                    credentials: Credentials::None,
                },
                IceServerConfig {
                    url: "turn:turn.centre:3478".into(),
                    credentials: Credentials::Rest {
                        secret: Zeroizing::new("s3cret".into()),
                        ttl: Duration::from_secs(600),
                    },
                },
            ],
            policy: IceTransportPolicy::Relay,
        };
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let kiosk = config.issue("kt-1", now);
        let lawyer = config.issue("lawyer.wang", now);
        assert_eq!(kiosk.ice_servers[0].username, "");
        assert_eq!(kiosk.ice_servers[1].username, "1700000600:kt-1");
        assert_eq!(lawyer.ice_servers[1].username, "1700000600:lawyer.wang");
        assert_ne!(
            kiosk.ice_servers[1].credential,
            lawyer.ice_servers[1].credential
        );
        assert_eq!(kiosk.ice_transport_policy, IceTransportPolicy::Relay);
        assert!(!format!("{:?}", config).contains("s3cret"));
    }
}
