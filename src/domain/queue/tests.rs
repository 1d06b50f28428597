//! The queue engine against a real store: calling by policy (with a property test of the
//! anti-starvation bound and strict alternation), recalls and no-shows, transfers, calling
//! out of order, counters, events and audit, the daily reset, offline tickets, and estimates
//! on a simulated day.

use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};

use super::calling::{self, CallError, Ctx, Recall};
use super::import::{self, ImportError, ImportOutcome};
use super::*;
use crate::domain::maintenance::Actor;
use crate::store::Store;

fn at(day: u32, hour: u32, minute: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .unwrap()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Store::path_in(dir.path())).unwrap();
    (dir, store)
}

/// A store that does not wait for the disk: for tests that run thousands of transactions.
fn fast_store() -> (tempfile::TempDir, Store) {
    let (dir, mut s) = store();
    s.conn().pragma_update(None, "synchronous", "OFF").unwrap();
    (dir, s)
}

fn staff() -> Actor {
    Actor::Staff("王芳".into())
}

fn counter(id: &str, services: &[&str]) -> CounterDef {
    CounterDef {
        id: id.into(),
        name: format!("{id}号窗口"),
        services: services.iter().map(|s| s.to_string()).collect(),
    }
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
        let (dir, s) = fast_store();
        Self {
            _dir: dir,
            s,
            catalogue: Catalogue::built_in(),
            policy,
            actor: staff(),
            now: at(26, 9, 0),
        }
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

#[test]
fn call_next_takes_priority_first_then_the_earliest_and_never_the_same_ticket_twice() {
    let mut q = Q::new(Policy::default());
    q.take("legal-aid", None);
    q.tick(1);
    q.take("legal-aid", None);
    q.tick(1);
    q.take("legal-aid", Some(PriorityGroup::Elderly));
    q.tick(1);
    let order: Vec<String> = (0..4).filter_map(|_| q.next("1")).collect();
    assert_eq!(order, ["B003", "B001", "B002"]);
    assert_eq!(q.next("1"), None, "nobody left");
}

#[test]
fn a_counter_calls_only_the_services_it_serves_and_not_while_paused() {
    let mut q = Q::new(policy_with(vec![
        counter("1", &["notary"]),
        counter("2", &[]),
    ]));
    q.take("legal-aid", None);
    q.take("notary", None);
    assert_eq!(q.next("1").as_deref(), Some("D001"));
    assert_eq!(q.next("1"), None, "B001 is not for counter 1");
    assert_eq!(q.next("2").as_deref(), Some("B001"));

    q.with(|c, ctx| calling::set_paused(c, ctx, "2", true))
        .unwrap();
    q.take("legal-aid", None);
    let paused = q.with(|c, ctx| calling::call_next(c, ctx, "2"));
    assert!(matches!(paused, Err(CallError::Paused(_))), "{paused:?}");
    let unknown = q.with(|c, ctx| calling::call_next(c, ctx, "9"));
    assert!(matches!(unknown, Err(CallError::UnknownCounter(_))));
}

#[test]
fn strict_alternation_per_counter() {
    let mut q = Q::new(Policy {
        mode: CallMode::Alternate,
        max_priority_passes: 10,
        ..Policy::default()
    });
    for p in [
        None,
        None,
        None,
        Some(PriorityGroup::Military),
        Some(PriorityGroup::Disabled),
    ] {
        q.take("mediation", p);
        q.tick(1);
    }
    let order: Vec<String> = (0..5).filter_map(|_| q.next("1")).collect();
    // C005 (disabled, weight 3) before C004 (military, 2); one normal ticket between.
    assert_eq!(order, ["C005", "C001", "C004", "C002", "C003"]);
}

/// One step of the property test's day.
#[derive(Debug, Clone)]
enum Step {
    Arrive {
        service: usize,
        group: Option<usize>,
    },
    Call {
        counter: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0usize..3, prop::option::weighted(0.4, 0usize..6))
            .prop_map(|(service, group)| Step::Arrive { service, group }),
        (0usize..3).prop_map(|counter| Step::Call { counter }),
    ]
}

const SERVICES: [&str; 3] = ["legal-aid", "notary", "mediation"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// For any arrivals, counters and calls, in both modes: no ticket is passed by more than
    /// `max_priority_passes` tickets of a higher weight taken after it (for a normal ticket:
    /// priority tickets); and with strict alternation, a counter that has just called a
    /// priority ticket calls a normal one next whenever one it serves is waiting, unless the
    /// anti-starvation bound forces a ticket that has waited its turn. Both are counted here
    /// from what happened (who was waiting for a counter that could have called them, who was
    /// called instead), independently of the engine's own counters.
    #[test]
    fn no_ticket_is_passed_more_than_the_bound_and_alternation_holds(
        bound in 0u32..4,
        alternate in any::<bool>(),
        serves in prop::collection::vec(prop::collection::vec(any::<bool>(), 3), 1..=3),
        steps in prop::collection::vec(step(), 1..70),
    ) {
        let counters: Vec<CounterDef> = serves
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let services: Vec<&str> = SERVICES
                    .iter()
                    .zip(s)
                    .filter(|(_, on)| **on)
                    .map(|(name, _)| *name)
                    .collect();
                counter(&(i + 1).to_string(), &services)
            })
            .collect();
        let mode = if alternate { CallMode::Alternate } else { CallMode::Weighted };
        let mut q = Q::fast(Policy {
            mode,
            max_priority_passes: bound,
            ..policy_with(counters.clone())
        });
        // Model: waiting tickets by number: (service, weight, order taken).
        let mut waiting: BTreeMap<String, (&str, u32, usize)> = BTreeMap::new();
        let mut passed: HashMap<String, u32> = HashMap::new();
        // Per counter: was its last call a priority ticket?
        let mut last_priority: HashMap<String, bool> = HashMap::new();
        for (n, step) in steps.iter().enumerate() {
            q.tick(1);
            match step {
                Step::Arrive { service, group } => {
                    let group = group.map(|g| PriorityGroup::ALL[g]);
                    let t = q.take(SERVICES[*service], group);
                    let weight = q.policy.weight(group.map(PriorityGroup::as_str));
                    waiting.insert(t.number, (SERVICES[*service], weight, n));
                }
                Step::Call { counter: c } => {
                    let Some(def) = counters.get(*c) else { continue };
                    let normal_waiting = waiting
                        .values()
                        .any(|(service, weight, _)| def.serves(service) && *weight == 0);
                    let Some(number) = q.next(&def.id) else { continue };
                    let (_, x_weight, x_order) = waiting.remove(&number).unwrap();
                    let after_priority = last_priority.get(&def.id).copied().unwrap_or(false);
                    if alternate && after_priority && normal_waiting && x_weight > 0 {
                        let forced = passed.get(&number).copied().unwrap_or(0) >= bound;
                        prop_assert!(
                            forced,
                            "counter {} called {number} (weight {x_weight}) after a priority \
                             ticket while a normal ticket waited",
                            def.id
                        );
                    }
                    last_priority.insert(def.id.clone(), x_weight > 0);
                    for (y, (service, weight, order)) in &waiting {
                        if def.serves(service) && *weight < x_weight && *order < x_order {
                            *passed.entry(y.clone()).or_default() += 1;
                        }
                    }
                }
            }
        }
        for (number, times) in &passed {
            prop_assert!(*times <= bound, "{number} was passed {times} times (bound {bound})");
        }
    }
}

#[test]
fn after_the_configured_recalls_a_recall_marks_a_no_show() {
    let mut q = Q::new(Policy {
        max_recalls: 2,
        ..Policy::default()
    });
    q.take("notary", None);
    q.take("notary", None);
    assert_eq!(q.next("1").as_deref(), Some("D001"));
    for expected in 1..=2 {
        q.tick(1);
        match q.with(|c, ctx| calling::recall(c, ctx, "1")).unwrap() {
            Recall::Recalled(t) => assert_eq!(t.recalls, expected),
            other => panic!("recall {expected}: {other:?}"),
        }
    }
    q.tick(1);
    match q.with(|c, ctx| calling::recall(c, ctx, "1")).unwrap() {
        Recall::NoShow(t) => assert_eq!((t.number.as_str(), t.state.as_str()), ("D001", "no_show")),
        other => panic!("third recall: {other:?}"),
    }
    // The counter is free again; the no-show can be called back by number when they turn up.
    assert_eq!(q.next("1").as_deref(), Some("D002"));
    q.with(|c, ctx| calling::finish(c, ctx, "1")).unwrap();
    let back = q
        .with(|c, ctx| calling::call_number(c, ctx, "1", "d001"))
        .unwrap();
    assert_eq!(back.called.unwrap().number, "D001");
    let no_shows = q.events("ticket.no_show");
    assert_eq!(no_shows.len(), 1);
    assert_eq!(no_shows[0]["recalls"], 2);
    assert_eq!(q.events("ticket.recalled").len(), 2);
}

#[test]
fn a_called_ticket_must_be_dealt_with_before_the_next_call() {
    let mut q = Q::new(Policy::default());
    q.take("notary", None);
    q.take("notary", None);
    q.with(|c, ctx| calling::call_next(c, ctx, "1")).unwrap();
    let refused = q.with(|c, ctx| calling::call_next(c, ctx, "1"));
    assert!(
        matches!(&refused, Err(CallError::StillCalled(n)) if n == "D001"),
        "{refused:?}"
    );
    q.with(|c, ctx| calling::start(c, ctx, "1")).unwrap();
    // Serving: call-next finishes it and calls the next.
    let r = q.with(|c, ctx| calling::call_next(c, ctx, "1")).unwrap();
    assert_eq!(r.finished.unwrap().state, "done");
    assert_eq!(r.called.unwrap().number, "D002");
    let wrong = q.with(|c, ctx| calling::no_show(c, ctx, "2"));
    assert!(matches!(wrong, Err(CallError::NoCurrentTicket)));
}

#[test]
fn a_transferred_ticket_keeps_its_number_and_its_place_by_the_time_it_was_taken() {
    let mut q = Q::new(policy_with(vec![
        counter("1", &["legal-consultation"]),
        counter("2", &["legal-aid"]),
    ]));
    q.take("legal-consultation", None); // A001 at 9:00
    q.tick(5);
    q.take("legal-aid", None); // B001 at 9:05
    q.tick(5);
    q.take("legal-aid", None); // B002 at 9:10
    q.tick(5);
    assert_eq!(q.next("1").as_deref(), Some("A001"));
    q.with(|c, ctx| calling::start(c, ctx, "1")).unwrap();
    q.tick(5);
    // The lawyer finds legal aid is what A001 needs.
    let moved = q
        .with(|c, ctx| calling::transfer(c, ctx, "1", "legal-aid"))
        .unwrap();
    assert_eq!(
        (moved.number.as_str(), moved.state.as_str()),
        ("A001", "waiting")
    );
    assert_eq!(
        moved.transferred_from.as_deref(),
        Some("legal-consultation")
    );
    q.tick(1);
    q.take("legal-aid", None); // B003 at 9:21: after A001's place
    let order: Vec<String> = (0..4).filter_map(|_| q.next("2")).collect();
    assert_eq!(
        order,
        ["A001", "B001", "B002", "B003"],
        "taken at 9:00, A001 goes first"
    );
    let e = q.events("ticket.transferred");
    assert_eq!(e[0]["transferred_from"], "legal-consultation");
    assert_eq!(e[0]["queue_service"], "legal-aid");
    let same = q.with(|c, ctx| calling::transfer(c, ctx, "2", "legal-aid"));
    assert!(matches!(same, Err(CallError::SameService(_))), "{same:?}");
}

#[test]
fn every_action_reports_its_times_to_the_operations_centre_and_is_audited() {
    let mut q = Q::new(Policy::default());
    q.take("arbitration", None);
    q.tick(12);
    q.with(|c, ctx| calling::call_next(c, ctx, "3")).unwrap();
    q.tick(1);
    q.with(|c, ctx| calling::start(c, ctx, "3")).unwrap();
    q.tick(20);
    q.with(|c, ctx| calling::finish(c, ctx, "3")).unwrap();
    let called = q.events("ticket.called");
    assert_eq!(called[0]["number"], "G001");
    assert_eq!(called[0]["counter_id"], "3");
    assert_eq!(called[0]["waited_secs"], 12 * 60);
    let finished = q.events("ticket.finished");
    assert_eq!(finished[0]["service_secs"], 21 * 60, "first call to finish");
    assert_eq!(finished[0]["waited_secs"], 12 * 60);
    assert_eq!(q.events("ticket.serving").len(), 1);
    let actions: Vec<String> = crate::domain::maintenance::audit::recent(q.s.conn(), 10)
        .unwrap()
        .into_iter()
        .filter(|r| r.actor == "王芳")
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["queue.finish", "queue.start", "queue.call_next"]);
    // A refusal is audited as such.
    let e = q.with(|c, ctx| calling::start(c, ctx, "3")).unwrap_err();
    q.with(|c, ctx| calling::audit_refusal(c, ctx, calling::action::START, Some("3"), &e));
    let last = &crate::domain::maintenance::audit::recent(q.s.conn(), 1).unwrap()[0];
    assert_eq!(
        (last.action.as_str(), last.outcome.as_str()),
        ("queue.start", "refused")
    );
}

#[test]
fn two_counters_calling_at_once_never_get_the_same_ticket() {
    let (dir, mut s) = store();
    let catalogue = Catalogue::built_in();
    let policy = Policy::default();
    for i in 0..60 {
        let req = IssueRequest::new("legal-aid", at(26, 9, 0) + Duration::seconds(i));
        issue(s.conn(), &catalogue, &policy, &req).unwrap();
    }
    drop(s);
    let path = Store::path_in(dir.path());
    let threads: Vec<_> = ["1", "2"]
        .into_iter()
        .map(|counter| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&path).unwrap();
                let (catalogue, policy, actor) =
                    (Catalogue::built_in(), Policy::default(), staff());
                let mut got = Vec::new();
                loop {
                    let ctx = Ctx {
                        policy: &policy,
                        catalogue: &catalogue,
                        actor: &actor,
                        now: at(26, 10, 0),
                    };
                    if calling::current_ticket(s.conn(), counter, "2026-11-26")
                        .unwrap()
                        .is_some()
                    {
                        calling::finish(s.conn(), &ctx, counter).unwrap();
                    }
                    match calling::call_next(s.conn(), &ctx, counter).unwrap().called {
                        Some(t) => got.push(t.number),
                        None => return got,
                    }
                }
            })
        })
        .collect();
    let mut all: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!((n, all.len()), (60, 60), "each ticket called exactly once");
}

#[test]
fn people_ahead_follow_the_policy() {
    let mut q = Q::new(Policy::default());
    q.take("notary", None);
    q.tick(1);
    q.take("notary", None);
    q.tick(1);
    let old = q.take("notary", Some(PriorityGroup::Elderly));
    assert_eq!(
        old.people_ahead, 0,
        "a priority ticket goes before the two normal ones"
    );
    q.tick(1);
    let normal = q.take("notary", None);
    assert_eq!(normal.people_ahead, 3);
    let p = position::position(q.s.conn(), &q.policy, normal.id)
        .unwrap()
        .unwrap();
    assert_eq!(p.people_ahead, 3);
    let e = p.estimate.expect("counters serve notary");
    assert!(e.low_minutes < e.high_minutes);
}

#[test]
fn the_daily_reset_closes_earlier_days_once_and_keeps_their_tickets() {
    let mut q = Q::new(Policy::default());
    q.take("legal-aid", None);
    q.take("legal-aid", None);
    q.take("notary", None);
    q.next("1"); // B001 called, never finished
    q.now = at(27, 8, 30);
    let closed = day::ensure_day(q.s.conn(), q.now).unwrap();
    assert_eq!(closed, ["2026-11-26"]);
    assert!(
        day::ensure_day(q.s.conn(), q.now).unwrap().is_empty(),
        "idempotent"
    );
    let states: Vec<(String, String, Option<String>)> = {
        let mut stmt =
            q.s.conn()
                .prepare("SELECT number, state, closed_reason FROM tickets ORDER BY id")
                .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(states.len(), 3, "history is kept");
    assert!(
        states
            .iter()
            .all(|(_, s, r)| s == "cancelled" && r.as_deref() == Some("day_end"))
    );
    let closed_events = q.events("queue.day_closed");
    assert_eq!(closed_events.len(), 1);
    let services = closed_events[0]["services"].as_array().unwrap();
    let aid = services
        .iter()
        .find(|s| s["service_id"] == "legal-aid")
        .unwrap();
    assert_eq!(
        (aid["issued"].as_u64(), aid["left_at_close"].as_u64()),
        (Some(2), Some(2))
    );
    // The new day numbers from 001 and nothing of yesterday is ahead.
    let t = q.take("legal-aid", None);
    assert_eq!((t.number.as_str(), t.people_ahead), ("B001", 0));
    // The counters opened yesterday start the day closed.
    assert!(!calling::counter_state(q.s.conn(), "1").unwrap().open);
}

#[test]
fn a_power_cut_over_midnight_closes_the_day_with_the_first_ticket() {
    let mut q = Q::new(Policy::default());
    q.take("mediation", None);
    // No midnight timer ran: the next day's first ticket closes the day.
    q.now = at(28, 9, 0);
    q.take("mediation", None);
    let left: String =
        q.s.conn()
            .query_row(
                "SELECT state FROM tickets WHERE service_day = '2026-11-26'",
                [],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(left, "cancelled");
    assert_eq!(q.events("queue.day_closed").len(), 1);
}

#[test]
fn offline_numbers_come_from_the_range_and_the_host_skips_it_and_takes_them_later() {
    let range = SeqRange::parse("800-802").unwrap();
    // The client, host unreachable.
    let mut client = Q::new(Policy::default());
    let offline = |q: &mut Q| {
        let req = IssueRequest {
            numbering: Numbering::Offline(range),
            ..IssueRequest::new("legal-aid", q.now)
        };
        issue(q.s.conn(), &q.catalogue, &q.policy, &req)
    };
    assert_eq!(offline(&mut client).unwrap().number, "B800");
    client.tick(1);
    assert_eq!(offline(&mut client).unwrap().number, "B801");
    client.tick(1);
    offline(&mut client).unwrap();
    assert!(matches!(
        offline(&mut client),
        Err(QueueError::RangeExhausted(_))
    ));

    // The host issues around the reserved range.
    let mut host = Q::new(Policy::default());
    host.tick(-30);
    let reserved = [SeqRange::parse("3-4").unwrap(), range];
    let numbers: Vec<String> = (0..3)
        .map(|_| {
            let req = IssueRequest {
                numbering: Numbering::Next {
                    reserved: &reserved,
                },
                ..IssueRequest::new("legal-aid", host.now)
            };
            issue(host.s.conn(), &host.catalogue, &host.policy, &req)
                .unwrap()
                .number
        })
        .collect();
    assert_eq!(numbers, ["B001", "B002", "B005"]);

    // Back online: the host takes the client's tickets at their places, each once.
    let pending = import::pending_offline(client.s.conn()).unwrap();
    assert_eq!(pending.len(), 3);
    for t in &pending {
        let r = import::import_offline(host.s.conn(), &host.catalogue, t, host.now).unwrap();
        assert_eq!(r, ImportOutcome::Imported);
        import::mark_handed_over(client.s.conn(), &t.token, client.now).unwrap();
    }
    let again = import::import_offline(host.s.conn(), &host.catalogue, &pending[0], host.now);
    assert_eq!(again.unwrap(), ImportOutcome::AlreadyKnown);
    assert!(import::pending_offline(client.s.conn()).unwrap().is_empty());
    let next = issue(
        host.s.conn(),
        &host.catalogue,
        &host.policy,
        &IssueRequest::new("legal-aid", host.now),
    )
    .unwrap();
    assert_eq!(
        next.number, "B006",
        "imported numbers do not move the host's sequence"
    );
    // A number the host already gave out is refused, with what to fix.
    let mut clash = pending[0].clone();
    clash.token = crate::ids::random_hex();
    clash.seq = 1;
    clash.number = "B001".into();
    let err = import::import_offline(host.s.conn(), &host.catalogue, &clash, host.now).unwrap_err();
    assert!(matches!(err, ImportError::NumberTaken(_)), "{err}");
    assert!(err.to_string().contains("reserved_ranges"));
}

/// A simulated day at a centre: arrivals at random, service times at random, counters that
/// call as soon as they are free. Each ticket's estimate (as shown when it was taken) is
/// checked against the wait it had.
#[test]
fn estimates_hold_for_most_tickets_of_a_simulated_day() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261126);
    let counters = vec![
        counter("1", &["legal-aid"]),
        counter("2", &["notary"]),
        counter("3", &["legal-aid", "notary"]),
    ];
    let mut q = Q::fast(policy_with(counters.clone()));
    // Mean service minutes; arrivals per hour.
    let services = [("legal-aid", 12.0, 9.0), ("notary", 8.0, 6.0)];
    let start = at(26, 9, 0);
    for c in &counters {
        q.with(|conn, ctx| calling::set_open(conn, &Ctx { now: start, ..*ctx }, &c.id, true))
            .unwrap();
    }
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Ev {
        Free(usize),
        Arrive(usize),
    }
    let mut events: BinaryHeap<std::cmp::Reverse<(i64, Ev)>> = BinaryHeap::new();
    let exp = |rng: &mut rand::rngs::StdRng, mean: f64| -mean * (1.0 - rng.random::<f64>()).ln();
    for (i, (_, _, per_hour)) in services.iter().enumerate() {
        let mut t = 0.0;
        loop {
            t += exp(&mut rng, 3600.0 / per_hour);
            if t > 7.0 * 3600.0 {
                break;
            }
            events.push(std::cmp::Reverse((t as i64, Ev::Arrive(i))));
        }
    }
    let mut busy = vec![false; counters.len()];
    let mut estimates: HashMap<i64, WaitEstimate> = HashMap::new();
    while let Some(std::cmp::Reverse((secs, ev))) = events.pop() {
        q.now = start + Duration::seconds(secs);
        match ev {
            Ev::Arrive(i) => {
                let group = (rng.random::<f64>() < 0.1).then_some(PriorityGroup::Elderly);
                let t = q.take(services[i].0, group);
                let p = position::position(q.s.conn(), &q.policy, t.id)
                    .unwrap()
                    .unwrap();
                estimates.insert(t.id, p.estimate.unwrap());
            }
            Ev::Free(c) => {
                busy[c] = false;
                let id = counters[c].id.clone();
                if calling::current_ticket(q.s.conn(), &id, "2026-11-26")
                    .unwrap()
                    .is_some()
                {
                    q.with(|conn, ctx| calling::finish(conn, ctx, &id)).unwrap();
                }
            }
        }
        // Free counters call at once (staff press call-next).
        for (c, def) in counters.iter().enumerate() {
            if busy[c] {
                continue;
            }
            let called = q
                .with(|conn, ctx| calling::call_next(conn, ctx, &def.id))
                .unwrap()
                .called;
            if let Some(t) = called {
                q.with(|conn, ctx| calling::start(conn, ctx, &def.id))
                    .unwrap();
                let mean = services.iter().find(|s| s.0 == t.queue_service).unwrap().1 * 60.0;
                // Gamma(4): service times vary, but less than exponentially.
                let d: f64 = (0..4).map(|_| exp(&mut rng, mean / 4.0)).sum();
                busy[c] = true;
                events.push(std::cmp::Reverse((secs + d as i64, Ev::Free(c))));
            }
        }
    }
    let waits: Vec<(i64, f64)> = {
        let mut stmt =
            q.s.conn()
                .prepare(
                    "SELECT id, (julianday(first_called_at) - julianday(issued_at)) * 1440.0
                 FROM tickets WHERE first_called_at IS NOT NULL",
                )
                .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(waits.len(), estimates.len(), "everyone was served");
    let within = waits
        .iter()
        .filter(|(id, minutes)| estimates[id].contains(*minutes))
        .count();
    let share = within as f64 / waits.len() as f64;
    println!(
        "estimates held for {within} of {} tickets ({:.0} %)",
        waits.len(),
        share * 100.0
    );
    // A range that held only by being wide would tell the citizen nothing: the typical range
    // is narrower than the typical wait it describes (for waits long enough to matter).
    let mut widths: Vec<u32> = waits
        .iter()
        .map(|(id, _)| estimates[id])
        .filter(|e| e.low_minutes >= 10)
        .map(|e| e.high_minutes - e.low_minutes)
        .collect();
    let mut long_waits: Vec<f64> = waits
        .iter()
        .filter(|(id, _)| estimates[id].low_minutes >= 10)
        .map(|(_, m)| *m)
        .collect();
    widths.sort_unstable();
    long_waits.sort_by(f64::total_cmp);
    println!(
        "{} estimates of 10 minutes or more: median width {} min, median wait {:.0} min",
        widths.len(),
        widths[widths.len() / 2],
        long_waits[long_waits.len() / 2]
    );
    assert!(waits.len() > 60, "a real day: {} tickets", waits.len());
    assert!(
        f64::from(widths[widths.len() / 2]) < long_waits[long_waits.len() / 2],
        "the ranges are wider than the waits they estimate"
    );
    assert!(
        share >= 0.7,
        "only {:.0} % of waits fell in their range",
        share * 100.0
    );
}
