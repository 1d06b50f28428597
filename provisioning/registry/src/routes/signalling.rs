//! `GET /v1/signal/kiosk` and `GET /v1/signal/lawyer`: the video-call signalling WebSockets.
//! A terminal's upgrade request is signed with its device key like any terminal request; a
//! lawyer's carries the session cookie from the login (and, from a browser, an `Origin` of
//! this registry). Frames: `provisioning::signalling` and `provisioning/signalling.md`.

use crate::app::AppState;
use crate::auth::authenticate;
use crate::error::ApiFailure;
use crate::video::hub::{ConnId, OUTGOING_QUEUE, Outgoing};
use crate::video::sessions::token_from_cookie;
use crate::video::{KioskInfo, LawyerInfo};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use provisioning::protocol::ErrorCode;
use provisioning::signalling::{
    KioskToServer, LawyerToServer, ServerToKiosk, ServerToLawyer, SignalError, encode, limits,
    parse,
};
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
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let caller = match authenticate(&state, &method, uri.path(), &headers, b"").await {
        Ok(caller) => caller,
        Err(refused) => return refused.into_response(),
    };
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
        .on_upgrade(move |socket| async move {
            let (tx, rx) = mpsc::channel(OUTGOING_QUEUE);
            let rate_limited = encode(&ServerToKiosk::Error {
                code: SignalError::RateLimited,
                message: "too many frames".into(),
            });
            let relayed = match state.relay.clone() {
                Some(relay) if !relay.leads_here().await => Some(relay),
                _ => None,
            };
            if let Some(relay) = relayed {
                // Another instance keeps the calls: relay this connection to it.
                let conn = relay.join_kiosk(&info, tx.clone());
                let on_frame = {
                    let relay = relay.clone();
                    move |text: &str| match parse::<KioskToServer>(text) {
                        Ok(_) => {
                            relay.frame(conn, text);
                            None
                        }
                        Err(message) => Some(encode(&ServerToKiosk::Error {
                            code: SignalError::BadFrame,
                            message,
                        })),
                    }
                };
                pump(socket, tx, rx, on_frame, rate_limited).await;
                relay.gone(conn);
                return;
            }
            let hub = state.video.clone();
            let conn = hub.kiosk_connected(info, Arc::new(ice), tx.clone());
            let on_frame = {
                let hub = hub.clone();
                move |text: &str| match parse::<KioskToServer>(text) {
                    Ok(frame) => {
                        hub.kiosk_frame(conn, frame);
                        None
                    }
                    Err(message) => Some(encode(&ServerToKiosk::Error {
                        code: SignalError::BadFrame,
                        message,
                    })),
                }
            };
            pump(socket, tx, rx, on_frame, rate_limited).await;
            hub.kiosk_gone(conn);
        })
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
        .on_upgrade(move |socket| async move {
            let (tx, rx) = mpsc::channel(OUTGOING_QUEUE);
            let rate_limited = encode(&ServerToLawyer::Error {
                code: SignalError::RateLimited,
                message: "too many frames".into(),
            });
            let relayed = match state.relay.clone() {
                Some(relay) if !relay.leads_here().await => Some(relay),
                _ => None,
            };
            if let Some(relay) = relayed {
                let conn = relay.join_lawyer(&lawyer, tx.clone());
                let on_frame = {
                    let relay = relay.clone();
                    move |text: &str| match parse::<LawyerToServer>(text) {
                        Ok(_) => {
                            relay.frame(conn, text);
                            None
                        }
                        Err(message) => Some(encode(&ServerToLawyer::Error {
                            code: SignalError::BadFrame,
                            message,
                        })),
                    }
                };
                pump(socket, tx, rx, on_frame, rate_limited).await;
                relay.gone(conn);
                return;
            }
            let hub = state.video.clone();
            let conn: ConnId = hub.lawyer_connected(lawyer, Arc::new(ice), tx.clone());
            let on_frame = {
                let hub = hub.clone();
                move |text: &str| match parse::<LawyerToServer>(text) {
                    Ok(frame) => {
                        hub.lawyer_frame(conn, frame);
                        None
                    }
                    Err(message) => Some(encode(&ServerToLawyer::Error {
                        code: SignalError::BadFrame,
                        message,
                    })),
                }
            };
            pump(socket, tx, rx, on_frame, rate_limited).await;
            hub.lawyer_gone(conn);
        })
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
