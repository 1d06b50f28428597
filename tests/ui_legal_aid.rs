//! The legal-aid self-check on the headless kiosk: questions one at a time, the number pad,
//! the indication, the printed result, and the pre-application for staff — kept only with
//! the citizen's separate consent, sealed at rest, and deleted once the operations centre
//! acknowledged it. Without consent nothing personal is stored anywhere.

mod common;
mod guidance_support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Kiosk;
use guidance_support::{outbox, portrait, shows_containing, store_idle, type_keys, typed};
use legal_kiosk::store::Store;
use legal_kiosk::sync::KioskSyncStore;
use provisioning::client::store::{CommandOutcome, HealthSnapshot, OutboxStore};
use provisioning::protocol::CommandState;

/// Sample card `resident-zhang` (synthetic).
const NUMBER: &str = "110101198506150019";
const NAME: &str = "张伟";
const ADDRESS: &str = "北京市东城区示例胡同10号";
const PHONE: &str = "13912345678";

fn encodings(text: &str) -> Vec<Vec<u8>> {
    let gb = encoding_rs::GB18030.encode(text).0.into_owned();
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    vec![text.as_bytes().to_vec(), gb, utf16]
}

/// Every place the secrets occur in the files under `dir`.
fn secrets_in_files(dir: &Path, secrets: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                continue;
            } else if kind.is_dir() {
                stack.push(entry.path());
                continue;
            }
            let bytes = std::fs::read(entry.path()).unwrap();
            for secret in secrets {
                for needle in encodings(secret) {
                    if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                        found.push(format!("{secret} in {}", entry.path().display()));
                    }
                }
            }
        }
    }
    found
}

/// With the card on the reader: through the questions to "no means test" as a migrant
/// worker claiming wages.
fn check_as_migrant_worker(kiosk: &Kiosk) {
    kiosk.place_card("resident-zhang", "张*");
    kiosk.tap("法律援助自助评估");
    assert!(kiosk.shows("法律援助：符合条件的，可以免费获得律师帮助。"));
    assert!(kiosk.shows("已按您的身份证填好年龄。"));
    kiosk.tap("开始自测");
    assert!(kiosk.shows("您是不是下面这些情况？"));
    kiosk.tap("都不是");
    assert!(kiosk.shows("您要办的是哪一类事情？"));
    kiosk.tap("讨工资，或要确认劳动关系");
    assert!(kiosk.shows("您是不是下面这些人？"));
    assert!(
        !kiosk.shows("没有固定生活来源的老年人（60岁以上）"),
        "the age from the card leaves out the groups that cannot apply"
    );
    kiosk.tap("进城打工的农民工，讨工资或要工伤赔偿");
    assert!(kiosk.shows("不用审查经济条件"), "the indication");
    assert!(
        kiosk.shows("取号：法律援助"),
        "the result offers a ticket for legal aid"
    );
}

fn sealed_rows(kiosk: &Kiosk) -> i64 {
    kiosk.query(|c| {
        c.query_row("SELECT COUNT(*) FROM outbox_sealed", [], |r| r.get(0))
            .unwrap()
    })
}

#[test]
fn without_consent_the_result_is_recorded_anonymously_and_nothing_personal_is_kept() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    check_as_migrant_worker(&kiosk);
    kiosk.tap("打印结果");
    kiosk.settle("the result printed", |k| k.shows("请取走下方打印的结果。"));
    let job = kiosk
        .printer()
        .wait_for_jobs(1, Duration::from_secs(5))
        .into_iter()
        .next()
        .unwrap();
    let text = job.to_text();
    assert!(text.contains("法律援助自测"), "{text}");
    assert!(text.contains("不用审查经济条件"), "{text}");

    kiosk.tap("请工作人员帮我准备申请");
    assert!(kiosk.shows("您同意本机为法律援助机构保存您的信息吗？"));
    assert!(kiosk.shows("同意") && kiosk.shows("不同意"));
    kiosk.tap("不同意");
    assert!(kiosk.shows("不用审查经济条件"), "back to the result");
    kiosk.tap("结束办理");
    assert!(!kiosk.kiosk.controller.has_identity());

    store_idle(&kiosk);
    let checks = outbox(&kiosk, "legal_aid.checked");
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0]["indication"], "no-means-test");
    assert_eq!(checks[0]["decided_by"], "migrant-worker");
    assert_eq!(checks[0]["has_pre_application"], false);
    assert!(checks[0].get("pre_application").is_none());
    assert!(outbox(&kiosk, "legal_aid.pre_application").is_empty());
    assert_eq!(sealed_rows(&kiosk), 0);

    let mut found = secrets_in_files(kiosk.data_dir.path(), &[NUMBER, NAME, ADDRESS]);
    let logs = common::captured_logs();
    assert!(logs.len() > 200, "the logs were captured");
    for secret in [NUMBER, NAME, ADDRESS] {
        if logs.windows(secret.len()).any(|w| w == secret.as_bytes()) {
            found.push(format!("{secret} in the logs"));
        }
    }
    for secret in [NUMBER, NAME] {
        for needle in encodings(secret) {
            if job
                .raw
                .windows(needle.len())
                .any(|w| w == needle.as_slice())
            {
                found.push(format!("{secret} on paper"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "personal data kept:\n{}",
        found.join("\n")
    );
}

#[test]
fn with_consent_the_pre_application_is_sealed_delivered_and_deleted_once_acknowledged() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    check_as_migrant_worker(&kiosk);
    kiosk.tap("请工作人员帮我准备申请");
    kiosk.tap("同意");
    assert!(kiosk.shows("留个电话，方便工作人员联系您？"));
    type_keys(&kiosk, "123");
    kiosk.tap("确定");
    assert!(
        kiosk.shows("这个电话号码好像不对，请核对，也可以不留。"),
        "too short for a telephone number"
    );
    kiosk.tap("清空");
    type_keys(&kiosk, PHONE);
    assert_eq!(typed(&kiosk), PHONE);
    kiosk.tap("确定");
    kiosk.settle("stored", |k| k.shows("您的信息已交给法律援助工作人员。"));
    assert_eq!(typed(&kiosk), "", "the number left the screen");
    kiosk.tap("完成");
    assert!(kiosk.shows("张*，您好"), "the card is still on the reader");
    kiosk.tap("结束办理");

    // At rest: an anonymous stub in the outbox, the rest encrypted beside it.
    let stubs = outbox(&kiosk, "legal_aid.pre_application");
    assert_eq!(stubs.len(), 1);
    assert_eq!(stubs[0]["sealed"], true);
    assert_eq!(sealed_rows(&kiosk), 1);
    let found = secrets_in_files(kiosk.data_dir.path(), &[NUMBER, NAME, PHONE, ADDRESS]);
    assert!(
        found.is_empty(),
        "personal data in plain text:\n{}",
        found.join("\n")
    );

    // Delivery: the sync client opens the sealed payload for the operations centre.
    let db = Store::path_in(kiosk.data_dir.path());
    let sync = KioskSyncStore::open(
        &db,
        Arc::new(Mutex::new(HealthSnapshot::default())),
        |_| {},
        |_| CommandOutcome {
            state: CommandState::Succeeded,
            detail: None,
            logs: None,
        },
    )
    .unwrap();
    let batch = sync.pending_batch(100).unwrap();
    let event = batch
        .iter()
        .find(|e| e.kind == "legal_aid.pre_application")
        .expect("the pre-application is owed to the centre");
    let pre = &event.payload["pre_application"];
    assert_eq!(pre["applicant"]["name"], NAME);
    assert_eq!(pre["applicant"]["id_number"], NUMBER);
    assert_eq!(pre["applicant"]["phone"], PHONE);
    assert_eq!(pre["decided_by"], "migrant-worker");
    assert_eq!(
        pre["consent"]["text_version"],
        "legal-aid-pre-application/1"
    );
    assert_eq!(event.payload["has_pre_application"], true);
    let anonymous = batch
        .iter()
        .find(|e| e.kind == "legal_aid.checked")
        .expect("the anonymous result too");
    assert_eq!(
        anonymous.payload["check_id"], event.payload["check_id"],
        "both refer to the same check"
    );

    // Acknowledged: gone from the terminal.
    sync.acknowledge(&[event.seq]).unwrap();
    assert_eq!(sealed_rows(&kiosk), 0);
    assert!(outbox(&kiosk, "legal_aid.pre_application").is_empty());
}

#[test]
fn numbers_are_typed_on_the_pad_with_their_range_checked_and_unknown_allowed() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    kiosk.tap("法律援助自助评估");
    assert!(!kiosk.shows("已按您的身份证填好年龄。"), "no card, no age");
    kiosk.tap("开始自测");
    kiosk.tap("都不是");
    kiosk.tap("要赡养费、抚养费、扶养费");
    kiosk.tap("都不是");
    kiosk.tap("不是 / 不清楚");
    assert!(kiosk.shows("您家一共几口人一起生活？"));
    kiosk.tap("0");
    kiosk.tap("确定");
    assert!(kiosk.shows("请输入 1 到 30 之间的数。"));
    kiosk.tap("删除");
    type_keys(&kiosk, "3");
    kiosk.tap("确定");
    assert!(kiosk.shows("您家每个月一共大约收入多少钱？"));
    kiosk.tap("返回");
    assert!(kiosk.shows("您家一共几口人一起生活？"), "back one question");
    type_keys(&kiosk, "3");
    kiosk.tap("确定");
    kiosk.tap("不清楚");
    assert!(kiosk.shows("可能不符合条件，请工作人员帮您看看"));
    assert!(shows_containing(
        &kiosk,
        "家里收入说不清楚没关系，工作人员会帮您一起算。"
    ));
    assert!(
        kiosk.shows("这只是初步参考，不是审批决定。能不能获得法律援助，以法律援助机构审查为准。")
    );
    assert!(
        !kiosk.find("请工作人员帮我准备申请").is_empty(),
        "the offer is there"
    );
    let offer = &kiosk.find("请工作人员帮我准备申请")[0];
    assert_eq!(
        offer.accessible_enabled(),
        Some(false),
        "no pre-application without an ID card read in this session"
    );
    store_idle(&kiosk);
    let checks = outbox(&kiosk, "legal_aid.checked");
    assert_eq!(checks.len(), 1);
    let text = checks[0].to_string();
    assert!(
        !text.contains("household") && !text.contains("\"3\""),
        "the anonymous event holds no answers about the household: {text}"
    );
}
