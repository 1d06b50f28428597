//! Staged rollouts, as rules (plain Rust; the store loads and saves): which stage a terminal
//! belongs to, what each stage counts, and when a rollout moves on or pauses itself.
//!
//! Modelled on hawkBit's rollout groups: a stage starts when the previous stage's share of
//! healthy terminals reaches the success threshold; a stage whose share of failed or rolled
//! back terminals passes the error threshold pauses the whole rollout (emergency stop).

use provisioning::protocol::UpdateState;
use provisioning::release::version;
use provisioning::scope::{Scope, TerminalPlacement};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::cmp::Ordering;

/// One stage: a scope, and optionally only a percentage of its terminals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// Who.
    pub scope: Scope,
    /// Share of the scope's terminals, 1–100.
    pub percent: u8,
}

impl Stage {
    /// Parses `terminal:kt-…`, `platform:ID`, `region:CODE 25%`, `all`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut words = text.split_whitespace();
        let scope_text = words.next().unwrap_or_default();
        let scope = Scope::parse(scope_text).ok_or_else(|| {
            format!("stage {text:?}: say all, region:CODE, platform:ID or terminal:ID")
        })?;
        let percent = match words.next() {
            None => 100,
            Some(p) => p
                .strip_suffix('%')
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| format!("stage {text:?}: the share must be 1% to 100%"))?,
        };
        if words.next().is_some() {
            return Err(format!("stage {text:?}: a scope and at most a share"));
        }
        Ok(Self { scope, percent })
    }

    /// The short form `parse` reads.
    pub fn describe(&self) -> String {
        if self.percent == 100 {
            self.scope.describe()
        } else {
            format!("{} {}%", self.scope.describe(), self.percent)
        }
    }

    /// Whether the terminal is in this stage's share (the same terminals for the whole
    /// rollout: a hash of the rollout and device ids).
    fn includes(&self, rollout_id: &str, placement: &TerminalPlacement) -> bool {
        if !self.scope.includes(placement) {
            return false;
        }
        let digest = Sha256::digest(format!("{rollout_id}\n{}", placement.device_id));
        u16::from_be_bytes([digest[0], digest[1]]) % 100 < u16::from(self.percent)
    }
}

/// The first stage a terminal belongs to (each terminal counts in one stage only).
pub fn stage_of(
    stages: &[Stage],
    rollout_id: &str,
    placement: &TerminalPlacement,
) -> Option<usize> {
    stages
        .iter()
        .position(|s| s.includes(rollout_id, placement))
}

/// A rollout's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RolloutState {
    /// Offering the release to the terminals of the started stages.
    Running,
    /// Stopped by staff or by the error threshold: no offers until resumed.
    Paused,
    /// Stopped for good.
    Cancelled,
    /// Every stage reached the success threshold.
    Completed,
}

impl RolloutState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Running,
            Self::Paused,
            Self::Cancelled,
            Self::Completed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// A rollout as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rollout {
    /// `ro-` and 8 hex digits.
    pub id: String,
    /// The release's version.
    pub release: String,
    /// The stages, in order.
    pub stages: Vec<Stage>,
    /// % of a stage healthy that starts the next one.
    pub success_threshold: u8,
    /// % of a stage failed or rolled back that pauses the rollout.
    pub error_threshold: u8,
    /// Download rate hint for terminals, bytes per second (0: none).
    pub max_bytes_per_s: u64,
    /// Its state.
    pub state: RolloutState,
    /// The last stage started (0-based).
    pub current_stage: usize,
    /// Why it paused (or was cancelled).
    pub reason: Option<String>,
}

/// A terminal as a rollout sees it.
#[derive(Debug, Clone)]
pub struct Member {
    /// Where it stands.
    pub placement: TerminalPlacement,
    /// The version it last said it runs.
    pub app_version: Option<String>,
    /// Its last update report for this release.
    pub reported: Option<UpdateState>,
}

/// A stage's terminals by how far they got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StageCounts {
    /// The stage, as given.
    pub stage: String,
    /// Whether it has started.
    pub started: bool,
    /// Terminals in it.
    pub terminals: u64,
    /// Offered, nothing reported yet (or not started: waiting).
    pub offered: u64,
    /// Downloading, downloaded or postponed.
    pub downloading: u64,
    /// Installing, or installed and not confirmed yet.
    pub installed: u64,
    /// Confirmed healthy (or already running the release).
    pub healthy: u64,
    /// Refused or failed.
    pub failed: u64,
    /// Reinstalled the previous version.
    pub rolled_back: u64,
}

impl StageCounts {
    fn percent(&self, n: u64) -> u64 {
        // An empty stage has nothing left to do.
        (n * 100).checked_div(self.terminals).unwrap_or(100)
    }
}

/// What a rollout should do now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nothing changes.
    Stay,
    /// Start stages up to this one.
    Advance(usize),
    /// Every stage succeeded.
    Complete,
    /// The error threshold was passed.
    Pause(String),
}

/// Counts every stage's terminals and decides (only a running rollout moves).
pub fn evaluate(rollout: &Rollout, members: &[Member]) -> (Vec<StageCounts>, Decision) {
    let mut counts: Vec<StageCounts> = rollout
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| StageCounts {
            stage: s.describe(),
            started: i <= rollout.current_stage,
            ..StageCounts::default()
        })
        .collect();
    for m in members {
        let Some(i) = stage_of(&rollout.stages, &rollout.id, &m.placement) else {
            continue;
        };
        let c = &mut counts[i];
        c.terminals += 1;
        let already = m.app_version.as_deref().is_some_and(|v| {
            version::is_valid(v) && version::compare(v, &rollout.release) != Ordering::Less
        });
        match m.reported {
            Some(UpdateState::Healthy) => c.healthy += 1,
            None if already => c.healthy += 1,
            None | Some(UpdateState::Offered) => c.offered += 1,
            Some(UpdateState::Downloading | UpdateState::Downloaded | UpdateState::Postponed) => {
                c.downloading += 1
            }
            Some(UpdateState::Installing | UpdateState::Installed) => c.installed += 1,
            Some(UpdateState::Failed) => c.failed += 1,
            Some(UpdateState::RolledBack) => c.rolled_back += 1,
        }
    }
    if rollout.state != RolloutState::Running {
        return (counts, Decision::Stay);
    }
    let mut stage = rollout.current_stage;
    loop {
        let c = &counts[stage];
        let errors = c.percent(c.failed + c.rolled_back);
        if c.terminals > 0 && errors > u64::from(rollout.error_threshold) {
            let reason = format!(
                "stage {} ({}): {errors}% failed or rolled back, above the error threshold of {}%",
                stage + 1,
                c.stage,
                rollout.error_threshold
            );
            return (counts, Decision::Pause(reason));
        }
        if c.percent(c.healthy) < u64::from(rollout.success_threshold) {
            break;
        }
        if stage + 1 == counts.len() {
            return (counts, Decision::Complete);
        }
        stage += 1;
        counts[stage].started = true;
    }
    let decision = if stage > rollout.current_stage {
        Decision::Advance(stage)
    } else {
        Decision::Stay
    };
    (counts, decision)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(device: &str, platform: &str, state: Option<UpdateState>) -> Member {
        Member {
            placement: TerminalPlacement {
                device_id: device.into(),
                platform_id: platform.into(),
                region: "330106".into(),
            },
            app_version: Some("1.0".into()),
            reported: state,
        }
    }

    fn rollout(stages: &[&str]) -> Rollout {
        Rollout {
            id: "ro-1".into(),
            release: "1.1".into(),
            stages: stages.iter().map(|s| Stage::parse(s).unwrap()).collect(),
            success_threshold: 50,
            error_threshold: 20,
            max_bytes_per_s: 0,
            state: RolloutState::Running,
            current_stage: 0,
            reason: None,
        }
    }

    #[test]
    fn stages_parse_with_and_without_a_share() {
        assert_eq!(Stage::parse("region:220104 25%").unwrap().percent, 25);
        assert_eq!(Stage::parse("all").unwrap().describe(), "all");
        assert!(Stage::parse("region:220104 0%").is_err());
        assert!(Stage::parse("everyone").is_err());
        assert!(Stage::parse("all 50% extra").is_err());
    }

    #[test]
    fn a_share_picks_about_that_many_terminals_and_always_the_same() {
        let stage = Stage::parse("all 25%").unwrap();
        let picked = (0..1000)
            .filter(|i| stage.includes("ro-x", &member(&format!("kt-{i}"), "p", None).placement))
            .count();
        assert!((200..300).contains(&picked), "{picked}");
        let again = (0..1000)
            .filter(|i| stage.includes("ro-x", &member(&format!("kt-{i}"), "p", None).placement))
            .count();
        assert_eq!(picked, again);
    }

    #[test]
    fn moves_on_at_the_threshold_through_empty_stages_and_completes() {
        let r = rollout(&["platform:a", "platform:nobody", "platform:b"]);
        let healthy = Some(UpdateState::Healthy);
        let mut members = vec![member("1", "a", healthy), member("2", "a", None)];
        members.push(member("3", "b", None));
        assert_eq!(evaluate(&r, &members).1, Decision::Advance(2));
        let r = Rollout {
            current_stage: 2,
            ..r
        };
        members[2].reported = healthy;
        assert_eq!(evaluate(&r, &members).1, Decision::Complete);
    }

    #[test]
    fn pauses_above_the_error_threshold_and_only_when_running() {
        let r = rollout(&["platform:a", "all"]);
        let members = vec![
            member("1", "a", Some(UpdateState::Healthy)),
            member("2", "a", Some(UpdateState::Healthy)),
            member("3", "a", Some(UpdateState::RolledBack)),
        ];
        let (counts, decision) = evaluate(&r, &members);
        assert!(matches!(decision, Decision::Pause(ref why) if why.contains("33%")));
        assert_eq!((counts[0].healthy, counts[0].rolled_back), (2, 1));
        let paused = Rollout {
            state: RolloutState::Paused,
            ..r
        };
        assert_eq!(evaluate(&paused, &members).1, Decision::Stay);
    }
}
