//! The directory of platforms and institutions in the operations console, on the real
//! registry (SQLite or PostgreSQL): an admin imports a CSV file whole; a file with wrong
//! columns, bad coordinates, duplicate ids or lines outside the admin's regions is refused
//! with a report of each bad line and nothing of it is stored; exports give back the same
//! file; each account reads its own regions only.

mod common;

use common::{Pilot, https_client};
use reqwest::StatusCode;
use serde_json::Value;

const PASSWORD: &str = "a-long-password";
const HEADER: &str = "id,name,level,region,address,lat,lon,phone,hours,services\n";

struct Operator {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Operator {
    async fn login(pilot: &Pilot, name: &str, role: &str, region: &str) -> Self {
        pilot.admin(
            &["operator", "add", name, "--role", role, "--region", region],
            &format!("{PASSWORD}\n"),
        );
        let http = https_client(pilot);
        let response = http
            .post(format!("{}/v1/ops/login", pilot.url()))
            .json(&serde_json::json!({ "username": name, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();
        Self {
            http,
            base: pilot.url(),
            cookie,
        }
    }

    async fn import(&self, kind: &str, csv: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/v1/ops/directory/{kind}/csv", self.base))
            .header("cookie", &self.cookie)
            .header("content-type", "text/csv")
            .body(csv.to_string())
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Sends a form (`POST` to add, `PUT` to change).
    async fn send(&self, method: reqwest::Method, path: &str, form: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .json(&form)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn list(&self, kind: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/v1/ops/directory/{kind}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    async fn ids(&self, kind: &str) -> Vec<String> {
        let (status, body) = self.get(&format!("/v1/ops/directory/{kind}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list: Vec<Value> = serde_json::from_str(&body).unwrap();
        list.iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_import_is_whole_or_refused_line_by_line_and_each_account_reads_its_regions() {
    let mut pilot = Pilot::new();
    pilot.start();
    let admin = Operator::login(&pilot, "city", "admin", "220100").await;
    let before = admin.ids("platforms").await;

    let good = format!(
        "{HEADER}cc-chaoyang,朝阳区公共法律服务中心,县区,220104,长春市朝阳区人民大街 1 号,43.8868,125.3245,0431-12348,周一至周五 9:00-17:00,法律咨询;人民调解\n\
         cc-nanguan,南关区公共法律服务中心,县区,220102,,,,0431-12348,,法律咨询\n"
    );
    let (status, answer) = admin.import("platforms", &good).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["imported"], 2);
    assert_eq!(
        admin.ids("platforms").await,
        vec!["cc-chaoyang", "cc-nanguan"]
    );
    let (status, exported) = admin.get("/v1/ops/directory/platforms/csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        exported,
        good.replace("         ", ""),
        "the export is the import"
    );

    // Bad lines: each reported with its number, and the good line beside them not stored.
    let bad = format!(
        "{HEADER}cc-kuancheng,宽城区公共法律服务中心,县区,220103,,,,,,\n\
         cc-erdao,二道区公共法律服务中心,县区,220105,,95.1,125.3,,,\n\
         cc-chaoyang,重复,县区,220104,,,,,,\n\
         cc-chaoyang,再重复,县区,220104,,,,,,\n\
         cc-lvyuan,绿园区,县区\n"
    );
    let (status, answer) = admin.import("platforms", &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("nothing was imported"), "{message}");
    assert!(message.contains("line 3: lat \"95.1\""), "{message}");
    assert!(
        message.contains("line 5: id cc-chaoyang already on line 4"),
        "{message}"
    );
    assert!(message.contains("line 6: 3 columns"), "{message}");
    assert!(!message.contains("line 2"), "{message}");
    assert_eq!(
        admin.ids("platforms").await,
        vec!["cc-chaoyang", "cc-nanguan"]
    );

    let (status, answer) = admin
        .import("platforms", "id,name,region\ncc-x,X,220104\n")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("line 1: the header must be")
    );

    // A line outside the admin's city is refused, and with it the whole file.
    let elsewhere = format!(
        "{HEADER}cc-kuancheng,宽城区公共法律服务中心,县区,220103,,,,,,\njl-jilin,吉林市公共法律服务中心,市,220200,,,,,,\n"
    );
    let (status, answer) = admin.import("platforms", &elsewhere).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("line 3: region 220200 is outside")
    );
    assert_eq!(
        admin.ids("platforms").await,
        vec!["cc-chaoyang", "cc-nanguan"]
    );

    // Institutions the same way.
    let institutions = format!(
        "{HEADER}lf-001,吉林某某律师事务所,县区,220104,长春市朝阳区,,,0431-8888888,,刑事辩护;劳动争议\n"
    );
    assert_eq!(
        admin.import("institutions", &institutions).await.0,
        StatusCode::OK
    );
    assert_eq!(admin.ids("institutions").await, vec!["lf-001"]);

    // A district reads its own district; a viewer may not import.
    let district = Operator::login(&pilot, "district", "viewer", "220104").await;
    assert_eq!(district.ids("platforms").await, vec!["cc-chaoyang"]);
    let mine = format!("{HEADER}cc-chaoyang,朝阳区,县区,220104,,,,,,\n");
    assert_eq!(
        district.import("platforms", &mine).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        district.get("/v1/ops/directory/nonsense").await.0,
        StatusCode::NOT_FOUND
    );
    // The pilot's own platforms elsewhere in the country stay as they were.
    assert!(before.iter().all(|id| !id.starts_with("cc-")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_entry_is_added_and_changed_by_form_with_a_csv_rows_checks_in_the_accounts_region() {
    use reqwest::Method;
    let mut pilot = Pilot::new();
    pilot.start();
    let admin = Operator::login(&pilot, "city", "admin", "220100").await;
    let district = Operator::login(&pilot, "chaoyang", "operator", "220104").await;
    let other = Operator::login(&pilot, "nanguan", "operator", "220102").await;
    let viewer = Operator::login(&pilot, "watcher", "viewer", "220104").await;
    let add = "/v1/ops/directory/institutions";
    let form = serde_json::json!({
        "id": "lf-100", "name": "吉林某某律师事务所", "level": "县区", "region": "220104",
        "address": "长春市朝阳区人民大街 1 号", "lat": "43.8868", "lon": 125.3245,
        "phone": "0431-8888888", "hours": "周一至周五 9:00-17:00", "services": "刑事辩护;劳动争议"
    });

    // A district operator adds one institution of its district; it is listed as entered.
    let (status, added) = district.send(Method::POST, add, form.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let listed = district.list("institutions").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "吉林某某律师事务所");
    assert_eq!(listed[0]["lat"], 43.8868);
    assert_eq!(listed[0]["lon"], 125.3245);

    // A bad field is named, with the CSV import's words, and nothing is stored.
    for (name, value, words) in [
        (
            "lat",
            "95.1",
            "lat \"95.1\" is not a number between 3 and 54",
        ),
        ("level", "省", "level \"省\" is not one of"),
        ("region", "22", "not a six-digit division code"),
        ("name", "", "name is empty"),
    ] {
        let mut bad = form.clone();
        bad["id"] = "lf-101".into();
        bad[name] = value.into();
        let (status, answer) = district.send(Method::POST, add, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["field"], name, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(words),
            "{answer}"
        );
    }
    let (status, answer) = district.send(Method::POST, add, form.clone()).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id"))
    );
    assert_eq!(district.ids("institutions").await, vec!["lf-100"]);

    // A change: the new details are listed; a bad one changes nothing.
    let one = "/v1/ops/directory/institutions/entries/lf-100";
    let mut changed = form.clone();
    changed["name"] = "吉林某某律师事务所（朝阳分所）".into();
    changed["lat"] = Value::Null;
    changed["lon"] = Value::Null;
    let (status, answer) = district.send(Method::PUT, one, changed.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mut bad = changed.clone();
    bad["phone"] = "9".repeat(501).into();
    bad["name"] = "不应保存".into();
    let (status, answer) = district.send(Method::PUT, one, bad).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("phone"))
    );
    let listed = district.list("institutions").await;
    assert_eq!(listed[0]["name"], "吉林某某律师事务所（朝阳分所）");
    assert_eq!(listed[0]["lat"], Value::Null);

    // Another district's operator, a viewer, and a move out of the district are refused.
    let (status, _) = other.send(Method::PUT, one, changed.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut theirs = form.clone();
    theirs["id"] = "lf-102".into();
    assert_eq!(
        other.send(Method::POST, add, theirs.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer.send(Method::POST, add, theirs.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let mut moved = changed.clone();
    moved["region"] = "220102".into();
    assert_eq!(
        district.send(Method::PUT, one, moved).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other
            .send(
                Method::PUT,
                "/v1/ops/directory/institutions/entries/nobody",
                changed
            )
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(admin.ids("institutions").await, vec!["lf-100"]);
    assert_eq!(admin.list("institutions").await[0]["region"], "220104");

    // Platforms the same way; the city's admin adds one in a district of the city.
    let mut platform = form.clone();
    platform["id"] = "cc-kuancheng".into();
    platform["name"] = "宽城区公共法律服务中心".into();
    platform["region"] = "220103".into();
    let (status, answer) = admin
        .send(Method::POST, "/v1/ops/directory/platforms", platform)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert!(
        admin
            .ids("platforms")
            .await
            .contains(&"cc-kuancheng".to_string())
    );

    // The audit holds each change and each refusal, with who tried.
    let (status, audit) = admin.get("/v1/ops/audit").await;
    assert_eq!(status, StatusCode::OK);
    let audit: Vec<Value> = serde_json::from_str(&audit).unwrap();
    let count = |user: &str, action: &str, outcome: &str| {
        audit
            .iter()
            .filter(|e| e["username"] == user && e["action"] == action && e["outcome"] == outcome)
            .count()
    };
    assert_eq!(count("chaoyang", "directory.add.institutions", "ok"), 1);
    assert_eq!(count("chaoyang", "directory.edit.institutions", "ok"), 1);
    assert_eq!(
        count("chaoyang", "directory.edit.institutions", "forbidden"),
        1
    );
    assert_eq!(
        count("nanguan", "directory.edit.institutions", "forbidden"),
        1
    );
    assert_eq!(
        count("nanguan", "directory.add.institutions", "forbidden"),
        1
    );
    assert_eq!(
        count("watcher", "directory.add.institutions", "forbidden"),
        1
    );
    assert_eq!(count("city", "directory.add.platforms", "ok"), 1);
}
