//! The operations centre's console API on the real registry (127.0.0.1, SQLite or
//! PostgreSQL): operators log in with a Secure, HttpOnly, SameSite=Strict session kept in
//! the database (a second instance honours it); wrong passwords lock the account before any
//! further check; each account sees and opens the terminals of its regions only (district ⊂
//! city ⊂ province), with their live state; and every login, refusal and view is in the
//! audit that admins (only) read.

mod common;

use common::{Pilot, Terminal, https_client, signed};
use kiosk_registry::store::platforms::Platform;
use provisioning::protocol::{Heartbeat, PaperLevel, paths};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "a-long-password";
/// Two districts of one city (长春市南关区, 朝阳区) and the city's own centre.
const DISTRICT: &str = "220104";
const OTHER_DISTRICT: &str = "220102";

struct Console {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

impl Console {
    fn new(pilot: &Pilot) -> Self {
        Self::at(pilot, &pilot.url())
    }

    fn at(pilot: &Pilot, base: &str) -> Self {
        Self {
            http: https_client(pilot),
            base: base.to_string(),
            cookie: None,
        }
    }

    async fn login(&mut self, user: &str, password: &str) -> reqwest::Response {
        let response = self
            .http
            .post(format!("{}/v1/ops/login", self.base))
            .json(&json!({ "username": user, "password": password }))
            .send()
            .await
            .unwrap();
        if let Some(set) = response.headers().get("set-cookie") {
            let set = set.to_str().unwrap().to_string();
            self.cookie = Some(set.split(';').next().unwrap().to_string());
        }
        response
    }

    async fn post(&self, path: &str) -> (StatusCode, Value) {
        self.post_json(path, Value::Null).await
    }

    async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let mut request = self.http.post(format!("{}{path}", self.base));
        if !body.is_null() {
            request = request.json(&body);
        }
        if let Some(c) = &self.cookie {
            request = request.header("cookie", c);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            request = request.header("cookie", c);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn add_operator(pilot: &Pilot, name: &str, role: &str, regions: &[&str]) {
    let mut args = vec!["operator", "add", name, "--role", role, "--region"];
    args.extend_from_slice(regions);
    let out = pilot.admin(&args, &format!("{PASSWORD}\n"));
    assert!(out.contains(&format!("operator {name} saved")), "{out}");
}

/// Polls once as the terminal, reporting `heartbeat`.
async fn poll(pilot: &Pilot, t: &Terminal, heartbeat: &Heartbeat) {
    let body = serde_json::to_vec(heartbeat).unwrap();
    let http = https_client(pilot);
    let device = t.device_id();
    let response = signed(
        &http,
        pilot,
        &t.identity,
        &device,
        reqwest::Method::POST,
        paths::POLL,
        body,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
}

/// A terminal enrolled at a platform of `region`, which has polled once with `heartbeat`.
async fn terminal_in(pilot: &Pilot, platform: &str, region: &str, heartbeat: Heartbeat) -> String {
    terminal_at(pilot, platform, region, heartbeat)
        .await
        .device_id()
}

async fn terminal_at(
    pilot: &Pilot,
    platform: &str,
    region: &str,
    heartbeat: Heartbeat,
) -> Terminal {
    pilot
        .store()
        .platform_upsert(&Platform {
            id: platform.into(),
            name: format!("{platform} 公共法律服务工作站"),
            region: region.into(),
            address: String::new(),
        })
        .unwrap();
    let mut t = Terminal::new();
    t.enrol(pilot, &pilot.code(platform)).await.unwrap();
    poll(pilot, &t, &heartbeat).await;
    t
}

fn device_ids(fleet: &Value) -> Vec<String> {
    let mut ids: Vec<String> = fleet["terminals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["device_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_sets_a_strict_cookie_that_every_instance_honours_until_logout() {
    let mut pilot = Pilot::new();
    add_operator(&pilot, "zhang", "operator", &[DISTRICT]);
    pilot.start();
    let mut console = Console::new(&pilot);

    assert_eq!(console.get("/v1/ops/me").await.0, StatusCode::UNAUTHORIZED);
    let wrong = console.login("zhang", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let unknown = console.login("nobody", PASSWORD).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);

    let ok = console.login("zhang", PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in [
        "kiosk_operator=",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing in {cookie}"
        );
    }
    let me = console.get("/v1/ops/me").await;
    assert_eq!(me.0, StatusCode::OK);
    assert_eq!(me.1["role"], "operator");
    assert_eq!(me.1["regions"], json!([DISTRICT]));

    // The session lives in the database: another instance (on PostgreSQL) or a restart
    // (on SQLite) still knows it.
    let mut other = common::on_postgres().then(|| pilot.another_instance());
    let base = match &other {
        Some(instance) => format!("https://127.0.0.1:{}", instance.port),
        None => {
            pilot.kill();
            pilot.start();
            pilot.url()
        }
    };
    let mut elsewhere = Console::at(&pilot, &base);
    elsewhere.cookie = console.cookie.clone();
    wait_until_up(&elsewhere).await;
    assert_eq!(elsewhere.get("/v1/ops/me").await.0, StatusCode::OK);

    let logout = console
        .http
        .post(format!("{}/v1/ops/logout", console.base))
        .header("cookie", console.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert_eq!(console.get("/v1/ops/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        elsewhere.get("/v1/ops/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    if let Some(instance) = other.as_mut() {
        instance.kill();
    }
}

async fn wait_until_up(console: &Console) {
    for _ in 0..100 {
        if console
            .http
            .get(format!("{}/healthz", console.base))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the registry at {} did not come up", console.base);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_lock_the_account_and_disabling_ends_its_sessions() {
    let mut pilot = Pilot::new();
    add_operator(&pilot, "li", "viewer", &[DISTRICT]);
    add_operator(&pilot, "boss", "admin", &["220000"]);
    pilot.start();
    let mut admin = Console::new(&pilot);
    assert_eq!(admin.login("boss", PASSWORD).await.status(), StatusCode::OK);

    let mut guesser = Console::new(&pilot);
    for _ in 0..5 {
        assert_eq!(
            guesser.login("li", "wrong guess 123").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked now: even the right password is not checked.
    let locked = guesser.login("li", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));

    // The audit shows each refused attempt, with where it came from; only admins read it.
    let (status, audit) = admin.get("/v1/ops/audit").await;
    assert_eq!(status, StatusCode::OK);
    let refused = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["username"] == "li" && e["action"] == "login" && e["outcome"] == "refused")
        .count();
    assert_eq!(refused, 6, "{audit}");
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["source"] == "127.0.0.1")
    );

    // Disabling an account ends its sessions at once.
    let mut viewer = Console::new(&pilot);
    add_operator(&pilot, "wu", "viewer", &[DISTRICT]);
    assert_eq!(viewer.login("wu", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(viewer.get("/v1/ops/audit").await.0, StatusCode::FORBIDDEN);
    pilot.admin(&["operator", "disable", "wu"], "");
    assert_eq!(viewer.get("/v1/ops/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_account_sees_and_opens_the_terminals_of_its_regions_only() {
    let mut pilot = Pilot::new();
    add_operator(&pilot, "district", "operator", &[DISTRICT]);
    add_operator(&pilot, "city", "viewer", &["220100"]);
    add_operator(&pilot, "province", "admin", &["220000"]);
    pilot.start();
    let ours = terminal_in(
        &pilot,
        "cc-chaoyang",
        DISTRICT,
        Heartbeat {
            app_version: "1.4.0".into(),
            paper: PaperLevel::Out,
            outbox_depth: 7,
            ..Default::default()
        },
    )
    .await;
    let theirs = terminal_in(&pilot, "cc-nanguan", OTHER_DISTRICT, Heartbeat::default()).await;

    let mut district = Console::new(&pilot);
    assert_eq!(
        district.login("district", PASSWORD).await.status(),
        StatusCode::OK
    );
    let (status, fleet) = district.get("/v1/ops/fleet").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(device_ids(&fleet), vec![ours.clone()]);
    let row = &fleet["terminals"][0];
    assert_eq!(row["state"], "paper_out");
    assert_eq!(row["platform_name"], "cc-chaoyang 公共法律服务工作站");
    assert_eq!(row["heartbeat"]["outbox_depth"], 7);
    assert_eq!(fleet["counts"]["paper_out"], 1);
    assert_eq!(fleet["total"], 1);

    // Not the other district's, whichever way it is asked for.
    let (status, body) = district.get(&format!("/v1/ops/terminals/{theirs}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "forbidden");
    assert!(!body.to_string().contains("cc-nanguan"), "{body}");
    let (status, _) = district
        .get(&format!("/v1/ops/fleet?region={OTHER_DISTRICT}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, detail) = district.get(&format!("/v1/ops/terminals/{ours}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["terminal"]["device_id"], ours);
    assert_eq!(detail["commands"], json!([]));

    // The city sees both districts; filters narrow the list.
    let mut city = Console::new(&pilot);
    assert_eq!(city.login("city", PASSWORD).await.status(), StatusCode::OK);
    let (_, fleet) = city.get("/v1/ops/fleet").await;
    let mut both = vec![ours.clone(), theirs.clone()];
    both.sort();
    assert_eq!(device_ids(&fleet), both);
    let (_, fleet) = city.get("/v1/ops/fleet?state=paper_out").await;
    assert_eq!(device_ids(&fleet), vec![ours.clone()]);
    let (_, fleet) = city.get("/v1/ops/fleet?q=nanguan").await;
    assert_eq!(device_ids(&fleet), vec![theirs.clone()]);
    let (status, _) = city.get("/v1/ops/fleet?sort=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The province's admin sees everything, and the district's refused look in the audit.
    let mut province = Console::new(&pilot);
    assert_eq!(
        province.login("province", PASSWORD).await.status(),
        StatusCode::OK
    );
    let (_, fleet) = province.get("/v1/ops/fleet").await;
    assert_eq!(fleet["total"], 2);
    let (_, audit) = province.get("/v1/ops/audit").await;
    let forbidden: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["username"] == "district" && e["outcome"] == "forbidden")
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(forbidden, vec!["fleet.view", "terminal.view"], "{audit}");
}

#[tokio::test]
async fn a_role_or_region_that_is_not_one_is_refused_by_the_command_line() {
    let pilot = Pilot::new();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kiosk-registry"))
            .arg("--db")
            .arg(pilot.target.arg())
            .args(args)
            .output()
            .unwrap()
    };
    let bad_role = run(&[
        "operator", "add", "x", "--role", "boss", "--region", DISTRICT,
    ]);
    assert!(!bad_role.status.success());
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role"));
    let bad_region = run(&["operator", "add", "x", "--role", "viewer", "--region", "22"]);
    assert!(!bad_region.status.success());
    assert!(String::from_utf8_lossy(&bad_region.stderr).contains("six-digit"));
    assert!(pilot.store().operators().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_out_raises_an_alert_that_is_acknowledged_and_cleared_when_paper_is_back() {
    let mut pilot = Pilot::new();
    add_operator(&pilot, "district", "operator", &[DISTRICT]);
    add_operator(&pilot, "neighbour", "operator", &[OTHER_DISTRICT]);
    add_operator(&pilot, "watcher", "viewer", &["220100"]);
    pilot.start();
    let healthy = Heartbeat {
        paper: PaperLevel::Ok,
        ..Default::default()
    };
    let t = terminal_at(&pilot, "cc-chaoyang", DISTRICT, healthy.clone()).await;
    let mut district = Console::new(&pilot);
    assert_eq!(
        district.login("district", PASSWORD).await.status(),
        StatusCode::OK
    );
    let (_, alerts) = district.get("/v1/ops/alerts").await;
    assert_eq!(alerts["alerts"], json!([]), "{alerts}");

    let out = Heartbeat {
        paper: PaperLevel::Out,
        ..Default::default()
    };
    poll(&pilot, &t, &out).await;
    let (status, alerts) = district.get("/v1/ops/alerts").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(alerts["counts"], json!({ "paper_out": 1 }), "{alerts}");
    assert_eq!(alerts["unacknowledged"], 1);
    let alert = &alerts["alerts"][0];
    assert_eq!(alert["device_id"], t.device_id());
    assert_eq!(alert["region"], DISTRICT);
    let id = alert["id"].as_i64().unwrap();

    // Another district neither sees nor acknowledges it; a viewer may not acknowledge.
    let mut neighbour = Console::new(&pilot);
    assert_eq!(
        neighbour.login("neighbour", PASSWORD).await.status(),
        StatusCode::OK
    );
    let (_, theirs) = neighbour.get("/v1/ops/alerts").await;
    assert_eq!(theirs["alerts"], json!([]));
    let ack = format!("/v1/ops/alerts/{id}/ack");
    assert_eq!(neighbour.post(&ack).await.0, StatusCode::FORBIDDEN);
    let mut watcher = Console::new(&pilot);
    assert_eq!(
        watcher.login("watcher", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(watcher.get("/v1/ops/alerts").await.1["unacknowledged"], 1);
    assert_eq!(watcher.post(&ack).await.0, StatusCode::FORBIDDEN);

    let (status, acked) = district.post(&ack).await;
    assert_eq!(status, StatusCode::OK, "{acked}");
    assert_eq!(acked["acknowledged_by"], "district");
    let (_, alerts) = district.get("/v1/ops/alerts").await;
    assert_eq!(alerts["unacknowledged"], 0);
    assert_eq!(
        alerts["counts"],
        json!({ "paper_out": 1 }),
        "still open until paper is back"
    );

    poll(&pilot, &t, &healthy).await;
    let (_, alerts) = district.get("/v1/ops/alerts").await;
    assert_eq!(alerts["alerts"], json!([]), "{alerts}");
    // The terminal's page has its history: healthy, paper out, healthy again.
    let (_, detail) = district
        .get(&format!("/v1/ops/terminals/{}", t.device_id()))
        .await;
    let papers: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["state"]["paper"].as_str().unwrap())
        .collect();
    assert_eq!(papers, vec!["ok", "out", "ok"], "{detail}");
    let closed = pilot
        .store()
        .sql_text("SELECT cleared_at FROM alerts WHERE id = ?1", &[id.into()]);
    assert!(closed.unwrap()[0].is_some(), "the alert is kept, cleared");
}

fn lock(kind: &str, id: &str, notice: &str) -> Value {
    json!({ "target": { "kind": kind, "id": id }, "action": { "type": "lock", "notice": notice } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platforms_terminals_locked_from_the_console_obey_the_registry_command_key_only() {
    let mut pilot = Pilot::new();
    add_operator(&pilot, "district", "operator", &[DISTRICT]);
    add_operator(&pilot, "watcher", "viewer", &[DISTRICT]);
    pilot.start();
    let command_key = pilot.admin(&["keys", "command-key"], "").trim().to_string();
    assert_ne!(
        command_key, pilot.ops_pub,
        "a key of its own, not the bundle key"
    );
    let pinned = |t: &Terminal| {
        let mut config = pilot.client_config();
        config.command_keys = vec![command_key.clone()];
        t.client_with(config)
    };
    let first = terminal_at(&pilot, "cc-chaoyang", DISTRICT, Heartbeat::default()).await;
    let second = terminal_at(&pilot, "cc-chaoyang", DISTRICT, Heartbeat::default()).await;
    let unpinned = terminal_at(&pilot, "cc-chaoyang-2", DISTRICT, Heartbeat::default()).await;
    let elsewhere = terminal_in(&pilot, "cc-nanguan", OTHER_DISTRICT, Heartbeat::default()).await;

    let mut district = Console::new(&pilot);
    assert_eq!(
        district.login("district", PASSWORD).await.status(),
        StatusCode::OK
    );
    let mut watcher = Console::new(&pilot);
    assert_eq!(
        watcher.login("watcher", PASSWORD).await.status(),
        StatusCode::OK
    );
    let notice = "设备维护中，请到二楼窗口取号";

    // Refused: a viewer, another district's platform or region or terminal, no notice.
    let send = "/v1/ops/commands";
    let refused = [
        (
            &watcher,
            lock("platform", "cc-chaoyang", notice),
            StatusCode::FORBIDDEN,
        ),
        (
            &district,
            lock("platform", "cc-nanguan", notice),
            StatusCode::FORBIDDEN,
        ),
        (
            &district,
            lock("region", OTHER_DISTRICT, notice),
            StatusCode::FORBIDDEN,
        ),
        (
            &district,
            lock("terminal", &elsewhere, notice),
            StatusCode::FORBIDDEN,
        ),
        (
            &district,
            lock("platform", "cc-chaoyang", " "),
            StatusCode::BAD_REQUEST,
        ),
        (
            &district,
            lock("platform", "nowhere", notice),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (console, body, status) in refused {
        let shown = body.to_string();
        assert_eq!(console.post_json(send, body).await.0, status, "{shown}");
    }

    let (status, sent) = district
        .post_json(send, lock("platform", "cc-chaoyang", notice))
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let mut targets: Vec<_> = sent["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["device_id"].as_str().unwrap().to_string())
        .collect();
    targets.sort();
    let mut expected = vec![first.device_id(), second.device_id()];
    expected.sort();
    assert_eq!(
        targets, expected,
        "both terminals of the platform, no other"
    );

    for t in [&first, &second] {
        let report = pinned(t).poll_once().await.unwrap();
        assert_eq!(report.commands.len(), 1, "{report:?}");
        assert_eq!(
            report.commands[0].1,
            provisioning::protocol::CommandState::Succeeded
        );
        assert!(t.store.state("lock").unwrap().unwrap().contains("二楼窗口"));
        // The next heartbeat says so, and the console shows it.
        pinned(t).poll_once().await.unwrap();
        let (_, detail) = district
            .get(&format!("/v1/ops/terminals/{}", t.device_id()))
            .await;
        assert_eq!(detail["terminal"]["heartbeat"]["locked"], true, "{detail}");
        assert_eq!(detail["commands"][0]["state"], "succeeded", "{detail}");
        assert_eq!(detail["commands"][0]["action"], "lock");
    }

    // A terminal that does not pin the command key refuses it (the bundle key still rules).
    let (status, _) = district
        .post_json(send, lock("platform", "cc-chaoyang-2", notice))
        .await;
    assert_eq!(status, StatusCode::OK);
    let report = unpinned.client(&pilot).poll_once().await.unwrap();
    assert_eq!(
        report.commands[0].1,
        provisioning::protocol::CommandState::Rejected
    );
    assert!(unpinned.store.state("lock").unwrap().is_none());

    let (_, fleet) = district.get("/v1/ops/fleet?state=locked").await;
    assert_eq!(fleet["counts"]["locked"], 2, "{fleet}");

    // Logs: asked for from the console, uploaded by the terminal, read on its page.
    let upload = json!({
        "target": { "kind": "terminal", "id": first.device_id() },
        "action": { "type": "upload-logs", "max_bytes": null },
    });
    let (status, sent) = district.post_json(send, upload).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let id = sent["commands"][0]["command_id"]
        .as_str()
        .unwrap()
        .to_string();
    pinned(&first).poll_once().await.unwrap();
    let logs = format!("/v1/ops/terminals/{}/logs/{id}", first.device_id());
    let response = district
        .http
        .get(format!("{}{logs}", district.base))
        .header("cookie", district.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("simulated terminal log")
    );
    let other = format!("/v1/ops/terminals/{elsewhere}/logs/{id}");
    assert_eq!(district.get(&other).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundles_view_counts_the_terminals_of_the_scope_per_version_in_force() {
    use provisioning::bundle::sign::{BundleSpec, sign_bundle};
    let mut pilot = Pilot::new();
    add_operator(&pilot, "district", "viewer", &[DISTRICT]);
    add_operator(&pilot, "city", "viewer", &["220100"]);
    pilot.start();
    let now = chrono::Utc::now();
    let spec = BundleSpec {
        stream: "catalogue".into(),
        version: 2,
        scope: provisioning::scope::Scope::All,
        issued_at: now,
        expires_at: now + chrono::Duration::days(30),
    };
    let bundle = sign_bundle(
        &spec,
        &provisioning::bundle::Payload::default(),
        &pilot.ops_key,
    );
    pilot.store().publish(&bundle).unwrap();
    let mut updated = Heartbeat::default();
    updated.bundles.insert("catalogue".into(), 2);
    terminal_in(&pilot, "cc-chaoyang", DISTRICT, updated).await;
    terminal_in(&pilot, "cc-nanguan", OTHER_DISTRICT, Heartbeat::default()).await;

    let mut city = Console::new(&pilot);
    assert_eq!(city.login("city", PASSWORD).await.status(), StatusCode::OK);
    let (status, bundles) = city.get("/v1/ops/bundles").await;
    assert_eq!(status, StatusCode::OK, "{bundles}");
    assert_eq!(bundles["published"][0]["version"], 2);
    assert_eq!(
        bundles["in_force"],
        json!({ "catalogue": { "0": 1, "2": 1 } })
    );
    assert_eq!(bundles["terminals"], 2);

    let mut district = Console::new(&pilot);
    assert_eq!(
        district.login("district", PASSWORD).await.status(),
        StatusCode::OK
    );
    let (_, bundles) = district.get("/v1/ops/bundles").await;
    assert_eq!(bundles["in_force"], json!({ "catalogue": { "2": 1 } }));
}

/// An MBTiles 1.3 file with one PNG-format tile at XYZ (z, x, y).
fn mbtiles(path: &std::path::Path, (z, x, y): (u32, u32, u32), data: &[u8]) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         INSERT INTO metadata VALUES ('name', '长春'), ('format', 'png'),
           ('center', '125.32,43.88,10'), ('minzoom', '0'), ('maxzoom', '12');",
    )
    .unwrap();
    let row = (1u32 << z) - 1 - y;
    conn.execute(
        "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![z, x, row, data],
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_tiles_come_from_the_centres_mbtiles_file_to_logged_in_operators_only() {
    let mut pilot = Pilot::new();
    let file = pilot.dir.path().join("changchun.mbtiles");
    let png = b"\x89PNG\r\n\x1a\nnot really a picture";
    mbtiles(&file, (3, 6, 2), png);
    pilot.serve_args = vec!["--map-tiles".into(), file.display().to_string()];
    add_operator(&pilot, "district", "viewer", &[DISTRICT]);
    pilot.start();
    let mut console = Console::new(&pilot);
    assert_eq!(
        console.get("/ops/tiles/3/6/2").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        console.login("district", PASSWORD).await.status(),
        StatusCode::OK
    );
    let (_, map) = console.get("/v1/ops/map").await;
    assert_eq!(map["tiles"], true);
    assert_eq!(map["metadata"]["center"], "125.32,43.88,10");
    let response = console
        .http
        .get(format!("{}/ops/tiles/3/6/2", console.base))
        .header("cookie", console.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        png,
        "the TMS row is flipped"
    );
    assert_eq!(
        console.get("/ops/tiles/3/6/5").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        console.get("/ops/tiles/3/99/2").await.0,
        StatusCode::NOT_FOUND
    );
}
