//! The legal-aid self-check on the headless kiosk: questions one at a time, the number pad,
//! the indication, the printed result, and the pre-application for staff — kept only with
//! the citizen's separate consent, sealed at rest, sealed again at delivery to the legal-aid
//! centre of the terminal's region (so the registry, its files, exports and logs never hold
//! it in clear), and deleted from the terminal once acknowledged. Without consent nothing
//! personal is stored anywhere; without a centre's key the application waits on the terminal.

mod common;
mod guidance_support;

use std::path::Path;
use std::time::{Duration, Instant};

use common::Kiosk;
use common::registry::{Registry, enrolled_in_the_menu};
use guidance_support::{outbox, portrait, shows_containing, store_idle, type_keys, typed};
use legal_kiosk::store::Store;
use legal_kiosk::sync::KioskSyncStore;
use provisioning::client::store::OutboxStore;

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
    kiosk.tap("讨工资（要回干活该得的工资）");
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
    assert!(!kiosk.kiosk.ui.has_identity());

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

/// On the result screen with the card read: 请工作人员帮我准备申请, 同意, the telephone
/// number (a wrong one first), 确定.
fn consent_and_leave_a_phone_number(kiosk: &Kiosk) {
    kiosk.tap("请工作人员帮我准备申请");
    kiosk.tap("同意");
    assert!(kiosk.shows("留个电话，方便工作人员联系您？"));
    type_keys(kiosk, "123");
    kiosk.tap("确定");
    assert!(
        kiosk.shows("这个电话号码好像不对，请核对，也可以不留。"),
        "too short for a telephone number"
    );
    kiosk.tap("清空");
    type_keys(kiosk, PHONE);
    assert_eq!(typed(kiosk), PHONE);
    kiosk.tap("确定");
}

fn sync_store(kiosk: &Kiosk) -> KioskSyncStore {
    KioskSyncStore::open(
        &Store::path_in(kiosk.data_dir.path()),
        legal_kiosk::sync::KioskHealth::default(),
        |_| {},
        None,
    )
    .unwrap()
}

#[test]
fn without_a_legal_aid_centres_key_the_pre_application_is_sealed_and_held_on_the_terminal() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    check_as_migrant_worker(&kiosk);
    consent_and_leave_a_phone_number(&kiosk);
    // Not enrolled, no centre's key: the citizen is told plainly where their details are.
    kiosk.settle("stored", |k| k.shows("您的信息已加密保存在本机。"));
    assert!(kiosk.shows(
        "本地法律援助机构暂时还不能在网上接收申请，能接收后会自动发送。事情急的话，请取号到窗口申请。"
    ));
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

    // Delivery goes on without it: the anonymous result leaves, the application stays, and
    // the operations centre is told why in the heartbeat.
    let sync = sync_store(&kiosk);
    let batch = sync.pending_batch(100).unwrap();
    assert!(
        batch.iter().all(|e| e.kind != "legal_aid.pre_application"),
        "held: {batch:?}"
    );
    assert!(batch.iter().any(|e| e.kind == "legal_aid.checked"));
    let seqs: Vec<i64> = batch.iter().map(|e| e.seq).collect();
    sync.acknowledge(&seqs).unwrap();
    assert_eq!(sealed_rows(&kiosk), 1, "still on the terminal");
    use provisioning::client::store::HealthSource as _;
    let reported = sync.snapshot().last_error.unwrap_or_default();
    assert!(
        reported.contains("1 legal-aid pre-application(s) held"),
        "{reported}"
    );
}

#[test]
fn a_pre_application_reaches_the_legal_aid_centre_sealed_and_the_registry_never_holds_it_in_clear()
{
    use kiosk_registry::admin::legal_aid;
    let registry = Registry::start();
    // The city's legal-aid centre makes its key; the operations centre publishes the public
    // half for the terminals.
    let centre_dir = tempfile::tempdir().unwrap();
    let key_file = centre_dir.path().join("changchun-legal-aid.key");
    let recipient = legal_aid::keygen(&key_file, "220100", "长春市法律援助中心").unwrap();
    registry
        .sqlite()
        .with(|c| kiosk_registry::store::legal_aid::add_recipient(c, &recipient))
        .unwrap();
    legal_aid::publish(
        &registry.store(),
        1,
        chrono::Duration::days(30),
        &registry.ops_key,
    )
    .unwrap();

    let kiosk = enrolled_in_the_menu(&registry);
    let mut asked = Instant::now() - Duration::from_secs(10);
    let mut sync_soon = |k: &Kiosk| {
        if asked.elapsed() > Duration::from_millis(500) {
            k.kiosk.sync.sync_now();
            asked = Instant::now();
        }
    };
    kiosk.settle("the centres' keys in force", |k| {
        sync_soon(k);
        k.query(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM bundle_files WHERE stream = 'legal-aid-recipients'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
        }) == 1
    });
    check_as_migrant_worker(&kiosk);
    consent_and_leave_a_phone_number(&kiosk);
    kiosk.settle("stored", |k| k.shows("您的信息已交给法律援助工作人员。"));
    kiosk.tap("完成");
    kiosk.tap("结束办理");

    let received = |registry: &Registry| {
        legal_aid::list(&registry.store(), None)
            .unwrap()
            .into_iter()
            .filter(|a| a.state == "sealed")
            .count()
    };
    kiosk.settle("delivered and acknowledged", |k| {
        sync_soon(k);
        received(&registry) == 1 && sealed_rows(k) == 0
    });
    assert!(outbox(&kiosk, "legal_aid.pre_application").is_empty());

    // The registry: its database, WAL, an export of every event and every log line of this
    // process (registry and kiosk) hold none of it.
    let export = registry.dir.path().join("events.csv");
    {
        let file = std::fs::File::create(&export).unwrap();
        let mut writer = kiosk_registry::admin::report::events_csv(file);
        let n = registry
            .sqlite()
            .with(|c| {
                kiosk_registry::store::events::export(c, &Default::default(), |row| {
                    kiosk_registry::admin::report::write_event(&mut writer, &row).unwrap();
                    Ok(())
                })
            })
            .unwrap();
        assert!(n >= 2, "the anonymous result and the sealed application");
        writer.flush().unwrap();
    }
    let exported = std::fs::read_to_string(&export).unwrap();
    assert!(exported.contains("legal_aid.pre_application"), "{exported}");
    assert!(
        registry.db.with_extension("db-wal").exists(),
        "the WAL is part of the scan"
    );
    let mut found = secrets_in_files(registry.dir.path(), &[NUMBER, NAME, PHONE, ADDRESS]);
    found.extend(secrets_in_files(
        kiosk.data_dir.path(),
        &[NUMBER, NAME, PHONE, ADDRESS],
    ));
    let logs = common::captured_logs();
    for secret in [NUMBER, NAME, PHONE, ADDRESS] {
        if logs.windows(secret.len()).any(|w| w == secret.as_bytes()) {
            found.push(format!("{secret} in the logs"));
        }
    }
    assert!(
        found.is_empty(),
        "personal data in clear:\n{}",
        found.join("\n")
    );

    // The centre opens it with its private key.
    let key = provisioning::sealing::RecipientSecret::read(&key_file).unwrap();
    let opened = legal_aid::open(&registry.store(), &key, &[]).unwrap();
    assert_eq!(opened.len(), 1);
    let pre = &opened[0].application["pre_application"];
    assert_eq!(pre["applicant"]["name"], NAME);
    assert_eq!(pre["applicant"]["id_number"], NUMBER);
    assert_eq!(pre["applicant"]["phone"], PHONE);
    assert_eq!(pre["decided_by"], "migrant-worker");
    assert_eq!(
        pre["consent"]["text_version"],
        "legal-aid-pre-application/1"
    );
    assert_eq!(opened[0].region, "220104", "the terminal's district");

    // Handled: the ciphertext is gone, the routing fields stay.
    legal_aid::handled(&registry.store(), &[opened[0].id]).unwrap();
    assert!(
        legal_aid::open(&registry.store(), &key, &[])
            .unwrap()
            .is_empty()
    );
    let listed = legal_aid::list(&registry.store(), Some("220000")).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, "deleted");
    assert!(listed[0].detail.starts_with("handled"), "{:?}", listed[0]);
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
    // A parent claiming maintenance: the children being sued are not counted (issue 14).
    assert!(kiosk.shows("不算您要向他要钱的人，和您一起生活的一共几口人？"));
    kiosk.tap("0");
    kiosk.tap("确定");
    assert!(kiosk.shows("请输入 1 到 30 之间的数。"));
    kiosk.tap("删除");
    type_keys(&kiosk, "3");
    kiosk.tap("确定");
    assert!(kiosk.shows("您自己（和一起生活的这些家里人）每个月一共大约收入多少钱？"));
    kiosk.tap("返回");
    assert!(
        kiosk.shows("不算您要向他要钱的人，和您一起生活的一共几口人？"),
        "back one question"
    );
    type_keys(&kiosk, "3");
    kiosk.tap("确定");
    kiosk.tap("不清楚");
    // Income unknown: staff check the means with the citizen, never "may not qualify".
    assert!(kiosk.shows("工作人员会和您一起核对经济状况"));
    assert!(!kiosk.shows("可能不符合条件，请工作人员帮您看看"));
    assert!(shows_containing(
        &kiosk,
        "家里收入说不清楚没关系，工作人员会和您一起核对、一起算。"
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
