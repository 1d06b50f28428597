//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer): the registry's
//! real parsers and checks on bytes as a terminal, a lawyer's browser or anyone on the
//! network can send them. The unit tests below replay the committed corpora
//! (`fuzz/corpus/<target>`) and past crashes (`fuzz/regressions/<target>`) on every
//! `cargo test`.

use std::sync::{Mutex, OnceLock};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, SigningKey};
use provisioning::auth::{AuthError, ReplayGuard, verify_request};
use provisioning::identity::DeviceIdentity;
use provisioning::protocol::{
    CommandAck, EnrolRequest, EventBatch, Heartbeat, enrolment_proof_message,
    normalise_enrolment_code,
};
use provisioning::scope::TerminalPlacement;
use provisioning::signalling::{
    KioskToServer, LawyerToServer, ServerToKiosk, ServerToLawyer, encode, parse,
};
use rusqlite::Connection;
use tokio::sync::mpsc;

use crate::auth::read_headers;
use crate::error::parse_json;
use crate::routes::lawyer::LoginRequest;
use crate::store::{bundles, events, migrations, terminals};
use crate::video::hub::{ConnId, Hub, KioskInfo, LawyerInfo};

/// The enrolled terminal whose requests `signed_request` checks (fixed key: seeds stay valid).
pub fn device() -> DeviceIdentity {
    DeviceIdentity::from_signing_key(SigningKey::from_bytes(&[9; 32]))
}

/// The device id the seeds use.
pub const DEVICE_ID: &str = "kt-fuzz";
/// The fuzz targets' clock, Unix seconds.
pub const NOW: i64 = 1_796_112_000;
/// Method and path the signed requests are checked against.
pub const METHOD: &str = "POST";
/// Path the signed requests are checked against.
pub const PATH: &str = "/v1/events";

/// `signed_request`: a request's header lines (`name: value`), an empty line, then its
/// body. The four authentication headers are read as the registry reads them and checked
/// with the enrolled key; a request that passes must pass the replay guard once only.
pub fn signed_request(data: &[u8]) {
    let split = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(data.len());
    let (head, body) = (&data[..split], data.get(split + 2..).unwrap_or_default());
    let mut headers = HeaderMap::new();
    for line in head.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let value = line[colon + 1..].trim_ascii();
        // What hyper would refuse never reaches the handler.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(name, value);
        }
    }
    let Ok(auth) = read_headers(&headers) else {
        return;
    };
    let key = device().public_key();
    if verify_request(&key, &auth, METHOD, PATH, body, NOW).is_ok() {
        assert!((auth.timestamp - NOW).abs() <= provisioning::auth::MAX_CLOCK_SKEW_SECS);
        let mut guard = ReplayGuard::new(NOW - 60);
        if guard.check_and_record(&auth, NOW).is_ok() {
            assert_eq!(
                guard.check_and_record(&auth, NOW),
                Err(AuthError::Replayed),
                "a nonce is accepted once"
            );
        }
    }
}

fn database() -> &'static Mutex<Connection> {
    static DB: OnceLock<Mutex<Connection>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut conn = Connection::open_in_memory().expect("an in-memory database");
        migrations::migrations()
            .to_latest(&mut conn)
            .expect("the schema applies");
        Mutex::new(conn)
    })
}

/// `registry_bodies`: the first byte picks the endpoint, the rest is the request body, which
/// goes through what that handler does with it after authentication: `POST /v1/enrol`,
/// `/v1/poll` (stored in a transaction that is rolled back), `/v1/events` (ingested into an
/// in-memory database, then cleared), a command's `/ack` and `/logs`, and the lawyer's
/// `/v1/lawyer/login`.
pub fn registry_bodies(data: &[u8]) {
    let Some((&endpoint, body)) = data.split_first() else {
        return;
    };
    let mut db = database().lock().unwrap_or_else(|e| e.into_inner());
    match endpoint % 6 {
        0 => enrol(body),
        1 => {
            let Ok(heartbeat) = parse_json::<Heartbeat>(body) else {
                return;
            };
            if heartbeat
                .last_error
                .as_ref()
                .is_some_and(|e| e.len() > 2000)
                || heartbeat.bundles.len() > 64
            {
                return;
            }
            let placement = TerminalPlacement {
                device_id: DEVICE_ID.into(),
                platform_id: "cc-chaoyang".into(),
                region: "220104".into(),
            };
            let tx = db.transaction().expect("a transaction");
            terminals::record_heartbeat(&tx, DEVICE_ID, &heartbeat).expect("a heartbeat stores");
            bundles::offers(&tx, &placement, &heartbeat.bundles, chrono::Utc::now())
                .expect("offers are read");
            // Dropped without commit: rolled back, so every input meets the same database.
        }
        2 => {
            let Ok(batch) = parse_json::<EventBatch>(body) else {
                return;
            };
            if batch.events.len() > provisioning::protocol::limits::MAX_EVENTS_PER_BATCH {
                return;
            }
            let answer = events::ingest(&mut db, DEVICE_ID, "cc-chaoyang", &batch.events)
                .expect("a parsed batch is stored or quarantined");
            let seqs: Vec<i64> = batch.events.iter().map(|e| e.seq).collect();
            assert_eq!(answer.acknowledged, seqs, "every event is acknowledged");
            assert_eq!(
                (answer.stored + answer.duplicates + answer.quarantined) as usize,
                batch.events.len()
            );
            db.execute_batch("DELETE FROM events; DELETE FROM events_quarantine;")
                .expect("cleared");
        }
        3 => {
            let _ = parse_json::<CommandAck>(body).map(|ack| ack.state.is_final());
        }
        4 => {
            let _ = String::from_utf8(body.to_vec());
        }
        _ => {
            let _ = parse_json::<LoginRequest>(body)
                .map(|form| form.username.len() > 64 || form.password.len() > 256);
        }
    }
}

/// The enrolment handler's checks before the store: lengths, the key, the code, the proof.
fn enrol(body: &[u8]) {
    let Ok(request) = parse_json::<EnrolRequest>(body) else {
        return;
    };
    if request.hardware_serial.len() > 128
        || request.app_version.len() > 64
        || request.code.len() > 64
    {
        return;
    }
    let Ok(key) = provisioning::keys::public_key_from_base64(&request.public_key) else {
        return;
    };
    let code = normalise_enrolment_code(&request.code);
    assert_eq!(
        normalise_enrolment_code(&code),
        code,
        "normalising is idempotent"
    );
    let proof: Option<[u8; 64]> = B64
        .decode(request.proof.trim())
        .ok()
        .and_then(|b| b.try_into().ok());
    if let Some(proof) = proof {
        let _ = key.verify_strict(
            &enrolment_proof_message(&code, &request.public_key, &request.hardware_serial),
            &Signature::from_bytes(&proof),
        );
    }
}

/// `range_header`: a package download's `Range` header (the first 4 bytes: the package
/// size). What is served must lie inside the package and not be empty.
pub fn range_header(data: &[u8]) {
    let Some((size, header)) = data.split_first_chunk::<4>() else {
        return;
    };
    let size = u64::from(u32::from_be_bytes(*size));
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    if let Ok(Some((start, end))) = crate::routes::releases::parse_range(Some(header), size) {
        assert!(
            start < end && end <= size,
            "{header:?} of {size}: {start}..{end}"
        );
    }
}

/// `signalling`: a session of the call hub. Each line is one event: its first byte picks
/// who (0/1 a terminal's frame, 2/3 a lawyer's frame, 4 the first terminal reconnects, 5
/// the first lawyer reconnects, 6 the periodic refresh, 7 a frame the registry could send,
/// parsed as the terminal and the console parse it). `$CALL` in a frame stands for the id
/// of the last call the registry announced. Every frame the registry sends must parse on
/// the receiving side.
pub fn signalling(data: &[u8]) {
    let hub = Hub::default();
    let mut peers = Peers::default();
    for who in 0..2 {
        peers.kiosks[who] = Some(peers.connect_kiosk(&hub, who));
        peers.lawyers[who] = Some(peers.connect_lawyer(&hub, who));
    }
    for line in data.split(|b| *b == b'\n') {
        let Some((&who, frame)) = line.split_first() else {
            continue;
        };
        let text = String::from_utf8_lossy(frame).replace("$CALL", &peers.last_call);
        match who % 8 {
            k @ 0..=1 => {
                if let (Ok(frame), Some((conn, _))) = (
                    parse::<KioskToServer>(&text),
                    peers.kiosks[usize::from(k)].as_ref(),
                ) {
                    hub.kiosk_frame(*conn, frame);
                }
            }
            l @ 2..=3 => {
                if let (Ok(frame), Some((conn, _))) = (
                    parse::<LawyerToServer>(&text),
                    peers.lawyers[usize::from(l - 2)].as_ref(),
                ) {
                    hub.lawyer_frame(*conn, frame);
                }
            }
            4 => {
                if let Some((conn, _)) = peers.kiosks[0].take() {
                    hub.kiosk_gone(conn);
                }
                peers.kiosks[0] = Some(peers.connect_kiosk(&hub, 0));
            }
            5 => {
                if let Some((conn, _)) = peers.lawyers[0].take() {
                    hub.lawyer_gone(conn);
                }
                peers.lawyers[0] = Some(peers.connect_lawyer(&hub, 0));
            }
            6 => hub.refresh(),
            _ => {
                for parsed in [
                    parse::<ServerToKiosk>(&text).map(|f| encode(&f)),
                    parse::<ServerToLawyer>(&text).map(|f| encode(&f)),
                ]
                .into_iter()
                .flatten()
                {
                    assert!(
                        parse::<ServerToKiosk>(&parsed).is_ok()
                            || parse::<ServerToLawyer>(&parsed).is_ok(),
                        "an encoded frame parses back"
                    );
                }
            }
        }
        peers.receive();
    }
    for (conn, _) in peers.kiosks.iter().flatten() {
        hub.kiosk_gone(*conn);
    }
    for (conn, _) in peers.lawyers.iter().flatten() {
        hub.lawyer_gone(*conn);
    }
    peers.receive();
    assert!(
        hub.calls().is_empty(),
        "every call ends when everyone leaves"
    );
}

type Receiver = mpsc::Receiver<Option<String>>;

#[derive(Default)]
struct Peers {
    kiosks: [Option<(ConnId, Receiver)>; 2],
    lawyers: [Option<(ConnId, Receiver)>; 2],
    last_call: String,
}

impl Peers {
    fn ice() -> std::sync::Arc<crate::video::turn::IceConfig> {
        std::sync::Arc::new(crate::video::turn::IceConfig::default())
    }

    fn connect_kiosk(&self, hub: &Hub, who: usize) -> (ConnId, Receiver) {
        let (tx, rx) = mpsc::channel(crate::video::hub::OUTGOING_QUEUE);
        let region = ["220104", "330106"][who];
        let info = KioskInfo {
            device_id: format!("kt-{who}"),
            region: region.into(),
            platform_id: format!("cc-{who}"),
            platform_name: "公共法律服务中心".into(),
        };
        (hub.kiosk_connected(info, Self::ice(), tx), rx)
    }

    fn connect_lawyer(&self, hub: &Hub, who: usize) -> (ConnId, Receiver) {
        let (tx, rx) = mpsc::channel(crate::video::hub::OUTGOING_QUEUE);
        let info = LawyerInfo {
            username: format!("lawyer{who}"),
            display_name: "王律师".into(),
            regions: vec![["220000", "330106"][who].into()],
        };
        (hub.lawyer_connected(info, Self::ice(), tx), rx)
    }

    /// Reads what the registry sent to everyone: each frame must parse on the receiving
    /// side; remembers the newest call id.
    fn receive(&mut self) {
        for (_, rx) in self.kiosks.iter_mut().flatten() {
            while let Ok(Some(text)) = rx.try_recv() {
                let frame = parse::<ServerToKiosk>(&text)
                    .unwrap_or_else(|e| panic!("a terminal cannot parse {text}: {e}"));
                if let ServerToKiosk::Queued { call_id, .. } = frame {
                    self.last_call = call_id;
                }
            }
        }
        for (_, rx) in self.lawyers.iter_mut().flatten() {
            while let Ok(Some(text)) = rx.try_recv() {
                let frame = parse::<ServerToLawyer>(&text)
                    .unwrap_or_else(|e| panic!("a console cannot parse {text}: {e}"));
                if let ServerToLawyer::Queue { calls } = frame
                    && let Some(call) = calls.last()
                {
                    self.last_call = call.call_id.clone();
                }
            }
        }
    }
}

/// Seeds for the corpora, made by the real client code and real call flows (`cargo test -p
/// kiosk-registry --lib fuzz -- --ignored` writes them).
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    use provisioning::auth::sign_request;
    let mut out = Vec::new();
    let bodies: [&[u8]; 3] = [
        br#"{"events":[{"seq":1,"idempotency_key":"k1","kind":"ticket.issued","payload":{"service_id":"legal-aid","number":"A001"},"created_at":"2026-12-01T09:00:00+08:00"}]}"#,
        b"{}",
        b"",
    ];
    for (i, body) in bodies.into_iter().enumerate() {
        let h = sign_request(
            &device(),
            DEVICE_ID,
            METHOD,
            PATH,
            body,
            NOW + i as i64,
            format!("{:032x}", i + 1),
        );
        let mut text = format!(
            "x-kiosk-device: {}\nx-kiosk-timestamp: {}\nx-kiosk-nonce: {}\nx-kiosk-signature: {}\ncontent-type: application/json\n\n",
            h.device_id, h.timestamp, h.nonce, h.signature
        )
        .into_bytes();
        text.extend_from_slice(body);
        out.push(("signed_request", format!("seed-{i}"), text));
    }

    let key = SigningKey::from_bytes(&[11; 32]);
    let public_key = provisioning::keys::public_key_to_base64(&key.verifying_key());
    let code = "ABCD-2345-EFGH";
    let proof = {
        use ed25519_dalek::Signer as _;
        let message =
            enrolment_proof_message(&normalise_enrolment_code(code), &public_key, "PI-0001");
        B64.encode(key.sign(&message).to_bytes())
    };
    let enrol = serde_json::json!({
        "code": code, "public_key": public_key, "hardware_serial": "PI-0001",
        "app_version": "0.1.0", "proof": proof,
    });
    let bodies: [(u8, String); 6] = [
        (0, enrol.to_string()),
        (
            1,
            serde_json::to_string(&Heartbeat {
                app_version: "0.1.0".into(),
                bundles: [("catalogue".to_string(), 3u64)].into_iter().collect(),
                outbox_depth: 12,
                last_error: Some("printer: paper end".into()),
                uptime_s: 3600,
                ..Heartbeat::default()
            })
            .expect("serialises"),
        ),
        (2, String::from_utf8_lossy(bodies[0]).into_owned()),
        (3, r#"{"state":"succeeded","detail":"locked"}"#.into()),
        (4, "2026-12-01T09:00:00Z INFO kiosk started\n".into()),
        (
            5,
            r#"{"username":"wang","password":"correct horse"}"#.into(),
        ),
    ];
    for (endpoint, body) in bodies {
        let mut bytes = vec![endpoint];
        bytes.extend(body.into_bytes());
        out.push(("registry_bodies", format!("seed-{endpoint}"), bytes));
    }

    // A whole call: queue, answer, offer/answer, candidates, media, hang-up; and a second
    // terminal in another region waiting while the first lawyer reconnects.
    let call = [
        "\0{\"type\":\"request_call\",\"category\":\"labour\"}",
        "\x01{\"type\":\"request_call\",\"category\":null}",
        "\x02{\"type\":\"answer\",\"call_id\":\"$CALL\"}",
        "\x03{\"type\":\"answer\",\"call_id\":\"$CALL\"}",
        "\0{\"type\":\"sdp\",\"description\":{\"kind\":\"offer\",\"sdp\":\"v=0\\r\\n\"}}",
        "\x02{\"type\":\"sdp\",\"description\":{\"kind\":\"answer\",\"sdp\":\"v=0\\r\\n\"}}",
        "\0{\"type\":\"ice\",\"candidate\":{\"sdp_mline_index\":0,\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host\"}}",
        "\x02{\"type\":\"ice\",\"candidate\":{\"sdp_mline_index\":0,\"candidate\":\"candidate:2 1 udp 2122260223 127.0.0.1 5001 typ host\"}}",
        "\0{\"type\":\"media_connected\"}",
        "\x06",
        "\x05",
        "\x02{\"type\":\"hangup\",\"reason\":\"normal\"}",
        "\x01{\"type\":\"hangup\",\"reason\":\"cancelled\"}",
        "\x04",
        "\x07{\"type\":\"queued\",\"call_id\":\"c\",\"position\":1,\"lawyers_online\":2}",
    ];
    out.push((
        "signalling",
        "seed-call".into(),
        call.join("\n").into_bytes(),
    ));
    out
}

#[cfg(test)]
mod tests {

    use provisioning::fuzz_corpus::{fuzz_dir, replay_committed_inputs as replay};

    #[test]
    fn signed_request_corpus_replays() {
        replay("signed_request", super::signed_request);
    }

    #[test]
    fn registry_bodies_corpus_replays() {
        replay("registry_bodies", super::registry_bodies);
    }

    #[test]
    fn range_header_corpus_replays() {
        replay("range_header", super::range_header);
    }

    #[test]
    fn signalling_corpus_replays() {
        replay("signalling", super::signalling);
    }

    #[test]
    fn signed_request_seeds_pass_the_signature_check() {
        // A seed refused at the signature would leave the fuzzer only the refusals.
        for (target, name, bytes) in super::seeds() {
            if target != "signed_request" {
                continue;
            }
            let text = String::from_utf8(bytes).unwrap();
            let (head, body) = text.split_once("\n\n").unwrap();
            let mut headers = super::HeaderMap::new();
            for line in head.lines() {
                let (name, value) = line.split_once(':').unwrap();
                headers.append(
                    super::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    super::HeaderValue::from_str(value.trim()).unwrap(),
                );
            }
            let auth = super::read_headers(&headers).unwrap();
            let key = super::device().public_key();
            super::verify_request(
                &key,
                &auth,
                super::METHOD,
                super::PATH,
                body.as_bytes(),
                super::NOW,
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    #[ignore = "writes the seed corpora into fuzz/corpus; run once after changing the seeds"]
    fn write_seed_corpus() {
        for (target, name, bytes) in super::seeds() {
            let dir = fuzz_dir().join("corpus").join(target);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
}
