//! Work orders at the registry (issue 20), on the real registry (127.0.0.1, SQLite or
//! PostgreSQL): a terminal's `work_order` event becomes one work order however often it is
//! delivered; the centre dispatches it, the institution accepts and closes it, and every
//! change is in its history; an institution's users never see or touch another
//! institution's orders; the citizen's status lookup at a terminal shows their own orders'
//! category and status only; an order past its deadline raises an alert; and nothing of the
//! citizen is left in clear in the registry's files.

mod common;

use common::{PLATFORM, Pilot, Terminal, https_client, signed};
use kiosk_registry::store::raw::Param;
use provisioning::protocol::{Event, EventBatch, paths};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "a-long-password";
const ID_NUMBER: &str = "11010519491231002X";
const OTHER_ID_NUMBER: &str = "110105194912310037";
const NAME: &str = "欧阳娜娜";
const INST_A: &str = "xihu-law-firm";
const INST_B: &str = "xihu-notary";

fn add_operator(pilot: &Pilot, name: &str, role: &str, region: &str) {
    pilot.admin(
        &["operator", "add", name, "--role", role, "--region", region],
        &format!("{PASSWORD}\n"),
    );
}

fn add_institution(pilot: &Pilot, id: &str, name: &str) {
    pilot
        .store()
        .sql_execute(
            "INSERT INTO institutions (id, name, level, region, created_at) VALUES (?1, ?2, 'district', '330106', '2026-01-01T00:00:00.000Z')",
            &[Param::from(id), Param::from(name)],
        )
        .unwrap();
}

/// A registry with two institutions of 西湖区, a dispatcher for the city, a user of each
/// institution, the sample classification, and an enrolled terminal at PLATFORM.
async fn setup() -> (Pilot, Terminal) {
    let mut pilot = Pilot::new();
    add_institution(&pilot, INST_A, "西湖律师事务所");
    add_institution(&pilot, INST_B, "西湖公证处");
    add_operator(&pilot, "dispatcher", "operator", "330100");
    add_operator(&pilot, "lawyer-a", "institution", "330106");
    add_operator(&pilot, "notary-b", "institution", "330106");
    add_operator(&pilot, "viewer", "viewer", "330100");
    add_operator(&pilot, "chief", "admin", "330000");
    pilot.admin(
        &[
            "workorder",
            "link",
            "--operator",
            "lawyer-a",
            "--institution",
            INST_A,
        ],
        "",
    );
    pilot.admin(
        &[
            "workorder",
            "link",
            "--operator",
            "notary-b",
            "--institution",
            INST_B,
        ],
        "",
    );
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/work-order-categories.sample.json"
    );
    let loaded = pilot.admin(&["workorder", "categories", "load", sample], "");
    assert!(loaded.contains("SAMPLE"), "{loaded}");
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    (pilot, t)
}

/// The citizen's keyed hash, as a terminal of the region computes it with the key of its
/// `appointments` bundle.
fn hash_of(pilot: &Pilot, id_number: &str) -> String {
    let store = pilot.store();
    let key = kiosk_registry::store::wait(|| store.region_key("330106")).unwrap();
    kiosk_registry::appointments::id_hash(&key, id_number)
}

fn work_order_event(seq: i64, key: &str, id_hash: &str, category: &str) -> Event {
    Event {
        seq,
        idempotency_key: key.into(),
        kind: "work_order".into(),
        payload: json!({
            "category": category, "kind": "callback", "id_hash": id_hash,
            "phone": "13912345678", "summary": "想咨询劳动合同的问题，请律师回电", "consent": true
        }),
        created_at: chrono::Utc::now().to_rfc3339(),
    }
}

async fn deliver(pilot: &Pilot, t: &Terminal, events: Vec<Event>) -> Value {
    let http = https_client(pilot);
    let body = serde_json::to_vec(&EventBatch { events }).unwrap();
    let response = signed(
        &http,
        pilot,
        &t.identity,
        &t.device_id(),
        reqwest::Method::POST,
        paths::EVENTS,
        body,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// The status lookup a terminal makes for the citizen at its screen.
async fn citizen_status(pilot: &Pilot, t: &Terminal, id_hash: &str) -> (StatusCode, Value) {
    status_asked(pilot, t, json!({ "id_hash": id_hash })).await
}

async fn status_asked(pilot: &Pilot, t: &Terminal, question: Value) -> (StatusCode, Value) {
    let http = https_client(pilot);
    let body = serde_json::to_vec(&question).unwrap();
    let response = signed(
        &http,
        pilot,
        &t.identity,
        &t.device_id(),
        reqwest::Method::POST,
        "/v1/work-orders/status",
        body,
    )
    .send()
    .await
    .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

struct Console {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Console {
    async fn login(pilot: &Pilot, user: &str) -> Self {
        let http = https_client(pilot);
        let response = http
            .post(format!("{}/v1/ops/login", pilot.url()))
            .json(&json!({ "username": user, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "login {user}");
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();
        Self {
            http,
            base: pilot.url(),
            cookie,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn orders(&self) -> Vec<Value> {
        let (status, body) = self.get("/v1/ops/work-orders").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["work_orders"].as_array().unwrap().clone()
    }
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

#[tokio::test]
async fn a_terminals_work_order_is_made_once_and_followed_to_done() {
    let (pilot, t) = setup().await;
    let mine = hash_of(&pilot, ID_NUMBER);

    // Delivered twice (a lost acknowledgement), in one batch twice, and in a later batch:
    // one work order.
    let event = work_order_event(1, "wo-1", &mine, "0302");
    let first = deliver(&pilot, &t, vec![event.clone(), event.clone()]).await;
    assert_eq!(first["stored"], 1, "{first}");
    let again = deliver(&pilot, &t, vec![event]).await;
    assert_eq!(again["duplicates"], 1, "{again}");
    // Without consent it is not a work order (kept aside, not lost).
    let mut refused = work_order_event(2, "wo-2", &mine, "0401");
    refused.payload["consent"] = false.into();
    assert_eq!(deliver(&pilot, &t, vec![refused]).await["quarantined"], 1);

    let dispatcher = Console::login(&pilot, "dispatcher").await;
    let orders = dispatcher.orders().await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    let order = &orders[0];
    assert_eq!(order["status"], "new");
    assert_eq!(order["category"], "0302");
    assert_eq!(order["category_name"], "律师回电");
    assert_eq!(order["channel"], "terminal");
    assert_eq!(order["region"], "330106");
    assert_eq!(order["platform_id"], PLATFORM);
    let id = order["id"].as_i64().unwrap();
    let path = |action: &str| format!("/v1/ops/work-orders/{id}{action}");

    // The citizen asks at the terminal: category and status, nothing else.
    let (status, seen) = citizen_status(&pilot, &t, &mine).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        seen,
        json!({ "work_orders": [{ "category": "0302", "status": "new" }] })
    );

    // Institutions see nothing before it is theirs; a viewer and an institution may not
    // dispatch.
    let lawyer = Console::login(&pilot, "lawyer-a").await;
    let notary = Console::login(&pilot, "notary-b").await;
    let viewer = Console::login(&pilot, "viewer").await;
    assert!(lawyer.orders().await.is_empty());
    let dispatch = json!({ "institution": INST_A, "deadline": in_days(3) });
    for console in [&lawyer, &viewer] {
        let (status, body) = console.post(&path("/dispatch"), dispatch.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, body) = dispatcher.post(&path("/accept"), Value::Null).await;
    assert_eq!(status, StatusCode::CONFLICT, "not dispatched yet: {body}");

    let (status, body) = dispatcher.post(&path("/dispatch"), dispatch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["order"]["status"], "dispatched");

    // The other institution: absent from its list, 403 on sight or action.
    assert!(notary.orders().await.is_empty());
    assert_eq!(notary.get(&path("")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        notary.post(&path("/accept"), Value::Null).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        notary
            .post(&path("/close"), json!({ "detail": "x" }))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // Its own institution accepts and closes it.
    assert_eq!(lawyer.orders().await.len(), 1);
    let (status, body) = lawyer.post(&path("/accept"), Value::Null).await;
    assert_eq!(
        (status, body["order"]["status"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
    assert_eq!(
        citizen_status(&pilot, &t, &mine).await.1["work_orders"][0]["status"],
        "accepted"
    );
    let (status, body) = lawyer.post(&path("/close"), json!({})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an outcome is needed: {body}"
    );
    let (status, body) = lawyer
        .post(&path("/close"), json!({ "detail": "已回电并解答" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["order"]["status"], "done");
    assert_eq!(body["order"]["outcome"], "已回电并解答");
    let history: Vec<(String, String, String)> = body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap().to_string(),
                h["to_status"].as_str().unwrap().to_string(),
                h["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let device = t.device_id();
    let expected = [
        ("created", "new", device.as_str()),
        ("dispatched", "dispatched", "dispatcher"),
        ("accepted", "accepted", "lawyer-a"),
        ("done", "done", "lawyer-a"),
    ]
    .map(|(a, s, w)| (a.to_string(), s.to_string(), w.to_string()));
    assert_eq!(history, expected);
    let (status, _) = lawyer
        .post(&path("/return"), json!({ "detail": "x" }))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a finished order stays finished"
    );

    // The citizen sees it done; another person sees none of it.
    assert_eq!(
        citizen_status(&pilot, &t, &mine).await.1,
        json!({ "work_orders": [{ "category": "0302", "status": "done" }] })
    );
    let (_, theirs) = citizen_status(&pilot, &t, &hash_of(&pilot, OTHER_ID_NUMBER)).await;
    assert_eq!(theirs, json!({ "work_orders": [] }));
    let (status, _) = citizen_status(&pilot, &t, ID_NUMBER).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a number in clear is refused"
    );

    // The audit has every change and every refusal.
    let admin = Console::login(&pilot, "chief").await;
    let (_, audit) = admin.get("/v1/ops/audit").await;
    let audit = audit.to_string();
    for action in [
        "work_order.dispatched",
        "work_order.accepted",
        "work_order.done",
    ] {
        assert!(audit.contains(action), "{action} missing: {audit}");
    }
    assert!(audit.contains("forbidden"), "{audit}");
}

/// The slip printed when a request is filed carries its receipt (the event's key): any
/// terminal asks by it for that one order, and nothing else answers to it.
#[tokio::test]
async fn a_receipt_finds_its_order_only() {
    let (pilot, t) = setup().await;
    let mine = hash_of(&pilot, ID_NUMBER);
    let receipt = "0123456789abcdef0123456789abcdef";
    deliver(
        &pilot,
        &t,
        vec![
            work_order_event(1, receipt, &mine, "0302"),
            work_order_event(2, "fedcba9876543210fedcba9876543210", &mine, "0401"),
        ],
    )
    .await;
    let (status, body) = status_asked(&pilot, &t, json!({ "receipt": receipt })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["work_orders"],
        json!([{ "category": "0302", "status": "new" }])
    );
    let (_, none) = status_asked(
        &pilot,
        &t,
        json!({ "receipt": "00000000000000000000000000000000" }),
    )
    .await;
    assert_eq!(none["work_orders"], json!([]));
    for bad in [
        json!({ "receipt": "not-a-receipt" }),
        json!({ "receipt": receipt, "id_hash": mine }),
        json!({}),
    ] {
        let (status, _) = status_asked(&pilot, &t, bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn the_command_line_dispatches_returns_and_overdue_orders_raise_an_alert() {
    let (pilot, t) = setup().await;
    let mine = hash_of(&pilot, ID_NUMBER);
    deliver(
        &pilot,
        &t,
        vec![
            work_order_event(1, "wo-a", &mine, "0201"),
            work_order_event(2, "wo-b", &mine, "0401"),
        ],
    )
    .await;
    let listed: Vec<Value> =
        serde_json::from_str(&pilot.admin(&["workorder", "list", "--json"], "")).unwrap();
    assert_eq!(listed.len(), 2);
    let (newest, oldest) = (
        listed[0]["id"].as_i64().unwrap().to_string(),
        listed[1]["id"].as_i64().unwrap().to_string(),
    );

    // The command line: dispatch to a person, accept, return; the history says so.
    pilot.admin(
        &[
            "workorder",
            "dispatch",
            &oldest,
            "--person",
            "lawyer-a",
            "--deadline",
            "2d",
        ],
        "",
    );
    pilot.admin(&["workorder", "accept", &oldest], "");
    let refused = pilot.admin_fails(&["workorder", "accept", &oldest]);
    assert!(refused.contains("accepted"), "{refused}");
    pilot.admin(
        &["workorder", "return", &oldest, "--reason", "不属于本所业务"],
        "",
    );
    let shown: Value =
        serde_json::from_str(&pilot.admin(&["workorder", "show", &oldest, "--json"], "")).unwrap();
    assert_eq!(shown["order"]["status"], "returned");
    let actions: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "dispatched", "accepted", "returned"]);
    // A person's order is theirs alone among institution users.
    let lawyer = Console::login(&pilot, "lawyer-a").await;
    let notary = Console::login(&pilot, "notary-b").await;
    assert_eq!(lawyer.orders().await.len(), 1);
    assert!(notary.orders().await.is_empty());

    // Past its deadline, the other order raises an alert on the terminal it came from,
    // which the dispatcher sees; done, the alert clears.
    let dispatcher = Console::login(&pilot, "dispatcher").await;
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let (status, body) = dispatcher
        .post(
            &format!("/v1/ops/work-orders/{newest}/dispatch"),
            json!({ "institution": INST_B, "deadline": past }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, alerts) = dispatcher.get("/v1/ops/alerts").await;
    let overdue: Vec<&Value> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "work_order_overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{alerts}");
    assert_eq!(overdue[0]["device_id"], t.device_id().as_str());
    assert_eq!(overdue[0]["detail"], format!("#{newest}").as_str());
    let (status, _) = notary
        .post(&format!("/v1/ops/work-orders/{newest}/accept"), Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = notary
        .post(
            &format!("/v1/ops/work-orders/{newest}/close"),
            json!({ "detail": "已处理" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, alerts) = dispatcher.get("/v1/ops/alerts").await;
    assert!(
        !alerts.to_string().contains("work_order_overdue"),
        "{alerts}"
    );

    // Privacy: the citizen's number and name are nowhere in the registry's files or exports.
    let export = pilot.dir.path().join("events.csv");
    pilot.admin(&["events", "export", "--out", export.to_str().unwrap()], "");
    let mut found = Vec::new();
    for dir in pilot.data_dirs() {
        scan(&dir, &[ID_NUMBER, NAME], &mut found);
    }
    assert!(found.is_empty(), "in clear at the registry: {found:?}");
}

fn scan(dir: &std::path::Path, secrets: &[&str], found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            scan(&path, secrets, found);
        } else if let Ok(bytes) = std::fs::read(&path) {
            for s in secrets {
                if bytes.windows(s.len()).any(|w| w == s.as_bytes()) {
                    found.push(format!("{s} in {}", path.display()));
                }
            }
        }
    }
}
