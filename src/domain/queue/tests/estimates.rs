use super::*;

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
        q.with(|conn, ctx| {
            let ctx = Ctx { now: start, ..*ctx };
            calling::change_counter(conn, &ctx, &c.id, calling::CounterChange::Open)
        })
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
