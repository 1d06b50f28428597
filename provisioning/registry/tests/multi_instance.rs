//! Two registry instances on one PostgreSQL database, as a province's operations centre runs
//! them behind a TCP load balancer: terminals switching between instances deliver each
//! event exactly once, an enrolment code raced on both is consumed once, a lawyer's login
//! on one instance holds on the other, a replayed request is refused by the other instance,
//! and killing the instance a terminal talks to mid-batch loses and duplicates nothing.
//! On SQLite (one file, one process) these tests have nothing to check and say so.

mod common;

use common::{PLATFORM, Pilot, Terminal, failover_balancer, on_postgres, tickets};
use provisioning::client::{OutboxStore as _, SyncError};
use provisioning::protocol::ErrorCode;
use std::collections::BTreeSet;
use std::sync::Arc;

fn skipped() -> bool {
    if !on_postgres() {
        eprintln!(
            "skipped: several instances need the PostgreSQL store (scripts/with-postgres.sh)"
        );
        return true;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminals_alternating_between_instances_deliver_each_event_exactly_once() {
    if skipped() {
        return;
    }
    let mut pilot = Pilot::new();
    pilot.start();
    let b = pilot.another_instance();
    let mut terminals = Vec::new();
    for _ in 0..3 {
        terminals.push(Terminal::enrolled(&pilot).await);
    }
    let mut expected = BTreeSet::new();
    let mut duplicates = 0;
    for round in 0..6 {
        for (i, t) in terminals.iter().enumerate() {
            t.store
                .enqueue_many(&tickets(40, "mediation", "2026-11-20"))
                .unwrap();
            expected.extend(t.store.outbox_keys().unwrap());
            let mut a_config = pilot.client_config();
            let mut b_config = pilot.client_config_for(b.port);
            a_config.outbox_batch_size = 15;
            b_config.outbox_batch_size = 15;
            let (on_a, on_b) = (t.client_with(a_config), t.client_with(b_config));
            if (round + i) % 3 == 0 {
                // Both instances at once: the same batches reach both (as after a lost
                // acknowledgement and a retry through the other instance).
                let (x, y) = tokio::join!(on_a.deliver_outbox(), on_b.deliver_outbox());
                duplicates += x.unwrap().duplicates + y.unwrap().duplicates;
            } else if (round + i) % 2 == 0 {
                on_a.deliver_outbox().await.unwrap();
            } else {
                on_b.deliver_outbox().await.unwrap();
            }
            assert_eq!(t.store.depth().unwrap(), 0);
        }
    }
    let stored = pilot.event_keys();
    assert_eq!(stored.len(), expected.len(), "each event stored once");
    assert_eq!(stored, expected.into_iter().collect::<Vec<_>>());
    // The statistics count each ticket once too (kept in the same transactions).
    let counted: u64 = pilot
        .store()
        .tickets_per_service_day(None, None, None)
        .unwrap()
        .iter()
        .map(|c| c.tickets)
        .sum();
    assert_eq!(counted as usize, stored.len());
    eprintln!(
        "{} events, {duplicates} recognised as repeats",
        stored.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enrolment_code_raced_on_both_instances_is_consumed_once() {
    if skipped() {
        return;
    }
    let mut pilot = Pilot::new();
    pilot.start();
    let b = pilot.another_instance();
    for _ in 0..8 {
        let code = pilot.code(PLATFORM);
        let (one, two) = (Terminal::new(), Terminal::new());
        let (a_config, b_config) = (pilot.client_config(), pilot.client_config_for(b.port));
        let (x, y) = tokio::join!(
            provisioning::client::enrol(&a_config, &one.identity, &code, "SIM-A"),
            provisioning::client::enrol(&b_config, &two.identity, &code, "SIM-B"),
        );
        let refused = |r: &Result<_, SyncError>| match r {
            Err(SyncError::Refused { code, .. }) => Some(*code),
            _ => None,
        };
        let outcomes = [x.is_ok(), y.is_ok()];
        assert_eq!(
            outcomes.iter().filter(|ok| **ok).count(),
            1,
            "exactly one enrolment per code: {x:?} {y:?}"
        );
        let loser = if x.is_ok() { refused(&y) } else { refused(&x) };
        assert_eq!(loser, Some(ErrorCode::EnrolmentCodeUsed));
    }
    let listed: serde_json::Value =
        serde_json::from_str(&pilot.admin(&["terminal", "list", "--json"], "")).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_used_on_one_instance_is_refused_on_the_other() {
    if skipped() {
        return;
    }
    let mut pilot = Pilot::new();
    pilot.start();
    let b = pilot.another_instance();
    let t = Terminal::enrolled(&pilot).await;
    let client = common::https_client(&pilot);
    let request = common::signed(
        &client,
        &pilot,
        &t.identity,
        &t.device_id(),
        reqwest::Method::POST,
        provisioning::protocol::paths::EVENTS,
        br#"{"events":[]}"#.to_vec(),
    )
    .build()
    .unwrap();
    let mut replay = request.try_clone().unwrap();
    let first = client.execute(request).await.unwrap();
    assert_eq!(first.status(), 200);
    // The same signed request, captured and sent to the other instance.
    let url = replay
        .url()
        .as_str()
        .replace(&pilot.port.to_string(), &b.port.to_string());
    *replay.url_mut() = url.parse().unwrap();
    let again = client.execute(replay).await.unwrap();
    assert_eq!(again.status(), 401);
    assert!(again.text().await.unwrap().contains("replayed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_instance_mid_batch_loses_and_duplicates_nothing() {
    if skipped() {
        return;
    }
    let mut pilot = Pilot::new();
    pilot.start();
    let mut b = pilot.another_instance();
    let t = Terminal::enrolled(&pilot).await;
    // Behind the balancer, B first: it is the one that dies.
    let balancer = failover_balancer(vec![b.port, pilot.port]).await;
    t.store
        .enqueue_many(&tickets(3000, "notary", "2026-11-20"))
        .unwrap();
    let all = t.store.outbox_keys().unwrap();
    let mut config = pilot.client_config_for(balancer);
    config.outbox_batch_size = 25;
    let client = Arc::new(t.client_with(config));
    let delivering = tokio::spawn({
        let client = client.clone();
        async move { client.deliver_outbox().await }
    });
    // Kill B once some batches are stored, while the terminal is sending more.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while pilot.events_count() < 200 {
        assert!(std::time::Instant::now() < deadline, "no progress");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    b.kill();
    let first = delivering.await.unwrap();
    assert!(
        t.store.depth().unwrap() > 0 || first.is_ok(),
        "the delivery was cut: {first:?}"
    );
    // The terminal retries: its next connections reach the surviving instance.
    let mut tries = 0;
    while t.store.depth().unwrap() > 0 {
        tries += 1;
        assert!(tries < 20, "delivery never completed");
        let _ = client.deliver_outbox().await;
    }
    let mut expected = all;
    expected.sort();
    assert_eq!(
        pilot.event_keys(),
        expected,
        "every event stored exactly once"
    );
}

/// Opens the lawyers' signalling WebSocket on `port` with `cookie`: Ok, or the HTTP status
/// of the refusal.
async fn lawyer_socket(pilot: &Pilot, port: u16, cookie: &str) -> Result<(), u16> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
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
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(tls))
        .connect("127.0.0.1".try_into().unwrap(), tcp)
        .await
        .unwrap();
    let mut request = format!(
        "wss://127.0.0.1:{port}{}",
        provisioning::signalling::paths::LAWYER
    )
    .into_client_request()
    .unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    match tokio_tungstenite::client_async(request, stream).await {
        Ok(_) => Ok(()),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lawyer_logged_in_on_one_instance_is_known_on_the_other_until_logout() {
    if skipped() {
        return;
    }
    let mut pilot = Pilot::new();
    pilot.admin(
        &[
            "lawyer",
            "add",
            "--username",
            "wang",
            "--name",
            "王律师",
            "--region",
            "330100",
        ],
        "a-long-password\n",
    );
    pilot.start();
    let b = pilot.another_instance();
    let client = common::https_client(&pilot);
    let login = client
        .post(format!(
            "{}{}",
            pilot.url(),
            provisioning::signalling::paths::LAWYER_LOGIN
        ))
        .json(&serde_json::json!({ "username": "wang", "password": "a-long-password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(lawyer_socket(&pilot, b.port, &cookie).await, Ok(()));
    assert_eq!(
        lawyer_socket(&pilot, b.port, "kiosk_lawyer=forged").await,
        Err(401)
    );
    // Logged out through instance B: instance A refuses the session too.
    let logout = client
        .post(format!(
            "https://127.0.0.1:{}{}",
            b.port,
            provisioning::signalling::paths::LAWYER_LOGOUT
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert_eq!(lawyer_socket(&pilot, pilot.port, &cookie).await, Err(401));
}

mod calls {
    //! A call's signalling with the terminal on one instance and the lawyer on the other.

    use super::*;
    use futures_util::{SinkExt as _, StreamExt as _};
    use provisioning::signalling::client::{KioskSignalling, SignallingConfig};
    use provisioning::signalling::*;
    use std::time::Duration;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

    type Socket =
        tokio_tungstenite::WebSocketStream<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>;

    async fn console(pilot: &Pilot, port: u16, cookie: &str) -> Socket {
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
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let stream = tokio_rustls::TlsConnector::from(Arc::new(tls))
            .connect("127.0.0.1".try_into().unwrap(), tcp)
            .await
            .unwrap();
        let mut request = format!("wss://127.0.0.1:{port}{}", paths::LAWYER)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
        tokio_tungstenite::client_async(request, stream)
            .await
            .unwrap()
            .0
    }

    async fn to_console(socket: &mut Socket, frame: &LawyerToServer) {
        socket.send(Message::text(encode(frame))).await.unwrap();
    }

    async fn from_console(
        socket: &mut Socket,
        keep: impl Fn(&ServerToLawyer) -> bool,
    ) -> ServerToLawyer {
        tokio::time::timeout(Duration::from_secs(15), async {
            loop {
                if let Message::Text(t) = socket.next().await.unwrap().unwrap() {
                    let frame: ServerToLawyer = parse(t.as_str()).unwrap();
                    if keep(&frame) {
                        return frame;
                    }
                }
            }
        })
        .await
        .expect("a frame for the console within 15 s")
    }

    async fn kiosk_at(pilot: &Pilot, port: u16, t: &Terminal) -> KioskSignalling {
        KioskSignalling::connect(
            &SignallingConfig {
                registry_url: format!("https://127.0.0.1:{port}"),
                ca_certificate: pilot.pki.ca_cert.clone(),
                device_id: t.device_id(),
                clock_offset_s: 0,
                connect_timeout: Duration::from_secs(10),
            },
            &t.identity,
        )
        .await
        .unwrap()
    }

    async fn from_kiosk(
        k: &mut KioskSignalling,
        keep: impl Fn(&ServerToKiosk) -> bool,
    ) -> ServerToKiosk {
        tokio::time::timeout(Duration::from_secs(15), async {
            loop {
                let frame = k.next().await.unwrap().expect("connection open");
                if keep(&frame) {
                    return frame;
                }
            }
        })
        .await
        .expect("a frame for the terminal within 15 s")
    }

    async fn login(pilot: &Pilot, port: u16) -> String {
        let response = common::https_client(pilot)
            .post(format!("https://127.0.0.1:{port}{}", paths::LAWYER_LOGIN))
            .json(&serde_json::json!({ "username": "wang", "password": "a-long-password" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    /// One whole call: queued, answered, offer/answer/candidates relayed, hung up.
    async fn call(pilot: &Pilot, kiosk_port: u16, console_port: u16) {
        let mut t = Terminal::new();
        let config = pilot.client_config_for(kiosk_port);
        let code = pilot.code(PLATFORM);
        t.enrolment = Some(
            provisioning::client::enrol(&config, &t.identity, &code, "SIM")
                .await
                .unwrap(),
        );
        let mut k = kiosk_at(pilot, kiosk_port, &t).await;
        assert!(matches!(
            from_kiosk(&mut k, |_| true).await,
            ServerToKiosk::Welcome { .. }
        ));
        k.send(&KioskToServer::RequestCall {
            category: None,
            booked: false,
        })
        .await
        .unwrap();
        let ServerToKiosk::Queued { call_id, .. } =
            from_kiosk(&mut k, |f| matches!(f, ServerToKiosk::Queued { .. })).await
        else {
            unreachable!()
        };
        let cookie = login(pilot, console_port).await;
        let mut wang = console(pilot, console_port, &cookie).await;
        let ServerToLawyer::Queue { calls } = from_console(
            &mut wang,
            |f| matches!(f, ServerToLawyer::Queue { calls } if !calls.is_empty()),
        )
        .await
        else {
            unreachable!()
        };
        assert_eq!(calls[0].call_id, call_id);
        to_console(
            &mut wang,
            &LawyerToServer::Answer {
                call_id: call_id.clone(),
            },
        )
        .await;
        assert!(matches!(
            from_console(&mut wang, |f| matches!(f, ServerToLawyer::Connected { .. })).await,
            ServerToLawyer::Connected { call, .. } if call.call_id == call_id
        ));
        assert!(matches!(
            from_kiosk(&mut k, |f| matches!(f, ServerToKiosk::Answered { .. })).await,
            ServerToKiosk::Answered { call_id: id, .. } if id == call_id
        ));
        // An offer larger than NOTIFY's 8,000-byte payload limit crosses instances whole.
        let offer = SessionDescription {
            kind: SdpKind::Offer,
            sdp: format!("v=0\r\n{}", "a=x-padding:0123456789\r\n".repeat(600)),
        };
        k.send(&KioskToServer::Sdp {
            description: offer.clone(),
        })
        .await
        .unwrap();
        assert_eq!(
            from_console(&mut wang, |f| matches!(f, ServerToLawyer::Sdp { .. })).await,
            ServerToLawyer::Sdp { description: offer }
        );
        let answer = SessionDescription {
            kind: SdpKind::Answer,
            sdp: "v=0\r\no=- 2 0 IN IP4 127.0.0.1\r\n".into(),
        };
        to_console(
            &mut wang,
            &LawyerToServer::Sdp {
                description: answer.clone(),
            },
        )
        .await;
        assert_eq!(
            from_kiosk(&mut k, |f| matches!(f, ServerToKiosk::Sdp { .. })).await,
            ServerToKiosk::Sdp {
                description: answer
            }
        );
        let candidate = IceCandidate {
            sdp_mline_index: 0,
            candidate: "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host".into(),
        };
        to_console(
            &mut wang,
            &LawyerToServer::Ice {
                candidate: candidate.clone(),
            },
        )
        .await;
        assert_eq!(
            from_kiosk(&mut k, |f| matches!(f, ServerToKiosk::Ice { .. })).await,
            ServerToKiosk::Ice { candidate }
        );
        to_console(
            &mut wang,
            &LawyerToServer::Hangup {
                reason: HangupReason::Normal,
            },
        )
        .await;
        assert!(matches!(
            from_kiosk(&mut k, |f| matches!(f, ServerToKiosk::Ended { .. })).await,
            ServerToKiosk::Ended {
                by: Party::Lawyer,
                ..
            }
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_kiosk_on_one_instance_and_a_lawyer_on_the_other_complete_a_call() {
        if skipped() {
            return;
        }
        let mut pilot = Pilot::new();
        pilot.admin(
            &[
                "lawyer",
                "add",
                "--username",
                "wang",
                "--name",
                "王律师",
                "--region",
                "330100",
            ],
            "a-long-password\n",
        );
        pilot.start();
        let b = pilot.another_instance();
        // Whichever instance keeps the hub, one side of each call is relayed.
        call(&pilot, pilot.port, b.port).await;
        call(&pilot, b.port, pilot.port).await;
    }

    fn leader(pilot: &Pilot) -> Option<String> {
        pilot
            .store()
            .sql_text(
                "SELECT value FROM settings WHERE key = 'signal.leader'",
                &[],
            )
            .unwrap()
            .pop()
            .flatten()
    }

    async fn leader_other_than(pilot: &Pilot, old: Option<&str>) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(now) = leader(pilot).filter(|l| Some(l.as_str()) != old) {
                return now;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no instance took the hub"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn when_the_hub_instance_dies_another_takes_over_and_calls_work_again() {
        if skipped() {
            return;
        }
        let mut pilot = Pilot::new();
        pilot.admin(
            &[
                "lawyer",
                "add",
                "--username",
                "wang",
                "--name",
                "王律师",
                "--region",
                "330100",
            ],
            "a-long-password
",
        );
        // A keeps the hub before B starts.
        pilot.start();
        let first = leader_other_than(&pilot, None).await;
        let b = pilot.another_instance();
        call(&pilot, b.port, b.port).await;
        pilot.kill();
        let second = leader_other_than(&pilot, Some(&first)).await;
        assert_ne!(first, second);
        // B keeps the hub now; a third instance relays to it.
        let c = pilot.another_instance();
        call(&pilot, b.port, c.port).await;
        call(&pilot, c.port, b.port).await;
    }
}

/// Mail for an instance that died is never read by it: the hub's instance deletes it once
/// it is a minute old, and leaves fresh mail for the living alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_for_a_dead_instance_is_deleted_once_stale() {
    if skipped() {
        return;
    }
    let mut pilot = Pilot::new();
    pilot.start();
    let store = pilot.store();
    let count = |instance: &str| {
        pilot
            .store()
            .sql_text(
                "SELECT CAST(COUNT(*) AS TEXT) FROM signal_mailbox WHERE instance = $1",
                &[instance.into()],
            )
            .unwrap()
            .pop()
            .flatten()
            .unwrap()
    };
    // Frames posted to an instance that died ten minutes ago, and one just now.
    store
        .sql_execute(
            "INSERT INTO signal_mailbox (instance, body, posted_at)
             VALUES ('dead-instance', '{}', now() - interval '10 minutes'),
                    ('dead-instance', '{}', now() - interval '10 minutes'),
                    ('recent-instance', '{}', now())",
            &[],
        )
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while count("dead-instance") != "0" {
        assert!(
            std::time::Instant::now() < deadline,
            "stale mail for a dead instance was never deleted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(count("recent-instance"), "1", "fresh mail is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_spread_over_both_instances_lock_the_account_on_both() {
    if skipped() {
        return;
    }
    let mut pilot = Pilot::new();
    pilot.admin(
        &[
            "lawyer",
            "add",
            "--username",
            "wang",
            "--name",
            "王律师",
            "--region",
            "330100",
        ],
        "a-long-password\n",
    );
    pilot.start();
    let b = pilot.another_instance();
    let client = common::https_client(&pilot);
    let login = |port: u16, password: &'static str| {
        let client = client.clone();
        async move {
            client
                .post(format!(
                    "https://127.0.0.1:{port}{}",
                    provisioning::signalling::paths::LAWYER_LOGIN
                ))
                .json(&serde_json::json!({ "username": "wang", "password": password }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Five wrong passwords (the default limit), three on A and two on B: neither instance
    // alone has seen five.
    for port in [pilot.port, b.port, pilot.port, b.port, pilot.port] {
        assert_eq!(login(port, "wrong-password").await, 401);
    }
    assert_eq!(login(b.port, "a-long-password").await, 429);
    assert_eq!(login(pilot.port, "a-long-password").await, 429);
}
