//! Talking to a kiosk's queue API over HTTP in tests: staff login with a cookie, JSON calls,
//! and a hall stream reader. Loopback only.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use legal_kiosk::domain::maintenance::{Actor, Pin, Role, accounts};

/// A PIN for the test staff account.
pub const PIN: &str = "739152";

/// Adds the staff account 王芳 with [`PIN`] to the kiosk's store.
pub fn add_staff(kiosk: &super::Kiosk) {
    let at = kiosk.clock_now();
    kiosk
        .kiosk
        .worker
        .call(move |s| {
            accounts::add(
                s.conn(),
                "王芳",
                Role::Staff,
                &Pin::parse(PIN).unwrap(),
                &Actor::Console("test".into()),
                at,
            )
        })
        .unwrap()
        .unwrap();
}

fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .tls_backend_preconfigured(
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
        )
        .build()
        .unwrap()
}

/// An HTTP client of one kiosk's API, remembering the session cookie.
pub struct Api {
    pub base: String,
    client: reqwest::Client,
    rt: tokio::runtime::Runtime,
    cookie: Option<String>,
}

/// A status and a JSON body.
pub type Answer = (u16, serde_json::Value);

impl Api {
    pub fn new(base: &str) -> Self {
        Self::with_client(base, new_client())
    }

    /// An API client with its own HTTP client (a source address, a pinned certificate).
    pub fn with_client(base: &str, client: reqwest::Client) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Self {
            base: base.trim_end_matches('/').to_string(),
            client,
            rt,
            cookie: None,
        }
    }

    /// Requests from the loopback address `source` (127.0.0.2, …: another "host").
    pub fn from_source(base: &str, source: &str) -> Self {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(legal_kiosk::queue_api::tls::client_config(None).unwrap())
            .local_address(source.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap();
        Self::with_client(base, client)
    }

    /// HTTPS accepting only the certificate whose SHA-256 is `pinned`.
    pub fn pinned(base: &str, pinned: &str) -> Self {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(
                legal_kiosk::queue_api::tls::client_config(Some(pinned)).unwrap(),
            )
            .build()
            .unwrap();
        Self::with_client(base, client)
    }

    /// Like [`Api::send`], but a failure to get an answer is `Err` (a refused TLS
    /// handshake, a connection closed).
    pub fn try_get(&mut self, path: &str) -> Result<Answer, String> {
        let req = self.client.get(format!("{}{path}", self.base));
        self.rt.block_on(async {
            let r = req.send().await.map_err(|e| format!("{e:?}"))?;
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            Ok((
                status,
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            ))
        })
    }

    /// The `Set-Cookie` header of a login as `name`.
    pub fn login_cookie(&mut self, name: &str, pin: &str) -> (u16, Option<String>) {
        let req = self
            .client
            .post(format!("{}/api/login", self.base))
            .header("x-kiosk-request", "1")
            .json(&serde_json::json!({ "name": name, "pin": pin }));
        self.rt.block_on(async {
            let r = req.send().await.expect("the API answers");
            let cookie = r
                .headers()
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            (r.status().as_u16(), cookie)
        })
    }

    /// The API of a kiosk started by the test harness.
    pub fn of(kiosk: &super::Kiosk) -> Self {
        let addr = kiosk
            .kiosk
            .queue_server
            .as_ref()
            .expect("the kiosk serves its queue API")
            .addr;
        Self::new(&format!("http://{addr}"))
    }

    pub fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            req = req.header("cookie", cookie);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let (status, set_cookie, text) = self.rt.block_on(async {
            let r = req.send().await.expect("the API answers");
            let status = r.status().as_u16();
            let set_cookie = r
                .headers()
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            (status, set_cookie, r.text().await.unwrap_or_default())
        });
        if let Some(c) = set_cookie {
            self.cookie = c
                .split(';')
                .next()
                .map(str::to_string)
                .filter(|c| !c.ends_with('='));
        }
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// A changing request as the pages send it (with the request header).
    pub fn post(&mut self, path: &str, body: serde_json::Value) -> Answer {
        self.send(
            reqwest::Method::POST,
            path,
            Some(body),
            &[("x-kiosk-request", "1")],
        )
    }

    pub fn get(&mut self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, None, &[])
    }

    /// Logs in as 王芳 (the account of [`add_staff`]) with `pin`.
    pub fn login(&mut self, pin: &str) -> Answer {
        self.login_as("王芳", pin)
    }

    pub fn login_as(&mut self, name: &str, pin: &str) -> Answer {
        self.post(
            "/api/login",
            serde_json::json!({ "name": name, "pin": pin }),
        )
    }

    /// Follows a server-sent event stream on a thread of its own: each event's JSON with
    /// the moment it arrived.
    pub fn follow(&self, path: &str) -> std::sync::mpsc::Receiver<(Instant, serde_json::Value)> {
        let url = format!("{}{path}", self.base);
        // A client of its own: pooled connections belong to the runtime that made them.
        let client = new_client();
        let cookie = self.cookie.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let mut req = client.get(url);
                if let Some(c) = cookie {
                    req = req.header("cookie", c);
                }
                let Ok(mut r) = req.send().await else { return };
                if !r.status().is_success() {
                    return;
                }
                let mut buf = String::new();
                while let Ok(Some(chunk)) = r.chunk().await {
                    let now = Instant::now();
                    buf.push_str(&String::from_utf8_lossy(&chunk));
                    while let Some(end) = buf.find("\n\n") {
                        let event: String = buf.drain(..end + 2).collect();
                        let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) else {
                            continue;
                        };
                        if let Ok(v) = serde_json::from_str(data.trim())
                            && tx.send((now, v)).is_err()
                        {
                            return;
                        }
                    }
                }
            });
        });
        rx
    }
}

/// Waits (at most `timeout`) for an event that satisfies `want`.
pub fn next_matching(
    rx: &std::sync::mpsc::Receiver<(Instant, serde_json::Value)>,
    timeout: Duration,
    mut want: impl FnMut(&serde_json::Value) -> bool,
) -> Option<(Instant, serde_json::Value)> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        let (at, v) = rx.recv_timeout(left).ok()?;
        if want(&v) {
            return Some((at, v));
        }
    }
}
