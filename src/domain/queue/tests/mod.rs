//! The queue engine against a real store: calling by policy (with a property test of the
//! anti-starvation bound and strict alternation), recalls and no-shows, transfers, calling
//! out of order, counters, events and audit ([`calls`]); people ahead, the daily reset and
//! offline tickets ([`days`]); and estimates on a simulated day ([`estimates`]).

mod calls;
mod days;
mod estimates;

use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};

use super::calling::{self, CallError, Ctx, Recall};
use super::import::{self, ImportError, ImportOutcome};
use super::*;
use crate::domain::maintenance::Actor;
use crate::store::Store;

pub(super) fn at(day: u32, hour: u32, minute: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .unwrap()
}

pub(super) fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Store::path_in(dir.path())).unwrap();
    (dir, store)
}

fn staff() -> Actor {
    Actor::Staff("王芳".into())
}

fn counter(id: &str, services: &[&str]) -> CounterDef {
    CounterDef {
        id: id.into(),
        name: format!("{id}号窗口"),
        name_ko: None,
        services: services.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn the_korean_call_names_the_counter_with_the_right_particle() {
    let mut p = policy_with(vec![counter("3", &[]), counter("法援", &[])]);
    assert_eq!(
        crate::domain::queue::view::korean_call(&p, "B001", "3"),
        "B001번 고객님, 3번 창구로 오십시오."
    );
    assert_eq!(
        crate::domain::queue::view::korean_call(&p, "A002", "法援"),
        "A002번 고객님, 창구로 오십시오.",
        "no Korean name and no number: the counter is not read in Chinese"
    );
    p.counters[1].name_ko = Some("법률원조실".into());
    assert_eq!(
        crate::domain::queue::view::korean_call(&p, "A002", "法援"),
        "A002번 고객님, 법률원조실로 오십시오."
    );
    p.counters[1].name_ko = Some("상담 창구 안내석".into());
    assert_eq!(
        crate::domain::queue::view::korean_call(&p, "A003", "法援"),
        "A003번 고객님, 상담 창구 안내석으로 오십시오.",
        "으로 after a final consonant"
    );
}

fn policy_with(counters: Vec<CounterDef>) -> Policy {
    Policy {
        counters,
        ..Policy::default()
    }
}

struct Q {
    _dir: tempfile::TempDir,
    s: Store,
    catalogue: Catalogue,
    policy: Policy,
    actor: Actor,
    now: DateTime<FixedOffset>,
}

impl Q {
    fn new(policy: Policy) -> Self {
        let (dir, s) = store();
        Self {
            _dir: dir,
            s,
            catalogue: Catalogue::built_in(),
            policy,
            actor: staff(),
            now: at(26, 9, 0),
        }
    }

    fn fast(policy: Policy) -> Self {
        let mut q = Self::new(policy);
        // Thousands of transactions: no waiting for the disk.
        q.s.conn()
            .pragma_update(None, "synchronous", "OFF")
            .unwrap();
        q
    }

    fn tick(&mut self, minutes: i64) {
        self.now += Duration::minutes(minutes);
    }

    fn take(&mut self, service: &str, priority: Option<PriorityGroup>) -> IssuedTicket {
        let req = IssueRequest {
            priority,
            ..IssueRequest::new(service, self.now)
        };
        issue(self.s.conn(), &self.catalogue, &self.policy, &req).unwrap()
    }

    fn with<R>(&mut self, f: impl FnOnce(&mut rusqlite::Connection, &Ctx<'_>) -> R) -> R {
        let ctx = Ctx {
            policy: &self.policy,
            catalogue: &self.catalogue,
            actor: &self.actor,
            now: self.now,
        };
        f(self.s.conn(), &ctx)
    }

    /// Call-next at `counter`, finishing whatever is there first; the number called.
    fn next(&mut self, counter: &str) -> Option<String> {
        self.with(|c, ctx| {
            if calling::current_ticket(c, counter, "2026-11-26")
                .unwrap()
                .is_some()
            {
                calling::finish(c, ctx, counter).unwrap();
            }
            calling::call_next(c, ctx, counter)
                .unwrap()
                .called
                .map(|t| t.number)
        })
    }

    fn events(&mut self, kind: &str) -> Vec<serde_json::Value> {
        let mut stmt = self
            .s
            .conn()
            .prepare("SELECT payload FROM outbox WHERE kind = ?1 ORDER BY seq")
            .unwrap();
        stmt.query_map([kind], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|p| serde_json::from_str(&p.unwrap()).unwrap())
            .collect()
    }
}
