//! The call hub: who is connected (terminals, lawyers), the calls and their per-region
//! queues, and the relay of offers, answers and candidates between the two sides of a call.
//! Everything happens under one lock and sends without waiting (each connection has its own
//! bounded outgoing queue), so a slow peer never holds up the others.

use super::turn::IceConfig;
use chrono::Utc;
use provisioning::scope::region_contains;
use provisioning::signalling::{
    CallPhase, CallTransition, HangupReason, KioskToServer, LawyerToServer, Party, SdpKind,
    ServerToKiosk, ServerToLawyer, SignalError, WaitingCall, encode, valid_category,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::mpsc;

/// Frames queued for one connection; `None` asks its task to close it.
pub type Outgoing = mpsc::Sender<Option<String>>;

/// Frames a connection may have queued before it counts as stuck and is closed.
pub const OUTGOING_QUEUE: usize = 256;

/// A connection's id within the hub.
pub type ConnId = u64;

/// A terminal's place, as the queue shows it.
#[derive(Debug, Clone)]
pub struct KioskInfo {
    /// Device id (for logs only; never shown to lawyers).
    pub device_id: String,
    /// Region code.
    pub region: String,
    /// Platform id.
    pub platform_id: String,
    /// Platform name.
    pub platform_name: String,
}

/// A logged-in lawyer.
#[derive(Debug, Clone)]
pub struct LawyerInfo {
    /// Account name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Regions served.
    pub regions: Vec<String>,
}

struct KioskConn {
    info: KioskInfo,
    /// STUN/TURN, with the secrets to mint this peer's credentials per call.
    ice: Arc<IceConfig>,
    tx: Outgoing,
    call: Option<String>,
    last_position: Option<(u32, u32)>,
}

struct LawyerConn {
    info: LawyerInfo,
    ice: Arc<IceConfig>,
    tx: Outgoing,
    call: Option<String>,
}

struct Call {
    kiosk: ConnId,
    lawyer: Option<ConnId>,
    phase: CallPhase,
    category: Option<String>,
    /// A booked video consultation: waits ahead of calls without a booking.
    booked: bool,
    since: Instant,
}

#[derive(Default)]
struct State {
    next_id: u64,
    kiosks: HashMap<ConnId, KioskConn>,
    lawyers: HashMap<ConnId, LawyerConn>,
    calls: HashMap<String, Call>,
    /// Waiting calls in arrival order (all regions; filtered per region when read).
    queue: Vec<String>,
}

/// A summary of one call, for tests and the admin view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSummary {
    /// Id.
    pub call_id: String,
    /// Phase name.
    pub phase: &'static str,
    /// Region.
    pub region: String,
}

/// The hub (one per registry).
#[derive(Default)]
pub struct Hub {
    state: Mutex<State>,
}

fn send(tx: &Outgoing, frame: String) {
    // A full queue means the peer stopped reading: close it rather than buffer forever.
    if tx.try_send(Some(frame)).is_err() {
        let _ = tx.try_send(None);
    }
}

fn to_kiosk(tx: &Outgoing, frame: &ServerToKiosk) {
    send(tx, encode(frame));
}

fn to_lawyer(tx: &Outgoing, frame: &ServerToLawyer) {
    send(tx, encode(frame));
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A terminal connected; sends it the welcome.
    pub fn kiosk_connected(&self, info: KioskInfo, ice: Arc<IceConfig>, tx: Outgoing) -> ConnId {
        to_kiosk(
            &tx,
            &ServerToKiosk::Welcome {
                ice: ice.issue(&kiosk_subject(&info), Utc::now()),
            },
        );
        let mut s = self.lock();
        s.next_id += 1;
        let id = s.next_id;
        tracing::info!(device = %info.device_id, region = %info.region, "terminal joined video signalling");
        s.kiosks.insert(
            id,
            KioskConn {
                info,
                ice,
                tx,
                call: None,
                last_position: None,
            },
        );
        id
    }

    /// A lawyer's console connected; sends the welcome and the queue.
    pub fn lawyer_connected(&self, info: LawyerInfo, ice: Arc<IceConfig>, tx: Outgoing) -> ConnId {
        to_lawyer(
            &tx,
            &ServerToLawyer::Welcome {
                display_name: info.display_name.clone(),
                regions: info.regions.clone(),
                ice: ice.issue(&lawyer_subject(&info), Utc::now()),
            },
        );
        let mut s = self.lock();
        s.next_id += 1;
        let id = s.next_id;
        tracing::info!(lawyer = %info.username, "lawyer joined video signalling");
        s.lawyers.insert(
            id,
            LawyerConn {
                info,
                ice,
                tx,
                call: None,
            },
        );
        s.publish_queues();
        id
    }

    /// A frame from a terminal.
    pub fn kiosk_frame(&self, conn: ConnId, frame: KioskToServer) {
        let mut s = self.lock();
        let Some(kiosk) = s.kiosks.get(&conn) else {
            return;
        };
        let tx = kiosk.tx.clone();
        let current = kiosk.call.clone();
        let refuse = |code: SignalError, message: String| {
            to_kiosk(&tx, &ServerToKiosk::Error { code, message });
        };
        match frame {
            KioskToServer::RequestCall { category, booked } => {
                if current.is_some() {
                    return refuse(
                        SignalError::AlreadyInCall,
                        "this terminal already has a call".into(),
                    );
                }
                if let Some(c) = &category
                    && !valid_category(c)
                {
                    return refuse(
                        SignalError::BadCategory,
                        "the matter category must be a catalogue id".into(),
                    );
                }
                let call_id = provisioning::auth::new_nonce().unwrap_or_else(|_| {
                    // Randomness failing is not plausible; a counter still keeps ids unique.
                    format!("call-{conn}-{}", s.next_id)
                });
                s.calls.insert(
                    call_id.clone(),
                    Call {
                        kiosk: conn,
                        lawyer: None,
                        phase: CallPhase::Waiting,
                        category,
                        booked,
                        since: Instant::now(),
                    },
                );
                // Booked consultations wait ahead of calls without a booking (in their
                // own order); the rest in order of arrival.
                let at = if booked {
                    s.queue
                        .iter()
                        .position(|c| !s.calls.get(c).is_some_and(|c| c.booked))
                        .unwrap_or(s.queue.len())
                } else {
                    s.queue.len()
                };
                s.queue.insert(at, call_id.clone());
                if let Some(k) = s.kiosks.get_mut(&conn) {
                    k.call = Some(call_id);
                }
                s.publish_queues();
            }
            KioskToServer::Hangup { reason } => {
                if let Some(call_id) = current {
                    s.end_call(&call_id, Party::Citizen, reason);
                }
            }
            KioskToServer::Sdp { description } => {
                let ok = description.kind == SdpKind::Offer;
                s.relay_from_kiosk(
                    current,
                    if ok {
                        CallTransition::Offer
                    } else {
                        CallTransition::AnswerSdp
                    },
                    ServerToLawyer::Sdp { description },
                    &tx,
                );
            }
            KioskToServer::Ice { candidate } => s.relay_from_kiosk(
                current,
                CallTransition::Candidate {
                    from: Party::Citizen,
                },
                ServerToLawyer::Ice { candidate },
                &tx,
            ),
            KioskToServer::MediaConnected => {
                let call_id = current.clone().unwrap_or_default();
                s.relay_from_kiosk(
                    current,
                    CallTransition::MediaConnected,
                    ServerToLawyer::MediaConnected { call_id },
                    &tx,
                )
            }
        }
    }

    /// A frame from a lawyer.
    pub fn lawyer_frame(&self, conn: ConnId, frame: LawyerToServer) {
        let mut s = self.lock();
        let Some(lawyer) = s.lawyers.get(&conn) else {
            return;
        };
        let tx = lawyer.tx.clone();
        let current = lawyer.call.clone();
        let info = lawyer.info.clone();
        let refuse = |code: SignalError, message: String| {
            to_lawyer(&tx, &ServerToLawyer::Error { code, message });
        };
        match frame {
            LawyerToServer::Answer { call_id } => {
                if current.is_some() {
                    return refuse(
                        SignalError::AlreadyInCall,
                        "hang up the current call first".into(),
                    );
                }
                let Some(call) = s.calls.get(&call_id) else {
                    return refuse(
                        SignalError::NoSuchCall,
                        "this call is no longer waiting".into(),
                    );
                };
                let Some(kiosk) = s.kiosks.get(&call.kiosk) else {
                    return refuse(SignalError::NoSuchCall, "the terminal has left".into());
                };
                if !serves(&info.regions, &kiosk.info.region) {
                    return refuse(
                        SignalError::NoSuchCall,
                        "this call is from a region you do not serve".into(),
                    );
                }
                let transition = CallTransition::Answer {
                    lawyer: info.username.clone(),
                };
                let next = match call.phase.apply(&transition) {
                    Ok(next) => next,
                    Err(_) => {
                        return refuse(
                            SignalError::NoSuchCall,
                            "this call was answered by a colleague".into(),
                        );
                    }
                };
                let waiting = waiting_call(&call_id, call, &kiosk.info);
                let kiosk_tx = kiosk.tx.clone();
                // Fresh, time-limited TURN credentials for this call, each side its own.
                let now = Utc::now();
                let kiosk_ice = kiosk.ice.issue(&kiosk_subject(&kiosk.info), now);
                let lawyer_ice = lawyer.ice.issue(&lawyer_subject(&info), now);
                if let Some(call) = s.calls.get_mut(&call_id) {
                    call.phase = next;
                    call.lawyer = Some(conn);
                }
                s.queue.retain(|c| c != &call_id);
                if let Some(l) = s.lawyers.get_mut(&conn) {
                    l.call = Some(call_id.clone());
                }
                tracing::info!(lawyer = %info.username, call = %call_id, "call answered");
                to_lawyer(
                    &tx,
                    &ServerToLawyer::Connected {
                        call: waiting,
                        ice: Some(lawyer_ice),
                    },
                );
                to_kiosk(
                    &kiosk_tx,
                    &ServerToKiosk::Answered {
                        call_id,
                        ice: Some(kiosk_ice),
                    },
                );
                s.publish_queues();
            }
            LawyerToServer::Hangup { reason } => match current {
                Some(call_id) => s.end_call(&call_id, Party::Lawyer, reason),
                None => refuse(SignalError::WrongState, "no call to hang up".into()),
            },
            LawyerToServer::Sdp { description } => {
                let transition = if description.kind == SdpKind::Answer {
                    CallTransition::AnswerSdp
                } else {
                    CallTransition::Offer
                };
                s.relay_from_lawyer(current, transition, ServerToKiosk::Sdp { description }, &tx);
            }
            LawyerToServer::Ice { candidate } => s.relay_from_lawyer(
                current,
                CallTransition::Candidate {
                    from: Party::Lawyer,
                },
                ServerToKiosk::Ice { candidate },
                &tx,
            ),
        }
    }

    /// A terminal's connection closed: its call ends.
    pub fn kiosk_gone(&self, conn: ConnId) {
        let mut s = self.lock();
        if let Some(call_id) = s.kiosks.get(&conn).and_then(|k| k.call.clone()) {
            s.end_call(&call_id, Party::Citizen, HangupReason::PeerGone);
        }
        s.kiosks.remove(&conn);
        s.publish_queues();
    }

    /// A console's connection closed: its call ends.
    pub fn lawyer_gone(&self, conn: ConnId) {
        let mut s = self.lock();
        if let Some(call_id) = s.lawyers.get(&conn).and_then(|l| l.call.clone()) {
            s.end_call(&call_id, Party::Lawyer, HangupReason::PeerGone);
        }
        s.lawyers.remove(&conn);
        s.publish_queues();
    }

    /// Sends fresh waiting times to the consoles (called every few seconds).
    pub fn refresh(&self) {
        self.lock().publish_queues();
    }

    /// Every call in progress.
    pub fn calls(&self) -> Vec<CallSummary> {
        let s = self.lock();
        let mut out: Vec<CallSummary> = s
            .calls
            .iter()
            .map(|(id, c)| CallSummary {
                call_id: id.clone(),
                phase: c.phase.name(),
                region: s
                    .kiosks
                    .get(&c.kiosk)
                    .map(|k| k.info.region.clone())
                    .unwrap_or_default(),
            })
            .collect();
        out.sort_by(|a, b| a.call_id.cmp(&b.call_id));
        out
    }

    /// Device ids of the connected terminals.
    pub fn connected_terminals(&self) -> Vec<String> {
        let s = self.lock();
        let mut ids: Vec<String> = s
            .kiosks
            .values()
            .map(|k| k.info.device_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Account names of the connected consoles.
    pub fn connected_lawyers(&self) -> Vec<String> {
        let s = self.lock();
        let mut names: Vec<String> = s
            .lawyers
            .values()
            .map(|l| l.info.username.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Closes the signalling connections of these terminals (revoked): their calls end, and
    /// nothing more is accepted from them. Returns how many connections were closed.
    pub fn disconnect_terminals(&self, device_ids: &[String]) -> usize {
        let closed = self.lock().close(
            |s| &mut s.kiosks,
            |k| device_ids.contains(&k.info.device_id),
        );
        for k in &closed {
            tracing::warn!(device = %k.info.device_id, "revoked terminal disconnected from video signalling");
            let _ = k.tx.try_send(None);
        }
        closed.len()
    }

    /// Closes the consoles of these accounts (disabled): their calls end. Returns how many
    /// connections were closed.
    pub fn disconnect_lawyers(&self, usernames: &[String]) -> usize {
        let closed = self
            .lock()
            .close(|s| &mut s.lawyers, |l| usernames.contains(&l.info.username));
        for l in &closed {
            tracing::warn!(lawyer = %l.info.username, "disabled lawyer's console disconnected");
            let _ = l.tx.try_send(None);
        }
        closed.len()
    }

    /// Ends every call (the registry is stopping).
    pub fn shutdown(&self) {
        let mut s = self.lock();
        let ids: Vec<String> = s.calls.keys().cloned().collect();
        for id in ids {
            s.end_call(&id, Party::Registry, HangupReason::Shutdown);
        }
    }
}

/// Who TURN credentials are minted for: the terminal's device id.
fn kiosk_subject(info: &KioskInfo) -> String {
    info.device_id.clone()
}

/// Who TURN credentials are minted for: `lawyer.` and the account name.
fn lawyer_subject(info: &LawyerInfo) -> String {
    format!("lawyer.{}", info.username)
}

fn serves(regions: &[String], region: &str) -> bool {
    regions.iter().any(|r| region_contains(r, region))
}

fn waiting_call(call_id: &str, call: &Call, kiosk: &KioskInfo) -> WaitingCall {
    WaitingCall {
        call_id: call_id.to_string(),
        region: kiosk.region.clone(),
        platform_id: kiosk.platform_id.clone(),
        platform_name: kiosk.platform_name.clone(),
        waiting_s: call.since.elapsed().as_secs(),
        category: call.category.clone(),
        booked: call.booked,
    }
}

/// A connection of either side, as closing it needs it.
trait InCall {
    fn call(&self) -> Option<String>;
}

impl InCall for KioskConn {
    fn call(&self) -> Option<String> {
        self.call.clone()
    }
}

impl InCall for LawyerConn {
    fn call(&self) -> Option<String> {
        self.call.clone()
    }
}

impl State {
    /// Takes out the connections of one side that `pick` selects, ending their calls as the
    /// registry's doing (a revoked terminal, a disabled account); the queues are sent afresh.
    fn close<C: InCall>(
        &mut self,
        side: fn(&mut State) -> &mut HashMap<ConnId, C>,
        pick: impl Fn(&C) -> bool,
    ) -> Vec<C> {
        let conns: Vec<ConnId> = side(self)
            .iter()
            .filter(|(_, c)| pick(c))
            .map(|(id, _)| *id)
            .collect();
        let mut closed = Vec::with_capacity(conns.len());
        for conn in conns {
            if let Some(call_id) = side(self).get(&conn).and_then(InCall::call) {
                self.end_call(&call_id, Party::Registry, HangupReason::PeerGone);
            }
            closed.extend(side(self).remove(&conn));
        }
        if !closed.is_empty() {
            self.publish_queues();
        }
        closed
    }

    fn end_call(&mut self, call_id: &str, by: Party, reason: HangupReason) {
        let Some(call) = self.calls.remove(call_id) else {
            return;
        };
        self.queue.retain(|c| c != call_id);
        let ended = match call.phase.apply(&CallTransition::Hangup { by, reason }) {
            Ok(CallPhase::Ended { by, reason }) => (by, reason),
            // A lawyer cannot end a waiting call; nothing else reaches here.
            _ => (by, reason),
        };
        tracing::info!(call = %call_id, by = by.as_str(), reason = reason.as_str(), "call ended");
        if let Some(k) = self.kiosks.get_mut(&call.kiosk) {
            k.call = None;
            k.last_position = None;
            if by != Party::Citizen {
                to_kiosk(
                    &k.tx,
                    &ServerToKiosk::Ended {
                        call_id: call_id.to_string(),
                        by: ended.0,
                        reason: ended.1,
                    },
                );
            }
        }
        if let Some(l) = call.lawyer.and_then(|id| self.lawyers.get_mut(&id)) {
            l.call = None;
            if by != Party::Lawyer {
                to_lawyer(
                    &l.tx,
                    &ServerToLawyer::Ended {
                        call_id: call_id.to_string(),
                        by: ended.0,
                        reason: ended.1,
                    },
                );
            }
        }
        self.publish_queues();
    }

    fn relay_from_kiosk(
        &mut self,
        call_id: Option<String>,
        transition: CallTransition,
        frame: ServerToLawyer,
        tx: &Outgoing,
    ) {
        let refuse = |message: String| {
            to_kiosk(
                tx,
                &ServerToKiosk::Error {
                    code: SignalError::WrongState,
                    message,
                },
            )
        };
        let Some(call) = call_id.as_ref().and_then(|id| self.calls.get_mut(id)) else {
            return refuse("no call in progress".into());
        };
        if transition == CallTransition::AnswerSdp {
            return refuse("the terminal sends offers, not answers".into());
        }
        match call.phase.apply(&transition) {
            Ok(next) => call.phase = next,
            Err(e) => return refuse(e.to_string()),
        }
        if let Some(l) = call.lawyer.and_then(|id| self.lawyers.get(&id)) {
            to_lawyer(&l.tx, &frame);
        }
    }

    fn relay_from_lawyer(
        &mut self,
        call_id: Option<String>,
        transition: CallTransition,
        frame: ServerToKiosk,
        tx: &Outgoing,
    ) {
        let refuse = |message: String| {
            to_lawyer(
                tx,
                &ServerToLawyer::Error {
                    code: SignalError::WrongState,
                    message,
                },
            )
        };
        let Some(call) = call_id.as_ref().and_then(|id| self.calls.get_mut(id)) else {
            return refuse("no call in progress".into());
        };
        if transition == CallTransition::Offer {
            return refuse("the console answers the terminal's offer".into());
        }
        match call.phase.apply(&transition) {
            Ok(next) => call.phase = next,
            Err(e) => return refuse(e.to_string()),
        }
        if let Some(k) = self.kiosks.get(&call.kiosk) {
            to_kiosk(&k.tx, &frame);
        }
    }

    /// Sends each console its regions' waiting calls and each waiting terminal its place.
    fn publish_queues(&mut self) {
        let waiting: Vec<(WaitingCall, ConnId)> = self
            .queue
            .iter()
            .filter_map(|id| {
                let call = self.calls.get(id)?;
                let kiosk = self.kiosks.get(&call.kiosk)?;
                Some((waiting_call(id, call, &kiosk.info), call.kiosk))
            })
            .collect();
        for lawyer in self.lawyers.values() {
            let calls = waiting
                .iter()
                .filter(|(w, _)| serves(&lawyer.info.regions, &w.region))
                .map(|(w, _)| w.clone())
                .collect();
            to_lawyer(&lawyer.tx, &ServerToLawyer::Queue { calls });
        }
        let mut per_region: HashMap<&str, u32> = HashMap::new();
        let lawyers: Vec<&LawyerInfo> = self.lawyers.values().map(|l| &l.info).collect();
        let mut updates = Vec::new();
        for (w, kiosk) in &waiting {
            let position = per_region.entry(w.region.as_str()).or_insert(0);
            *position += 1;
            let online = u32::try_from(
                lawyers
                    .iter()
                    .filter(|l| serves(&l.regions, &w.region))
                    .count(),
            )
            .unwrap_or(u32::MAX);
            updates.push((*kiosk, w.call_id.clone(), *position, online));
        }
        for (conn, call_id, position, lawyers_online) in updates {
            if let Some(k) = self.kiosks.get_mut(&conn)
                && k.last_position != Some((position, lawyers_online))
            {
                k.last_position = Some((position, lawyers_online));
                to_kiosk(
                    &k.tx,
                    &ServerToKiosk::Queued {
                        call_id,
                        position,
                        lawyers_online,
                    },
                );
            }
        }
    }
}
