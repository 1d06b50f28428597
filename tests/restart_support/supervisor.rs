//! Who starts the kiosk again: systemd itself (a transient unit with the packaged unit's
//! restart rules) where systemd is the init system, else a small supervisor that applies
//! the same rules, read from the same unit file, and plays systemd's part of `Type=notify`
//! (a `NOTIFY_SOCKET` on which the kiosk says `READY=1`).

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::unit::RestartRules;

/// What the test asks of a service manager.
pub trait Manager {
    /// Automatic restarts so far (systemd's `NRestarts`).
    fn restarts(&self) -> u32;
    /// A main process has ended (the manager may be waiting `RestartSec=`).
    fn exited(&self) -> bool;
    /// The main process now.
    fn main_pid(&self) -> Option<u32>;
    /// The current main process has said `READY=1` and still runs (`active (running)`).
    fn ready(&self) -> bool;
    /// Each end of a main process, for the test's output.
    fn history(&self) -> String;
}

/// The program to supervise.
#[derive(Debug, Clone)]
pub struct Program {
    pub path: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Where the supervisor appends each process's stderr (systemd: the journal).
    pub log: PathBuf,
}

#[derive(Debug, Default)]
struct State {
    pid: Option<u32>,
    started: Option<Instant>,
    ready_at: Option<Instant>,
    exits: Vec<ExitStatus>,
    restarts: u32,
}

/// The stand-in for systemd.
pub struct Supervisor {
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Supervisor {
    pub fn start(rules: RestartRules, program: Program, notify: &Path) -> Self {
        let socket = UnixDatagram::bind(notify).expect("the notify socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let listener = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while !stop.load(Ordering::SeqCst) {
                    if let Ok(n) = socket.recv(&mut buf) {
                        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                        if text.lines().any(|l| l == "READY=1") {
                            state.lock().unwrap().ready_at = Some(Instant::now());
                        }
                    }
                }
            })
        };
        let runner = {
            let (state, stop, notify) = (state.clone(), stop.clone(), notify.to_path_buf());
            std::thread::spawn(move || run(rules, program, &notify, &state, &stop))
        };
        Self {
            state,
            stop,
            threads: vec![listener, runner],
        }
    }
}

fn run(
    rules: RestartRules,
    program: Program,
    notify: &Path,
    state: &Mutex<State>,
    stop: &AtomicBool,
) {
    loop {
        let mut child = Command::new(&program.path)
            .args(&program.args)
            .envs(program.env.iter().map(|(k, v)| (k, v)))
            .env("NOTIFY_SOCKET", notify)
            .stdout(Stdio::null())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&program.log)
                    .expect("the kiosk's log file"),
            )
            .spawn()
            .expect("the kiosk binary");
        {
            let mut s = state.lock().unwrap();
            s.pid = Some(child.id());
            s.started = Some(Instant::now());
        }
        let status = loop {
            if stop.load(Ordering::SeqCst) {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        {
            let mut s = state.lock().unwrap();
            s.exits.push(status);
            s.pid = None;
        }
        if !rules.restarts_after(status) {
            return;
        }
        let until = Instant::now() + rules.restart_sec;
        while Instant::now() < until {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        state.lock().unwrap().restarts += 1;
    }
}

impl Manager for Supervisor {
    fn restarts(&self) -> u32 {
        self.state.lock().unwrap().restarts
    }
    fn exited(&self) -> bool {
        !self.state.lock().unwrap().exits.is_empty()
    }
    fn main_pid(&self) -> Option<u32> {
        self.state.lock().unwrap().pid
    }
    fn ready(&self) -> bool {
        let s = self.state.lock().unwrap();
        s.pid.is_some() && matches!((s.started, s.ready_at), (Some(st), Some(r)) if r >= st)
    }
    fn history(&self) -> String {
        format!("exits {:?}", self.state.lock().unwrap().exits)
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Whether systemd manages this machine (PID 1) and will run a transient unit for us.
pub fn systemd_usable() -> bool {
    let init = Command::new("ps")
        .args(["-p", "1", "-o", "comm="])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if init != "systemd" {
        return false;
    }
    let mut check = Command::new("systemctl");
    if !is_root() {
        check.arg("--user");
    }
    check
        .arg("is-system-running")
        .output()
        .map(|o| {
            let state = String::from_utf8_lossy(&o.stdout);
            matches!(state.trim(), "running" | "degraded")
        })
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The kiosk in a transient systemd unit with the packaged unit's restart rules.
pub struct Systemd {
    unit: String,
    user: bool,
}

impl Systemd {
    pub fn start(rules: &RestartRules, program: &Program) -> Self {
        let unit = format!("legal-kiosk-restart-test-{}.service", std::process::id());
        let user = !is_root();
        let mut cmd = Command::new("systemd-run");
        if user {
            cmd.arg("--user");
        }
        cmd.arg(format!("--unit={unit}")).arg("--collect");
        for property in rules.properties() {
            cmd.arg("-p").arg(property);
        }
        for (k, v) in &program.env {
            cmd.arg(format!("--setenv={k}={v}"));
        }
        cmd.arg("--").arg(&program.path).args(&program.args);
        let out = cmd.output().expect("systemd-run");
        assert!(
            out.status.success(),
            "systemd-run: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self { unit, user }
    }

    fn show(&self, property: &str) -> String {
        let mut cmd = Command::new("systemctl");
        if self.user {
            cmd.arg("--user");
        }
        let out = cmd
            .args(["show", &self.unit, "--value", "-p", property])
            .output()
            .expect("systemctl show");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Manager for Systemd {
    fn restarts(&self) -> u32 {
        self.show("NRestarts").parse().unwrap_or(0)
    }
    fn exited(&self) -> bool {
        self.restarts() > 0 || self.show("SubState") == "auto-restart"
    }
    fn main_pid(&self) -> Option<u32> {
        self.show("MainPID").parse().ok().filter(|p| *p != 0)
    }
    fn ready(&self) -> bool {
        self.show("ActiveState") == "active" && self.show("SubState") == "running"
    }
    fn history(&self) -> String {
        format!(
            "last exit {} (status {})",
            self.show("ExecMainCode"),
            self.show("ExecMainStatus")
        )
    }
}

impl Drop for Systemd {
    fn drop(&mut self) {
        let mut cmd = Command::new("systemctl");
        if self.user {
            cmd.arg("--user");
        }
        let _ = cmd.args(["stop", &self.unit]).status();
    }
}
