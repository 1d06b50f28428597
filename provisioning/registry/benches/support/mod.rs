//! Shared by the benchmarks: a registry child process (the release binary) on 127.0.0.1,
//! terminals, the machine description and CPU accounting from /proc.
#![allow(dead_code)]

use kiosk_registry::store::{DbTarget, Store};
use kiosk_registry::testkit::{self, Database, Pilot, platform};
use provisioning::client::{ClientConfig, Enrolment};
use provisioning::identity::DeviceIdentity;
use std::path::Path;
use std::process::Child;
use std::time::Duration;

pub const PLATFORM: &str = "bench-platform";

/// A registry (the harness's pilot) served by the release binary.
pub struct Registry {
    pub pilot: Pilot,
    /// The database (`--db`).
    pub db: DbTarget,
    pub poll_interval_s: u32,
    pub port: u16,
    child: Child,
}

impl Registry {
    /// A registry on a new SQLite file.
    pub fn start(poll_interval_s: u32) -> Self {
        Self::start_on(Database::Sqlite, poll_interval_s)
    }

    /// A registry on a new database of the PostgreSQL server at `admin_url`.
    pub fn start_postgres(admin_url: &str, poll_interval_s: u32) -> Self {
        Self::start_on(Database::Postgres(admin_url.to_string()), poll_interval_s)
    }

    fn start_on(database: Database, poll_interval_s: u32) -> Self {
        let pilot = Pilot::new(
            database,
            &[platform(PLATFORM, "基准测试中心", "330106", "")],
        );
        let db = pilot.target.clone();
        let (child, port) = spawn(&pilot, poll_interval_s);
        Self {
            pilot,
            db,
            poll_interval_s,
            port,
            child,
        }
    }

    /// Another instance on the same database (same TLS files and code key).
    pub fn another_instance(&self) -> (Child, u16) {
        spawn(&self.pilot, self.poll_interval_s)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn config(&self) -> ClientConfig {
        self.config_for(self.port)
    }

    pub fn config_for(&self, port: u16) -> ClientConfig {
        self.pilot
            .client_config(&format!("https://127.0.0.1:{port}"))
    }

    pub fn codes(&self, n: usize) -> Vec<String> {
        (0..n).map(|_| self.pilot.code(PLATFORM)).collect()
    }

    pub async fn enrol(&self, identity: &DeviceIdentity, code: &str) -> Enrolment {
        provisioning::client::enrol(&self.config(), identity, code, "BENCH")
            .await
            .unwrap()
    }

    pub fn events_count(&self) -> u64 {
        Store::open_blocking(&self.db)
            .unwrap()
            .count_events(None)
            .unwrap()
    }
}

/// Starts `kiosk-registry serve` on a free port; waits until it accepts connections.
fn spawn(pilot: &Pilot, poll_interval_s: u32) -> (Child, u16) {
    let port = testkit::free_port();
    let extra = ["--poll-interval".to_string(), poll_interval_s.to_string()];
    let exe = Path::new(env!("CARGO_BIN_EXE_kiosk-registry"));
    (pilot.spawn(exe, port, &extra, "warn"), port)
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

/// A terminal with nothing to send: only heartbeats.
pub struct IdleTerminal;

impl provisioning::client::OutboxStore for IdleTerminal {
    fn pending_batch(
        &self,
        _: usize,
    ) -> Result<Vec<provisioning::protocol::Event>, provisioning::client::StoreError> {
        Ok(Vec::new())
    }
    fn acknowledge(&self, _: &[i64]) -> Result<(), provisioning::client::StoreError> {
        Ok(())
    }
    fn record_failure(&self, _: &[i64], _: &str) -> Result<(), provisioning::client::StoreError> {
        Ok(())
    }
    fn depth(&self) -> Result<u64, provisioning::client::StoreError> {
        Ok(0)
    }
}

impl provisioning::client::BundleStore for IdleTerminal {
    fn current_versions(
        &self,
    ) -> Result<std::collections::BTreeMap<String, u64>, provisioning::client::StoreError> {
        Ok(std::collections::BTreeMap::new())
    }
    fn apply(
        &self,
        _: &provisioning::bundle::VerifiedBundle,
    ) -> Result<(), provisioning::client::StoreError> {
        Ok(())
    }
}

impl provisioning::client::CommandSink for IdleTerminal {
    fn execute(
        &self,
        _: &provisioning::command::CommandBody,
    ) -> provisioning::client::CommandOutcome {
        provisioning::client::CommandOutcome {
            state: provisioning::protocol::CommandState::Succeeded,
            detail: None,
            logs: None,
        }
    }
}

impl provisioning::client::HealthSource for IdleTerminal {
    fn snapshot(&self) -> provisioning::client::HealthSnapshot {
        provisioning::client::HealthSnapshot {
            uptime_s: 3600,
            ..Default::default()
        }
    }
}

/// A count from the environment, or the default.
pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
