//! The call engine of the terminal: connects to the registry's signalling service, waits in
//! the queue, sets up media when a lawyer answers, relays offer and candidates, watches the
//! connection, and reports every state to an observer (the UI). Timers that the citizen sees
//! (how long to wait for an answer, how long to wait for a lost connection) belong to the UI,
//! which feeds their expiry back through [`KioskCall::step`].

use crate::config::MediaConfig;
use crate::frame::FrameRef;
use crate::media::{FrameSinks, IceState, MediaEvent, MediaSession, Role};
use crate::quality::QualitySummary;
use provisioning::identity::DeviceIdentity;
use provisioning::signalling::client::{KioskSignalling, SignallingConfig};
use provisioning::signalling::{
    HangupReason, KioskCallState, KioskCallStep, KioskToServer, Party, ServerToKiosk,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// What a call needs from the firmware.
#[derive(Clone)]
pub struct CallServices {
    /// Where the registry is and how to trust it.
    pub signalling: SignallingConfig,
    /// The terminal's enrolment key.
    pub identity: Arc<DeviceIdentity>,
    /// Camera, microphone, speaker, codec.
    pub media: MediaConfig,
    /// Whether `webrtcdsp` is available (from the start-up check).
    pub echo_cancellation: bool,
    /// Longest time for ICE to connect after the answer before the call fails.
    pub media_setup_timeout: Duration,
    /// Longest silence from the registry (its pings included) before the connection counts
    /// as lost.
    pub signalling_silence: Duration,
}

/// How a finished call went: for the outbox and the rating page.
#[derive(Debug, Clone, PartialEq)]
pub struct CallReport {
    /// The registry's id of the call (empty if it never got one).
    pub call_id: String,
    /// Whether a lawyer answered.
    pub answered: bool,
    /// Who ended it.
    pub by: Party,
    /// Why.
    pub reason: HangupReason,
    /// From the request to the answer (or to the end, if unanswered).
    pub waited: Duration,
    /// From media connecting to the end (zero if it never connected).
    pub talked: Duration,
    /// Packets, loss, jitter, frames.
    pub quality: QualitySummary,
}

/// Receives the call's progress, on the engine's threads (post to the UI from here).
pub trait CallObserver: Send + Sync + 'static {
    /// The call moved to `state`.
    fn state(&self, state: &KioskCallState);
    /// A frame of the lawyer's video (on a GStreamer thread; copy and return quickly).
    fn remote_frame(&self, frame: FrameRef<'_>);
    /// A frame of the citizen's own camera.
    fn preview_frame(&self, frame: FrameRef<'_>);
    /// The call is over (after the last `state`).
    fn ended(&self, report: CallReport);
}

enum Control {
    Step(KioskCallStep),
    Mute(bool),
}

/// A call in progress; dropping it hangs up.
pub struct KioskCall {
    control: mpsc::UnboundedSender<Control>,
}

impl KioskCall {
    /// Starts a call on `runtime`: connect, join the queue with `category`, and so on.
    pub fn start(
        runtime: &tokio::runtime::Handle,
        services: CallServices,
        category: Option<String>,
        observer: Arc<dyn CallObserver>,
    ) -> Self {
        Self::start_with(runtime, services, category, false, observer)
    }

    /// As [`KioskCall::start`], saying whether the citizen checked in for a booked video
    /// consultation (`booked`: the registry queues the call ahead of calls without one).
    pub fn start_with(
        runtime: &tokio::runtime::Handle,
        services: CallServices,
        category: Option<String>,
        booked: bool,
        observer: Arc<dyn CallObserver>,
    ) -> Self {
        let (control, rx) = mpsc::unbounded_channel();
        runtime.spawn(run_call(services, category, booked, observer, rx));
        Self { control }
    }

    /// The citizen pressed cancel (waiting) or hang up (in a call).
    pub fn hang_up(&self) {
        let _ = self
            .control
            .send(Control::Step(KioskCallStep::CitizenHangup));
    }

    /// A UI timer expired: [`KioskCallStep::AnswerTimedOut`] or
    /// [`KioskCallStep::RestoreTimedOut`].
    pub fn step(&self, step: KioskCallStep) {
        let _ = self.control.send(Control::Step(step));
    }

    /// Mutes or unmutes the citizen's microphone.
    pub fn set_muted(&self, muted: bool) {
        let _ = self.control.send(Control::Mute(muted));
    }
}

impl Drop for KioskCall {
    fn drop(&mut self) {
        self.hang_up();
    }
}

struct Engine {
    services: CallServices,
    observer: Arc<dyn CallObserver>,
    state: KioskCallState,
    call_id: String,
    requested_at: Instant,
    answered_at: Option<Instant>,
    connected_at: Option<Instant>,
    media: Option<MediaSession>,
    media_events: mpsc::UnboundedSender<MediaEvent>,
    muted: bool,
}

impl Engine {
    /// Applies a step; returns the frame to send.
    fn apply(&mut self, step: KioskCallStep) -> Option<KioskToServer> {
        let (next, frame) = self.state.apply(step);
        if next != self.state {
            match &next {
                KioskCallState::Negotiating { .. } => self.answered_at = Some(Instant::now()),
                KioskCallState::InCall { .. } if self.connected_at.is_none() => {
                    self.connected_at = Some(Instant::now());
                }
                _ => {}
            }
            self.state = next;
            self.observer.state(&self.state);
        }
        frame
    }

    fn start_media(&mut self, ice: &provisioning::signalling::IceSettings) -> Result<(), String> {
        let observer = self.observer.clone();
        let preview_observer = self.observer.clone();
        let frames = FrameSinks {
            remote: Some(Arc::new(move |f| observer.remote_frame(f))),
            preview: Some(Arc::new(move |f| preview_observer.preview_frame(f))),
        };
        let media = MediaSession::start(
            &self.services.media,
            self.services.echo_cancellation,
            ice,
            Role::Offerer,
            self.media_events.clone(),
            frames,
        )
        .map_err(|e| e.to_string())?;
        media.set_muted(self.muted);
        self.media = Some(media);
        Ok(())
    }

    fn report(&mut self) -> CallReport {
        let quality = match self.media.take() {
            Some(media) => {
                let quality = media.quality(Duration::from_secs(1));
                media.stop();
                quality
            }
            None => QualitySummary::default(),
        };
        let (by, reason, answered) = match &self.state {
            KioskCallState::Ended {
                by,
                reason,
                answered,
            } => (*by, *reason, *answered),
            _ => (Party::Citizen, HangupReason::Normal, false),
        };
        let end = Instant::now();
        CallReport {
            call_id: self.call_id.clone(),
            answered,
            by,
            reason,
            waited: self.answered_at.unwrap_or(end) - self.requested_at,
            talked: self.connected_at.map(|c| end - c).unwrap_or_default(),
            quality,
        }
    }
}

async fn run_call(
    services: CallServices,
    category: Option<String>,
    booked: bool,
    observer: Arc<dyn CallObserver>,
    mut control: mpsc::UnboundedReceiver<Control>,
) {
    let (media_events, mut media_rx) = mpsc::unbounded_channel();
    let mut engine = Engine {
        services,
        observer,
        state: KioskCallState::Idle,
        call_id: String::new(),
        requested_at: Instant::now(),
        answered_at: None,
        connected_at: None,
        media: None,
        media_events,
        muted: false,
    };
    engine.apply(KioskCallStep::Start);

    let connected = tokio::select! {
        c = KioskSignalling::connect(&engine.services.signalling, &engine.services.identity) => Some(c),
        // The citizen may cancel while the connection is being opened.
        _ = wait_for_hangup(&mut control) => None,
    };
    let mut signalling = match connected {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            tracing::warn!("video call: {e}");
            engine.apply(KioskCallStep::SignallingLost);
            let report = engine.report();
            engine.observer.ended(report);
            return;
        }
        None => {
            engine.apply(KioskCallStep::CitizenHangup);
            let report = engine.report();
            engine.observer.ended(report);
            return;
        }
    };

    let mut ice = None;
    let silence = engine.services.signalling_silence;
    let setup_timeout = engine.services.media_setup_timeout;
    let mut requested = false;
    let mut media_deadline: Option<tokio::time::Instant> = None;
    // ICE in GStreamer 1.22 may never report a path that silently died (no consent
    // freshness): media that stops arriving counts as an interruption too.
    let mut watchdog = tokio::time::interval(Duration::from_secs(1));
    let mut last_progress = (0u64, Instant::now());
    while engine.state.is_active() {
        let deadline = media_deadline.unwrap_or_else(|| tokio::time::Instant::now() + silence * 10);
        let outgoing = tokio::select! {
            frame = tokio::time::timeout(silence, signalling.next()) => match frame {
                Ok(Ok(Some(frame))) => on_frame(&mut engine, frame, &mut ice, &mut media_deadline, setup_timeout),
                Ok(Ok(None)) | Ok(Err(_)) | Err(_) => {
                    tracing::warn!("video call: signalling connection lost");
                    engine.apply(KioskCallStep::SignallingLost);
                    None
                }
            },
            Some(event) = media_rx.recv() => on_media(&mut engine, event, &mut media_deadline),
            Some(command) = control.recv() => match command {
                Control::Step(step) => engine.apply(step),
                Control::Mute(muted) => {
                    engine.muted = muted;
                    if let Some(media) = &engine.media {
                        media.set_muted(muted);
                    }
                    None
                }
            },
            _ = watchdog.tick() => check_media_flow(&mut engine, &mut last_progress),
            _ = tokio::time::sleep_until(deadline), if media_deadline.is_some() => {
                tracing::warn!("video call: media did not connect in time");
                media_deadline = None;
                engine.apply(KioskCallStep::MediaFailed)
            }
        };
        if let Some(frame) = outgoing
            && signalling.send(&frame).await.is_err()
            && engine.state.is_active()
        {
            engine.apply(KioskCallStep::SignallingLost);
        }
        if !requested && ice.is_some() && engine.state.is_active() {
            requested = true;
            let frame = KioskToServer::RequestCall {
                category: category.clone(),
                booked,
            };
            if signalling.send(&frame).await.is_err() {
                engine.apply(KioskCallStep::SignallingLost);
            }
        }
    }
    let report = engine.report();
    signalling.close().await;
    engine.observer.ended(report);
}

/// Seconds without any received audio or video before the call counts as interrupted.
const MEDIA_SILENCE: Duration = Duration::from_secs(3);

fn check_media_flow(engine: &mut Engine, last: &mut (u64, Instant)) -> Option<KioskToServer> {
    let media = engine.media.as_ref()?;
    let received = media.remote_frames() + media.audio_buffers();
    if received != last.0 {
        *last = (received, Instant::now());
        return match engine.state {
            KioskCallState::Interrupted { .. } => engine.apply(KioskCallStep::MediaRestored),
            _ => None,
        };
    }
    match engine.state {
        KioskCallState::InCall { .. } if last.1.elapsed() >= MEDIA_SILENCE => {
            tracing::warn!("video call: no media from the lawyer for {MEDIA_SILENCE:?}");
            engine.apply(KioskCallStep::MediaInterrupted)
        }
        _ => None,
    }
}

async fn wait_for_hangup(control: &mut mpsc::UnboundedReceiver<Control>) {
    while let Some(command) = control.recv().await {
        if let Control::Step(KioskCallStep::CitizenHangup | KioskCallStep::AnswerTimedOut) = command
        {
            return;
        }
    }
    std::future::pending::<()>().await
}

fn on_frame(
    engine: &mut Engine,
    frame: ServerToKiosk,
    ice: &mut Option<provisioning::signalling::IceSettings>,
    media_deadline: &mut Option<tokio::time::Instant>,
    setup_timeout: Duration,
) -> Option<KioskToServer> {
    match frame {
        ServerToKiosk::Welcome { ice: settings } => {
            *ice = Some(settings);
            None
        }
        ServerToKiosk::Queued {
            call_id,
            position,
            lawyers_online,
        } => {
            engine.call_id.clone_from(&call_id);
            engine.apply(KioskCallStep::Queued {
                call_id,
                position,
                lawyers_online,
            })
        }
        ServerToKiosk::Answered {
            call_id,
            ice: for_this_call,
        } => {
            // Credentials minted for this call (time-limited TURN) replace the welcome's.
            if let Some(settings) = for_this_call {
                *ice = Some(settings);
            }
            engine.call_id.clone_from(&call_id);
            let frame = engine.apply(KioskCallStep::Answered { call_id });
            if matches!(engine.state, KioskCallState::Negotiating { .. }) {
                let settings = ice
                    .clone()
                    .unwrap_or(provisioning::signalling::IceSettings {
                        ice_servers: Vec::new(),
                        ice_transport_policy: Default::default(),
                    });
                *media_deadline = Some(tokio::time::Instant::now() + setup_timeout);
                if let Err(e) = engine.start_media(&settings) {
                    tracing::error!("video call: {e}");
                    *media_deadline = None;
                    return engine.apply(KioskCallStep::MediaFailed);
                }
            }
            frame
        }
        ServerToKiosk::Sdp { description } => {
            if let Some(media) = &engine.media
                && let Err(e) = media.set_remote_description(&description)
            {
                tracing::warn!("video call: {e}");
                return engine.apply(KioskCallStep::MediaFailed);
            }
            None
        }
        ServerToKiosk::Ice { candidate } => {
            if let Some(media) = &engine.media {
                media.add_ice_candidate(&candidate);
            }
            None
        }
        ServerToKiosk::Ended { by, reason, .. } => {
            engine.apply(KioskCallStep::RemoteEnded { by, reason })
        }
        ServerToKiosk::Error { code, message } => {
            tracing::warn!(?code, "video call: the registry refused a frame: {message}");
            None
        }
    }
}

fn on_media(
    engine: &mut Engine,
    event: MediaEvent,
    media_deadline: &mut Option<tokio::time::Instant>,
) -> Option<KioskToServer> {
    match event {
        MediaEvent::LocalDescription(description) => Some(KioskToServer::Sdp { description }),
        MediaEvent::LocalCandidate(candidate) => Some(KioskToServer::Ice { candidate }),
        MediaEvent::Ice(IceState::Connected) => {
            *media_deadline = None;
            match engine.state {
                KioskCallState::Interrupted { .. } => engine.apply(KioskCallStep::MediaRestored),
                _ => engine.apply(KioskCallStep::MediaConnected),
            }
        }
        MediaEvent::Ice(IceState::Disconnected | IceState::Failed) => match engine.state {
            KioskCallState::InCall { .. } => engine.apply(KioskCallStep::MediaInterrupted),
            KioskCallState::Negotiating { .. } => engine.apply(KioskCallStep::MediaFailed),
            _ => None,
        },
        MediaEvent::Ice(IceState::Checking) => None,
        MediaEvent::Error(e) => {
            tracing::error!("video call media: {e}");
            match engine.state {
                KioskCallState::Negotiating { .. } => engine.apply(KioskCallStep::MediaFailed),
                _ => None,
            }
        }
    }
}
