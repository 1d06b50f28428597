//! The terminal's call engine against the real lawyer's console in headless Chromium (fake
//! camera and microphone), through the real registry, inside a loopback-only network
//! namespace: the lawyer sees the waiting call, answers, both sides receive video (the
//! browser's `getStats()`, the terminal's decoded frames), hang-up from either side ends both
//! cleanly, media dying mid-call interrupts and then ends the call, an unanswered call
//! times out; and the same through TURN only (coturn on
//! 127.0.0.1, relay policy).

#[path = "support/browser.rs"]
mod browser;
#[path = "support/netns.rs"]
mod netns;
#[path = "support/observer.rs"]
mod observer;
#[path = "support/pilot.rs"]
mod pilot;

use browser::Lawyer;
use kiosk_video::{CallServices, KioskCall, MediaConfig};
use observer::Recorder;
use pilot::Pilot;
use provisioning::signalling::{HangupReason, KioskCallState, KioskCallStep, Party};
use std::sync::Arc;
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn services(pilot: &Pilot) -> CallServices {
    CallServices {
        signalling: pilot.signalling(),
        identity: pilot.identity.clone(),
        // Small and slow enough for Chromium and the terminal to share two cores.
        media: MediaConfig {
            width: 320,
            height: 240,
            framerate: 15,
            ..MediaConfig::loopback()
        },
        echo_cancellation: true,
        media_setup_timeout: Duration::from_secs(20),
        signalling_silence: Duration::from_secs(15),
    }
}

fn start_call(
    runtime: &tokio::runtime::Runtime,
    pilot: &Pilot,
    category: Option<&str>,
) -> (KioskCall, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let call = KioskCall::start(
        runtime.handle(),
        services(pilot),
        category.map(String::from),
        recorder.clone(),
    );
    (call, recorder)
}

fn in_call(s: &KioskCallState) -> bool {
    matches!(s, KioskCallState::InCall { .. })
}

/// Answers the waiting call and checks video both ways; returns the browser's stats.
fn answer_and_check_media(lawyer: &mut Lawyer, recorder: &Recorder) -> serde_json::Value {
    lawyer.run("answer");
    recorder.wait_for("the call to connect", 30, in_call);
    lawyer.run("wait-connected");
    let stats = lawyer.run("wait-media 30")["stats"].clone();
    let frames = recorder.wait_frames(30, 20);
    println!("browser: {stats}\nkiosk: {frames} frames of the lawyer decoded");
    assert!(frames >= 30, "the terminal decoded only {frames} frames");
    assert_eq!(
        *recorder.remote_size.lock().unwrap(),
        (480, 360),
        "scaled for the screen"
    );
    assert!(stats["framesDecoded"].as_u64().unwrap() >= 30, "{stats}");
    assert_eq!(stats["videoCodec"], "video/VP8", "{stats}");
    assert_eq!(stats["frameWidth"], 320, "{stats}");
    assert!(
        stats["audioPacketsReceived"].as_u64().unwrap() > 0,
        "{stats}"
    );
    stats
}

#[test]
fn the_lawyer_answers_in_the_browser_and_either_side_can_hang_up() {
    netns::in_loopback_namespace(
        "the_lawyer_answers_in_the_browser_and_either_side_can_hang_up",
        || {
            let runtime = runtime();
            let mut pilot = Pilot::start(&runtime);
            let mut lawyer = Lawyer::open(&pilot.url);
            let who = lawyer.run(&format!("login {} {}", pilot::LAWYER, pilot::PASSWORD));
            assert!(who["who"].as_str().unwrap().contains("王律师"), "{who}");

            // 1. The citizen calls about a labour matter; the lawyer sees it without any
            //    personal data, answers, and hangs up.
            let (call, recorder) = start_call(&runtime, &pilot, Some("labour"));
            let waiting = recorder.wait_for("a place in the queue", 20, |s| {
                matches!(s, KioskCallState::Waiting { .. })
            });
            assert!(
                matches!(
                    waiting,
                    KioskCallState::Waiting {
                        position: 1,
                        lawyers_online: 1,
                        ..
                    }
                ),
                "{waiting:?}"
            );
            let queue = lawyer.run("wait-queue 1")["queue"][0].clone();
            assert_eq!(queue["region"], "330106");
            assert_eq!(queue["platform_name"], pilot::PLATFORM_NAME);
            assert_eq!(queue["category"], "labour");
            let fields: Vec<&String> = queue.as_object().unwrap().keys().collect();
            assert_eq!(
                fields,
                [
                    "call_id",
                    "category",
                    "platform_id",
                    "platform_name",
                    "region",
                    "waiting_s"
                ]
            );
            answer_and_check_media(&mut lawyer, &recorder);
            lawyer.run("mute");
            lawyer.run("hangup");
            let ended = lawyer.run("wait-ended");
            assert_eq!(ended["ended"]["by"], "lawyer");
            let report = recorder.wait_report(20);
            assert_eq!(
                (report.by, report.reason, report.answered),
                (Party::Lawyer, HangupReason::Normal, true)
            );
            assert!(report.talked > Duration::from_secs(1), "{report:?}");
            assert!(report.quality.packets_received > 0, "{report:?}");
            assert!(report.quality.frames_decoded >= 30, "{report:?}");
            drop(call);

            // 2. The citizen hangs up: the console is told and returns to the queue.
            let (call, recorder) = start_call(&runtime, &pilot, None);
            lawyer.run("wait-queue 1");
            answer_and_check_media(&mut lawyer, &recorder);
            call.hang_up();
            let ended = lawyer.run("wait-ended");
            assert_eq!(ended["ended"]["by"], "citizen", "{ended}");
            assert_eq!(ended["queueVisible"], true);
            let report = recorder.wait_report(20);
            assert_eq!(
                (report.by, report.reason),
                (Party::Citizen, HangupReason::Normal)
            );

            // 3. The lawyer's media dies without a hang-up: the terminal shows the
            //    interruption, and when it is not restored in time the call ends for both.
            let (call, recorder) = start_call(&runtime, &pilot, None);
            lawyer.run("wait-queue 1");
            answer_and_check_media(&mut lawyer, &recorder);
            lawyer.run("drop-media");
            recorder.wait_for("the interruption", 20, |s| {
                matches!(s, KioskCallState::Interrupted { .. })
            });
            call.step(KioskCallStep::RestoreTimedOut);
            let report = recorder.wait_report(20);
            assert_eq!(
                (report.by, report.reason, report.answered),
                (Party::Citizen, HangupReason::NetworkLost, true)
            );
            let ended = lawyer.run("wait-ended");
            assert_eq!(ended["ended"]["reason"], "network_lost", "{ended}");

            // 4. Nobody answers: when the terminal's waiting time runs out the call leaves
            //    the queue and the citizen is offered another way.
            let (call, recorder) = start_call(&runtime, &pilot, None);
            lawyer.run("wait-queue 1");
            call.step(KioskCallStep::AnswerTimedOut);
            let report = recorder.wait_report(20);
            assert_eq!(
                (report.by, report.reason, report.answered),
                (Party::Citizen, HangupReason::NoAnswer, false)
            );
            lawyer.run("wait-queue 0");
            drop(lawyer);
            pilot.stop(&runtime);
        },
    );
}

#[test]
fn a_relay_only_call_goes_through_coturn_on_loopback() {
    netns::in_loopback_namespace("a_relay_only_call_goes_through_coturn_on_loopback", || {
        let dir = tempfile::tempdir().unwrap();
        let mut turn = std::process::Command::new("turnserver")
            .args([
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                "--listening-port=3478",
                "--min-port=49152",
                "--max-port=49252",
                "--allow-loopback-peers",
                // Time-limited credentials (TURN REST): the registry mints them per call.
                "--use-auth-secret",
                "--static-auth-secret=turn-shared-secret-0123",
                "--realm=legal-kiosk",
                "--no-tls",
                "--no-dtls",
                "--no-cli",
                "--log-file=stdout",
            ])
            .arg(format!(
                "--pidfile={}",
                dir.path().join("turn.pid").display()
            ))
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("coturn (scripts/install-deps.sh test)");
        std::thread::sleep(Duration::from_millis(500));
        let runtime = runtime();
        let mut pilot = Pilot::start(&runtime);
        pilot.use_turn(
            "turn:127.0.0.1:3478?transport=udp",
            "turn-shared-secret-0123",
        );
        let mut lawyer = Lawyer::open(&pilot.url);
        lawyer.run(&format!("login {} {}", pilot::LAWYER, pilot::PASSWORD));
        let (call, recorder) = start_call(&runtime, &pilot, None);
        lawyer.run("wait-queue 1");
        let stats = answer_and_check_media(&mut lawyer, &recorder);
        assert_eq!(stats["localCandidateType"], "relay", "{stats}");
        call.hang_up();
        lawyer.run("wait-ended");
        drop(lawyer);
        pilot.stop(&runtime);
        let _ = turn.kill();
        let _ = turn.wait();
    });
}
