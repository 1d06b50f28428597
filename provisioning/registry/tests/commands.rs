//! Commands through the real registry: carried out and acknowledged, expired ones rejected,
//! a re-delivered command carried out once, logs uploaded.

mod common;

use common::{Pilot, Terminal};
use kiosk_registry::admin;
use provisioning::command::{CommandAction, CommandBody, sign_command};
use provisioning::protocol::CommandState;

fn state_of(pilot: &Pilot, id: &str) -> (String, Option<String>) {
    let rows = pilot.store().commands(None, chrono::Utc::now()).unwrap();
    let row = rows.into_iter().find(|r| r.command_id == id).unwrap();
    (row.state, row.detail)
}

#[tokio::test]
async fn lock_unlock_and_a_redelivered_lock_is_not_carried_out_again() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let client = t.client(&pilot);
    let hour = chrono::Duration::hours(1);

    let lock = admin::commands::send(
        &pilot.store(),
        &t.device_id(),
        CommandAction::Lock {
            notice: "设备维护中，请到1号窗口".into(),
        },
        hour,
        &pilot.ops_key,
    )
    .unwrap();
    let report = client.poll_once().await.unwrap();
    assert_eq!(
        report.commands,
        vec![(lock.clone(), CommandState::Succeeded)]
    );
    assert_eq!(
        t.store.state("lock").unwrap().as_deref(),
        Some("设备维护中，请到1号窗口")
    );
    assert_eq!(state_of(&pilot, &lock).0, "succeeded");
    // The heartbeat now says the terminal is locked.
    assert!(client.heartbeat().await.unwrap().locked);

    let unlock = admin::commands::send(
        &pilot.store(),
        &t.device_id(),
        CommandAction::Unlock,
        hour,
        &pilot.ops_key,
    )
    .unwrap();
    client.poll_once().await.unwrap();
    assert_eq!(t.store.state("lock").unwrap(), None);
    assert_eq!(state_of(&pilot, &unlock).0, "succeeded");

    // The lock's acknowledgement "got lost": the registry relays it again.
    pilot
        .store()
        .sql_execute(
            "UPDATE commands SET state = 'delivered' WHERE command_id = ?1",
            &[lock.as_str().into()],
        )
        .unwrap();
    let report = client.poll_once().await.unwrap();
    assert_eq!(
        report.commands,
        vec![(lock.clone(), CommandState::Succeeded)]
    );
    assert_eq!(
        t.store.state("lock").unwrap(),
        None,
        "the duplicate must not lock the terminal again"
    );
    assert_eq!(t.store.executions(&lock).unwrap(), 1);
    assert_eq!(state_of(&pilot, &lock).0, "succeeded");

    // Closed commands are not relayed any more.
    assert!(client.poll_once().await.unwrap().commands.is_empty());
}

#[tokio::test]
async fn an_expired_command_is_rejected_and_not_carried_out() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let client = t.client(&pilot);
    let now = chrono::Utc::now();
    let body = CommandBody {
        command_id: "cmd-expired".into(),
        device_id: t.device_id(),
        action: CommandAction::Lock {
            notice: "old".into(),
        },
        issued_at: now - chrono::Duration::hours(2),
        not_after: now - chrono::Duration::hours(1),
    };
    let signed = sign_command(&body, &pilot.ops_key);
    pilot.store().command_create(&signed, &body).unwrap();

    // The registry no longer relays it …
    assert!(client.poll_once().await.unwrap().commands.is_empty());
    assert_eq!(state_of(&pilot, "cmd-expired").0, "expired");
    // … and a terminal that receives it late (a delayed relay) rejects it.
    assert_eq!(
        client.handle_command(&signed).await.unwrap(),
        Some(CommandState::Rejected)
    );
    assert_eq!(t.store.state("lock").unwrap(), None);
    let (state, detail) = state_of(&pilot, "cmd-expired");
    assert_eq!(state, "rejected");
    assert!(detail.unwrap().contains("expired"));
}

#[tokio::test]
async fn commands_for_another_terminal_or_by_an_unpinned_key_are_rejected() {
    let mut pilot = Pilot::new();
    pilot.start();
    let a = Terminal::enrolled(&pilot).await;
    let b = Terminal::enrolled(&pilot).await;
    let hour = chrono::Duration::hours(1);
    // Signed for B, relayed to A (a registry bug): A rejects it.
    let id = admin::commands::send(
        &pilot.store(),
        &b.device_id(),
        CommandAction::Restart,
        hour,
        &pilot.ops_key,
    )
    .unwrap();
    pilot
        .store()
        .sql_execute(
            "UPDATE commands SET device_id = ?2 WHERE command_id = ?1",
            &[id.as_str().into(), a.device_id().into()],
        )
        .unwrap();
    let report = a.client(&pilot).poll_once().await.unwrap();
    assert_eq!(report.commands, vec![(id.clone(), CommandState::Rejected)]);
    assert!(state_of(&pilot, &id).1.unwrap().contains("not this one"));

    let stranger = provisioning::keys::generate_signing_key().unwrap();
    let forged = admin::commands::send(
        &pilot.store(),
        &a.device_id(),
        CommandAction::Lock { notice: "x".into() },
        hour,
        &stranger,
    )
    .unwrap();
    let report = a.client(&pilot).poll_once().await.unwrap();
    assert_eq!(report.commands, vec![(forged, CommandState::Rejected)]);
    assert_eq!(a.store.state("lock").unwrap(), None);
}

#[tokio::test]
async fn upload_logs_reaches_the_registry() {
    let mut pilot = Pilot::new();
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    let id = admin::commands::send(
        &pilot.store(),
        &t.device_id(),
        CommandAction::UploadLogs { max_bytes: None },
        chrono::Duration::hours(1),
        &pilot.ops_key,
    )
    .unwrap();
    t.client(&pilot).poll_once().await.unwrap();
    let logs = pilot.store().command_logs(&id).unwrap().unwrap();
    assert!(logs.contains("simulated terminal log"));
}
