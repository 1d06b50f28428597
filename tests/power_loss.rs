//! Power loss, not only SIGKILL: the terminal's data folder lives on a file system that keeps
//! only what was fsynced (`tests/lazyfs`, FUSE). A real `legal-kiosk ticket` process issues
//! tickets; at a random moment the power is cut (the process is SIGKILLed and everything it
//! wrote without syncing is dropped, names in folders included). After power returns, every
//! number the kiosk showed is still stored, numbering continues, and no number is ever
//! issued twice. `LEGAL_KIOSK_POWER_CUTS` sets how many cuts (default 6);
//! `scripts/power-loss.sh` runs a longer loop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use lazyfs::LazyFs;
use rand::{Rng as _, SeedableRng as _};

fn kiosk(config: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_legal-kiosk"));
    cmd.arg("--config")
        .arg(config)
        .env("LEGAL_KIOSK_LOG", "warn");
    cmd
}

fn number_of(line: &str) -> String {
    line.split_whitespace()
        .next()
        .expect("a ticket line starts with its number")
        .to_string()
}

#[test]
fn ticket_numbers_survive_power_cuts() {
    assert!(
        LazyFs::available(),
        "this test needs root and /dev/fuse (a FUSE file system that loses power)"
    );
    let cuts: usize = std::env::var("LEGAL_KIOSK_POWER_CUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let seed: u64 = std::env::var("LEGAL_KIOSK_POWER_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("power cuts: {cuts}, seed {seed} (LEGAL_KIOSK_POWER_SEED to repeat)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mut fs = LazyFs::mount(&disk).unwrap();
    let data = disk.join("data");
    let config = dir.path().join("kiosk.toml");
    // The kiosk creates its data folder itself, as on a terminal's first start.
    std::fs::write(
        &config,
        format!("[storage]\ndata_dir = {data:?}\n[printer]\nkind = \"none\"\n"),
    )
    .unwrap();

    let mut shown: Vec<String> = Vec::new();
    for cut in 0..cuts {
        let mut child = kiosk(&config)
            .args(["ticket", "--service", "legal-aid", "--count", "1000000"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // The first cut comes before the first ticket has been shown: a cut during the
        // first start (data folder, database and schema being created).
        let before_cut = if cut == 0 { 0 } else { rng.random_range(1..40) };
        for _ in 0..before_cut {
            let line = lines.next().expect("the kiosk issues tickets").unwrap();
            shown.push(number_of(&line));
        }
        std::thread::sleep(Duration::from_micros(rng.random_range(0..20_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        // Printed before it died: a number printed is a number the citizen holds.
        shown.extend(lines.map_while(Result::ok).map(|l| number_of(&l)));
        fs.power_cut().unwrap();
    }

    let out = kiosk(&config)
        .args(["ticket", "--service", "legal-aid", "--count", "3"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the kiosk starts after the power cuts: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(number_of)
        .collect();
    assert_eq!(after.len(), 3);
    shown.extend(after.iter().cloned());

    let mut unique = shown.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        shown.len(),
        "a ticket number was issued twice across power cuts: {shown:?}"
    );

    let db = rusqlite::Connection::open(data.join("kiosk.sqlite3")).unwrap();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let stored: Vec<(u32, String)> = db
        .prepare("SELECT seq, number FROM tickets WHERE service_id = 'legal-aid' ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let seqs: Vec<u32> = stored.iter().map(|(s, _)| *s).collect();
    let expected: Vec<u32> = (1..=stored.len() as u32).collect();
    assert_eq!(seqs, expected, "numbers continue without gap or repeat");
    for number in &shown {
        assert!(
            stored.iter().any(|(_, n)| n == number),
            "{number} was shown but lost with the power"
        );
    }
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
        "each ticket kept its outbox event"
    );
    drop(db);
    let stats = fs.stats();
    eprintln!("{stats:?}");
    assert_eq!(stats.power_cuts as usize, cuts);
    assert!(
        stats.files_rolled_back > 0 || stats.dirs_rolled_back > 0,
        "the cuts dropped unsynced writes (else this test proves nothing)"
    );
}
