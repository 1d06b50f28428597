//! `GET /v1/signal/kiosk` and `GET /v1/signal/lawyer`: the video-call signalling WebSockets.
//! A terminal's upgrade request is signed with its device key like any terminal request; a
//! lawyer's carries the session cookie from the login (and, from a browser, an `Origin` of
//! this registry). Frames: `provisioning::signalling` and `provisioning/signalling.md`.

use crate::app::AppState;
use crate::auth::SignedGet;
use crate::error::ApiFailure;
use crate::video::Hub;
use crate::video::hub::{ConnId, OUTGOING_QUEUE, Outgoing};
use crate::video::relay::Relay;
use crate::video::sessions::token_from_cookie;
use crate::video::turn::IceConfig;
use crate::video::{KioskInfo, LawyerInfo};
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use provisioning::protocol::ErrorCode;
use provisioning::signalling::{
    KioskToServer, LawyerToServer, ServerToKiosk, ServerToLawyer, SignalError, encode, limits,
    parse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn upgrade_required() -> Response {
    ApiFailure::new(
        StatusCode::UPGRADE_REQUIRED,
        ErrorCode::BadRequest,
        "this endpoint is a WebSocket: send an upgrade request",
    )
    .into_response()
}

/// A terminal's signalling connection.
pub async fn kiosk(
    State(state): State<AppState>,
    SignedGet(caller): SignedGet,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(ws) = ws else {
        return upgrade_required();
    };
    let placement = caller.placement.clone();
    let loaded = async {
        Ok::<_, crate::store::StoreError>((
            state.store.platform_async(&placement.platform_id).await?,
            state.store.ice_config_async().await?,
        ))
    }
    .await;
    let (platform, ice) = match loaded {
        Ok(pair) => pair,
        Err(e) => return ApiFailure::from(e).into_response(),
    };
    let info = KioskInfo {
        device_id: placement.device_id,
        region: placement.region,
        platform_name: platform.map(|p| p.name).unwrap_or_default(),
        platform_id: placement.platform_id,
    };
    ws.max_message_size(limits::MAX_FRAME_BYTES)
        .on_upgrade(move |socket| serve::<KioskSide>(socket, state, info, ice))
}

/// A lawyer's console connection.
pub async fn lawyer(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let lawyer = match lawyer_from_headers(&state, &headers).await {
        Ok(lawyer) => lawyer,
        Err(refused) => return refused.into_response(),
    };
    let Ok(ws) = ws else {
        return upgrade_required();
    };
    let ice = match state.store.ice_config_async().await {
        Ok(ice) => ice,
        Err(e) => return ApiFailure::from(e).into_response(),
    };
    ws.max_message_size(limits::MAX_FRAME_BYTES)
        .on_upgrade(move |socket| serve::<LawyerSide>(socket, state, lawyer, ice))
}

/// What differs between a terminal's and a lawyer's signalling connection; the rest
/// (relaying, frame checks, the pump) is [`serve`]'s, once for both.
trait Side: 'static {
    /// Frames this side sends.
    type In: DeserializeOwned;
    /// Frames this side is sent.
    type Out: Serialize;
    /// Who is connected.
    type Info: Send + 'static;
    fn error(code: SignalError, message: String) -> Self::Out;
    fn join_relay(relay: &Relay, info: &Self::Info, tx: Outgoing) -> ConnId;
    fn connected(hub: &Hub, info: Self::Info, ice: Arc<IceConfig>, tx: Outgoing) -> ConnId;
    fn frame(hub: &Hub, conn: ConnId, frame: Self::In);
    fn gone(hub: &Hub, conn: ConnId);
}

/// Implements [`Side`] for one kind of connection from its frame types and its methods of
/// the relay and the hub.
macro_rules! side {
    (
        $side:ident: $in:ty => $out:ident, $info:ty,
        relay.$join:ident, hub.$connected:ident, hub.$frame:ident, hub.$gone:ident
    ) => {
        struct $side;

        impl Side for $side {
            type In = $in;
            type Out = $out;
            type Info = $info;
            fn error(code: SignalError, message: String) -> $out {
                $out::Error { code, message }
            }
            fn join_relay(relay: &Relay, info: &$info, tx: Outgoing) -> ConnId {
                relay.$join(info, tx)
            }
            fn connected(hub: &Hub, info: $info, ice: Arc<IceConfig>, tx: Outgoing) -> ConnId {
                hub.$connected(info, ice, tx)
            }
            fn frame(hub: &Hub, conn: ConnId, frame: $in) {
                hub.$frame(conn, frame);
            }
            fn gone(hub: &Hub, conn: ConnId) {
                hub.$gone(conn);
            }
        }
    };
}

side! {
    KioskSide: KioskToServer => ServerToKiosk, KioskInfo,
    relay.join_kiosk, hub.kiosk_connected, hub.kiosk_frame, hub.kiosk_gone
}

side! {
    LawyerSide: LawyerToServer => ServerToLawyer, LawyerInfo,
    relay.join_lawyer, hub.lawyer_connected, hub.lawyer_frame, hub.lawyer_gone
}

/// Serves an upgraded connection: relayed to the instance that keeps the calls when that is
/// another one, else joined to this instance's hub. A frame that does not parse is answered
/// with an error frame and goes no further.
async fn serve<S: Side>(socket: WebSocket, state: AppState, info: S::Info, ice: IceConfig) {
    let (tx, rx) = mpsc::channel(OUTGOING_QUEUE);
    let rate_limited = encode(&S::error(
        SignalError::RateLimited,
        "too many frames".into(),
    ));
    let bad_frame = |message| Some(encode(&S::error(SignalError::BadFrame, message)));
    let relayed = match state.relay.clone() {
        Some(relay) if !relay.leads_here().await => Some(relay),
        _ => None,
    };
    if let Some(relay) = relayed {
        // Another instance keeps the calls: relay this connection to it.
        let conn = S::join_relay(&relay, &info, tx.clone());
        let on_frame = |text: &str| match parse::<S::In>(text) {
            Ok(_) => {
                relay.frame(conn, text);
                None
            }
            Err(message) => bad_frame(message),
        };
        pump(socket, tx, rx, on_frame, rate_limited).await;
        relay.gone(conn);
        return;
    }
    let hub = state.video.clone();
    let conn = S::connected(&hub, info, Arc::new(ice), tx.clone());
    let on_frame = |text: &str| match parse::<S::In>(text) {
        Ok(frame) => {
            S::frame(&hub, conn, frame);
            None
        }
        Err(message) => bad_frame(message),
    };
    pump(socket, tx, rx, on_frame, rate_limited).await;
    S::gone(&hub, conn);
}

/// The logged-in lawyer of a request: a live session cookie and, when a browser says where
/// the page came from, this registry's own origin (no cross-site WebSocket hijacking).
pub async fn lawyer_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<LawyerInfo, ApiFailure> {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(token_from_cookie)
        .ok_or_else(|| ApiFailure::unauthenticated("log in first (no session cookie)"))?;
    let lawyer = state
        .lawyer_sessions
        .lookup(token)
        .await
        .ok_or_else(|| ApiFailure::unauthenticated("the session has ended; log in again"))?;
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if origin != format!("https://{host}") {
            return Err(ApiFailure::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Unauthenticated,
                "cross-origin signalling connections are refused",
            ));
        }
    }
    Ok(lawyer)
}

/// Moves frames both ways until either side closes, the peer stops answering pings, or it
/// sends frames faster than allowed. `on_frame` handles a text frame and may return an
/// error frame for the peer.
async fn pump(
    mut socket: WebSocket,
    tx: Outgoing,
    mut rx: mpsc::Receiver<Option<String>>,
    mut on_frame: impl FnMut(&str) -> Option<String>,
    rate_limited: String,
) {
    // Our own sender is kept only so the hub's clones are not the last: dropping it here
    // would not close anything.
    let _keep = tx;
    let ping_every = Duration::from_secs(limits::PING_INTERVAL_SECS);
    let mut ping = tokio::time::interval(ping_every);
    let mut last_heard = Instant::now();
    let mut window = (Instant::now(), 0u32);
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { return };
                last_heard = Instant::now();
                let text = match message {
                    Message::Text(text) => text,
                    Message::Close(_) => return,
                    _ => continue,
                };
                if window.0.elapsed() >= Duration::from_secs(1) {
                    window = (Instant::now(), 0);
                }
                window.1 += 1;
                if window.1 > limits::MAX_FRAMES_PER_SECOND {
                    let _ = socket.send(Message::text(rate_limited)).await;
                    return;
                }
                if let Some(reply) = on_frame(text.as_str())
                    && socket.send(Message::text(reply)).await.is_err()
                {
                    return;
                }
            }
            outgoing = rx.recv() => {
                match outgoing {
                    Some(Some(frame)) => {
                        if socket.send(Message::text(frame)).await.is_err() {
                            return;
                        }
                    }
                    _ => {
                        let _ = socket.send(Message::Close(None)).await;
                        return;
                    }
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > 3 * ping_every {
                    tracing::info!("signalling peer stopped answering; closing");
                    return;
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}
