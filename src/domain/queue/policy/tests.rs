use super::*;

fn c(id: i64, weight: u32, at: i64) -> Candidate {
    Candidate {
        id,
        weight,
        issued_ms: at,
        passed_by: 0,
    }
}

fn policy(mode: CallMode, passes: u32) -> Policy {
    Policy {
        mode,
        max_priority_passes: passes,
        ..Policy::default()
    }
}

/// One scenario of the policy table: waiting tickets (id, weight, taken at), the
/// order call-next takes them in when nothing else arrives.
struct Scenario {
    name: &'static str,
    mode: CallMode,
    passes: u32,
    waiting: &'static [(i64, u32, i64)],
    expected: &'static [i64],
}

const TABLE: &[Scenario] = &[
    Scenario {
        name: "normal tickets only: first come, first served",
        mode: CallMode::Weighted,
        passes: 3,
        waiting: &[(1, 0, 10), (2, 0, 20), (3, 0, 30)],
        expected: &[1, 2, 3],
    },
    Scenario {
        name: "a later priority ticket goes first",
        mode: CallMode::Weighted,
        passes: 3,
        waiting: &[(1, 0, 10), (2, 0, 20), (3, 2, 30)],
        expected: &[3, 1, 2],
    },
    Scenario {
        name: "higher weight before lower weight, then by time",
        mode: CallMode::Weighted,
        passes: 5,
        waiting: &[(1, 1, 10), (2, 3, 20), (3, 2, 30), (4, 3, 40)],
        expected: &[2, 4, 3, 1],
    },
    Scenario {
        name: "anti-starvation: a normal ticket is passed at most twice",
        mode: CallMode::Weighted,
        passes: 2,
        waiting: &[(1, 0, 10), (2, 2, 20), (3, 2, 30), (4, 2, 40), (5, 2, 50)],
        expected: &[2, 3, 1, 4, 5],
    },
    Scenario {
        name: "bound 0 is strictly first come, first served",
        mode: CallMode::Weighted,
        passes: 0,
        waiting: &[(1, 0, 10), (2, 3, 20), (3, 0, 30), (4, 1, 40)],
        expected: &[1, 2, 3, 4],
    },
    Scenario {
        name: "several starved tickets go earliest first",
        mode: CallMode::Weighted,
        passes: 1,
        waiting: &[(1, 0, 10), (2, 0, 20), (3, 2, 30), (4, 2, 40)],
        expected: &[3, 1, 2, 4],
    },
    Scenario {
        name: "a lower priority group is protected from higher ones too",
        mode: CallMode::Weighted,
        passes: 1,
        waiting: &[(1, 1, 10), (2, 3, 20), (3, 3, 30)],
        expected: &[2, 1, 3],
    },
    Scenario {
        name: "strict alternation: priority, normal, priority, normal",
        mode: CallMode::Alternate,
        passes: 10,
        waiting: &[(1, 0, 10), (2, 0, 20), (3, 2, 30), (4, 2, 40), (5, 0, 50)],
        expected: &[3, 1, 4, 2, 5],
    },
    Scenario {
        name: "alternation with only one kind waiting takes that kind in order",
        mode: CallMode::Alternate,
        passes: 10,
        waiting: &[(1, 2, 10), (2, 1, 20), (3, 2, 30)],
        expected: &[1, 3, 2],
    },
];

#[test]
fn the_policy_table() {
    for s in TABLE {
        let waiting: Vec<Candidate> = s.waiting.iter().map(|&(id, w, at)| c(id, w, at)).collect();
        let order = projected_order(&policy(s.mode, s.passes), &waiting, false);
        assert_eq!(order, s.expected, "{}", s.name);
    }
}

#[test]
fn alternation_remembers_the_counters_last_call() {
    let p = policy(CallMode::Alternate, 10);
    let waiting = [c(1, 0, 10), c(2, 2, 20)];
    assert_eq!(
        pick(&p, &waiting, true),
        Some(0),
        "a normal one after a priority one"
    );
    assert_eq!(pick(&p, &waiting, false), Some(1));
}

#[test]
fn the_policy_file_parses_with_groups_counters_and_modes() {
    let p = Policy::parse(
        r#"
        mode = "alternate"
        max_priority_passes = 4
        max_recalls = 3
        hall_notice = "今天下午三点后暂停公证业务"
        [weights]
        elderly = 2
        military = 3
        poverty = 2
        [[counter]]
        id = "1"
        name = "1号窗口"
        services = ["legal-aid"]
        [[counter]]
        id = "2"
        name = "2号窗口"
        "#,
    )
    .unwrap();
    assert_eq!(p.mode, CallMode::Alternate);
    assert_eq!(p.weight(Some("military")), 3);
    assert_eq!(
        p.weight(Some("disabled")),
        0,
        "a group left out is not a priority"
    );
    assert_eq!(p.weight(None), 0);
    let counters = p.counters();
    assert!(counters[0].serves("legal-aid") && !counters[0].serves("notary"));
    assert!(
        counters[1].serves("notary"),
        "no services listed: every service"
    );
}

#[test]
fn bad_policies_are_refused_with_the_reason() {
    let twice =
        "[[counter]]\nid = \"1\"\nname = \"1号\"\n[[counter]]\nid = \"1\"\nname = \"一号\"\n";
    assert_eq!(
        Policy::parse(twice),
        Err(PolicyError::DuplicateCounter("1".into()))
    );
    assert!(matches!(
        Policy::parse("[weights]\nvip = 5\n"),
        Err(PolicyError::Parse(_))
    ));
    assert!(matches!(
        Policy::parse("max_recals = 2\n"),
        Err(PolicyError::Parse(_))
    ));
    assert_eq!(
        Policy::parse("[[counter]]\nid = \"a b\"\nname = \"x\"\n"),
        Err(PolicyError::BadCounterId("a b".into()))
    );
}

#[test]
fn without_counters_three_serve_everything() {
    let counters = Policy::default().counters();
    assert_eq!(counters.len(), 3);
    assert_eq!(counters[2].name, "3号窗口");
    assert!(counters.iter().all(|c| c.serves("notary")));
}
