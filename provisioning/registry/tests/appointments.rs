//! Appointments at the registry (issue 20), on the real registry (127.0.0.1, SQLite or
//! PostgreSQL): a booking channel books through its API with its own key; the platform's
//! terminals receive the booking in their signed `appointments` bundle with the region's
//! hash key (masked name, keyed hash, code; no ID number, no full name); concurrent
//! bookings for the last places of a slot take exactly as many as there are; bad input gets
//! a clear error with a stable code; and no full ID number or name is left anywhere in the
//! registry's files afterwards.

mod common;

use common::{OTHER_PLATFORM, PLATFORM, Pilot, Terminal, https_client, https_client_from};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SERVICE: &str = "legal-consultation";
const ID_NUMBER: &str = "11010519491231002X";
const NAME: &str = "欧阳娜娜";
const PHONE: &str = "13912345678";

/// A valid 18-character ID number from 17 digits (GB 11643 check character).
fn id_number(seventeen: u64) -> String {
    let digits = format!("{seventeen:017}");
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!(
        "{digits}{}",
        char::from(b"10X98765432"[(sum % 11) as usize])
    )
}

/// Tomorrow in China Standard Time, and a slot of it.
fn tomorrow() -> String {
    let local = chrono::Utc::now() + chrono::Duration::hours(8) + chrono::Duration::days(1);
    local.format("%Y-%m-%d").to_string()
}

/// A pilot with a schedule for SERVICE at PLATFORM (every day, 08:00–20:00, `capacity` a
/// half hour) and the channels `online` and `hotline-12348`; returns their keys.
fn pilot_with_channels(capacity: u32, serve_args: &[&str]) -> (Pilot, String, String) {
    let mut pilot = Pilot::new();
    pilot.serve_args = serve_args.iter().map(|s| s.to_string()).collect();
    let capacity = capacity.to_string();
    pilot.admin(
        &[
            "schedule",
            "set",
            "--platform",
            PLATFORM,
            "--service",
            SERVICE,
            "--capacity",
            &capacity,
            "--days",
            "1-7",
            "--opens",
            "08:00",
            "--closes",
            "20:00",
        ],
        "",
    );
    let online = pilot
        .admin(&["channel", "add", "online"], "")
        .trim()
        .to_string();
    let hotline = pilot
        .admin(&["channel", "add", "hotline-12348"], "")
        .trim()
        .to_string();
    assert!(
        online.starts_with("kc_") && hotline.starts_with("kc_"),
        "{online} {hotline}"
    );
    pilot.start();
    (pilot, online, hotline)
}

struct Channel {
    http: reqwest::Client,
    base: String,
    name: String,
    key: String,
}

impl Channel {
    fn new(pilot: &Pilot, name: &str, key: &str) -> Self {
        Self::with(https_client(pilot), pilot, name, key)
    }

    fn with(http: reqwest::Client, pilot: &Pilot, name: &str, key: &str) -> Self {
        Self {
            http,
            base: format!("{}/v1/channels/{name}", pilot.url()),
            name: name.into(),
            key: key.into(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request
            .header("authorization", format!("Bearer {}", self.key))
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn book(&self, body: Value) -> (StatusCode, Value) {
        self.send(
            self.http
                .post(format!("{}/bookings", self.base))
                .json(&body),
        )
        .await
    }

    async fn book_person(&self, start: &str, id: &str) -> (StatusCode, Value) {
        self.book(json!({
            "platform": PLATFORM, "service": SERVICE, "start": start,
            "name": "张三", "id_number": id, "phone": PHONE
        }))
        .await
    }

    async fn lookup(&self, code: &str) -> (StatusCode, Value) {
        self.send(self.http.get(format!("{}/bookings/{code}", self.base)))
            .await
    }

    async fn cancel(&self, code: &str) -> (StatusCode, Value) {
        self.send(
            self.http
                .post(format!("{}/bookings/{code}/cancel", self.base)),
        )
        .await
    }

    async fn slots(&self, day: &str) -> (StatusCode, Value) {
        self.send(self.http.get(format!(
            "{}/slots?platform={PLATFORM}&service={SERVICE}&day={day}",
            self.base
        )))
        .await
    }
}

fn free_at(slots: &Value, start: &str) -> i64 {
    slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == start)
        .unwrap_or_else(|| panic!("no slot {start} in {slots}"))["free"]
        .as_i64()
        .unwrap()
}

/// Every file under the registry's data folders that holds one of `secrets`.
fn secrets_in_files(pilot: &Pilot, secrets: &[&str]) -> Vec<String> {
    fn walk(dir: &std::path::Path, secrets: &[&str], found: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, secrets, found);
            } else if let Ok(bytes) = std::fs::read(&path) {
                for s in secrets {
                    if bytes.windows(s.len()).any(|w| w == s.as_bytes()) {
                        found.push(format!("{s} in {}", path.display()));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    for dir in pilot.data_dirs() {
        walk(&dir, secrets, &mut found);
    }
    found
}

#[tokio::test]
async fn a_booking_reaches_the_platforms_terminals_masked_and_hashed() {
    let (pilot, online, hotline) = pilot_with_channels(3, &[]);
    let day = tomorrow();
    let start = format!("{day}T10:00");
    let channel = Channel::new(&pilot, "online", &online);

    let (status, slots) = channel.slots(&day).await;
    assert_eq!(status, StatusCode::OK, "{slots}");
    assert_eq!(slots["slots"].as_array().unwrap().len(), 24, "08:00–20:00");
    assert_eq!(free_at(&slots, &start), 3);

    let (status, booked) = channel
        .book(json!({
            "platform": PLATFORM, "service": SERVICE, "start": start,
            "name": NAME, "id_number": ID_NUMBER.to_lowercase(), "phone": PHONE
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(booked["masked_name"], "欧阳**");
    let code = booked["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    assert_eq!(free_at(&channel.slots(&day).await.1, &start), 2);

    // The citizen calls the hotline: it finds the booking by code, typed loosely.
    let hotline = Channel::new(&pilot, "hotline-12348", &hotline);
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let (status, found) = hotline.lookup(&typed).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["start"], start.as_str());
    assert_eq!(found["channel"], "online");
    assert!(
        found.get("id_hash").is_none() && found.get("phone").is_none(),
        "{found}"
    );

    // The platform's terminal gets the booking in its signed bundle, with the key to match
    // a card's number to it; a terminal of another platform gets nothing.
    kiosk_registry::cli_appointments::publish_platform(
        &pilot.store(),
        PLATFORM,
        &pilot.ops_key,
        chrono::Utc::now(),
    )
    .unwrap();
    let t = Terminal::enrolled(&pilot).await;
    let report = t.client(&pilot).poll_once().await.unwrap();
    assert!(
        report.bundles.iter().all(|b| b.outcome.is_ok()),
        "{report:?}"
    );
    let files = t.store.bundle_files("appointments").unwrap();
    let text = String::from_utf8(files["appointments.json"].clone()).unwrap();
    let bundle: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(bundle["platform_id"], PLATFORM);
    let bookings = bundle["bookings"].as_array().unwrap();
    assert_eq!(bookings.len(), 1, "{bundle}");
    assert_eq!(bookings[0]["code"], code.as_str());
    assert_eq!(bookings[0]["masked_name"], "欧阳**");
    assert_eq!(bookings[0]["start"], start.as_str());
    use base64::Engine as _;
    let key = base64::engine::general_purpose::STANDARD
        .decode(bundle["id_hash"]["key"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        bookings[0]["id_hash"].as_str().unwrap(),
        kiosk_registry::appointments::id_hash(&key, ID_NUMBER),
        "a terminal of the region matches the card's number with the bundled key"
    );
    for secret in [ID_NUMBER, NAME, PHONE] {
        assert!(!text.contains(secret), "{secret} in the bundle: {text}");
    }

    let mut other = Terminal::new();
    other
        .enrol(&pilot, &pilot.code(OTHER_PLATFORM))
        .await
        .unwrap();
    other.client(&pilot).poll_once().await.unwrap();
    assert!(
        other.store.bundle_files("appointments").unwrap().is_empty(),
        "another platform's terminal gets no bookings of this one"
    );

    // Cancelled: the place is free again and the next bundle leaves it out.
    let (status, cancelled) = hotline.cancel(&code).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(free_at(&channel.slots(&day).await.1, &start), 3);
    let (status, again) = channel.cancel(&code).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (StatusCode::CONFLICT, Some("already_cancelled"))
    );
    kiosk_registry::cli_appointments::publish_platform(
        &pilot.store(),
        PLATFORM,
        &pilot.ops_key,
        chrono::Utc::now(),
    )
    .unwrap();
    t.client(&pilot).poll_once().await.unwrap();
    let files = t.store.bundle_files("appointments").unwrap();
    let bundle: Value = serde_json::from_slice(&files["appointments.json"]).unwrap();
    assert!(
        bundle["bookings"].as_array().unwrap().is_empty(),
        "{bundle}"
    );

    // Nothing of the citizen in clear in the registry's files or exports.
    let export = pilot.dir.path().join("events.csv");
    pilot.admin(&["events", "export", "--out", export.to_str().unwrap()], "");
    let listed = pilot.admin(
        &[
            "appointments",
            "list",
            "--platform",
            PLATFORM,
            "--day",
            &day,
        ],
        "",
    );
    assert!(listed.contains("欧阳**"), "{listed}");
    for out in [listed, pilot.admin(&["schedule", "show", "--json"], "")] {
        assert!(!out.contains(ID_NUMBER) && !out.contains(NAME), "{out}");
    }
    let found = secrets_in_files(&pilot, &[ID_NUMBER, &ID_NUMBER.to_lowercase(), NAME]);
    assert!(found.is_empty(), "in clear at the registry: {found:?}");
}

#[tokio::test]
async fn two_hundred_concurrent_bookings_for_the_last_ten_places_take_exactly_ten() {
    let (pilot, online, _) = pilot_with_channels(12, &[]);
    let start = format!("{}T14:30", tomorrow());
    let channel = std::sync::Arc::new(Channel::with(
        https_client_from(&pilot, "127.0.0.2"),
        &pilot,
        "online",
        &online,
    ));
    for n in 0..2 {
        let (status, body) = channel.book_person(&start, &id_number(n)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mut tasks = Vec::new();
    for n in 0..200u64 {
        let channel = channel.clone();
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            channel.book_person(&start, &id_number(1000 + n)).await
        }));
    }
    let (mut accepted, mut full) = (0, 0);
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match (status, body["error"].as_str()) {
            (StatusCode::CREATED, _) => accepted += 1,
            (StatusCode::CONFLICT, Some("slot_full")) => full += 1,
            other => panic!("unexpected answer {other:?}: {body}"),
        }
    }
    assert_eq!((accepted, full), (10, 190));
    let (_, slots) = channel.slots(&tomorrow()).await;
    assert_eq!(free_at(&slots, &start), 0);
    let listed = pilot.admin(
        &[
            "appointments",
            "list",
            "--platform",
            PLATFORM,
            "--day",
            &tomorrow(),
            "--json",
        ],
        "",
    );
    let listed: Vec<Value> = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed.len(), 12, "two before, ten of the rush");
}

#[tokio::test]
async fn bad_bookings_get_clear_errors_with_stable_codes() {
    let (pilot, online, hotline) = pilot_with_channels(1, &["--channel-requests-per-minute", "40"]);
    let day = tomorrow();
    let channel = Channel::new(&pilot, "online", &online);
    let start = format!("{day}T09:00");
    let expect = |(status, body): (StatusCode, Value), want: StatusCode, code: &str| {
        assert_eq!(
            (status, body["error"].as_str()),
            (want, Some(code)),
            "{body}"
        );
        assert!(!body["message"].as_str().unwrap_or("").is_empty(), "{body}");
        assert!(
            !body.to_string().contains(ID_NUMBER),
            "never echoed: {body}"
        );
    };

    let (status, first) = channel.book_person(&start, ID_NUMBER).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    // Full slot; the same person again that day (another slot); a code already used.
    expect(
        channel.book_person(&start, &id_number(7)).await,
        StatusCode::CONFLICT,
        "slot_full",
    );
    expect(
        channel
            .book_person(&format!("{day}T11:00"), ID_NUMBER)
            .await,
        StatusCode::CONFLICT,
        "duplicate_booking",
    );
    let with_code = |id: String, code: &str| {
        json!({
            "platform": PLATFORM, "service": SERVICE, "start": format!("{day}T15:00"),
            "name": "李四", "id_number": id, "phone": PHONE, "code": code
        })
    };
    let taken = first["code"].as_str().unwrap();
    expect(
        channel.book(with_code(id_number(8), taken)).await,
        StatusCode::CONFLICT,
        "booking_code_conflict",
    );
    let (status, chosen) = channel.book(with_code(id_number(8), "h3k7-m9pq")).await;
    assert_eq!(
        (status, chosen["code"].as_str()),
        (StatusCode::CREATED, Some("H3K7M9PQ"))
    );

    // Past, closed or not a slot; unknown platform or service; a bad ID number.
    let yesterday = (chrono::Utc::now() + chrono::Duration::hours(8) - chrono::Duration::days(1))
        .format("%Y-%m-%dT10:00")
        .to_string();
    expect(
        channel.book_person(&yesterday, &id_number(9)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "past_time",
    );
    expect(
        channel
            .book_person(&format!("{day}T09:15"), &id_number(9))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_a_slot",
    );
    expect(
        channel
            .book_person(&format!("{day}T20:00"), &id_number(9))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_a_slot",
    );
    pilot.admin(
        &[
            "schedule",
            "holiday-add",
            "--day",
            &day,
            "--name",
            "测试假日",
        ],
        "",
    );
    expect(
        channel
            .book_person(&format!("{day}T16:00"), &id_number(9))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_a_slot",
    );
    let (_, closed) = channel.slots(&day).await;
    assert_eq!(closed["closed"], "测试假日", "{closed}");
    pilot.admin(&["schedule", "holiday-remove", "--day", &day], "");
    let elsewhere = |platform: &str, service: &str| {
        json!({
            "platform": platform, "service": service, "start": format!("{day}T10:00"),
            "name": "王五", "id_number": id_number(10), "phone": PHONE
        })
    };
    expect(
        channel.book(elsewhere("nowhere", SERVICE)).await,
        StatusCode::NOT_FOUND,
        "unknown_platform",
    );
    expect(
        channel.book(elsewhere(OTHER_PLATFORM, SERVICE)).await,
        StatusCode::NOT_FOUND,
        "unknown_service",
    );
    let mut bad_check = ID_NUMBER.to_string();
    bad_check.replace_range(17.., "1");
    expect(
        channel
            .book_person(&format!("{day}T10:00"), &bad_check)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_id_number",
    );
    expect(
        channel.book(json!({ "platform": PLATFORM })).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );

    // Keys: none, unknown, another channel's (on this channel's path), revoked.
    let as_hotline_with_online_key = Channel::new(&pilot, "hotline-12348", &online);
    expect(
        as_hotline_with_online_key.lookup(taken).await,
        StatusCode::FORBIDDEN,
        "wrong_channel",
    );
    expect(
        Channel::new(&pilot, "online", "kc_not-a-key")
            .lookup(taken)
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    pilot.admin(&["channel", "revoke", "hotline-12348"], "");
    expect(
        Channel::new(&pilot, "hotline-12348", &hotline)
            .lookup(taken)
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    expect(
        channel.lookup("ZZZZZZZZ").await,
        StatusCode::NOT_FOUND,
        "booking_not_found",
    );

    // Guessing keys from one address is stopped before any key is looked up.
    let guesser = Channel::with(
        https_client_from(&pilot, "127.0.0.3"),
        &pilot,
        "online",
        "kc_guess",
    );
    let mut limited = None;
    for _ in 0..60 {
        let (status, body) = guesser.lookup(taken).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(body);
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let limited = limited.expect("no 429 within 60 guesses");
    assert_eq!(limited["error"], "rate_limited");
    // Another address is not affected.
    assert_eq!(channel.lookup(taken).await.0, StatusCode::OK);
    let _ = channel.name.len();
}

/// What the platform's terminal reports changes the booking, as a booking channel sees it:
/// a check-in makes it `checked_in`, a missed appointment `missed`; the same report from a
/// terminal of another platform changes nothing.
#[tokio::test]
async fn check_ins_and_missed_appointments_reported_by_the_terminal_change_the_bookings() {
    let (pilot, online, _) = pilot_with_channels(5, &[]);
    let channel = Channel::new(&pilot, "online", &online);
    let start = format!("{}T10:00", tomorrow());
    let mut codes = Vec::new();
    for n in 1..=2u64 {
        let (status, booked) = channel
            .book_person(&start, &id_number(11_010_519_491_231_000 + n))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{booked}");
        codes.push(booked["code"].as_str().unwrap().to_string());
    }
    let report = |t: &Terminal, kind: &str, code: &str| {
        t.store
            .enqueue(kind, &json!({ "type": kind, "code": code, "slot": start }))
            .unwrap();
    };

    let mut other = Terminal::new();
    other
        .enrol(&pilot, &pilot.code(OTHER_PLATFORM))
        .await
        .unwrap();
    report(&other, "appointment.checked_in", &codes[0]);
    other.client(&pilot).deliver_outbox().await.unwrap();
    assert_eq!(
        channel.lookup(&codes[0]).await.1["status"],
        "booked",
        "another platform's"
    );

    let t = Terminal::enrolled(&pilot).await;
    report(&t, "appointment.checked_in", &codes[0]);
    report(&t, "appointment.missed", &codes[1]);
    // Delivered twice (a retry after a lost answer): the same result.
    report(&t, "appointment.missed", &codes[0]);
    t.client(&pilot).deliver_outbox().await.unwrap();
    let (status, first) = channel.lookup(&codes[0]).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        first["status"], "checked_in",
        "a later report does not undo a check-in"
    );
    assert_eq!(channel.lookup(&codes[1]).await.1["status"], "missed");
}
