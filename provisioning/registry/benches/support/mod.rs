//! Shared by the benchmarks: a registry child process (the release binary) on 127.0.0.1,
//! terminals, the machine description and CPU accounting from /proc.
#![allow(dead_code)]

use kiosk_registry::store::{Store, enrolment, platforms};
use provisioning::client::{ClientConfig, Enrolment};
use provisioning::identity::DeviceIdentity;
use provisioning::keys::{generate_signing_key, public_key_to_base64};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PLATFORM: &str = "bench-platform";

pub struct Registry {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub ca: PathBuf,
    pub ops_pub: String,
    pub port: u16,
    child: Child,
}

impl Registry {
    pub fn start(poll_interval_s: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki =
            kiosk_registry::tls::init_pki(&dir.path().join("tls"), &["127.0.0.1".to_string()])
                .unwrap();
        let db = dir.path().join("registry.db");
        let ops_pub = public_key_to_base64(&generate_signing_key().unwrap().verifying_key());
        Store::open(&db)
            .unwrap()
            .with(|c| {
                platforms::upsert(
                    c,
                    &platforms::Platform {
                        id: PLATFORM.into(),
                        name: "基准测试中心".into(),
                        region: "330106".into(),
                        address: String::new(),
                    },
                )
            })
            .unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_kiosk-registry"))
            .arg("--db")
            .arg(&db)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--poll-interval",
                &poll_interval_s.to_string(),
                "--cert",
            ])
            .arg(&pki.server_cert)
            .arg("--key")
            .arg(&pki.server_key)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            dir,
            db,
            ca: pki.ca_cert,
            ops_pub,
            port,
            child,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn config(&self) -> ClientConfig {
        ClientConfig::new(
            &format!("https://127.0.0.1:{}", self.port),
            &self.ca,
            vec![self.ops_pub.clone()],
            "bench 1.0",
        )
    }

    pub fn codes(&self, n: usize) -> Vec<String> {
        let store = Store::open(&self.db).unwrap();
        let expires = chrono::Utc::now() + chrono::Duration::hours(1);
        let key = kiosk_registry::code_key::CodeKey::for_database(&self.db).unwrap();
        (0..n)
            .map(|_| {
                store
                    .with(|c| enrolment::create_code(c, &key, PLATFORM, expires))
                    .unwrap()
            })
            .collect()
    }

    pub async fn enrol(&self, identity: &DeviceIdentity, code: &str) -> Enrolment {
        provisioning::client::enrol(&self.config(), identity, code, "BENCH")
            .await
            .unwrap()
    }

    pub fn events_count(&self) -> u64 {
        Store::open(&self.db)
            .unwrap()
            .with(|c| {
                Ok(c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))? as u64)
            })
            .unwrap()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU model and core count, from /proc/cpuinfo.
pub fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown CPU");
    let cores = info.lines().filter(|l| l.starts_with("processor")).count();
    format!("{model}, {cores} cores")
}

/// User + system CPU time of a process so far.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 12th, stime 13th.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

/// Resident memory of a process in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The p-th percentile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}
