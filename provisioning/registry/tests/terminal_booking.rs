//! Booking at the terminal (issue 20), on the real registry (127.0.0.1, SQLite or
//! PostgreSQL with `scripts/with-postgres.sh`): an enrolled terminal lists its own
//! platform's free slots and books one with the masked name, the keyed hash and a phone
//! (never the name or the number); the booking is recorded under the channel
//! `terminal:<device id>`; a full slot, a past time, a second booking the same day and
//! another platform's service are refused with their stable codes; an unsigned request is
//! refused.

mod common;

use common::{OTHER_PLATFORM, PLATFORM, Pilot, Terminal, https_client, signed};
use provisioning::booking::{BOOK_PATH, SLOTS_PATH};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SERVICE: &str = "legal-consultation";
const ELSEWHERE: &str = "notary";

fn local_day(days: i64) -> String {
    let local = chrono::Utc::now() + chrono::Duration::hours(8) + chrono::Duration::days(days);
    local.format("%Y-%m-%d").to_string()
}

fn schedule(pilot: &Pilot, platform: &str, service: &str) {
    pilot.admin(
        &[
            "schedule",
            "set",
            "--platform",
            platform,
            "--service",
            service,
            "--capacity",
            "1",
            "--days",
            "1-7",
            "--opens",
            "08:00",
            "--closes",
            "20:00",
        ],
        "",
    );
}

/// The keyed hash a terminal of the region computes from the card.
fn hash_of(pilot: &Pilot, id_number: &str) -> String {
    let store = pilot.store();
    let key = kiosk_registry::store::wait(|| store.region_key("330106")).unwrap();
    kiosk_registry::appointments::id_hash(&key, id_number)
}

async fn post(pilot: &Pilot, t: &Terminal, path: &str, body: Value) -> (StatusCode, Value) {
    let http = https_client(pilot);
    let response = signed(
        &http,
        pilot,
        &t.identity,
        &t.device_id(),
        reqwest::Method::POST,
        path,
        serde_json::to_vec(&body).unwrap(),
    )
    .send()
    .await
    .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn booking(start: &str, id_hash: &str) -> Value {
    json!({
        "service": SERVICE, "start": start, "masked_name": "欧阳**",
        "id_hash": id_hash, "phone": "13912345678"
    })
}

#[tokio::test]
async fn a_terminal_books_at_its_own_platform_with_clear_refusals() {
    let mut pilot = Pilot::new();
    schedule(&pilot, PLATFORM, SERVICE);
    schedule(&pilot, OTHER_PLATFORM, ELSEWHERE);
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let tomorrow = local_day(1);
    let first = format!("{tomorrow}T10:00");
    let (alice, bob) = (
        hash_of(&pilot, "11010519491231002X"),
        hash_of(&pilot, "110105194912310021"),
    );

    // The slots of its own platform only, a week of days, every slot free tomorrow.
    let (status, slots) = post(&pilot, &t, SLOTS_PATH, json!({ "days": 7 })).await;
    assert_eq!(status, StatusCode::OK, "{slots}");
    assert_eq!(slots["platform_id"], PLATFORM);
    let services = slots["services"].as_array().unwrap();
    assert_eq!(services.len(), 1, "only this platform's services: {slots}");
    assert_eq!(services[0]["service_id"], SERVICE);
    let days = services[0]["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[1]["day"], tomorrow.as_str());
    let ten = days[1]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == first.as_str())
        .unwrap();
    assert_eq!(ten["free"], 1);

    // Booked under the terminal's channel, with the masked name; no name or number sent.
    let (status, booked) = post(&pilot, &t, BOOK_PATH, booking(&first, &alice)).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(booked["platform_id"], PLATFORM);
    assert_eq!(booked["start"], first.as_str());
    let code = booked["code"].as_str().unwrap().to_string();
    let store = pilot.store();
    let kept = kiosk_registry::store::wait(|| store.booking(&code))
        .unwrap()
        .unwrap();
    assert_eq!(kept.channel, format!("terminal:{}", t.device_id()));
    assert_eq!(kept.masked_name, "欧阳**");
    assert_eq!(kept.status, "booked");

    // The slot is now full, for the slots answer and for the next citizen.
    let (_, slots) = post(
        &pilot,
        &t,
        SLOTS_PATH,
        json!({ "service": SERVICE, "from": tomorrow, "days": 1 }),
    )
    .await;
    let ten = &slots["services"][0]["days"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == first.as_str())
        .cloned()
        .unwrap();
    assert_eq!(ten["free"], 0);
    let (status, refused) = post(&pilot, &t, BOOK_PATH, booking(&first, &bob)).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::CONFLICT, Some("slot_full")),
        "{refused}"
    );

    // One booking per person, service and day.
    let (status, refused) = post(
        &pilot,
        &t,
        BOOK_PATH,
        booking(&format!("{tomorrow}T10:30"), &alice),
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_booking")),
        "{refused}"
    );

    // A past time.
    let (status, refused) = post(
        &pilot,
        &t,
        BOOK_PATH,
        booking(&format!("{}T10:00", local_day(-1)), &bob),
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("past_time")),
        "{refused}"
    );

    // Another platform's service is not this terminal's to book, and a platform in the
    // body is refused outright.
    let mut elsewhere = booking(&format!("{tomorrow}T11:00"), &bob);
    elsewhere["service"] = json!(ELSEWHERE);
    let (status, refused) = post(&pilot, &t, BOOK_PATH, elsewhere.clone()).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_service")),
        "{refused}"
    );
    elsewhere["service"] = json!(SERVICE);
    elsewhere["platform"] = json!(OTHER_PLATFORM);
    let (status, refused) = post(&pilot, &t, BOOK_PATH, elsewhere).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");

    // An ID number instead of its hash is refused and not kept.
    let (status, refused) = post(
        &pilot,
        &t,
        BOOK_PATH,
        booking(&format!("{tomorrow}T12:00"), "110105194912310021"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");

    // Unsigned.
    let response = https_client(&pilot)
        .post(format!("{}{BOOK_PATH}", pilot.url()))
        .json(&booking(&format!("{tomorrow}T12:00"), &bob))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = https_client(&pilot)
        .post(format!("{}{SLOTS_PATH}", pilot.url()))
        .json(&json!({ "days": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Only the first booking was made.
    let bookings = kiosk_registry::store::wait(|| store.bookings_on(PLATFORM, &tomorrow)).unwrap();
    assert_eq!(bookings.len(), 1, "{bookings:?}");
}
