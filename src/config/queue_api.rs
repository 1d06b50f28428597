//! The `[queue.server]`, `[queue.host]` and `[queue.clients]` sections of the configuration:
//! the LAN queue API (`crate::queue_api`) a host serves and its client terminals use.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use crate::domain::queue::SeqRange;

/// `[queue.server]`: the local API and the counter, hall and ticket pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Serve them at all (a client terminal never does).
    pub enabled: bool,
    /// Address and port. `127.0.0.1:8080` keeps them on this machine; the terminal's LAN
    /// address (or `0.0.0.0:8080`) lets counter PCs and the hall TV reach them.
    pub listen: SocketAddr,
    /// A staff login on a counter PC ends after this many minutes without an action.
    pub session_idle_minutes: u64,
    /// …and after this many hours in any case.
    pub session_max_hours: u64,
    /// The names (with the port, e.g. `"kiosk-3.centre.lan:8443"`) counter PCs may use in
    /// their address bar besides IP addresses and `localhost`. A request for any other
    /// name is refused (a web page cannot rebind its own name to this terminal).
    pub host_names: Vec<String>,
    /// The certificate chain and private key (PEM) of the HTTPS the API serves on any
    /// address but 127.0.0.1, e.g. issued by the centre's CA. Without them the terminal
    /// makes a self-signed certificate in its data folder on first start; client
    /// terminals pin its SHA-256 (`legal-kiosk queue cert-fingerprint`).
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Connections at most, in all and from one address; more are closed at once.
    pub max_connections: usize,
    pub max_connections_per_source: usize,
    /// A connection that moves no byte for this many seconds is closed.
    pub idle_timeout_secs: u64,
    /// Listeners of each live stream (hall, counters) at most.
    pub max_streams: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            session_idle_minutes: 30,
            session_max_hours: 12,
            host_names: Vec::new(),
            tls_cert: None,
            tls_key: None,
            max_connections: 256,
            max_connections_per_source: 32,
            idle_timeout_secs: 60,
            max_streams: 64,
        }
    }
}

impl ServerConfig {
    /// Whether the API serves plain HTTP: only on 127.0.0.1 (or ::1), where no other
    /// machine can listen in.
    pub fn plain_http(&self) -> bool {
        use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
        matches!(
            self.listen.ip(),
            IpAddr::V4(Ipv4Addr::LOCALHOST) | IpAddr::V6(Ipv6Addr::LOCALHOST)
        )
    }
}

/// `[queue.host]`: this terminal issues its tickets through another terminal's queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostConfig {
    /// The host's API, e.g. `http://192.168.10.20:8080`.
    pub url: String,
    /// The secret this terminal presents (the host keeps its SHA-256 in
    /// `[queue.clients] token_sha256`; make both with `legal-kiosk queue client-token`).
    pub token: String,
    /// While the host cannot be reached, issue numbers from this range of this terminal's
    /// own (e.g. `"800-899"`, also listed in the host's `reserved_ranges`); they are handed
    /// to the host when it is back. Without it the kiosk says it cannot issue tickets.
    #[serde(default)]
    pub offline_range: Option<String>,
    /// Milliseconds before a request to the host counts as failed.
    #[serde(default = "default_host_timeout")]
    pub timeout_ms: u64,
    /// The SHA-256 (hex) of the host's HTTPS certificate (`legal-kiosk queue
    /// cert-fingerprint` on the host): the only certificate this terminal accepts from it.
    /// Needed unless the host is on this machine (`http://127.0.0.1:…`).
    #[serde(default)]
    pub cert_sha256: Option<String>,
    /// The host's key for hashing ID numbers (64 hex digits, printed by `legal-kiosk queue
    /// client-token` on the host): with it a person holds one ticket per service across
    /// the centre's terminals, not one per terminal. Keep it as secret as the token.
    #[serde(default)]
    pub id_hash_key: Option<String>,
}

fn default_host_timeout() -> u64 {
    2000
}

impl HostConfig {
    /// The offline range, parsed (checked at load).
    pub fn offline_range(&self) -> Option<SeqRange> {
        self.offline_range.as_deref().and_then(SeqRange::parse)
    }
}

/// `[queue.clients]`: the client terminals this terminal hosts the queue for.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ClientsConfig {
    /// SHA-256 (hex) of each client terminal's token.
    pub token_sha256: Vec<String>,
    /// Number ranges client terminals keep for offline use (e.g. `"800-899"`); this
    /// terminal never issues them.
    pub reserved_ranges: Vec<String>,
    /// `[[queue.clients.terminal]]`: a client terminal with its own offline range. Its
    /// offline tickets are taken only from that range (a client listed only in
    /// `token_sha256` may hand over numbers from any of the `reserved_ranges`).
    pub terminal: Vec<ClientTerminal>,
}

/// One client terminal and the number range it keeps for offline use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientTerminal {
    /// SHA-256 (hex) of its token.
    pub token_sha256: String,
    /// Its offline range, e.g. `"800-899"` (also its `[queue.host] offline_range`).
    pub offline_range: String,
}

impl ClientsConfig {
    /// The reserved ranges, parsed (checked at load), with each listed terminal's own.
    pub fn reserved(&self) -> Vec<SeqRange> {
        self.reserved_ranges
            .iter()
            .chain(self.terminal.iter().map(|t| &t.offline_range))
            .filter_map(|r| SeqRange::parse(r))
            .collect()
    }
}

/// What is wrong with the queue's network settings, as `queue.… ` messages.
pub fn config_problems(queue: &super::QueueConfig) -> Vec<String> {
    let mut out = Vec::new();
    if queue.server.session_idle_minutes == 0 || queue.server.session_max_hours == 0 {
        out.push("queue.server session lengths must be at least 1".into());
    }
    if queue.server.max_connections == 0
        || queue.server.max_connections_per_source == 0
        || queue.server.max_streams == 0
    {
        out.push("queue.server connection limits must be at least 1".into());
    }
    if queue.server.idle_timeout_secs < 20 {
        out.push(
            "queue.server.idle_timeout_secs must be at least 20 (live streams send a \
             keep-alive every 15 s)"
                .into(),
        );
    }
    if queue.server.tls_cert.is_some() != queue.server.tls_key.is_some() {
        out.push("queue.server: give both tls_cert and tls_key, or neither".into());
    }
    if let Some(host) = &queue.host {
        let loopback = host.url.starts_with("http://127.0.0.1:")
            || host.url.starts_with("http://localhost:")
            || host.url.starts_with("http://[::1]:");
        if !loopback && !host.url.starts_with("https://") {
            out.push(format!(
                "queue.host.url = {:?}: use https://ADDRESS:PORT of the host terminal (plain \
                 http:// only for a host on this machine)",
                host.url
            ));
        }
        match &host.cert_sha256 {
            Some(h) if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) => out.push(
                "queue.host.cert_sha256 is 64 hex digits (`legal-kiosk queue cert-fingerprint` \
                 on the host)"
                    .into(),
            ),
            None if host.url.starts_with("https://") => out.push(
                "queue.host.cert_sha256 is missing: pin the host's certificate (`legal-kiosk \
                 queue cert-fingerprint` on the host)"
                    .into(),
            ),
            _ => {}
        }
        if host.token.len() < 16 {
            out.push("queue.host.token must be at least 16 characters (see `legal-kiosk queue client-token`)".into());
        }
        if let Some(k) = &host.id_hash_key
            && (k.len() != 64 || !k.chars().all(|c| c.is_ascii_hexdigit()))
        {
            out.push(
                "queue.host.id_hash_key is 64 hex digits (`legal-kiosk queue client-token` on \
                 the host)"
                    .into(),
            );
        }
        if let Some(r) = &host.offline_range
            && SeqRange::parse(r).is_none()
        {
            out.push(format!(
                "queue.host.offline_range = {r:?}: write FIRST-LAST, e.g. \"800-899\""
            ));
        }
    }
    for r in &queue.clients.reserved_ranges {
        if SeqRange::parse(r).is_none() {
            out.push(format!(
                "queue.clients.reserved_ranges: {r:?} is not FIRST-LAST, e.g. \"800-899\""
            ));
        }
    }
    for t in &queue.clients.terminal {
        if SeqRange::parse(&t.offline_range).is_none() {
            out.push(format!(
                "queue.clients.terminal.offline_range = {:?}: write FIRST-LAST, e.g. \"800-899\"",
                t.offline_range
            ));
        }
    }
    let terminals = queue.clients.terminal.iter().map(|t| &t.token_sha256);
    for h in queue.clients.token_sha256.iter().chain(terminals) {
        if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
            out.push("queue.clients.token_sha256 entries are 64 hex digits".into());
        }
    }
    out
}
