//! Work orders from the terminal, end to end on loopback (issue 20): the citizen asks at the
//! touchscreen for a lawyer to call back, agrees to what is passed on, and the request
//! reaches the real registry exactly once as a work order under the keyed hash of their ID
//! number; the centre dispatches, accepts and closes it (its command line), and the
//! citizen's progress page follows each step; another citizen's card shows none of it; a
//! consultation outcome's "call me back" files a follow-up; with the registry gone the
//! progress page says so plainly; and no file of the kiosk or the registry holds the ID
//! number, the name or the address.

mod common;
mod guidance_support;

use common::Kiosk;
use common::registry::{PLATFORM, Registry, enrolled_by_cli, wait_for_bundles};
use kiosk_registry::cli_work_orders::{WorkOrderCommand, run};
use kiosk_registry::store::wait;
use kiosk_registry::work_orders::Classification;

/// The simulator's sample card `resident-zhang` (张伟).
const ZHANG_ID: &str = "110101198506150019";
const ZHANG_NAME: &str = "张伟";
const ZHANG_ADDRESS: &str = "北京市东城区示例胡同10号";
const SAMPLE_CATEGORIES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/provisioning/registry/samples/work-order-categories.sample.json"
));

/// Work orders at the registry: (id, category, kind, status, phone).
fn orders(registry: &Registry) -> Vec<(i64, String, String, String, String)> {
    registry
        .sqlite()
        .with(|c| {
            let mut stmt =
                c.prepare("SELECT id, category, kind, status, phone FROM work_orders ORDER BY id")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .unwrap()
}

fn centre(registry: &Registry, command: WorkOrderCommand) {
    run(&registry.store(), command).unwrap();
}

/// Opens the progress page (from home, or from a page with 首页) with the card on the
/// reader, and waits for its answer.
fn progress(kiosk: &Kiosk) {
    if kiosk.shows("首页") {
        kiosk.tap("首页");
    }
    kiosk.tap("留言与办理进度");
    kiosk.settle("the menu", |k| k.shows("查询办理进度"));
    kiosk.tap("查询办理进度");
    kiosk.settle("the progress", |k| {
        k.shows("您的留言") || k.shows("暂时连接不上公共法律服务中心，请稍后再试或询问工作人员。")
    });
}

#[test]
fn a_call_back_request_is_filed_once_followed_to_done_and_shown_only_to_its_citizen() {
    let registry = Registry::start();
    let store = registry.store();
    // The centre's classification, loaded and published with where terminals file requests;
    // the platform's appointments bundle carries the region's hash key.
    let list = Classification::parse(SAMPLE_CATEGORIES.as_bytes()).unwrap();
    wait(|| store.categories_load(&list)).unwrap();
    registry.publish(
        "work-order-categories",
        1,
        &[("categories.json", SAMPLE_CATEGORIES)],
    );
    kiosk_registry::cli_appointments::publish_platform(
        &store,
        PLATFORM,
        &registry.ops_key,
        chrono::Utc::now(),
    )
    .unwrap();

    // The camera sees a still picture: the receipt, once it is printed.
    let pictures = tempfile::tempdir().unwrap();
    let held_up = pictures.path().join("receipt.png");
    let kiosk = enrolled_by_cli(
        &registry,
        &format!(
            "[video.media]\ncamera = \"still\"\ncamera_device = {:?}\n",
            held_up.display().to_string()
        ),
        common::beijing(3, 10, 0),
    );
    kiosk.kiosk.sync.sync_now();
    wait_for_bundles(&kiosk, &["appointments", "work-order-categories"]);

    // A call back: the menu, the card, a telephone number, the consent, filed.
    kiosk.tap("留言与办理进度");
    kiosk.settle("the menu", |k| k.shows("请律师给我回电话"));
    kiosk.tap("请律师给我回电话");
    kiosk.settle("the card asked for", |k| {
        guidance_support::shows_containing(k, "请把身份证放在读卡器上")
    });
    kiosk.place_card("resident-zhang", "张*");
    kiosk.settle("the telephone asked for", |k| {
        k.shows("您希望我们打哪个电话？")
    });
    for d in "13912345678".chars() {
        kiosk.tap(&d.to_string());
    }
    kiosk.tap("确定");
    kiosk.settle("the consent", |k| {
        guidance_support::shows_containing(k, "电话：13912345678")
            && guidance_support::shows_containing(k, "不发送姓名和住址")
    });
    kiosk.tap("同意并发送");
    kiosk.settle("filed", |k| {
        guidance_support::shows_containing(k, "已记录，将送交公共法律服务中心办理")
    });
    // Its receipt: the request's name and a QR code, nothing about the citizen.
    let receipt = kiosk
        .printer()
        .wait_for_jobs(1, std::time::Duration::from_secs(5))
        .pop()
        .expect("the receipt printed");
    let paper = receipt.to_text();
    assert!(
        paper.contains("留言回执") && paper.contains("事项：律师回电"),
        "{paper}"
    );
    for secret in [ZHANG_ID, ZHANG_NAME, "13912345678"] {
        assert!(!paper.contains(secret), "{secret} on the receipt");
    }
    assert!(guidance_support::shows_containing(
        &kiosk,
        "请取走下方的回执"
    ));
    std::fs::write(
        &held_up,
        hardware::printer::sim::render_job_png(&receipt).unwrap(),
    )
    .unwrap();

    // Delivered, more than once: one work order.
    kiosk.kiosk.sync.sync_now();
    kiosk.settle("the order at the registry", |_| {
        orders(&registry).len() == 1
    });
    kiosk.kiosk.sync.sync_now();
    let made = orders(&registry);
    assert_eq!(made.len(), 1, "{made:?}");
    let (id, category, kind, status, phone) = made[0].clone();
    assert_eq!(
        (category.as_str(), kind.as_str(), status.as_str()),
        ("0302", "callback", "new")
    );
    assert_eq!(phone, "13912345678");

    // The citizen reads its progress: received.
    progress(&kiosk);
    assert!(kiosk.shows("律师回电"), "the category's name");
    assert!(kiosk.shows("已收到，等待分派"));

    // The centre dispatches to a law firm of its directory, which accepts, then closes: the
    // page follows.
    registry
        .sqlite()
        .with(|c| {
            Ok(c.execute(
                "INSERT INTO institutions (id, name, level, region, created_at) VALUES ('cc-law-firm', '朝阳律师事务所', 'district', '220104', '2026-01-01T00:00:00.000Z')",
                [],
            )?)
        })
        .unwrap();
    centre(
        &registry,
        WorkOrderCommand::Dispatch {
            id,
            institution: Some("cc-law-firm".into()),
            person: None,
            deadline: "2d".into(),
        },
    );
    progress(&kiosk);
    assert!(kiosk.shows("已分派给办理机构"));
    centre(&registry, WorkOrderCommand::Accept { id });
    progress(&kiosk);
    assert!(kiosk.shows("正在办理"));
    centre(
        &registry,
        WorkOrderCommand::Close {
            id,
            outcome: "已回电解答".into(),
        },
    );
    progress(&kiosk);
    assert!(kiosk.shows("已办结"));
    assert!(
        !guidance_support::shows_containing(&kiosk, "已回电解答"),
        "the status only, never the content"
    );

    // Another citizen's card: none of it.
    kiosk.tap("完成");
    kiosk.reader().remove();
    kiosk.settle("the session over", |k| !k.kiosk.ui.has_identity());
    kiosk.place_card("resident-ouyang", "欧阳**");
    progress(&kiosk);
    assert!(kiosk.shows("您的留言"));
    assert!(kiosk.shows("没有用您的身份证登记的留言。"));
    assert!(!kiosk.shows("已办结"));

    // Without a card: the receipt held up to the camera finds its request.
    kiosk.tap("完成");
    kiosk.reader().remove();
    kiosk.settle("the session over", |k| !k.kiosk.ui.has_identity());
    kiosk.tap("留言与办理进度");
    kiosk.settle("the menu", |k| k.shows("查询办理进度"));
    kiosk.tap("查询办理进度");
    kiosk.tap("扫描回执上的二维码");
    assert!(kiosk.shows("请把回执上的二维码对准摄像头"));
    kiosk.settle("the receipt read", |k| k.shows("您的留言"));
    assert!(kiosk.shows("律师回电") && kiosk.shows("已办结"));

    // With the registry unreachable the page says so, and nothing is lost.
    kiosk.place_card("resident-ouyang", "欧阳**");
    drop(registry);
    progress(&kiosk);
    assert!(kiosk.shows("暂时连接不上公共法律服务中心，请稍后再试或询问工作人员。"));
}

#[test]
fn nothing_is_filed_without_consent_nor_without_the_centres_classification() {
    let registry = Registry::start();
    let store = registry.store();
    kiosk_registry::cli_appointments::publish_platform(
        &store,
        PLATFORM,
        &registry.ops_key,
        chrono::Utc::now(),
    )
    .unwrap();
    let kiosk = enrolled_by_cli(&registry, "", common::beijing(3, 10, 0));
    kiosk.kiosk.sync.sync_now();
    wait_for_bundles(&kiosk, &["appointments"]);
    // No classification yet: the terminal says it takes no requests.
    kiosk.tap("留言与办理进度");
    kiosk.settle("the answer", |k| {
        k.shows("本终端暂不受理留言，请到服务窗口办理。")
    });
    kiosk.tap("完成");

    // With it: a suggestion declined at the consent sends nothing.
    let list = Classification::parse(SAMPLE_CATEGORIES.as_bytes()).unwrap();
    wait(|| store.categories_load(&list)).unwrap();
    registry.publish(
        "work-order-categories",
        1,
        &[("categories.json", SAMPLE_CATEGORIES)],
    );
    kiosk.kiosk.sync.sync_now();
    wait_for_bundles(&kiosk, &["work-order-categories"]);
    kiosk.place_card("resident-zhang", "张*");
    kiosk.tap("留言与办理进度");
    kiosk.settle("the menu", |k| k.shows("提建议"));
    kiosk.tap("提建议");
    kiosk.tap("等候时间");
    kiosk.settle("the telephone, optional", |k| k.shows("不留电话"));
    kiosk.tap("不留电话");
    kiosk.settle("the consent", |k| {
        guidance_support::shows_containing(k, "建议：等候时间")
    });
    kiosk.tap("不同意，不发送");
    kiosk.settle("said", |k| k.shows("没有发送任何信息。"));
    let pending: i64 = kiosk.query(|c| {
        c.query_row(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'work_order'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(pending, 0, "nothing filed without consent");

    // Agreed this time: filed, with the topic as its summary and no telephone.
    kiosk.tap("完成");
    kiosk.tap("留言与办理进度");
    kiosk.settle("the menu", |k| k.shows("提建议"));
    kiosk.tap("提建议");
    kiosk.tap("等候时间");
    kiosk.settle("the telephone, optional", |k| k.shows("不留电话"));
    kiosk.tap("不留电话");
    kiosk.settle("the consent", |k| k.shows("同意并发送"));
    kiosk.tap("同意并发送");
    kiosk.settle("filed", |k| {
        guidance_support::shows_containing(k, "已记录，将送交公共法律服务中心办理")
    });
    kiosk.kiosk.sync.sync_now();
    kiosk.settle("the order at the registry", |_| {
        registry
            .sqlite()
            .with(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM work_orders WHERE kind = 'complaint' AND category = '0402' AND summary = '建议：等候时间' AND phone = ''",
                    [],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .unwrap()
            == 1
    });

    // A consultation outcome's "call me back": a follow-up, the matter named for staff.
    kiosk.tap("完成");
    kiosk.tap("法律咨询指引");
    kiosk.tap("劳动争议与讨薪");
    kiosk.tap("拖欠工资");
    kiosk.tap("还在干");
    kiosk.tap("有工资条或记工本");
    assert!(kiosk.shows("申请劳动仲裁"), "the outcome");
    kiosk.tap("请工作人员回电");
    kiosk.settle("the telephone asked for", |k| {
        k.shows("您希望我们打哪个电话？")
    });
    for d in "13912345678".chars() {
        kiosk.tap(&d.to_string());
    }
    kiosk.tap("确定");
    kiosk.settle("the consent", |k| {
        guidance_support::shows_containing(k, "咨询跟进：拖欠工资")
    });
    kiosk.tap("同意并发送");
    kiosk.settle("filed", |k| {
        guidance_support::shows_containing(k, "已记录，将送交公共法律服务中心办理")
    });

    // A legal-aid pre-application: its work order follows it, without the telephone (the
    // application itself stays sealed for the legal-aid centre).
    kiosk.tap("完成");
    kiosk.tap("法律援助自助评估");
    kiosk.tap("开始自测");
    kiosk.tap("都不是");
    kiosk.tap("讨工资（要回干活该得的工资）");
    kiosk.tap("进城打工的农民工，讨工资或要工伤赔偿");
    kiosk.tap("请工作人员帮我准备申请");
    kiosk.tap("同意");
    for d in "13912345678".chars() {
        kiosk.tap(&d.to_string());
    }
    kiosk.tap("确定");
    kiosk.kiosk.sync.sync_now();
    let registry_orders = |kind: &'static str| {
        registry
            .sqlite()
            .with(move |c| {
                Ok(c.query_row(
                    "SELECT category || '|' || phone || '|' || summary FROM work_orders WHERE kind = ?1",
                    [kind],
                    |r| r.get::<_, String>(0),
                )?)
            })
            .ok()
    };
    kiosk.settle("both orders at the registry", |_| {
        registry_orders("follow_up").is_some() && registry_orders("legal_aid").is_some()
    });
    assert_eq!(
        registry_orders("follow_up").as_deref(),
        Some("0302|13912345678|咨询跟进：拖欠工资")
    );
    assert_eq!(
        registry_orders("legal_aid").as_deref(),
        Some("0301||法律援助预申请（材料已加密送交法律援助机构）")
    );

    // Neither side keeps the number, the name or the address: not the kiosk's files, outbox,
    // paper or logs, not the registry's files or its events export.
    let mut scan = common::privacy::Scan::new(&[ZHANG_ID, ZHANG_NAME, ZHANG_ADDRESS]);
    scan.dir(kiosk.kiosk.data_dir.as_path());
    scan.dir(registry.dir.path());
    let payloads: Vec<String> = kiosk.query(|c| {
        let mut stmt = c.prepare("SELECT payload FROM outbox").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    });
    scan.bytes("outbox payloads", payloads.join("\n").as_bytes());
    let printed: Vec<u8> = kiosk
        .printer()
        .jobs()
        .iter()
        .flat_map(|j| j.raw.clone())
        .collect();
    assert!(!printed.is_empty(), "the receipts were printed");
    scan.bytes("printer output", &printed);
    let mut exported = String::new();
    let rows = store
        .export(&Default::default(), &mut |row| {
            exported.push_str(&format!("{row:?}\n"));
            Ok(())
        })
        .unwrap();
    assert!(exported.contains("work_order"), "{rows} events exported");
    scan.bytes("the registry's events export", exported.as_bytes());
    scan.bytes("logs", &common::captured_logs());
    scan.assert_clean();
}
