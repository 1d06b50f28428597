//! The consultation guide from the home screen: categories, a matter, its questions, the
//! outcome with next steps that act, the printed guidance slip, and search by pinyin
//! initials and by a quick-pick word (headless, real store, printer simulator).

mod common;
mod guidance_support;

use std::time::Duration;

use common::Kiosk;
use guidance_support::{outbox, portrait, shows_containing, store_idle, type_keys, typed};

/// From home to the outcome of 拖欠工资 for someone still working there with pay slips.
fn walk_to_wage_arbitration(kiosk: &Kiosk) {
    kiosk.tap("法律咨询指引");
    assert!(kiosk.shows("您遇到的是哪方面的问题？"));
    kiosk.tap("劳动争议与讨薪");
    assert!(kiosk.shows("下面哪一种最像您的情况？"));
    kiosk.tap("拖欠工资");
    assert!(kiosk.shows("您现在还在那里干活吗？"));
    assert!(kiosk.shows("拖欠工资 · 第 1 题"));
    kiosk.tap("还在干");
    assert!(kiosk.shows("您手里有欠条、工资条或者记工的本子吗？"));
    kiosk.tap("有工资条或记工本");
    assert!(kiosk.shows("申请劳动仲裁"), "the outcome's title");
    assert!(kiosk.shows("您下一步可以这样做"));
}

#[test]
fn a_full_consultation_from_home_to_the_printed_slip_and_its_record() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    walk_to_wage_arbitration(&kiosk);
    assert!(kiosk.shows("取号：仲裁"), "next steps are buttons");
    assert!(kiosk.shows("法律援助自测（看看能否免费请律师）"));

    kiosk.tap("打印指引单");
    kiosk.settle("the slip printed", |k| k.shows("请取走下方打印的指引单。"));
    let job = kiosk
        .printer()
        .wait_for_jobs(1, Duration::from_secs(5))
        .into_iter()
        .next()
        .expect("the simulated printer received the slip");
    let text = job.to_text();
    for expected in [
        "法律服务指引",
        "拖欠工资",
        "申请劳动仲裁",
        "请带上这些材料",
        "劳动合同",
        "欠工资的证据",
        "12348",
        "公共法律服务中心",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not on the slip:\n{text}"
        );
    }
    let qr = job.qr_codes();
    assert_eq!(qr.len(), 1, "one QR code to the online service");
    assert_eq!(qr[0].data, "https://www.12348.gov.cn/");
    assert!(job.ends_with_partial_cut());

    store_idle(&kiosk);
    let records = outbox(&kiosk, "consultation.completed");
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0]["record"];
    assert_eq!(record["matter_id"], "labour.unpaid-wages");
    assert_eq!(record["category_id"], "labour");
    assert_eq!(record["outcome_id"], "arbitration");
    assert_eq!(record["answers"].as_array().unwrap().len(), 2);

    // The consultation can be rated; the rating refers to the consultation's id.
    kiosk.tap("评价本次咨询");
    assert!(kiosk.shows("您对这次服务满意吗？"));
    kiosk.tap("满意");
    assert!(kiosk.shows("感谢您的评价！"));
    store_idle(&kiosk);
    let ratings = outbox(&kiosk, "rating.submitted");
    assert_eq!(ratings.len(), 1);
    assert_eq!(ratings[0]["event_kind"], "consultation");
    assert_eq!(ratings[0]["event_id"], record["consultation_id"]);
    assert_eq!(ratings[0]["level"], "satisfied");
    kiosk.tap("返回");
    assert!(kiosk.shows("感谢您的评价"), "the outcome says it was rated");
    kiosk.tap("首页");
    assert!(kiosk.shows("取号"));
}

#[test]
fn back_goes_one_step_at_a_time_and_a_ticket_step_takes_a_ticket() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    walk_to_wage_arbitration(&kiosk);
    kiosk.tap("返回");
    assert!(kiosk.shows("您手里有欠条、工资条或者记工的本子吗？"));
    kiosk.tap("返回");
    assert!(kiosk.shows("您现在还在那里干活吗？"));
    kiosk.tap("返回");
    assert!(
        kiosk.shows("下面哪一种最像您的情况？"),
        "back to the matters"
    );
    kiosk.tap("返回");
    assert!(kiosk.shows("您遇到的是哪方面的问题？"));
    kiosk.tap("返回");
    assert!(kiosk.shows("取号"), "home");

    walk_to_wage_arbitration(&kiosk);
    kiosk.tap("取号：仲裁");
    kiosk.settle("a ticket", |k| k.ticket_number().is_some());
    assert_eq!(kiosk.ticket_number().as_deref(), Some("G001"));
}

#[test]
fn steps_without_a_page_say_what_to_do() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    walk_to_wage_arbitration(&kiosk);
    kiosk.tap("前往：劳动保障监察机构（人社局）");
    assert!(shows_containing(
        &kiosk,
        "请前往：劳动保障监察机构（人社局）"
    ));
    assert!(shows_containing(&kiosk, "工作人员可以告诉您最近的地址。"));
    kiosk.tap("知道了");
    assert!(!kiosk.shows("知道了"));

    // The legal-aid step opens the self-check with the matter pre-selected; 返回 comes back.
    kiosk.tap("法律援助自测（看看能否免费请律师）");
    assert!(kiosk.shows("开始自测"));
    kiosk.tap("开始自测");
    kiosk.tap("都不是");
    let wages = kiosk.find("讨工资（要回干活该得的工资）");
    assert!(
        wages
            .iter()
            .any(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button)),
        "the matter's scope is offered"
    );
    kiosk.tap("返回");
    kiosk.tap("返回");
    kiosk.tap("返回");
    assert!(kiosk.shows("申请劳动仲裁"), "back on the outcome");

    // Another answer, another outcome: with a signed IOU, a lawyer on video is offered.
    kiosk.tap("返回");
    kiosk.tap("有老板签字的欠条");
    assert!(kiosk.shows("拿欠条可以直接去法院"));
    kiosk.tap("视频连线律师");
    // This test terminal cannot make calls (not enrolled): the citizen is told, with other ways.
    assert!(shows_containing(&kiosk, "本终端暂时不能视频连线律师"));
    kiosk.tap("返回");
    assert!(
        kiosk.shows("知道了"),
        "the notice covers the page until it is closed"
    );
    kiosk.tap("知道了");
    assert!(kiosk.shows("拿欠条可以直接去法院"));
}

#[test]
fn search_by_pinyin_initials_finds_labour_disputes() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    kiosk.tap("法律咨询指引");
    kiosk.tap("搜索");
    assert!(kiosk.shows("或者点一个常见词："));
    type_keys(&kiosk, "LDZ");
    assert_eq!(typed(&kiosk), "LDZ");
    assert!(
        kiosk.shows("劳动争议与讨薪"),
        "partial input already finds it"
    );
    kiosk.tap("Y");
    kiosk.tap("劳动争议与讨薪");
    assert!(kiosk.shows("拖欠工资"), "the category's matters");
    kiosk.tap("返回");
    assert_eq!(typed(&kiosk), "LDZY", "back to the search as it was");
    kiosk.tap("删除");
    assert_eq!(typed(&kiosk), "LDZ");
    kiosk.tap("清空");
    assert_eq!(typed(&kiosk), "");
    type_keys(&kiosk, "QQQQ");
    assert!(kiosk.shows("没有找到。请少输几个字母，或返回按类别查找。"));
}

#[test]
fn a_quick_pick_word_searches_in_chinese() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    kiosk.tap("法律咨询指引");
    kiosk.tap("搜索");
    kiosk.tap("欠薪");
    assert_eq!(typed(&kiosk), "欠薪");
    kiosk.tap("拖欠工资");
    assert!(kiosk.shows("您现在还在那里干活吗？"));
    kiosk.tap("返回");
    assert_eq!(
        typed(&kiosk),
        "欠薪",
        "back from the first question to the results"
    );
}

#[test]
fn idle_on_the_guide_goes_home_and_forgets_it() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    kiosk.tap("法律咨询指引");
    kiosk.tap("劳动争议与讨薪");
    kiosk.wait_idle(50);
    assert!(kiosk.shows("还在吗？"));
    kiosk.tap("继续");
    assert!(
        kiosk.shows("下面哪一种最像您的情况？"),
        "the citizen carries on"
    );
    kiosk.wait_idle(61);
    assert!(kiosk.shows("取号"), "home after the timeout");
    kiosk.tap("法律咨询指引");
    assert!(kiosk.shows("您遇到的是哪方面的问题？"), "a fresh start");
}

/// Issue 14: where a text of the catalogue in force has no Korean yet and falls back to
/// Chinese, the screen tells the citizen so, in Korean; where everything is translated it
/// says nothing.
#[test]
fn a_text_shown_in_chinese_for_want_of_korean_is_said_so_in_korean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/catalogue");
    let mut files = vec![(
        "services.toml".to_owned(),
        std::fs::read_to_string(root.join("services.toml")).unwrap(),
    )];
    for name in ["catalogue.toml", "materials.toml"] {
        files.push((
            format!("consultation/{name}"),
            std::fs::read_to_string(root.join("consultation").join(name)).unwrap(),
        ));
    }
    for entry in std::fs::read_dir(root.join("consultation/matters")).unwrap() {
        let path = entry.unwrap().path();
        let mut text = std::fs::read_to_string(&path).unwrap();
        if path.ends_with("labour-unpaid-wages.toml") {
            // A bundle whose first question of 拖欠工资 has no Korean (or English) yet.
            let translated = r#"text = { zh-CN = "您现在还在那里干活吗？", ko-KR = "지금도 그곳에서 일하고 있습니까?", en = "Are you still working there?" }"#;
            assert!(text.contains(translated));
            text = text.replace(translated, r#"text = { zh-CN = "您现在还在那里干活吗？" }"#);
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        files.push((format!("consultation/matters/{name}"), text));
    }
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store =
            legal_kiosk::store::Store::open(&legal_kiosk::store::Store::path_in(dir.path()))
                .unwrap();
        let conn = store.conn();
        conn.execute(
            "INSERT INTO bundles (stream, version, manifest, applied_at) VALUES ('catalogue', 3, '{}', '2026-11-30T09:00:00+08:00')",
            [],
        )
        .unwrap();
        for (name, content) in &files {
            conn.execute(
                "INSERT INTO bundle_files (stream, name, content) VALUES ('catalogue', ?1, ?2)",
                rusqlite::params![name, content.as_bytes()],
            )
            .unwrap();
        }
    }
    let kiosk = Kiosk::start_in(
        legal_kiosk::config::Config::default(),
        dir,
        common::beijing(26, 9, 30),
    );
    portrait(&kiosk);
    let note =
        "이 화면의 일부는 아직 번역되지 않아 중국어로 나옵니다. 직원이 설명해 드릴 수 있습니다.";
    kiosk.tap("한국어");
    kiosk.tap("법률 상담 안내");
    assert!(kiosk.shows("노동 분쟁·임금 체불"));
    assert!(!kiosk.shows(note), "the categories are all in Korean");
    kiosk.tap("노동 분쟁·임금 체불");
    assert!(kiosk.shows("임금 체불"));
    assert!(!kiosk.shows(note), "the matters are all in Korean");
    kiosk.tap("임금 체불");
    assert!(
        kiosk.shows("您现在还在那里干活吗？"),
        "the question falls back to Chinese"
    );
    assert!(kiosk.shows(note), "and the screen says so in Korean");
    kiosk.tap("네, 일하고 있습니다");
    assert!(kiosk.shows("체불 확인서, 급여 명세서 또는 작업 기록장이 있습니까?"));
    assert!(!kiosk.shows(note), "the next question is in Korean again");
}

/// Issue 14: a Korean reader searches in Korean on the 두벌식 keyboard; jamo compose into
/// syllables as they are typed and the matter is found before the word is finished.
#[test]
fn korean_search_on_the_hangul_keyboard_finds_divorce() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    kiosk.tap("한국어");
    kiosk.tap("법률 상담 안내");
    kiosk.tap("검색");
    assert!(
        kiosk.shows("ㅂ") && kiosk.shows("ABC"),
        "Korean readers start on the Korean layout"
    );
    assert!(!kiosk.shows("A"), "no Latin keys");
    for (key, shown) in [("ㅇ", "ㅇ"), ("ㅣ", "이"), ("ㅎ", "잏"), ("ㅗ", "이호")] {
        kiosk.tap(key);
        assert_eq!(typed(&kiosk), shown);
    }
    assert!(
        kiosk.shows("이혼"),
        "found while the syllable is still being typed"
    );
    kiosk.tap("ㄴ");
    assert_eq!(typed(&kiosk), "이혼");
    kiosk.tap("삭제");
    assert_eq!(typed(&kiosk), "이호", "backspace takes back one jamo");
    kiosk.tap("ㄴ");
    kiosk.tap("이혼");
    assert!(kiosk.shows("두 사람 모두 이혼에 동의합니까?"));
    kiosk.tap("뒤로");
    assert_eq!(typed(&kiosk), "이혼", "back to the search as it was");

    // Shift types one doubled consonant; 한글 / ABC switches the layout, the text stays.
    kiosk.tap("모두 지우기");
    assert!(!kiosk.shows("ㄲ"));
    kiosk.tap("Shift");
    assert!(kiosk.shows("ㄲ") && !kiosk.shows("ㄱ"));
    kiosk.tap("ㄲ");
    assert!(kiosk.shows("ㄱ"), "Shift is for one key");
    kiosk.tap("ㅏ");
    assert_eq!(typed(&kiosk), "까");
    kiosk.tap("ABC");
    assert!(kiosk.shows("A") && !kiosk.shows("ㅏ"));
    kiosk.tap("1");
    assert_eq!(typed(&kiosk), "까1");
    kiosk.tap("한글");
    assert!(kiosk.shows("ㅏ"));
}
