//! The one registry test harness (feature `testkit`): a pilot registry's files — CA and
//! server certificate, database with platforms, a registered operations key, the enrolment
//! code key — and the real server on 127.0.0.1, in this process or as a `kiosk-registry
//! serve` child. The registry's own tests and benchmarks, the firmware's and the video
//! tests all build on it, so that a change to how a registry starts is made once.
//!
//! Panics instead of returning errors: it only runs in tests.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use provisioning::client::ClientConfig;
use provisioning::keys::{generate_signing_key, public_key_to_base64};
use tempfile::TempDir;

use crate::code_key::CodeKey;
use crate::config::ServeConfig;
use crate::server::RunningServer;
use crate::store::{DbTarget, SqliteStore, Store, platforms::Platform};
use crate::tls::{PkiFiles, init_pki};

/// Whether this run's registries use PostgreSQL (`scripts/with-postgres.sh` sets
/// `KIOSK_TEST_STORE=postgres` and `KIOSK_TEST_PG`); SQLite otherwise.
pub fn on_postgres() -> bool {
    std::env::var("KIOSK_TEST_STORE").as_deref() == Ok("postgres")
}

/// A fresh, empty database for one test: a new PostgreSQL database on the test server when
/// this run is on PostgreSQL, else the SQLite file `sqlite` (made on first use).
pub fn fresh_database(sqlite: &Path) -> DbTarget {
    if !on_postgres() {
        return DbTarget::Sqlite(sqlite.to_path_buf());
    }
    let admin = std::env::var("KIOSK_TEST_PG").expect("KIOSK_TEST_PG (scripts/with-postgres.sh)");
    DbTarget::Postgres(new_postgres_database(&admin, "t"))
}

/// A new database named `PREFIX_<uuid>` on the PostgreSQL server at `admin_url`; its URL.
pub fn new_postgres_database(admin_url: &str, prefix: &str) -> String {
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    crate::store::wait(|| crate::store::pg::create_database(admin_url, &name))
        .expect("a test database")
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A platform for the pilot's database.
pub fn platform(id: &str, name: &str, region: &str, address: &str) -> Platform {
    Platform {
        id: id.into(),
        name: name.into(),
        region: region.into(),
        address: address.into(),
    }
}

/// Which database a pilot gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// PostgreSQL when the run is on PostgreSQL ([`on_postgres`]), else SQLite.
    OfThisRun,
    /// A SQLite file whatever the run (tests that read the file itself).
    Sqlite,
    /// A new database on the PostgreSQL server at this admin URL whatever the run
    /// (benchmarks comparing the stores).
    Postgres(String),
}

/// A pilot registry's files and database, ready to serve.
pub struct Pilot {
    /// The pilot's folder: TLS files, the SQLite file, keys, the servers' log.
    pub dir: TempDir,
    /// The SQLite file (the database when on SQLite).
    pub db: PathBuf,
    /// What `--db` is given: the SQLite file or a PostgreSQL database of its own.
    pub target: DbTarget,
    /// The enrolment-code key (`--code-key`).
    pub code_key_path: PathBuf,
    /// The pilot's CA and the server's certificate.
    pub pki: PkiFiles,
    /// The operations centre's bundle and command key (registered as `ops-1`).
    pub ops_key: SigningKey,
    /// Its public key, as terminals pin it.
    pub ops_pub: String,
}

impl Pilot {
    /// CA and a server certificate for 127.0.0.1 and localhost, a database with
    /// `platforms`, the operations key registered.
    pub fn new(database: Database, platforms: &[Platform]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki = init_pki(
            &dir.path().join("tls"),
            &["127.0.0.1".to_string(), "localhost".to_string()],
        )
        .unwrap();
        let db = dir.path().join("registry.db");
        let target = match database {
            Database::OfThisRun => fresh_database(&db),
            Database::Sqlite => DbTarget::Sqlite(db.clone()),
            Database::Postgres(admin) => DbTarget::Postgres(new_postgres_database(&admin, "t")),
        };
        let ops_key = generate_signing_key().unwrap();
        let ops_pub = public_key_to_base64(&ops_key.verifying_key());
        let store = Store::open_blocking(&target).unwrap();
        for p in platforms {
            store.platform_upsert(p).unwrap();
        }
        store.register_key("ops-1", &ops_pub).unwrap();
        let code_key_path = dir.path().join("enrolment-code.key");
        Self {
            dir,
            db,
            target,
            code_key_path,
            pki,
            ops_key,
            ops_pub,
        }
    }

    /// The registry's store, as its command line opens it.
    pub fn store(&self) -> Store {
        Store::open_blocking(&self.target).unwrap()
    }

    /// The SQLite store for direct SQL (None on PostgreSQL).
    pub fn sqlite(&self) -> Option<SqliteStore> {
        self.store().as_sqlite().cloned()
    }

    /// The key enrolment codes are hashed with (as the server uses it).
    pub fn code_key(&self) -> CodeKey {
        CodeKey::load_or_create(&self.code_key_path).unwrap()
    }

    /// A fresh one-time enrolment code for `platform`, valid an hour.
    pub fn code(&self, platform: &str) -> String {
        let expires = chrono::Utc::now() + chrono::Duration::hours(1);
        self.store()
            .create_code(&self.code_key(), platform, expires)
            .unwrap()
    }

    /// Sync-client settings for a registry at `url`, trusting the pilot's CA and pinning
    /// the operations key.
    pub fn client_config(&self, url: &str) -> ClientConfig {
        let mut config = ClientConfig::new(
            url,
            &self.pki.ca_cert,
            vec![self.ops_pub.clone()],
            "test 1.0",
        );
        config.request_timeout = Duration::from_secs(10);
        config
    }

    /// The server's settings on `listen` (port 0: any free port).
    pub fn serve_config(&self, listen: SocketAddr) -> ServeConfig {
        let mut config = ServeConfig::new(
            listen,
            self.target.clone(),
            self.pki.server_cert.clone(),
            self.pki.server_key.clone(),
        );
        config.code_key = self.code_key_path.clone();
        config
    }

    /// The server in this process, on the caller's runtime, with its settings changed by
    /// `adjust`.
    pub async fn serve(&self, adjust: impl FnOnce(&mut ServeConfig)) -> RunningServer {
        let mut config = self.serve_config("127.0.0.1:0".parse().unwrap());
        adjust(&mut config);
        crate::server::start(config).await.unwrap()
    }

    /// The server in this process on a thread and runtime of its own (for tests that are
    /// not async); stopped when the returned handle is dropped.
    pub fn serve_in_thread(&self, adjust: impl FnOnce(&mut ServeConfig)) -> InThread {
        let mut config = self.serve_config("127.0.0.1:0".parse().unwrap());
        adjust(&mut config);
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let server = crate::server::start(config).await.unwrap();
                addr_tx.send(server.addr).unwrap();
                let _ = tokio::task::spawn_blocking(move || stopped.recv()).await;
                server.stop().await;
            });
        });
        let addr = addr_rx.recv().unwrap();
        InThread {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Starts `kiosk-registry serve` (the binary `exe`) on 127.0.0.1:`port` with `extra`
    /// options and `RUST_LOG=rust_log`, its log appended to `serve.log` in the pilot's
    /// folder; returns once it accepts connections.
    pub fn spawn(&self, exe: &Path, port: u16, extra: &[String], rust_log: &str) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let child = self
            .command(exe)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--cert"])
            .arg(&self.pki.server_cert)
            .arg("--key")
            .arg(&self.pki.server_key)
            .args(extra)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "registry did not start; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        child
    }

    /// `kiosk-registry --db … --code-key …` (the binary `exe`), for its commands.
    pub fn command(&self, exe: &Path) -> Command {
        let mut command = Command::new(exe);
        command
            .arg("--db")
            .arg(self.target.arg())
            .arg("--code-key")
            .arg(&self.code_key_path);
        command
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("serve.log")
    }

    /// What the spawned servers logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }
}

/// A registry served on a thread of its own; dropping it stops the server.
pub struct InThread {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl InThread {
    /// Its HTTPS address.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
}

impl Drop for InThread {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
