//! A password guesser against the lawyers' login, on the real registry on 127.0.0.1: a
//! burst of parallel wrong passwords is counted before any Argon2 run, so only the
//! configured number is checked and the rest get 429; unknown names are limited the same
//! way; the registry's memory stays bounded; terminals keep being served meanwhile; and
//! other addresses and accounts are not locked out.

mod common;

use common::{Pilot, Terminal, https_client_from as client_from};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "a-long-password";
/// Per source address (the `--login-attempts-per-minute` below).
const PER_SOURCE: usize = 10;
/// Wrong passwords that lock an account.
const PER_ACCOUNT: usize = 5;
const BURST: usize = 300;

async fn login(client: &reqwest::Client, pilot: &Pilot, user: &str, password: &str) -> u16 {
    client
        .post(format!(
            "{}{}",
            pilot.url(),
            provisioning::signalling::paths::LAWYER_LOGIN
        ))
        .json(&serde_json::json!({ "username": user, "password": password }))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// Sends `BURST` logins at once; returns how many got each status.
async fn burst(
    client: &reqwest::Client,
    pilot: &Arc<Pilot>,
    user: impl Fn(usize) -> String,
) -> std::collections::BTreeMap<u16, usize> {
    let tasks: Vec<_> = (0..BURST)
        .map(|i| {
            let (client, pilot, user) = (client.clone(), pilot.clone(), user(i));
            tokio::spawn(async move { login(&client, &pilot, &user, "wrong guess 123").await })
        })
        .collect();
    let mut counts = std::collections::BTreeMap::new();
    for t in tasks {
        *counts.entry(t.await.unwrap()).or_insert(0) += 1;
    }
    counts
}

/// Peak resident memory of a process (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_passwords_reaches_argon2_only_as_often_as_configured() {
    let mut pilot = Pilot::new();
    for user in ["wang", "li"] {
        pilot.admin(
            &[
                "lawyer",
                "add",
                "--username",
                user,
                "--name",
                "律师",
                "--region",
                "330100",
            ],
            &format!("{PASSWORD}\n"),
        );
    }
    pilot.serve_args = vec![
        "--max-concurrent-password-checks".into(),
        "2".into(),
        "--login-attempts-per-minute".into(),
        PER_SOURCE.to_string(),
    ];
    pilot.start();
    let terminal = Terminal::enrolled(&pilot).await;
    let sync = Arc::new(terminal.client(&pilot));
    sync.poll_once().await.unwrap();
    let pid = pilot.pid().unwrap();
    let rss_before = peak_rss_kib(pid);
    let pilot = Arc::new(pilot);

    // A terminal polls throughout the flood: each poll must still be answered promptly. It
    // is another device: its own thread and runtime, not queued behind the attacker's tasks.
    let flooding = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let poller = {
        let (sync, flooding) = (sync.clone(), flooding.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let mut slowest = Duration::ZERO;
                let mut polls = 0;
                while flooding.load(std::sync::atomic::Ordering::Relaxed) || polls < 3 {
                    let started = Instant::now();
                    sync.poll_once().await.expect("the terminal is served");
                    slowest = slowest.max(started.elapsed());
                    polls += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                (polls, slowest)
            })
        })
    };

    let attacker = client_from(&pilot, "127.0.0.1");
    let started = Instant::now();
    let one_account = burst(&attacker, &pilot, |_| "wang".into()).await;
    let many_names = burst(&attacker, &pilot, |i| format!("guess{i}")).await;
    let elapsed = started.elapsed();
    flooding.store(false, std::sync::atomic::Ordering::Relaxed);
    let (polls, slowest) = poller.join().unwrap();

    eprintln!(
        "one account: {one_account:?}; many names: {many_names:?}; {elapsed:?}; \
         {polls} polls, slowest {slowest:?}"
    );
    // 401 = the password was checked (Argon2 ran) and was wrong; 429 = refused before.
    let checked_wang = one_account.get(&401).copied().unwrap_or(0);
    let checked_names = many_names.get(&401).copied().unwrap_or(0);
    assert_eq!(
        one_account.values().sum::<usize>(),
        checked_wang + one_account.get(&429).copied().unwrap_or(0),
        "only 401 and 429: {one_account:?}"
    );
    assert!((1..=PER_ACCOUNT).contains(&checked_wang), "{one_account:?}");
    assert_eq!(
        many_names.values().sum::<usize>(),
        checked_names + many_names.get(&429).copied().unwrap_or(0),
        "only 401 and 429: {many_names:?}"
    );
    // The source's budget, plus what refilled while the test ran (one every 6 s).
    let refilled = (elapsed.as_secs() / 6 + 1) as usize;
    assert!(
        checked_wang + checked_names <= PER_SOURCE + refilled,
        "{one_account:?} {many_names:?} in {elapsed:?}"
    );

    assert!(
        slowest < Duration::from_secs(2),
        "a terminal's poll took {slowest:?} during the flood ({polls} polls)"
    );
    // Two Argon2 runs of 19 MiB at a time, and 600 short requests: nowhere near 300 hashes.
    let grown_mib = peak_rss_kib(pid).saturating_sub(rss_before) / 1024;
    eprintln!("registry peak memory grew by {grown_mib} MiB");
    assert!(grown_mib < 160, "peak memory grew by {grown_mib} MiB");

    // Another address is not limited by the attacker's, and another account is not locked;
    // the attacked account is, from anywhere, for a while.
    let office = client_from(&pilot, "127.0.0.2");
    assert_eq!(login(&office, &pilot, "li", PASSWORD).await, 200);
    assert_eq!(login(&office, &pilot, "wang", PASSWORD).await, 429);
}
