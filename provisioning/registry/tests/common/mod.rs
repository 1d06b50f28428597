//! A pilot registry (the real `kiosk-registry serve` as a child process on 127.0.0.1) and
//! terminals (the real sync client over the SQLite reference store), for the tests.
#![allow(dead_code)]

use kiosk_registry::testkit::{self, Database, platform};
use provisioning::client::{ClientConfig, Enrolment, Stores, SyncClient, SyncError};
use provisioning::identity::DeviceIdentity;
use provisioning::sqlite_store::SqliteStore;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

#[allow(unused_imports)]
pub use kiosk_registry::testkit::{fresh_database, on_postgres};

pub const PLATFORM: &str = "hz-xihu";
pub const OTHER_PLATFORM: &str = "nb-haishu";

/// A pilot registry (the harness's files and database) and its `kiosk-registry serve`
/// child process. Its files and keys (`dir`, `db`, `target`, `pki`, `ops_key`, …) are the
/// harness's.
pub struct Pilot {
    pub port: u16,
    /// Extra `serve` options.
    pub serve_args: Vec<String>,
    /// `RUST_LOG` of the server.
    pub log_level: &'static str,
    server: Option<Child>,
    files: testkit::Pilot,
}

impl Deref for Pilot {
    type Target = testkit::Pilot;
    fn deref(&self) -> &testkit::Pilot {
        &self.files
    }
}

impl DerefMut for Pilot {
    fn deref_mut(&mut self) -> &mut testkit::Pilot {
        &mut self.files
    }
}

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_kiosk-registry"))
}

impl Pilot {
    /// CA and server certificate, a database with two platforms and a registered ops key.
    pub fn new() -> Self {
        Self::with_database(Database::OfThisRun)
    }

    /// As `new`, on a SQLite file whatever store this run tests (migrations between stores).
    pub fn new_sqlite() -> Self {
        Self::with_database(Database::Sqlite)
    }

    /// As `new`, on `database`.
    pub fn with_database(database: Database) -> Self {
        let files = testkit::Pilot::new(
            database,
            &[
                platform(PLATFORM, "西湖区公共法律服务中心", "330106", "杭州市西湖区"),
                platform(OTHER_PLATFORM, "海曙区公共法律服务中心", "330203", ""),
            ],
        );
        Self {
            port: testkit::free_port(),
            serve_args: Vec::new(),
            log_level: "warn",
            server: None,
            files,
        }
    }

    /// Every folder where the registry's data lands on disk: the pilot's folder (the SQLite
    /// file, keys, logs), and on PostgreSQL this database's files and the write-ahead log
    /// (after a checkpoint, so what was committed is in the files).
    pub fn data_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.dir.path().to_path_buf()];
        if on_postgres() {
            let store = self.store();
            store.sql_execute("CHECKPOINT", &[]).unwrap();
            let text = |sql: &str| store.sql_text(sql, &[]).unwrap().remove(0).unwrap();
            let data = PathBuf::from(text("SELECT current_setting('data_directory')"));
            let oid = text(
                "SELECT CAST(oid AS TEXT) FROM pg_database WHERE datname = current_database()",
            );
            dirs.push(data.join("base").join(oid));
            dirs.push(data.join("pg_wal"));
        }
        dirs
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Starts `kiosk-registry serve` and waits until it accepts connections.
    pub fn start(&mut self) {
        assert!(self.server.is_none(), "already running");
        self.server = Some(self.spawn_server(self.port));
    }

    /// Another registry instance on the same database, TLS files and code key, on a port
    /// of its own (its log goes to the same file).
    pub fn another_instance(&self) -> Instance {
        let port = testkit::free_port();
        Instance {
            port,
            child: Some(self.spawn_server(port)),
        }
    }

    fn spawn_server(&self, port: u16) -> Child {
        self.files
            .spawn(exe(), port, &self.serve_args, self.log_level)
    }

    /// Client settings for the instance (or load balancer) on `port`.
    pub fn client_config_for(&self, port: u16) -> ClientConfig {
        self.files
            .client_config(&format!("https://127.0.0.1:{port}"))
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.server.as_ref().map(Child::id)
    }

    /// Runs `kiosk-registry --db … ARGS` with `stdin`; panics unless it succeeds; returns its
    /// standard output.
    pub fn admin(&self, args: &[&str], stdin: &str) -> String {
        let out = self.admin_output(args, stdin);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `kiosk-registry --db … ARGS`; panics if it succeeds; returns its error output.
    pub fn admin_fails(&self, args: &[&str]) -> String {
        let out = self.admin_output(args, "");
        assert!(!out.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn admin_output(&self, args: &[&str], stdin: &str) -> std::process::Output {
        use std::io::Write as _;
        let mut child = self
            .command(exe())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// SIGKILLs the server.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn client_config(&self) -> ClientConfig {
        self.files.client_config(&self.url())
    }

    /// Command line of `kiosk-sim` for a terminal folder, pinned to the ops key.
    pub fn sim(&self, data: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiosk-sim"));
        cmd.arg("--data")
            .arg(data)
            .arg("--registry")
            .arg(self.url())
            .arg("--ca")
            .arg(&self.pki.ca_cert)
            .arg("--pin")
            .arg(&self.ops_pub);
        cmd.env("RUST_LOG", "error");
        cmd
    }

    pub fn events_count(&self) -> u64 {
        self.store().count_events(None).unwrap()
    }

    /// Every stored event's idempotency key, sorted (repeats would show twice).
    pub fn event_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        self.store()
            .export(&Default::default(), &mut |row| {
                keys.push(row.idempotency_key);
                Ok(())
            })
            .unwrap();
        keys.sort();
        keys
    }
}

impl Drop for Pilot {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A second registry process.
pub struct Instance {
    pub port: u16,
    child: Option<Child>,
}

impl Instance {
    /// SIGKILLs it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A TCP load balancer in front of several instances, as in production (TLS passes
/// through): each new connection goes to the first backend that accepts it, so when one
/// dies, terminals reconnect to the next. Returns its port; runs until the runtime ends.
pub async fn failover_balancer(backends: Vec<u16>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let backends = backends.clone();
            tokio::spawn(async move {
                for backend in backends {
                    if let Ok(mut outbound) =
                        tokio::net::TcpStream::connect(("127.0.0.1", backend)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        return;
                    }
                }
            });
        }
    });
    port
}

/// A terminal: key, SQLite store, enrolment.
pub struct Terminal {
    pub dir: TempDir,
    pub identity: Arc<DeviceIdentity>,
    pub store: Arc<SqliteStore>,
    pub enrolment: Option<Enrolment>,
}

impl Terminal {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let identity =
            Arc::new(DeviceIdentity::load_or_create(&dir.path().join("device.key")).unwrap());
        let store = Arc::new(SqliteStore::open(&dir.path().join("kiosk.db")).unwrap());
        Self {
            dir,
            identity,
            store,
            enrolment: None,
        }
    }

    pub async fn enrol(&mut self, pilot: &Pilot, code: &str) -> Result<Enrolment, SyncError> {
        let enrolment =
            provisioning::client::enrol(&pilot.client_config(), &self.identity, code, "SIM-TEST")
                .await?;
        enrolment
            .save(&self.dir.path().join("enrolment.json"))
            .unwrap();
        self.enrolment = Some(enrolment.clone());
        Ok(enrolment)
    }

    /// Enrolled with a fresh code for the main platform.
    pub async fn enrolled(pilot: &Pilot) -> Self {
        let mut t = Self::new();
        t.enrol(pilot, &pilot.code(PLATFORM)).await.unwrap();
        t
    }

    pub fn device_id(&self) -> String {
        self.enrolment.as_ref().unwrap().device_id.clone()
    }

    pub fn client_with(&self, config: ClientConfig) -> SyncClient {
        let s = self.store.clone();
        let stores = Stores {
            outbox: s.clone(),
            bundles: s.clone(),
            commands: s.clone(),
            health: s,
        };
        SyncClient::new(
            config,
            self.identity.clone(),
            self.enrolment.clone().unwrap(),
            stores,
        )
        .unwrap()
    }

    pub fn client(&self, pilot: &Pilot) -> SyncClient {
        self.client_with(pilot.client_config())
    }
}

/// Runs a command; panics with its error output unless it succeeds; its standard output.
pub fn succeeded(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Enrols a `kiosk-sim` terminal kept in `data` with a fresh code for `platform`; returns
/// its device id.
pub fn enrol_sim(pilot: &Pilot, data: &Path, platform: &str) -> String {
    let out = succeeded(
        pilot
            .sim(data)
            .args(["enrol", "--code", &pilot.code(platform)]),
    );
    let enrolment: serde_json::Value = serde_json::from_slice(&out).unwrap();
    enrolment["device_id"].as_str().unwrap().to_string()
}

/// Synthetic ticket events.
pub fn tickets(n: usize, service: &str, day: &str) -> Vec<(String, serde_json::Value)> {
    (0..n)
        .map(|i| {
            let payload = serde_json::json!({ "service_id": service, "number": format!("A{:03}", i % 1000), "service_day": day, "issued_at": "2026-11-20T09:00:00+08:00" });
            ("ticket.issued".to_string(), payload)
        })
        .collect()
}

/// A reqwest client trusting only the pilot's CA, connecting from `source` (any 127.x
/// address reaches the loopback listener: another client as far as the registry knows).
/// HTTP/2: parallel requests share one connection, as a browser's would, so a burst costs
/// the registry requests rather than TLS handshakes.
pub fn https_client_from(pilot: &Pilot, source: &str) -> reqwest::Client {
    pinned_client(pilot, &[b"h2", b"http/1.1"])
        .local_address(source.parse::<std::net::IpAddr>().unwrap())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A reqwest client trusting only the pilot's CA.
pub fn https_client(pilot: &Pilot) -> reqwest::Client {
    pinned_client(pilot, &[]).build().unwrap()
}

fn pinned_client(pilot: &Pilot, alpn: &[&[u8]]) -> reqwest::ClientBuilder {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&pilot.pki.ca_cert).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    tls.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    reqwest::Client::builder().tls_backend_preconfigured(tls)
}

/// Signs a request as `device_id` with `identity`.
pub fn signed(
    client: &reqwest::Client,
    pilot: &Pilot,
    identity: &DeviceIdentity,
    device_id: &str,
    method: reqwest::Method,
    path: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    use provisioning::auth::*;
    let h = sign_request(
        identity,
        device_id,
        method.as_str(),
        path,
        &body,
        chrono::Utc::now().timestamp(),
        new_nonce().unwrap(),
    );
    client
        .request(method, format!("{}{}", pilot.url(), path))
        .header(HEADER_DEVICE, h.device_id)
        .header(HEADER_TIMESTAMP, h.timestamp.to_string())
        .header(HEADER_NONCE, h.nonce)
        .header(HEADER_SIGNATURE, h.signature)
        .header("content-type", "application/json")
        .body(body)
}
