//! A terminal loses power without warning. A real `legal-kiosk` process issuing tickets is
//! killed with SIGKILL several times; after each restart numbering continues with no
//! duplicate and no gap, every number it showed was kept, and every ticket has its outbox
//! event.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn kiosk(config: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_legal-kiosk"));
    cmd.arg("--config")
        .arg(config)
        .env("LEGAL_KIOSK_LOG", "warn");
    cmd
}

#[test]
fn numbering_survives_sigkill_between_issues() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\ndata_dir = {:?}\n[printer]\nkind = \"none\"\n",
            dir.path().join("data")
        ),
    )
    .unwrap();

    let mut shown: Vec<String> = Vec::new();
    for kill_after in [7usize, 23, 41] {
        let mut child = kiosk(&config)
            .args(["ticket", "--service", "legal-aid", "--count", "1000000"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for _ in 0..kill_after {
            let line = lines.next().expect("the child issues tickets").unwrap();
            shown.push(line.split_whitespace().next().unwrap().to_string());
        }
        child.kill().unwrap(); // SIGKILL: no destructor, no flush, like a power cut
        child.wait().unwrap();
        // Whatever was in flight when it died.
        for line in lines.map_while(Result::ok) {
            shown.push(line.split_whitespace().next().unwrap().to_string());
        }
    }
    let out = kiosk(&config)
        .args(["ticket", "--service", "legal-aid", "--count", "3"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    shown.extend(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.split_whitespace().next().unwrap().to_string()),
    );

    let db = rusqlite::Connection::open(dir.path().join("data/kiosk.sqlite3")).unwrap();
    let mut stmt = db
        .prepare("SELECT seq, number FROM tickets WHERE service_id = 'legal-aid' ORDER BY seq")
        .unwrap();
    let stored: Vec<(u32, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let seqs: Vec<u32> = stored.iter().map(|(s, _)| *s).collect();
    let expected: Vec<u32> = (1..=stored.len() as u32).collect();
    assert_eq!(
        seqs, expected,
        "numbers continue without gap or duplicate across kills"
    );
    for number in &shown {
        assert!(
            stored.iter().any(|(_, n)| n == number),
            "{number} was shown but not kept"
        );
    }
    let last = &stored.last().unwrap().1;
    assert_eq!(
        last,
        shown.last().unwrap(),
        "the last run continued the sequence"
    );
    let events: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'ticket.issued'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        events as usize,
        stored.len(),
        "each ticket has exactly one outbox event"
    );
}
