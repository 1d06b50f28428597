//! The queue API against what another host on the centre's LAN can do (issue 15): guess
//! PINs, point a web page's name at the terminal, listen on the wire, hold thousands of
//! connections open. Real kiosks on loopback; 127.0.0.2 and up stand in for other hosts.

mod common;

use std::io::Read as _;
use std::time::{Duration, Instant};

use common::Kiosk;
use common::queue_http::{Api, PIN, add_staff, next_matching};
use legal_kiosk::config::{Config, PrinterKind, ReaderKind};
use legal_kiosk::domain::maintenance::{Actor, Pin, Role, accounts, lockout};
use legal_kiosk::queue_api::{ClientsConfig, HostConfig};

fn config() -> Config {
    let mut config = Config::default();
    config.printer.kind = PrinterKind::None;
    config.reader.kind = ReaderKind::None;
    config
}

fn kiosk() -> Kiosk {
    let k = Kiosk::start_with(config());
    add_staff(&k);
    k
}

fn add_account(k: &Kiosk, name: &str, pin: &str) {
    let (name, pin, at) = (name.to_string(), pin.to_string(), k.clock_now());
    k.kiosk
        .worker
        .call(move |s| {
            let pin = Pin::parse(&pin).unwrap();
            accounts::add(s.conn(), &name, Role::Staff, &pin, &Actor::console(), at)
        })
        .unwrap()
        .unwrap();
}

/// The touchscreen's PIN pad: a login through the staff service, as the menu does it.
fn touchscreen_login(k: &Kiosk, pin: &str) -> bool {
    let (tx, rx) = std::sync::mpsc::channel();
    k.kiosk
        .services
        .staff
        .login(Pin::parse(pin).unwrap(), move |r| {
            let _ = tx.send(r.is_ok());
        });
    rx.recv_timeout(Duration::from_secs(30)).unwrap()
}

#[test]
fn wrong_pins_from_one_lan_address_lock_out_that_address_only() {
    let k = kiosk();
    let base = Api::of(&k).base;
    let mut guesser = Api::from_source(&base, "127.0.0.2");
    let statuses: Vec<u16> = (0..12)
        .map(|i| guesser.login(&format!("{}", 100_000 + i)).0)
        .collect();
    assert_eq!(statuses[..5], [401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    let (status, body) = guesser.login(PIN);
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("source_locked")),
        "even the right PIN waits on that address"
    );

    // The member of staff at their own counter PC is not locked out…
    let mut staff = Api::from_source(&base, "127.0.0.1");
    assert_eq!(staff.login(PIN).0, 200);
    // …nor is the touchscreen's menu: its lock never counted the LAN's guesses.
    let lock = k.query(|c| lockout::load(c).unwrap());
    assert_eq!((lock.failures, lock.locked_until), (0, None));
    assert!(touchscreen_login(&k, PIN), "the PIN pad lets staff in");
}

#[test]
fn many_addresses_guessing_one_account_lock_that_account_and_no_other() {
    let k = kiosk();
    add_account(&k, "李明", "582046");
    let base = Api::of(&k).base;
    // Five hosts, four wrong PINs each (under each address's limit of five): twenty
    // wrong PINs for 王芳 lock her counter logins (an account takes four times five).
    let mut refused = Vec::new();
    for host in 2..=6 {
        let mut guesser = Api::from_source(&base, &format!("127.0.0.{host}"));
        for i in 0..4 {
            refused.push(guesser.login(&format!("{}", 200_000 + host * 10 + i)).1);
        }
    }
    let codes: Vec<&str> = refused
        .iter()
        .map(|b| b["error"].as_str().unwrap())
        .collect();
    assert!(codes.iter().all(|c| *c == "wrong_pin"), "{codes:?}");
    let mut fresh = Api::from_source(&base, "127.0.0.9");
    let (status, body) = fresh.login(PIN);
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("account_locked"))
    );
    assert_eq!(
        fresh.login_as("李明", "582046").0,
        200,
        "another account logs in"
    );
    assert!(touchscreen_login(&k, PIN), "the PIN pad still lets 王芳 in");
}

#[test]
fn requests_for_another_name_or_from_another_sites_page_are_refused() {
    let k = kiosk();
    let mut api = Api::of(&k);
    let addr = api.base.trim_start_matches("http://").to_string();
    // A page of evil.example whose name now points at this terminal (DNS rebinding).
    let (status, body) = api.send(
        reqwest::Method::GET,
        "/api/hall",
        None,
        &[("host", "evil.example:8080")],
    );
    assert_eq!((status, body["error"].as_str()), (421, Some("wrong_host")));
    let (status, _) = api.send(
        reqwest::Method::POST,
        "/api/login",
        Some(serde_json::json!({ "name": "王芳", "pin": PIN })),
        &[("x-kiosk-request", "1"), ("origin", "http://evil.example")],
    );
    assert_eq!(status, 403, "a login from another site's page");
    let (status, _) = api.send(
        reqwest::Method::POST,
        "/api/login",
        Some(serde_json::json!({ "name": "王芳", "pin": PIN })),
        &[
            ("x-kiosk-request", "1"),
            ("origin", &format!("http://{addr}")),
        ],
    );
    assert_eq!(status, 200, "from the terminal's own page");
    assert_eq!(api.get("/api/hall").0, 200, "by its address");
}

#[test]
fn removing_a_staff_account_ends_its_counter_sessions_and_streams() {
    let k = kiosk();
    let mut api = Api::of(&k);
    assert_eq!(api.login(PIN).0, 200);
    let stream = api.follow("/api/stream");
    next_matching(&stream, Duration::from_secs(10), |_| true).expect("the counter's state");
    let at = k.clock_now();
    k.kiosk
        .worker
        .call(move |s| accounts::remove(s.conn(), "王芳", &Actor::console(), at))
        .unwrap()
        .unwrap();
    let (status, body) = api.post("/api/counters/1/open", serde_json::json!({}));
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("login_required"))
    );
    assert_eq!(api.get("/api/me").0, 401);
    // The stream ends (its thread drops the receiver's sender) without another change.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match stream.recv_timeout(Duration::from_millis(200)) {
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Ok((_, v)) => panic!("a removed account's stream sent {v}"),
            Err(_) => assert!(Instant::now() < deadline, "the stream is still open"),
        }
    }
}

#[test]
fn on_the_lan_the_api_speaks_only_https_its_cookie_is_secure_and_clients_pin_it() {
    let mut host_config = config();
    host_config.queue.server.listen = "127.0.0.2:0".parse().unwrap();
    host_config.kiosk.ticket_url_base = "https://host.invalid/t/".into();
    let (token, digest) = legal_kiosk::queue_api::auth::new_terminal_token();
    host_config.queue.clients = ClientsConfig {
        token_sha256: vec![digest],
        ..ClientsConfig::default()
    };
    let h = Kiosk::start_with(host_config);
    add_staff(&h);
    let addr = h
        .kiosk
        .queue_server
        .as_ref()
        .expect("serving on the LAN")
        .addr;
    let cert = h.kiosk.data_dir.join("keys/queue-api-cert.pem");
    let fingerprint = legal_kiosk::queue_api::tls::fingerprint(&cert).unwrap();

    assert!(
        Api::new(&format!("http://{addr}"))
            .try_get("/api/health")
            .is_err(),
        "no plain HTTP beyond 127.0.0.1"
    );
    let other = "0".repeat(64);
    assert!(
        Api::pinned(&format!("https://{addr}"), &other)
            .try_get("/api/health")
            .is_err(),
        "a client pinning another certificate does not talk to it"
    );
    let mut api = Api::pinned(&format!("https://{addr}"), &fingerprint);
    assert_eq!(api.try_get("/api/health").unwrap().0, 200);
    let (status, cookie) = api.login_cookie("王芳", PIN);
    let cookie = cookie.expect("a session cookie");
    assert_eq!(status, 200);
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );

    // A client terminal with the pin issues through the host; its QR code holds its own
    // configured address with the ticket's token, not what the host sends.
    let mut client_config = Config::default();
    client_config.reader.kind = ReaderKind::None;
    client_config.kiosk.ticket_url_base = "https://queue.centre.example/t/".into();
    client_config.queue.host = Some(HostConfig {
        url: format!("https://{addr}"),
        token: token.clone(),
        offline_range: None,
        timeout_ms: 2000,
        cert_sha256: Some(fingerprint.clone()),
        id_hash_key: None,
    });
    let c = Kiosk::start_with(client_config);
    c.tap("取号");
    c.tap("法律援助");
    c.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    assert_eq!(c.ticket_number().as_deref(), Some("B001"));
    let job = c
        .printer()
        .wait_for_jobs(1, Duration::from_secs(5))
        .remove(0);
    let host_token: String = h.query(|c| {
        c.query_row("SELECT token FROM tickets WHERE number = 'B001'", [], |r| {
            r.get(0)
        })
        .unwrap()
    });
    assert_eq!(
        job.qr_codes()[0].data,
        format!("https://queue.centre.example/t/{host_token}")
    );
}

/// What an installer does on the host: `legal-kiosk queue cert-fingerprint` (as the
/// kiosk's user) prints the pin for the clients; the kiosk then serves that certificate.
#[test]
fn the_fingerprint_from_the_command_line_is_the_certificate_the_host_serves() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            "[storage]\ndata_dir = {:?}\n\n[queue.server]\nlisten = \"127.0.0.2:0\"\n",
            dir.path().join("data")
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .args([
            "--config",
            file.to_str().unwrap(),
            "queue",
            "cert-fingerprint",
            "--json",
        ])
        .output()
        .expect("the kiosk binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let pin = answer["cert_sha256"]
        .as_str()
        .expect("a fingerprint")
        .to_string();
    assert_eq!(pin.len(), 64);

    let mut host_config = config();
    host_config.storage.data_dir = Some(dir.path().join("data"));
    host_config.queue.server.listen = "127.0.0.2:0".parse().unwrap();
    let h = Kiosk::start_with(host_config);
    let addr = h.kiosk.queue_server.as_ref().unwrap().addr;
    let mut api = Api::pinned(&format!("https://{addr}"), &pin);
    assert_eq!(api.try_get("/api/health").unwrap().0, 200);
}

#[test]
fn a_client_pinning_another_certificate_gets_no_ticket_from_the_host() {
    let mut host_config = config();
    host_config.queue.server.listen = "127.0.0.2:0".parse().unwrap();
    let (token, digest) = legal_kiosk::queue_api::auth::new_terminal_token();
    host_config.queue.clients.token_sha256 = vec![digest];
    let h = Kiosk::start_with(host_config);
    let addr = h.kiosk.queue_server.as_ref().unwrap().addr;
    let mut client_config = config();
    client_config.queue.host = Some(HostConfig {
        url: format!("https://{addr}"),
        token,
        offline_range: None,
        timeout_ms: 2000,
        cert_sha256: Some("ab".repeat(32)),
        id_hash_key: None,
    });
    let c = Kiosk::start_with(client_config);
    c.tap("取号");
    c.tap("法律援助");
    c.settle("the desk's answer", |k| {
        k.shows("抱歉，本终端暂时无法连接叫号系统，现在不能取号。请联系工作人员。")
    });
    let issued: i64 = h.query(|c| {
        c.query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(issued, 0);
}

/// Server-side connections of the API's port in the ESTABLISHED state.
fn established_on(port: u16) -> usize {
    let tcp = std::fs::read_to_string("/proc/net/tcp").unwrap();
    tcp.lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let local_port = f[1].rsplit(':').next().unwrap();
            u16::from_str_radix(local_port, 16).ok() == Some(port) && f[3] == "01"
        })
        .count()
}

#[test]
fn two_thousand_idle_connections_from_one_host_leave_the_api_streams_and_reader_working() {
    let mut cfg = Config::default();
    cfg.printer.kind = PrinterKind::None;
    cfg.queue.server.max_streams = 3;
    let k = Kiosk::start_with(cfg);
    let addr = k.kiosk.queue_server.as_ref().unwrap().addr;
    let flood = connect_many_from("127.0.0.2", addr, 2000);
    // The last one was closed at once (so every earlier one was accepted, too)…
    let mut last = flood.last().unwrap().try_clone().unwrap();
    last.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buf = [0u8; 1];
    match last.read(&mut buf) {
        Ok(0) => {}
        other => panic!("the 2000th connection is still open: {other:?}"),
    }
    // …and the kiosk holds at most its per-address share of them.
    let default = legal_kiosk::queue_api::ServerConfig::default();
    let held = established_on(addr.port());
    assert!(
        held <= default.max_connections_per_source,
        "the kiosk holds {held} connections from one address"
    );

    // A counter PC elsewhere is served as usual, and the hall display's stream too.
    let mut api = Api::of(&k);
    assert_eq!(api.get("/api/health").0, 200);
    let streams: Vec<_> = (0..3).map(|_| api.follow("/api/hall/stream")).collect();
    for s in &streams {
        next_matching(s, Duration::from_secs(10), |_| true).expect("a hall stream");
    }
    let (status, body) = api.get("/api/hall/stream");
    assert_eq!(
        (status, body["error"].as_str()),
        (503, Some("too_many_streams"))
    );
    // The card reader's citizen is greeted as usual.
    k.place_card("resident-zhang", "张*");
    drop(flood);
}

#[test]
fn a_connection_left_idle_after_its_request_is_closed() {
    use std::io::Write as _;
    let mut cfg = config();
    cfg.queue.server.idle_timeout_secs = 2;
    let k = Kiosk::start_with(cfg);
    let addr = k.kiosk.queue_server.as_ref().unwrap().addr;
    let mut conn = connect_many_from("127.0.0.3", addr, 1).remove(0);
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        conn,
        "GET /api/health HTTP/1.1\r\nhost: {addr}\r\nconnection: keep-alive\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    // The answer, then the end of the stream once the connection has been idle.
    match conn.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e) => panic!("the idle connection stayed open: {e}"),
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// `n` plain TCP connections to `to` from the loopback address `from`.
fn connect_many_from(from: &str, to: std::net::SocketAddr, n: usize) -> Vec<std::net::TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let from: std::net::SocketAddr = format!("{from}:0").parse().unwrap();
    rt.block_on(async move {
        let mut all = Vec::with_capacity(n);
        for _ in 0..n {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind(from).unwrap();
            let stream = socket.connect(to).await.unwrap();
            let std = stream.into_std().unwrap();
            std.set_nonblocking(false).unwrap();
            all.push(std);
        }
        all
    })
}
