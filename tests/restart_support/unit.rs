//! The restart rules of a systemd service unit, read from the unit file itself, and what
//! systemd decides with them when the main process ends (systemd.service(5): `Restart=`,
//! `RestartSec=`, `SuccessExitStatus=`, `RestartForceExitStatus=`,
//! `RestartPreventExitStatus=`).

use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

/// Exit codes and signals named in an exit-status list.
#[derive(Debug, Default, Clone)]
pub struct StatusSet {
    pub codes: BTreeSet<i32>,
    pub signals: BTreeSet<i32>,
}

impl StatusSet {
    fn add(&mut self, value: &str) {
        // An empty assignment resets the list.
        if value.trim().is_empty() {
            *self = Self::default();
        }
        for word in value.split_whitespace() {
            if let Ok(code) = word.parse() {
                self.codes.insert(code);
            } else if let Some(signal) = signal_number(word) {
                self.signals.insert(signal);
            } else {
                panic!("an exit status this parser does not know: {word}");
            }
        }
    }

    fn contains(&self, status: ExitStatus) -> bool {
        match (status.code(), status.signal()) {
            (Some(code), _) => self.codes.contains(&code),
            (None, Some(signal)) => self.signals.contains(&signal),
            _ => false,
        }
    }
}

fn signal_number(name: &str) -> Option<i32> {
    let name = name.strip_prefix("SIG").unwrap_or(name);
    Some(match name {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ABRT" => 6,
        "KILL" => 9,
        "SEGV" => 11,
        "PIPE" => 13,
        "TERM" => 15,
        _ => return None,
    })
}

/// What the unit says about restarting its main process.
#[derive(Debug, Clone)]
pub struct RestartRules {
    pub restart: String,
    pub restart_sec: Duration,
    pub success: StatusSet,
    pub force: StatusSet,
    pub prevent: StatusSet,
    /// Every `[Service]` assignment as written, for a transient unit.
    pub service_type: String,
}

impl RestartRules {
    /// Reads the `[Service]` section of `text` (systemd's defaults for what it omits).
    pub fn parse(text: &str) -> Self {
        let mut rules = Self {
            restart: "no".into(),
            restart_sec: Duration::from_millis(100),
            success: StatusSet::default(),
            force: StatusSet::default(),
            prevent: StatusSet::default(),
            service_type: "simple".into(),
        };
        let mut in_service = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                in_service = line == "[Service]";
                continue;
            }
            if !in_service || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "Restart" => rules.restart = value.to_string(),
                "RestartSec" => rules.restart_sec = parse_timespan(value),
                "SuccessExitStatus" => rules.success.add(value),
                "RestartForceExitStatus" => rules.force.add(value),
                "RestartPreventExitStatus" => rules.prevent.add(value),
                "Type" => rules.service_type = value.to_string(),
                _ => {}
            }
        }
        rules
    }

    /// Whether the main process ending with `status` counts as a clean exit: 0, the
    /// signals systemd counts as clean, or a status in `SuccessExitStatus=`.
    pub fn clean(&self, status: ExitStatus) -> bool {
        status.code() == Some(0)
            || matches!(status.signal(), Some(1 | 2 | 13 | 15))
            || self.success.contains(status)
    }

    /// Whether systemd starts the service again after its main process ended with
    /// `status` by itself (no `systemctl stop`, no watchdog timeout).
    pub fn restarts_after(&self, status: ExitStatus) -> bool {
        if self.prevent.contains(status) {
            return false;
        }
        if self.force.contains(status) {
            return true;
        }
        let clean = self.clean(status);
        let by_signal = status.signal().is_some();
        match self.restart.as_str() {
            "no" => false,
            "always" => true,
            "on-success" => clean,
            "on-failure" => !clean,
            "on-abnormal" | "on-abort" => by_signal && !clean,
            "on-watchdog" => false,
            other => panic!("Restart={other} is not a value systemd knows"),
        }
    }

    /// The assignments a transient unit (`systemd-run -p`) needs to restart the same way.
    pub fn properties(&self) -> Vec<String> {
        let list = |set: &StatusSet| {
            set.codes
                .iter()
                .map(|c| c.to_string())
                .chain(set.signals.iter().map(|s| s.to_string()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut out = vec![
            format!("Type={}", self.service_type),
            "NotifyAccess=main".to_string(),
            format!("Restart={}", self.restart),
            format!("RestartSec={}ms", self.restart_sec.as_millis()),
        ];
        for (key, set) in [
            ("SuccessExitStatus", &self.success),
            ("RestartForceExitStatus", &self.force),
            ("RestartPreventExitStatus", &self.prevent),
        ] {
            if !set.codes.is_empty() || !set.signals.is_empty() {
                out.push(format!("{key}={}", list(set)));
            }
        }
        out
    }
}

/// `3`, `3s`, `500ms`, `1min`, `1min 30s`.
fn parse_timespan(value: &str) -> Duration {
    let mut total = Duration::ZERO;
    for part in value.split_whitespace() {
        let split = part
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(part.len());
        let (number, unit) = part.split_at(split);
        let number: f64 = number.parse().expect("a number in a time span");
        let seconds = match unit {
            "" | "s" | "sec" => number,
            "ms" | "msec" => number / 1000.0,
            "m" | "min" => number * 60.0,
            "h" | "hr" => number * 3600.0,
            other => panic!("a time unit this parser does not know: {other}"),
        };
        total += Duration::from_secs_f64(seconds);
    }
    total
}

#[test]
fn the_rules_are_systemds() {
    let exit = |code: i32| ExitStatus::from_raw(code << 8);
    let killed = |signal: i32| ExitStatus::from_raw(signal);
    let unit = |extra: &str| {
        RestartRules::parse(&format!(
            "[Unit]\nRestart=always\n[Service]\nRestart=on-failure\nRestartSec=1min 30s\n{extra}"
        ))
    };
    let plain = unit("");
    assert_eq!(
        plain.restart, "on-failure",
        "[Unit] keys are not [Service] keys"
    );
    assert_eq!(plain.restart_sec, Duration::from_secs(90));
    assert!(!plain.restarts_after(exit(0)));
    assert!(plain.restarts_after(exit(75)));
    assert!(plain.restarts_after(killed(9)));
    assert!(!plain.restarts_after(killed(15)));
    // A status counted as success alone is not restarted by on-failure…
    let success = unit("SuccessExitStatus=75\n");
    assert!(!success.restarts_after(exit(75)));
    // …unless it also forces a restart; an empty assignment resets a list.
    let forced = unit("SuccessExitStatus=75\nRestartForceExitStatus=75\n");
    assert!(forced.restarts_after(exit(75)));
    assert!(!forced.restarts_after(exit(0)));
    let reset = unit("RestartForceExitStatus=75\nRestartForceExitStatus=\nSuccessExitStatus=75\n");
    assert!(!reset.restarts_after(exit(75)));
    let prevented = unit("RestartPreventExitStatus=1 SIGKILL\n");
    assert!(!prevented.restarts_after(exit(1)) && !prevented.restarts_after(killed(9)));
}
