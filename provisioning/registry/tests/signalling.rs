//! Video-call signalling against the real registry on 127.0.0.1: lawyer logins, the queue
//! per region, answering, relaying offer/answer/candidates, hang-ups and disconnects, and
//! what is refused. Terminals use the firmware's signalling client; lawyers a plain
//! WebSocket with the session cookie, as the console's browser does.

mod common;

use common::{OTHER_PLATFORM, PLATFORM, Pilot, Terminal, https_client};
use futures_util::{SinkExt as _, StreamExt as _};
use provisioning::signalling::client::{KioskSignalling, SignallingConfig, SignallingError};
use provisioning::signalling::*;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

const PASSWORD: &str = "a-long-password";

fn admin(pilot: &Pilot, args: &[&str], stdin: &str) -> String {
    pilot.admin(args, stdin)
}

/// A lawyer's login for Hangzhou (3301xx) with `PASSWORD`.
fn add_lawyer(pilot: &Pilot, username: &str, name: &str) {
    admin(
        pilot,
        &[
            "lawyer",
            "add",
            "--username",
            username,
            "--name",
            name,
            "--region",
            "330100",
        ],
        &format!("{PASSWORD}\n"),
    );
}

/// A pilot with lawyer `wang` for Hangzhou (3301xx) and a TURN server configured.
fn pilot() -> Pilot {
    let mut pilot = Pilot::new();
    add_lawyer(&pilot, "wang", "王律师");
    add_lawyer(&pilot, "li", "李律师");
    admin(
        &pilot,
        &[
            "video",
            "ice-add",
            "--url",
            "turn:127.0.0.1:3478",
            "--username",
            "kiosk",
            "--credential",
            "secret",
        ],
        "",
    );
    pilot.start();
    pilot
}

async fn login(pilot: &Pilot, user: &str, password: &str) -> reqwest::Response {
    https_client(pilot)
        .post(format!("{}{}", pilot.url(), paths::LAWYER_LOGIN))
        .json(&serde_json::json!({ "username": user, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn cookie(pilot: &Pilot, user: &str) -> String {
    let response = login(pilot, user, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    set.split(';').next().unwrap().to_string()
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_rustls::client::TlsStream<TcpStream>>;

struct LawyerSocket(Socket);

async fn lawyer_connect(pilot: &Pilot, cookie: Option<&str>) -> Result<LawyerSocket, u16> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&pilot.pki.ca_cert).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tcp = TcpStream::connect(("127.0.0.1", pilot.port)).await.unwrap();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(tls))
        .connect("127.0.0.1".try_into().unwrap(), tcp)
        .await
        .unwrap();
    let mut request = format!("wss://127.0.0.1:{}{}", pilot.port, paths::LAWYER)
        .into_client_request()
        .unwrap();
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
    }
    match tokio_tungstenite::client_async(request, stream).await {
        Ok((socket, _)) => Ok(LawyerSocket(socket)),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

impl LawyerSocket {
    async fn send(&mut self, frame: &LawyerToServer) {
        self.0.send(Message::text(encode(frame))).await.unwrap();
    }

    async fn send_raw(&mut self, text: &str) {
        self.0.send(Message::text(text.to_string())).await.unwrap();
    }

    /// The next frame that `keep` accepts (others, like periodic queue refreshes, skipped).
    async fn next_where(&mut self, keep: impl Fn(&ServerToLawyer) -> bool) -> ServerToLawyer {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match self.0.next().await.unwrap().unwrap() {
                    Message::Text(t) => {
                        let frame: ServerToLawyer = parse(t.as_str()).unwrap();
                        if keep(&frame) {
                            return frame;
                        }
                    }
                    Message::Close(_) => panic!("closed"),
                    _ => {}
                }
            }
        })
        .await
        .expect("a frame within 10 s")
    }

    /// Waits until the registry closes the connection, reading (and returning) the frames
    /// it sent before; panics if it stays open for `within`.
    async fn closed_within(&mut self, within: Duration) -> Vec<ServerToLawyer> {
        let mut frames = Vec::new();
        tokio::time::timeout(within, async {
            loop {
                match self.0.next().await {
                    Some(Ok(Message::Text(t))) => frames.push(parse(t.as_str()).unwrap()),
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await
        .expect("the registry closes the console's connection");
        frames
    }

    async fn queue(&mut self, len: usize) -> Vec<WaitingCall> {
        match self
            .next_where(|f| matches!(f, ServerToLawyer::Queue { calls } if calls.len() == len))
            .await
        {
            ServerToLawyer::Queue { calls } => calls,
            _ => unreachable!(),
        }
    }
}

async fn kiosk(pilot: &Pilot, terminal: &Terminal) -> Result<KioskSignalling, SignallingError> {
    KioskSignalling::connect(
        &SignallingConfig {
            registry_url: pilot.url(),
            ca_certificate: pilot.pki.ca_cert.clone(),
            device_id: terminal.device_id(),
            clock_offset_s: 0,
            connect_timeout: Duration::from_secs(10),
        },
        &terminal.identity,
    )
    .await
}

async fn next(k: &mut KioskSignalling) -> ServerToKiosk {
    tokio::time::timeout(Duration::from_secs(10), k.next())
        .await
        .expect("a frame within 10 s")
        .unwrap()
        .expect("connection open")
}

async fn enrolled_at(pilot: &Pilot, platform: &str) -> Terminal {
    let mut t = Terminal::new();
    t.enrol(pilot, &pilot.code(platform)).await.unwrap();
    t
}

#[tokio::test]
async fn lawyer_login_sets_a_strict_cookie_and_locks_after_wrong_passwords() {
    let pilot = pilot();
    let ok = login(&pilot, "wang", PASSWORD).await;
    assert_eq!(ok.status(), 200);
    let set = ok.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["kiosk_lawyer=", "HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(set.contains(attribute), "{set}");
    }
    let body: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(body["display_name"], "王律师");

    let unknown = login(&pilot, "nobody", PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    for _ in 0..5 {
        assert_eq!(login(&pilot, "li", "wrong password").await.status(), 401);
    }
    let locked = login(&pilot, "li", PASSWORD).await;
    assert_eq!(locked.status(), 429, "locked even with the right password");
    assert!(locked.headers().contains_key("retry-after"));

    // The password is stored as an Argon2id hash only.
    let hash = pilot
        .store()
        .sql_text(
            "SELECT password_hash FROM lawyers WHERE username = 'wang'",
            &[],
        )
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));

    // Without a session there is no signalling; after logout neither.
    assert_eq!(lawyer_connect(&pilot, None).await.err(), Some(401));
    let c = cookie(&pilot, "wang").await;
    assert!(lawyer_connect(&pilot, Some(&c)).await.is_ok());
    https_client(&pilot)
        .post(format!("{}{}", pilot.url(), paths::LAWYER_LOGOUT))
        .header("cookie", &c)
        .send()
        .await
        .unwrap();
    assert_eq!(lawyer_connect(&pilot, Some(&c)).await.err(), Some(401));
}

#[tokio::test]
async fn a_call_is_queued_per_region_answered_once_relayed_and_hung_up() {
    let pilot = pilot();
    let (a, b, far) = (
        enrolled_at(&pilot, PLATFORM).await,
        enrolled_at(&pilot, PLATFORM).await,
        enrolled_at(&pilot, OTHER_PLATFORM).await,
    );
    let mut ka = kiosk(&pilot, &a).await.unwrap();
    let ServerToKiosk::Welcome { ice } = next(&mut ka).await else {
        panic!("welcome first")
    };
    assert_eq!(ice.ice_servers[0].urls, ["turn:127.0.0.1:3478"]);
    assert_eq!(ice.ice_servers[0].username, "kiosk");

    ka.send(&KioskToServer::RequestCall {
        category: Some("labour".into()),
        booked: false,
    })
    .await
    .unwrap();
    let ServerToKiosk::Queued {
        call_id,
        position,
        lawyers_online,
    } = next(&mut ka).await
    else {
        panic!("queued")
    };
    assert_eq!((position, lawyers_online), (1, 0));

    // A call from Ningbo (330203) is not for a Hangzhou lawyer.
    let mut kf = kiosk(&pilot, &far).await.unwrap();
    next(&mut kf).await;
    kf.send(&KioskToServer::RequestCall {
        category: None,
        booked: false,
    })
    .await
    .unwrap();
    let ServerToKiosk::Queued {
        call_id: far_call, ..
    } = next(&mut kf).await
    else {
        panic!("queued")
    };

    let mut wang = lawyer_connect(&pilot, Some(&cookie(&pilot, "wang").await))
        .await
        .unwrap();
    let ServerToLawyer::Welcome {
        display_name,
        regions,
        ice,
    } = wang.next_where(|_| true).await
    else {
        panic!("welcome first")
    };
    assert_eq!(
        (display_name.as_str(), regions),
        ("王律师", vec!["330100".to_string()])
    );
    assert_eq!(ice.ice_servers.len(), 1);
    let calls = wang.queue(1).await;
    assert_eq!(calls[0].call_id, call_id);
    assert_eq!(calls[0].region, "330106");
    assert_eq!(calls[0].platform_name, "西湖区公共法律服务中心");
    assert_eq!(calls[0].category.as_deref(), Some("labour"));
    // The terminal learns a lawyer is on duty.
    assert!(matches!(
        next(&mut ka).await,
        ServerToKiosk::Queued {
            position: 1,
            lawyers_online: 1,
            ..
        }
    ));

    // A second citizen in the same region is second in line.
    let mut kb = kiosk(&pilot, &b).await.unwrap();
    next(&mut kb).await;
    kb.send(&KioskToServer::RequestCall {
        category: None,
        booked: false,
    })
    .await
    .unwrap();
    assert!(matches!(
        next(&mut kb).await,
        ServerToKiosk::Queued { position: 2, .. }
    ));
    wang.queue(2).await;

    // Not the Ningbo call; then the first call, which moves the second up.
    wang.send(&LawyerToServer::Answer {
        call_id: far_call.clone(),
    })
    .await;
    assert!(matches!(
        wang.next_where(|f| matches!(f, ServerToLawyer::Error { .. }))
            .await,
        ServerToLawyer::Error {
            code: SignalError::NoSuchCall,
            ..
        }
    ));
    wang.send(&LawyerToServer::Answer {
        call_id: call_id.clone(),
    })
    .await;
    let ServerToLawyer::Connected { call, .. } = wang
        .next_where(|f| matches!(f, ServerToLawyer::Connected { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(call.call_id, call_id);
    assert!(matches!(
        next(&mut ka).await,
        ServerToKiosk::Answered { call_id: id, .. } if id == call_id
    ));
    assert!(matches!(
        next(&mut kb).await,
        ServerToKiosk::Queued { position: 1, .. }
    ));

    // A colleague is too late.
    let mut li = lawyer_connect(&pilot, Some(&cookie(&pilot, "li").await))
        .await
        .unwrap();
    li.send(&LawyerToServer::Answer {
        call_id: call_id.clone(),
    })
    .await;
    assert!(matches!(
        li.next_where(|f| matches!(f, ServerToLawyer::Error { .. }))
            .await,
        ServerToLawyer::Error {
            code: SignalError::NoSuchCall,
            ..
        }
    ));

    // Offer, answer and candidates are relayed unchanged, each way.
    let offer = SessionDescription {
        kind: SdpKind::Offer,
        sdp: "v=0\r\no=- 1 0 IN IP4 127.0.0.1\r\n".into(),
    };
    ka.send(&KioskToServer::Sdp {
        description: offer.clone(),
    })
    .await
    .unwrap();
    let candidate = IceCandidate {
        sdp_mline_index: 0,
        candidate: "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host".into(),
    };
    ka.send(&KioskToServer::Ice {
        candidate: candidate.clone(),
    })
    .await
    .unwrap();
    assert_eq!(
        wang.next_where(|f| matches!(f, ServerToLawyer::Sdp { .. }))
            .await,
        ServerToLawyer::Sdp { description: offer }
    );
    assert_eq!(
        wang.next_where(|f| matches!(f, ServerToLawyer::Ice { .. }))
            .await,
        ServerToLawyer::Ice {
            candidate: candidate.clone()
        }
    );
    let answer = SessionDescription {
        kind: SdpKind::Answer,
        sdp: "v=0\r\n".into(),
    };
    wang.send(&LawyerToServer::Sdp {
        description: answer.clone(),
    })
    .await;
    wang.send(&LawyerToServer::Ice {
        candidate: candidate.clone(),
    })
    .await;
    assert_eq!(
        next(&mut ka).await,
        ServerToKiosk::Sdp {
            description: answer
        }
    );
    assert_eq!(next(&mut ka).await, ServerToKiosk::Ice { candidate });
    ka.send(&KioskToServer::MediaConnected).await.unwrap();
    assert!(matches!(
        wang.next_where(|f| matches!(f, ServerToLawyer::MediaConnected { .. }))
            .await,
        ServerToLawyer::MediaConnected { .. }
    ));

    // The lawyer hangs up: the terminal is told who and why.
    wang.send(&LawyerToServer::Hangup {
        reason: HangupReason::Normal,
    })
    .await;
    assert_eq!(
        next(&mut ka).await,
        ServerToKiosk::Ended {
            call_id,
            by: Party::Lawyer,
            reason: HangupReason::Normal
        }
    );

    // The lawyer takes the next call; that citizen's terminal vanishes mid-call.
    let calls = wang.queue(1).await;
    wang.send(&LawyerToServer::Answer {
        call_id: calls[0].call_id.clone(),
    })
    .await;
    // (Queue updates, e.g. a second lawyer coming on duty, may come first.)
    let answered = loop {
        match next(&mut kb).await {
            ServerToKiosk::Queued { .. } => continue,
            other => break other,
        }
    };
    assert!(
        matches!(answered, ServerToKiosk::Answered { .. }),
        "{answered:?}"
    );
    drop(kb);
    let ended = wang
        .next_where(|f| matches!(f, ServerToLawyer::Ended { .. }))
        .await;
    assert!(
        matches!(
            ended,
            ServerToLawyer::Ended {
                by: Party::Citizen,
                reason: HangupReason::PeerGone,
                ..
            }
        ),
        "{ended:?}"
    );
}

#[tokio::test]
async fn out_of_turn_malformed_and_unsigned_frames_are_refused() {
    let pilot = pilot();
    let t = Terminal::enrolled(&pilot).await;
    let mut k = kiosk(&pilot, &t).await.unwrap();
    next(&mut k).await;
    // An offer before any call, a free-text category, nonsense.
    k.send(&KioskToServer::Sdp {
        description: SessionDescription {
            kind: SdpKind::Offer,
            sdp: "v=0".into(),
        },
    })
    .await
    .unwrap();
    assert!(matches!(
        next(&mut k).await,
        ServerToKiosk::Error {
            code: SignalError::WrongState,
            ..
        }
    ));
    k.send(&KioskToServer::RequestCall {
        category: Some("张三 欠薪".into()),
        booked: false,
    })
    .await
    .unwrap();
    assert!(matches!(
        next(&mut k).await,
        ServerToKiosk::Error {
            code: SignalError::BadCategory,
            ..
        }
    ));
    k.send(&KioskToServer::RequestCall {
        category: None,
        booked: false,
    })
    .await
    .unwrap();
    assert!(matches!(next(&mut k).await, ServerToKiosk::Queued { .. }));
    k.send(&KioskToServer::RequestCall {
        category: None,
        booked: false,
    })
    .await
    .unwrap();
    assert!(matches!(
        next(&mut k).await,
        ServerToKiosk::Error {
            code: SignalError::AlreadyInCall,
            ..
        }
    ));

    let mut wang = lawyer_connect(&pilot, Some(&cookie(&pilot, "wang").await))
        .await
        .unwrap();
    wang.send_raw(r#"{"type":"answer","call_id":"x","extra":1}"#)
        .await;
    assert!(matches!(
        wang.next_where(|f| matches!(f, ServerToLawyer::Error { .. }))
            .await,
        ServerToLawyer::Error {
            code: SignalError::BadFrame,
            ..
        }
    ));
    wang.send(&LawyerToServer::Hangup {
        reason: HangupReason::Normal,
    })
    .await;
    assert!(matches!(
        wang.next_where(|f| matches!(f, ServerToLawyer::Error { .. }))
            .await,
        ServerToLawyer::Error {
            code: SignalError::WrongState,
            ..
        }
    ));

    // The citizen cancels: the lawyer's queue empties.
    wang.queue(1).await;
    k.send(&KioskToServer::Hangup {
        reason: HangupReason::Cancelled,
    })
    .await
    .unwrap();
    wang.queue(0).await;

    // A terminal that is not enrolled cannot connect.
    let stranger = Terminal::new();
    let refused = KioskSignalling::connect(
        &SignallingConfig {
            registry_url: pilot.url(),
            ca_certificate: pilot.pki.ca_cert.clone(),
            device_id: "kt-0000000000000000".into(),
            clock_offset_s: 0,
            connect_timeout: Duration::from_secs(10),
        },
        &stranger.identity,
    )
    .await;
    assert!(
        matches!(refused, Err(SignallingError::Refused { status: 401, .. })),
        "{:?}",
        refused.err()
    );
}

/// Reads a terminal's frames until the registry closes its connection; panics if it stays
/// open for `within`.
async fn kiosk_closed_within(k: &mut KioskSignalling, within: Duration) -> Vec<ServerToKiosk> {
    let mut frames = Vec::new();
    tokio::time::timeout(within, async {
        while let Ok(Some(frame)) = k.next().await {
            frames.push(frame);
        }
    })
    .await
    .expect("the registry closes the terminal's connection");
    frames
}

/// Sets up a call of `terminal` answered by `lawyer`; returns both ends.
async fn answered_call(
    pilot: &Pilot,
    terminal: &Terminal,
    lawyer: &str,
) -> (KioskSignalling, LawyerSocket, String) {
    let mut k = kiosk(pilot, terminal).await.unwrap();
    next(&mut k).await;
    k.send(&KioskToServer::RequestCall {
        category: None,
        booked: false,
    })
    .await
    .unwrap();
    let ServerToKiosk::Queued { call_id, .. } = next(&mut k).await else {
        panic!("queued")
    };
    let mut l = lawyer_connect(pilot, Some(&cookie(pilot, lawyer).await))
        .await
        .unwrap();
    l.queue(1).await;
    l.send(&LawyerToServer::Answer {
        call_id: call_id.clone(),
    })
    .await;
    l.next_where(|f| matches!(f, ServerToLawyer::Connected { .. }))
        .await;
    (k, l, call_id)
}

#[tokio::test]
async fn disabling_a_lawyer_or_revoking_a_terminal_ends_their_sessions_and_calls_within_seconds() {
    let pilot = pilot();
    let terminal = enrolled_at(&pilot, PLATFORM).await;

    // A lawyer in a call is disabled by `kiosk-registry lawyer disable` (another process).
    let (mut k, mut wang, call_id) = answered_call(&pilot, &terminal, "wang").await;
    let wang_cookie = cookie(&pilot, "wang").await;
    admin(&pilot, &["lawyer", "disable", "wang"], "");
    let started = std::time::Instant::now();
    wang.closed_within(Duration::from_secs(5)).await;
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let ServerToKiosk::Ended {
                call_id: id, by, ..
            } = next(&mut k).await
            {
                return (id, by);
            }
        }
    })
    .await
    .expect("the citizen is told the call ended");
    assert_eq!(ended, (call_id, Party::Registry));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        lawyer_connect(&pilot, Some(&wang_cookie)).await.err(),
        Some(401),
        "every session of the account ended"
    );
    assert_eq!(login(&pilot, "wang", PASSWORD).await.status(), 401);
    drop(k);

    // A terminal in a call is revoked by `kiosk-registry terminal revoke`.
    let (mut k, mut li, _) = answered_call(&pilot, &terminal, "li").await;
    admin(&pilot, &["terminal", "revoke", &terminal.device_id()], "");
    kiosk_closed_within(&mut k, Duration::from_secs(5)).await;
    li.next_where(|f| matches!(f, ServerToLawyer::Ended { .. }))
        .await;
    assert!(
        matches!(
            kiosk(&pilot, &terminal).await,
            Err(SignallingError::Refused { status: 403, .. })
        ),
        "and it cannot come back"
    );
}

/// Asks coturn on `port` for an allocation with these credentials; whether it was granted.
fn coturn_allocates(port: u16, username: &str, password: &str) -> bool {
    std::process::Command::new("turnutils_uclient")
        .args(["-p", &port.to_string(), "-u", username, "-w", password])
        .args([
            "-n",
            "0",
            "-m",
            "1",
            "-e",
            "127.0.0.1",
            "-X",
            "-g",
            "127.0.0.1",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("turnutils_uclient (coturn, scripts/install-deps.sh test)")
        .success()
}

#[tokio::test]
async fn turn_credentials_are_minted_per_call_time_limited_and_accepted_by_coturn() {
    const SECRET: &str = "a-long-shared-turn-secret";
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut turn = std::process::Command::new("turnserver")
        .args(["-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1"])
        .arg(format!("--listening-port={port}"))
        .args([
            "--min-port=50300",
            "--max-port=50399",
            "--allow-loopback-peers",
        ])
        .args([
            "--use-auth-secret",
            &format!("--static-auth-secret={SECRET}"),
        ])
        .args(["--realm=legal-kiosk", "--no-tls", "--no-dtls", "--no-cli"])
        .args(["--log-file=stdout", "--no-stun-backward-compatibility"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("coturn (scripts/install-deps.sh test)");
    let mut pilot = Pilot::new();
    add_lawyer(&pilot, "wang", "王律师");
    let url = format!("turn:127.0.0.1:{port}");
    admin(
        &pilot,
        &[
            "video",
            "ice-add",
            "--url",
            &url,
            "--use-auth-secret",
            "--ttl",
            "2m",
        ],
        &format!("{SECRET}\n"),
    );
    admin(&pilot, &["video", "policy", "relay"], "");
    let shown = admin(&pilot, &["video", "show"], "");
    assert!(
        shown.contains("minted per call") && !shown.contains(SECRET),
        "{shown}"
    );
    pilot.start();
    let terminal = enrolled_at(&pilot, PLATFORM).await;
    let expiry = |ice: &IceSettings| -> (i64, String) {
        let (at, who) = ice.ice_servers[0].username.split_once(':').unwrap();
        (
            at.parse::<i64>().unwrap() - chrono::Utc::now().timestamp(),
            who.to_string(),
        )
    };

    let mut k = kiosk(&pilot, &terminal).await.unwrap();
    let ServerToKiosk::Welcome { ice: welcome } = next(&mut k).await else {
        panic!("welcome first")
    };
    let (left, who) = expiry(&welcome);
    assert!((100..=120).contains(&left), "{left} s");
    assert_eq!(who, terminal.device_id());
    assert_eq!(welcome.ice_transport_policy, IceTransportPolicy::Relay);

    k.send(&KioskToServer::RequestCall {
        category: None,
        booked: false,
    })
    .await
    .unwrap();
    next(&mut k).await;
    let mut wang = lawyer_connect(&pilot, Some(&cookie(&pilot, "wang").await))
        .await
        .unwrap();
    let call_id = wang.queue(1).await[0].call_id.clone();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    wang.send(&LawyerToServer::Answer { call_id }).await;
    let ServerToLawyer::Connected {
        ice: Some(lawyer_ice),
        ..
    } = wang
        .next_where(|f| matches!(f, ServerToLawyer::Connected { .. }))
        .await
    else {
        panic!("the console gets credentials for the call")
    };
    let kiosk_ice = loop {
        if let ServerToKiosk::Answered { ice, .. } = next(&mut k).await {
            break ice.expect("the terminal gets credentials for the call");
        }
    };
    assert_eq!(expiry(&lawyer_ice).1, "lawyer.wang");
    assert_eq!(expiry(&kiosk_ice).1, terminal.device_id());
    assert_ne!(
        kiosk_ice.ice_servers[0].username, welcome.ice_servers[0].username,
        "minted again for the call"
    );

    let (user, password) = (
        &kiosk_ice.ice_servers[0].username,
        &kiosk_ice.ice_servers[0].credential,
    );
    assert!(coturn_allocates(port, user, password), "the terminal's");
    assert!(coturn_allocates(
        port,
        &lawyer_ice.ice_servers[0].username,
        &lawyer_ice.ice_servers[0].credential
    ));
    assert!(!coturn_allocates(port, user, "bm90IHRoZSBwYXNzd29yZA=="));
    // Once its time is up, a credential is refused (the same scheme, an expiry just past).
    let (_, who) = user.split_once(':').unwrap();
    let (stale, stale_password) = kiosk_registry::video::turn::rest_credential(
        SECRET,
        who,
        chrono::Utc::now().timestamp() - 5,
    );
    assert!(!coturn_allocates(port, &stale, &stale_password));
    let _ = turn.kill();
    let _ = turn.wait();
}

/// Issue 20: a citizen who checked in for a booked video consultation waits ahead of calls
/// without a booking (booked ones among themselves in order of arrival), and the lawyer
/// sees which call was booked.
#[tokio::test]
async fn a_booked_consultation_waits_ahead_of_calls_without_a_booking() {
    let pilot = pilot();
    let (a, b) = (
        enrolled_at(&pilot, PLATFORM).await,
        enrolled_at(&pilot, PLATFORM).await,
    );
    let mut ka = kiosk(&pilot, &a).await.unwrap();
    next(&mut ka).await;
    ka.send(&KioskToServer::RequestCall {
        category: None,
        booked: false,
    })
    .await
    .unwrap();
    assert!(matches!(
        next(&mut ka).await,
        ServerToKiosk::Queued { position: 1, .. }
    ));
    let mut kb = kiosk(&pilot, &b).await.unwrap();
    next(&mut kb).await;
    kb.send(&KioskToServer::RequestCall {
        category: None,
        booked: true,
    })
    .await
    .unwrap();
    let ServerToKiosk::Queued {
        call_id: booked_call,
        position,
        ..
    } = next(&mut kb).await
    else {
        panic!("queued")
    };
    assert_eq!(position, 1, "the booked call goes first");
    assert!(matches!(
        next(&mut ka).await,
        ServerToKiosk::Queued { position: 2, .. }
    ));
    let mut wang = lawyer_connect(&pilot, Some(&cookie(&pilot, "wang").await))
        .await
        .unwrap();
    wang.next_where(|_| true).await;
    let calls = wang.queue(2).await;
    assert_eq!(calls[0].call_id, booked_call);
    assert!(calls[0].booked && !calls[1].booked);
}
