//! 好差评 on the headless kiosk: rating a ticket from its page (a negative level with
//! reasons), skipping, walking away, and rating from the home screen by ticket number. Each
//! rating is one outbox event tied to the service event's id; nothing else is recorded.

mod common;
mod guidance_support;

use common::Kiosk;
use guidance_support::{outbox, portrait, store_idle, type_keys, typed};

fn take_ticket(kiosk: &Kiosk, service: &str) -> String {
    kiosk.tap("取号");
    kiosk.tap(service);
    kiosk.settle("printed", |k| k.shows("请取走下方的号票，留意叫号。"));
    kiosk.ticket_number().unwrap()
}

fn token_of(kiosk: &Kiosk, number: &str) -> String {
    let number = number.to_owned();
    kiosk.query(move |c| {
        c.query_row(
            "SELECT token FROM tickets WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
    })
}

#[test]
fn a_negative_rating_after_a_ticket_carries_the_reasons_and_the_ticket() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    let number = take_ticket(&kiosk, "法律援助");
    kiosk.tap("服务评价");
    kiosk.settle("the levels", |k| k.shows("您对这次服务满意吗？"));
    assert!(kiosk.shows(&format!("法律援助 {number}")), "what is rated");
    for level in ["非常满意", "满意", "基本满意", "不满意", "非常不满意"] {
        let buttons: Vec<_> = kiosk
            .find(level)
            .into_iter()
            .filter(|e| {
                e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button)
            })
            .collect();
        assert_eq!(buttons.len(), 1, "{level} is one button");
        assert!(
            buttons[0].size().height >= 96.0,
            "{level} is a large button"
        );
    }
    kiosk.tap("不满意");
    assert!(kiosk.shows("哪里让您不满意？"));
    assert!(
        !kiosk.shows("机器上的问题看不懂"),
        "only reasons that apply to a ticket"
    );
    kiosk.tap("等的时间太长");
    let chosen = kiosk
        .find("等的时间太长")
        .into_iter()
        .find(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button))
        .unwrap();
    assert_eq!(
        chosen.accessible_description().as_deref(),
        Some("✓ 已选"),
        "a chosen reason says so in words, not by colour alone"
    );
    kiosk.tap("态度不好");
    kiosk.tap("不耐烦");
    kiosk.tap("不耐烦"); // tapped again: not chosen after all
    kiosk.tap("提交评价");
    assert!(kiosk.shows("感谢您的评价！"));
    assert!(kiosk.shows("您的评价：不满意"));

    store_idle(&kiosk);
    let ratings = outbox(&kiosk, "rating.submitted");
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    let r = &ratings[0];
    assert_eq!(r["event_kind"], "ticket");
    assert_eq!(r["event_id"], token_of(&kiosk, &number));
    assert_eq!(r["level"], "dissatisfied");
    assert_eq!(r["negative"], true);
    assert_eq!(r["reasons"], serde_json::json!(["long-wait", "impolite"]));

    kiosk.tap("完成");
    assert!(kiosk.shows("取号"), "home");
}

#[test]
fn skipping_or_walking_away_records_nothing() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    take_ticket(&kiosk, "公证");
    kiosk.tap("服务评价");
    kiosk.settle("the levels", |k| k.shows("您对这次服务满意吗？"));
    kiosk.tap("跳过");
    assert_eq!(
        kiosk.ticket_number().as_deref(),
        Some("D001"),
        "back on the ticket"
    );

    kiosk.tap("服务评价");
    kiosk.settle("the levels", |k| k.shows("您对这次服务满意吗？"));
    kiosk.tap("非常不满意");
    kiosk.tap("办得太慢");
    kiosk.wait_idle(61);
    assert!(kiosk.shows("取号"), "the idle timeout went home");
    store_idle(&kiosk);
    assert!(outbox(&kiosk, "rating.submitted").is_empty());
}

#[test]
fn from_the_home_screen_a_ticket_is_rated_by_its_number() {
    let kiosk = Kiosk::start();
    portrait(&kiosk);
    take_ticket(&kiosk, "法律咨询");
    kiosk.tap("完成");
    kiosk.tap("服务评价");
    assert!(kiosk.shows("您要评价哪一张号票的服务？"));
    type_keys(&kiosk, "B001");
    kiosk.tap("下一步");
    kiosk.settle("not found", |k| {
        k.shows("今天本机没有取过这个号码，请核对号码。")
    });
    kiosk.tap("清空");
    type_keys(&kiosk, "A01");
    assert_eq!(typed(&kiosk), "A01");
    type_keys(&kiosk, "1");
    kiosk.tap("删除");
    kiosk.tap("删除");
    type_keys(&kiosk, "01");
    kiosk.tap("下一步");
    kiosk.settle("the levels", |k| k.shows("您对这次服务满意吗？"));
    assert!(kiosk.shows("法律咨询 A001"));
    kiosk.tap("非常满意");
    assert!(kiosk.shows("感谢您的评价！"));
    store_idle(&kiosk);
    let ratings = outbox(&kiosk, "rating.submitted");
    assert_eq!(ratings.len(), 1);
    assert_eq!(ratings[0]["event_id"], token_of(&kiosk, "A001"));
    assert_eq!(ratings[0]["level"], "very-satisfied");
    assert_eq!(ratings[0]["reasons"], serde_json::json!([]));
}
