use super::*;

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

    q.with(|c, ctx| calling::change_counter(c, ctx, "2", calling::CounterChange::Pause))
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
    assert_eq!(r.finished.unwrap().state, TicketState::Done);
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
