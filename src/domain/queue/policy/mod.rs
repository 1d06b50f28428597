//! The queue policy: the counters and the services each one serves, the priority groups and
//! their weights, the anti-starvation bound, recalls before a no-show, and what waiting
//! estimates start from. It comes from `queue-policy.toml` in the `settings` bundle, or from
//! the `[queue.policy]` section of the configuration until a bundle brings one.
//!
//! [`pick`] is the whole calling rule, in plain Rust: the store's `call_next` and the
//! people-ahead projection both use it.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The name of the policy file in the `settings` bundle.
pub const POLICY_FILE: &str = "queue-policy.toml";

/// A priority group. Elderly comes from the ID card's age; the others are set by staff who
/// saw the document (or by an appointment check-in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriorityGroup {
    /// At or above the priority age on the ID card.
    Elderly,
    /// Holders of a disability certificate (残疾人证).
    Disabled,
    /// Service members, veterans and their families (军人依法优先).
    Military,
    /// Registered poverty households (一免七优先).
    Poverty,
    /// Pregnant women.
    Pregnant,
    /// Holders of an appointment checking in.
    Appointment,
}

impl PriorityGroup {
    /// Every group, in a stable order.
    pub const ALL: [PriorityGroup; 6] = [
        PriorityGroup::Elderly,
        PriorityGroup::Disabled,
        PriorityGroup::Military,
        PriorityGroup::Poverty,
        PriorityGroup::Pregnant,
        PriorityGroup::Appointment,
    ];

    /// As stored in `tickets.priority` and sent: `elderly`, `disabled`, …
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityGroup::Elderly => "elderly",
            PriorityGroup::Disabled => "disabled",
            PriorityGroup::Military => "military",
            PriorityGroup::Poverty => "poverty",
            PriorityGroup::Pregnant => "pregnant",
            PriorityGroup::Appointment => "appointment",
        }
    }

    /// From its stored form.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == text)
    }

    /// The short Chinese label staff pages show next to a number.
    pub fn label_zh(self) -> &'static str {
        match self {
            PriorityGroup::Elderly => "老年人",
            PriorityGroup::Disabled => "残疾人",
            PriorityGroup::Military => "军人军属",
            PriorityGroup::Poverty => "一免七优先",
            PriorityGroup::Pregnant => "孕妇",
            PriorityGroup::Appointment => "预约",
        }
    }
}

/// How call-next chooses among priority and normal tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallMode {
    /// Highest weight first, then the earliest taken; bounded by `max_priority_passes`.
    #[default]
    Weighted,
    /// Each counter alternates one priority ticket and one normal ticket while both wait
    /// (the anti-starvation bound still applies across counters).
    Alternate,
}

/// A counter (window) and the services it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterDef {
    /// Stable id used in the API, e.g. `3`.
    pub id: String,
    /// What the hall display and the spoken call say, e.g. `3号窗口`.
    pub name: String,
    /// Its name in the Korean call (`hall_korean`), e.g. `3번 창구`; without it a numeric id
    /// is called as `{id}번 창구`.
    #[serde(default)]
    pub name_ko: Option<String>,
    /// Service ids this counter calls from; empty means every service.
    #[serde(default)]
    pub services: Vec<String>,
}

impl CounterDef {
    /// Whether this counter calls tickets of `service_id`.
    pub fn serves(&self, service_id: &str) -> bool {
        self.services.is_empty() || self.services.iter().any(|s| s == service_id)
    }
}

/// The queue policy in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub mode: CallMode,
    /// A ticket is passed by at most this many later tickets of a higher weight before
    /// call-next must take it (0: strictly first come, first served).
    pub max_priority_passes: u32,
    /// Recalls before a recall marks the ticket a no-show.
    pub max_recalls: u32,
    /// The service time estimates assume until real ones are measured.
    pub default_service_minutes: u32,
    /// How many recent service times of a service the estimate averages.
    pub estimate_window: u32,
    /// A notice for the hall display (the centre's message), if any.
    pub hall_notice: Option<String>,
    /// The hall display calls each number in Korean after Mandarin (centres serving
    /// Korean-speaking citizens, e.g. in Yanbian).
    pub hall_korean: bool,
    /// Weight of each priority group; a group left out (or 0) is not a priority.
    pub weights: BTreeMap<PriorityGroup, u32>,
    /// The counters; none configured means three counters serving every service.
    #[serde(rename = "counter")]
    pub counters: Vec<CounterDef>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            mode: CallMode::Weighted,
            max_priority_passes: 3,
            max_recalls: 2,
            default_service_minutes: 10,
            estimate_window: 20,
            hall_notice: None,
            hall_korean: false,
            weights: BTreeMap::from([
                (PriorityGroup::Elderly, 2),
                (PriorityGroup::Disabled, 3),
                (PriorityGroup::Military, 2),
                (PriorityGroup::Poverty, 2),
                (PriorityGroup::Pregnant, 3),
                (PriorityGroup::Appointment, 1),
            ]),
            counters: Vec::new(),
        }
    }
}

/// Why a policy file was refused (the previous policy stays in force).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("{POLICY_FILE} is not valid: {0}")]
    Parse(String),
    #[error("counter id {0:?} must be 1 to 16 letters, digits or '-'")]
    BadCounterId(String),
    #[error("counter id {0:?} appears twice")]
    DuplicateCounter(String),
    #[error("counter {0:?} has no name")]
    CounterWithoutName(String),
    #[error("max_recalls must be at most 10")]
    TooManyRecalls,
    #[error("default_service_minutes must be between 1 and 240")]
    BadServiceMinutes,
    #[error("estimate_window must be between 1 and 500")]
    BadEstimateWindow,
    #[error("weights must be at most 100")]
    BadWeight,
}

impl Policy {
    /// Parses and checks a `queue-policy.toml`.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let policy: Self = toml::from_str(text).map_err(|e| PolicyError::Parse(e.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Checks the values (also for the configuration's `[queue.policy]`).
    pub fn validate(&self) -> Result<(), PolicyError> {
        for (i, c) in self.counters.iter().enumerate() {
            let ok = (1..=16).contains(&c.id.len())
                && c.id
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-');
            if !ok {
                return Err(PolicyError::BadCounterId(c.id.clone()));
            }
            if c.name.trim().is_empty() {
                return Err(PolicyError::CounterWithoutName(c.id.clone()));
            }
            if self.counters[..i].iter().any(|e| e.id == c.id) {
                return Err(PolicyError::DuplicateCounter(c.id.clone()));
            }
        }
        if self.max_recalls > 10 {
            return Err(PolicyError::TooManyRecalls);
        }
        if !(1..=240).contains(&self.default_service_minutes) {
            return Err(PolicyError::BadServiceMinutes);
        }
        if !(1..=500).contains(&self.estimate_window) {
            return Err(PolicyError::BadEstimateWindow);
        }
        if self.weights.values().any(|w| *w > 100) {
            return Err(PolicyError::BadWeight);
        }
        Ok(())
    }

    /// The counters: as configured, or three counters serving every service.
    pub fn counters(&self) -> Vec<CounterDef> {
        if !self.counters.is_empty() {
            return self.counters.clone();
        }
        (1..=3)
            .map(|n| CounterDef {
                id: n.to_string(),
                name: format!("{n}号窗口"),
                name_ko: Some(format!("{n}번 창구")),
                services: Vec::new(),
            })
            .collect()
    }

    /// The counter with this id.
    pub fn counter(&self, id: &str) -> Option<CounterDef> {
        self.counters().into_iter().find(|c| c.id == id)
    }

    /// The weight of a ticket's priority group as stored (`None` or unknown: 0, normal).
    pub fn weight(&self, priority: Option<&str>) -> u32 {
        priority
            .and_then(PriorityGroup::parse)
            .and_then(|g| self.weights.get(&g).copied())
            .unwrap_or(0)
    }
}

/// The policy in force: `queue-policy.toml` of the `settings` bundle if one is in force and
/// valid, else `fallback` (the configuration's).
pub fn policy_in_force(conn: &Connection, fallback: &Policy) -> Policy {
    let stored: Option<Vec<u8>> = conn
        .query_row(
            "SELECT content FROM bundle_files WHERE stream = 'settings' AND name = ?1",
            [POLICY_FILE],
            |r| r.get(0),
        )
        .optional()
        .unwrap_or_else(|e| {
            tracing::error!("cannot read the settings bundle: {e}");
            None
        });
    let Some(bytes) = stored else {
        return fallback.clone();
    };
    match std::str::from_utf8(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|t| Policy::parse(t).map_err(|e| e.to_string()))
    {
        Ok(policy) => policy,
        Err(e) => {
            tracing::error!(
                "the queue policy in force is not usable ({e}); using the configured one"
            );
            fallback.clone()
        }
    }
}

/// A waiting ticket as the calling rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    /// The weight of its priority group (0: normal).
    pub weight: u32,
    /// When it was taken, in Unix milliseconds: its place in the queue.
    pub issued_ms: i64,
    /// Later, higher-weight tickets called before it so far.
    pub passed_by: u32,
}

impl Candidate {
    fn place(&self) -> (i64, i64) {
        (self.issued_ms, self.id)
    }
}

/// Which of `waiting` (the tickets a counter may call) call-next takes, by `policy`.
/// `last_was_priority` is the counter's previous call (for alternation).
///
/// 1. A ticket passed `max_priority_passes` times goes first (the earliest such).
/// 2. Alternation: after a priority ticket the earliest normal one, after a normal ticket
///    the best priority one, when both kinds wait.
/// 3. Otherwise the highest weight, then the earliest taken.
pub fn pick(policy: &Policy, waiting: &[Candidate], last_was_priority: bool) -> Option<usize> {
    let earliest = |filter: &dyn Fn(&Candidate) -> bool| {
        waiting
            .iter()
            .enumerate()
            .filter(|(_, c)| filter(c))
            .min_by_key(|(_, c)| c.place())
            .map(|(i, _)| i)
    };
    if let Some(i) = earliest(&|c| c.passed_by >= policy.max_priority_passes) {
        return Some(i);
    }
    let best_priority = || {
        waiting
            .iter()
            .enumerate()
            .filter(|(_, c)| c.weight > 0)
            .min_by_key(|(_, c)| (std::cmp::Reverse(c.weight), c.place()))
            .map(|(i, _)| i)
    };
    match policy.mode {
        CallMode::Alternate => {
            let normal = earliest(&|c| c.weight == 0);
            let priority = best_priority();
            match (normal, priority) {
                (Some(n), Some(_)) if last_was_priority => Some(n),
                (_, Some(p)) => Some(p),
                (n, None) => n,
            }
        }
        CallMode::Weighted => best_priority().or_else(|| earliest(&|_| true)),
    }
}

/// The tickets `picked` passes whose count still matters: earlier, lower-weight tickets still
/// waiting that have not reached the policy's bound. A ticket at the bound goes first
/// whatever its count, so counting on would only rewrite rows: with a long queue under a
/// stream of priority tickets nearly every normal ticket reaches the bound, and call-next
/// would update them all on every priority call.
pub fn passed_by_pick(policy: &Policy, waiting: &[Candidate], picked: usize) -> Vec<i64> {
    let x = waiting[picked];
    waiting
        .iter()
        .filter(|c| {
            c.id != x.id
                && c.place() < x.place()
                && c.weight < x.weight
                && c.passed_by < policy.max_priority_passes
        })
        .map(|c| c.id)
        .collect()
}

/// The order in which call-next would take `waiting` if nothing else arrived and one
/// counter called them all: the basis of a ticket's people-ahead.
pub fn projected_order(
    policy: &Policy,
    waiting: &[Candidate],
    last_was_priority: bool,
) -> Vec<i64> {
    let mut order = Vec::with_capacity(waiting.len());
    project(policy, waiting, last_was_priority, |id| {
        order.push(id);
        true
    });
    order
}

/// How many of `waiting` call-next would take before `target` (see [`projected_order`]);
/// `None` if `target` is not among them.
pub fn people_ahead(
    policy: &Policy,
    waiting: &[Candidate],
    last_was_priority: bool,
    target: i64,
) -> Option<u32> {
    let mut ahead = 0u32;
    let mut found = false;
    project(policy, waiting, last_was_priority, |id| {
        if id == target {
            found = true;
            return false;
        }
        ahead += 1;
        true
    });
    found.then_some(ahead)
}

/// Calls `next(id)` for each ticket in projected call order while it returns true.
fn project(
    policy: &Policy,
    waiting: &[Candidate],
    last_was_priority: bool,
    mut next: impl FnMut(i64) -> bool,
) {
    let mut left: Vec<Candidate> = waiting.to_vec();
    let mut last = last_was_priority;
    while let Some(i) = pick(policy, &left, last) {
        let x = left.swap_remove(i);
        for c in left.iter_mut() {
            if c.place() < x.place() && c.weight < x.weight {
                c.passed_by += 1;
            }
        }
        last = x.weight > 0;
        if !next(x.id) {
            return;
        }
    }
}

#[cfg(test)]
mod tests;
