//! Video-call signalling across registry instances on one PostgreSQL database. One instance
//! leads (it holds a session advisory lock on its listening connection) and keeps the call
//! hub; the others relay their WebSockets to it through the database: each frame is a row in
//! `signal_mailbox` addressed to an instance, announced with `NOTIFY` on that instance's
//! channel (payloads stay small: SDP can exceed NOTIFY's 8,000 bytes). Mailboxes are also
//! read every second, so a missed notification only delays. When the leader changes (it
//! died), followers close the relayed connections: terminals and consoles reconnect, as
//! after a restart.

use super::hub::{ConnId, Hub, OUTGOING_QUEUE, Outgoing};
use super::{KioskInfo, LawyerInfo};
use crate::store::pg::PgStore;
use crate::store::{Store, StoreError};
use futures_util::StreamExt as _;
use provisioning::signalling::{KioskToServer, LawyerToServer, parse};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// The advisory lock of the signalling leader.
const LEADER_LOCK: i64 = 0x6b72_5f76_6964_656f;
/// Where the leader's instance id is written.
const LEADER_KEY: &str = "signal.leader";

/// A relayed connection's peer details, as mailed to the leader.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "side", rename_all = "snake_case")]
enum Peer {
    Kiosk {
        device_id: String,
        region: String,
        platform_id: String,
        platform_name: String,
    },
    Lawyer {
        username: String,
        display_name: String,
        regions: Vec<String>,
    },
}

/// One message between instances.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Mail {
    /// Follower → leader: a connection opened.
    Join { from: String, conn: u64, peer: Peer },
    /// Follower → leader: a frame (already checked to parse).
    Frame {
        from: String,
        conn: u64,
        text: String,
    },
    /// Follower → leader: the connection closed.
    Gone { from: String, conn: u64 },
    /// Leader → follower: a frame for the peer, or `None` to close it.
    ToPeer { conn: u64, frame: Option<String> },
}

/// This instance's part in relaying.
pub struct Relay {
    pg: PgStore,
    id: String,
    hub: Arc<Hub>,
    leading: AtomicBool,
    leader: watch::Sender<Option<String>>,
    next: AtomicU64,
    /// Follower: relayed connections (local id → the WebSocket's queue).
    local: Mutex<HashMap<u64, Outgoing>>,
    /// Leader: connections relayed from other instances → (hub id, is a kiosk).
    remote: Mutex<HashMap<(String, u64), (ConnId, bool)>>,
    outbox: mpsc::UnboundedSender<(String, Mail)>,
}

fn channel(instance: &str) -> String {
    format!("sig_{instance}")
}

impl Relay {
    /// Starts relaying for `hub` (PostgreSQL only); runs until `stopped`.
    pub fn start(pg: PgStore, hub: Arc<Hub>, stopped: watch::Receiver<bool>) -> Arc<Self> {
        let (outbox, queued) = mpsc::unbounded_channel();
        let relay = Arc::new(Self {
            pg,
            id: uuid::Uuid::new_v4().simple().to_string(),
            hub,
            leading: AtomicBool::new(false),
            leader: watch::channel(None).0,
            next: AtomicU64::new(1),
            local: Mutex::default(),
            remote: Mutex::default(),
            outbox,
        });
        tokio::spawn(relay.clone().send_loop(queued));
        tokio::spawn(relay.clone().listen_loop(stopped));
        relay
    }

    /// Whether this instance keeps the hub (then connections use it directly).
    pub fn leading(&self) -> bool {
        self.leading.load(Ordering::SeqCst)
    }

    /// Waits (up to 5 s, e.g. just after start) until some instance leads; then whether
    /// it is this one, so a connection uses the hub here directly.
    pub async fn leads_here(&self) -> bool {
        let mut leader = self.leader.subscribe();
        let _ =
            tokio::time::timeout(Duration::from_secs(5), leader.wait_for(|l| l.is_some())).await;
        self.leading()
    }

    fn mail(&self, to: String, mail: Mail) {
        let _ = self.outbox.send((to, mail));
    }

    fn to_leader(&self, mail: Mail) -> bool {
        let Some(leader) = self.leader.borrow().clone() else {
            return false;
        };
        self.mail(leader, mail);
        true
    }

    /// Follower: a WebSocket opened here; returns its relay id (frames for it arrive on `tx`).
    pub fn join_kiosk(&self, info: &KioskInfo, tx: Outgoing) -> u64 {
        self.join(
            Peer::Kiosk {
                device_id: info.device_id.clone(),
                region: info.region.clone(),
                platform_id: info.platform_id.clone(),
                platform_name: info.platform_name.clone(),
            },
            tx,
        )
    }

    /// Follower: a console's WebSocket opened here.
    pub fn join_lawyer(&self, info: &LawyerInfo, tx: Outgoing) -> u64 {
        self.join(
            Peer::Lawyer {
                username: info.username.clone(),
                display_name: info.display_name.clone(),
                regions: info.regions.clone(),
            },
            tx,
        )
    }

    fn join(&self, peer: Peer, tx: Outgoing) -> u64 {
        let conn = self.next.fetch_add(1, Ordering::SeqCst);
        self.local
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(conn, tx.clone());
        let from = self.id.clone();
        if !self.to_leader(Mail::Join { from, conn, peer }) {
            let _ = tx.try_send(None);
        }
        conn
    }

    /// Follower: a frame from a relayed peer (checked to parse by the caller).
    pub fn frame(&self, conn: u64, text: &str) {
        let from = self.id.clone();
        self.to_leader(Mail::Frame {
            from,
            conn,
            text: text.to_string(),
        });
    }

    /// Follower: a relayed WebSocket closed.
    pub fn gone(&self, conn: u64) {
        self.local
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&conn);
        let from = self.id.clone();
        self.to_leader(Mail::Gone { from, conn });
    }

    /// Writes queued mail in order: a row, then a notification, per message.
    async fn send_loop(self: Arc<Self>, mut queued: mpsc::UnboundedReceiver<(String, Mail)>) {
        while let Some((to, mail)) = queued.recv().await {
            let body = serde_json::to_string(&mail).unwrap_or_default();
            if let Err(e) = self.post(&to, &body).await {
                tracing::warn!("signalling relay: cannot post to {to}: {e}");
            }
        }
    }

    async fn post(&self, to: &str, body: &str) -> Result<(), StoreError> {
        let client = self.pg.client().await?;
        client
            .execute(
                "INSERT INTO signal_mailbox (instance, body) VALUES ($1, $2)",
                &[&to, &body],
            )
            .await?;
        client
            .execute("SELECT pg_notify($1, '')", &[&channel(to)])
            .await?;
        Ok(())
    }

    /// Keeps a listening connection: LISTEN, try to lead, read the mailbox on every
    /// notification and every second; reconnects after a failure.
    async fn listen_loop(self: Arc<Self>, mut stopped: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.listen_once(&mut stopped).await {
                tracing::warn!("signalling relay: {e}; reconnecting");
            }
            self.lost_leadership();
            if *stopped.borrow() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stopped.changed() => return,
            }
        }
    }

    async fn listen_once(&self, stopped: &mut watch::Receiver<bool>) -> Result<(), StoreError> {
        let (client, mut connection) = self.pg.config().connect(tokio_postgres::NoTls).await?;
        let (notified, mut notifications) = mpsc::unbounded_channel();
        let driver = tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(tokio_postgres::AsyncMessage::Notification(_)) => {
                        let _ = notified.send(());
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!("signalling relay connection: {e}");
                        return;
                    }
                }
            }
        });
        client
            .batch_execute(&format!("LISTEN {}", channel(&self.id)))
            .await?;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let result = loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = self.elect(&client).await { break Err(e) }
                }
                got = notifications.recv() => if got.is_none() {
                    break Err(StoreError::Invalid("the listening connection closed".into()));
                },
                _ = stopped.changed() => break Ok(()),
            }
            if let Err(e) = self.drain().await {
                break Err(e);
            }
        };
        driver.abort();
        result
    }

    /// Takes the lead if nobody holds it; follows the recorded leader otherwise.
    async fn elect(&self, client: &tokio_postgres::Client) -> Result<(), StoreError> {
        if !self.leading() {
            let got: bool = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK])
                .await?
                .get(0);
            if got {
                client
                    .execute(
                        "INSERT INTO settings (key, value) VALUES ($1, $2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        &[&LEADER_KEY, &self.id],
                    )
                    .await?;
                self.leading.store(true, Ordering::SeqCst);
                tracing::info!("this instance now keeps the video-call hub");
            }
        }
        let leader: Option<String> = client
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&LEADER_KEY])
            .await?
            .map(|r| r.get(0));
        let changed = *self.leader.borrow() != leader;
        if changed {
            // Connections relayed to the old leader are gone with it: close them here too.
            let local = take_all(&self.local);
            for tx in local {
                let _ = tx.try_send(None);
            }
            self.leader.send_replace(leader);
        }
        Ok(())
    }

    fn lost_leadership(&self) {
        if self.leading.swap(false, Ordering::SeqCst) {
            tracing::warn!("lost the video-call hub (database connection); ending its calls");
            self.hub.shutdown();
            let remote = take_all(&self.remote);
            for (conn, kiosk) in remote {
                if kiosk {
                    self.hub.kiosk_gone(conn);
                } else {
                    self.hub.lawyer_gone(conn);
                }
            }
        }
        self.leader.send_replace(None);
    }

    /// Reads and handles this instance's mail, oldest first.
    async fn drain(&self) -> Result<(), StoreError> {
        let client = self.pg.client().await?;
        let mut rows = client
            .query(
                "DELETE FROM signal_mailbox WHERE instance = $1 RETURNING id, body",
                &[&self.id],
            )
            .await?;
        rows.sort_by_key(|r| r.get::<_, i64>(0));
        for row in rows {
            let body: String = row.get(1);
            match serde_json::from_str::<Mail>(&body) {
                Ok(mail) => self.handle(mail).await,
                Err(e) => tracing::warn!("signalling relay: unreadable mail: {e}"),
            }
        }
        Ok(())
    }

    async fn handle(&self, mail: Mail) {
        match mail {
            Mail::ToPeer { conn, frame } => {
                let tx = self
                    .local
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&conn)
                    .cloned();
                if let Some(tx) = tx {
                    let close = frame.is_none();
                    if tx.try_send(frame).is_err() || close {
                        let _ = tx.try_send(None);
                    }
                }
            }
            Mail::Join { from, conn, peer } if self.leading() => self.adopt(from, conn, peer).await,
            Mail::Frame { from, conn, text } if self.leading() => {
                let found = self
                    .remote
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&(from, conn))
                    .copied();
                match found {
                    Some((id, true)) => {
                        if let Ok(frame) = parse::<KioskToServer>(&text) {
                            self.hub.kiosk_frame(id, frame);
                        }
                    }
                    Some((id, false)) => {
                        if let Ok(frame) = parse::<LawyerToServer>(&text) {
                            self.hub.lawyer_frame(id, frame);
                        }
                    }
                    None => {}
                }
            }
            Mail::Gone { from, conn } if self.leading() => {
                let found = self
                    .remote
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&(from, conn));
                match found {
                    Some((id, true)) => self.hub.kiosk_gone(id),
                    Some((id, false)) => self.hub.lawyer_gone(id),
                    None => {}
                }
            }
            // Mail for a leader we no longer are: its senders notice the change.
            _ => {}
        }
    }

    /// Leader: a connection relayed from `from` joins the hub; its frames go back by mail.
    async fn adopt(&self, from: String, conn: u64, peer: Peer) {
        let store = Store::Postgres(self.pg.clone());
        let ice = match store.ice_config_async().await {
            Ok(ice) => Arc::new(ice),
            Err(e) => {
                tracing::warn!("signalling relay: no ICE settings: {e}");
                self.mail(from, Mail::ToPeer { conn, frame: None });
                return;
            }
        };
        let (tx, mut rx) = mpsc::channel::<Option<String>>(OUTGOING_QUEUE);
        let (id, kiosk) = match peer {
            Peer::Kiosk {
                device_id,
                region,
                platform_id,
                platform_name,
            } => {
                let info = KioskInfo {
                    device_id,
                    region,
                    platform_id,
                    platform_name,
                };
                (self.hub.kiosk_connected(info, ice, tx), true)
            }
            Peer::Lawyer {
                username,
                display_name,
                regions,
            } => {
                let info = LawyerInfo {
                    username,
                    display_name,
                    regions,
                };
                (self.hub.lawyer_connected(info, ice, tx), false)
            }
        };
        self.remote
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((from.clone(), conn), (id, kiosk));
        let outbox = self.outbox.clone();
        tokio::spawn(async move {
            while let Some(frame) = rx.recv().await {
                let close = frame.is_none();
                let _ = outbox.send((from.clone(), Mail::ToPeer { conn, frame }));
                if close {
                    return;
                }
            }
        });
    }
}

/// Empties a map of connections, giving back what it held (a poisoned lock is taken as is,
/// as everywhere here).
fn take_all<K, V>(map: &Mutex<HashMap<K, V>>) -> Vec<V> {
    map.lock()
        .unwrap_or_else(|e| e.into_inner())
        .drain()
        .map(|(_, v)| v)
        .collect()
}
