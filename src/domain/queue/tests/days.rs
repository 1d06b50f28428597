use super::*;

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
    host.tick(40);
    let pending = import::pending_offline(client.s.conn()).unwrap();
    assert_eq!(pending.len(), 3);
    let rules = import::ImportRules {
        ranges: &[range, SeqRange::parse("1-1").unwrap()],
        policy: &host.policy,
    };
    for t in &pending {
        let r =
            import::import_offline(host.s.conn(), &host.catalogue, &rules, t, host.now).unwrap();
        assert_eq!(r, ImportOutcome::Imported);
        import::mark_handed_over(client.s.conn(), &t.token, client.now).unwrap();
    }
    let again = import::import_offline(
        host.s.conn(),
        &host.catalogue,
        &rules,
        &pending[0],
        host.now,
    );
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
    let err = import::import_offline(host.s.conn(), &host.catalogue, &rules, &clash, host.now)
        .unwrap_err();
    assert!(matches!(err, ImportError::NumberTaken(_)), "{err}");
    assert!(err.to_string().contains("reserved_ranges"));
}
