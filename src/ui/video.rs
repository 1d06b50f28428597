//! The video call with a lawyer, on the controller: privacy notice, waiting with the place in
//! the queue, the call, and what comes after. The call engine (`kiosk_video::KioskCall`)
//! runs on its own threads and reports here through the poster; the timers the citizen sees
//! (waiting for an answer, waiting for a lost connection) are Slint timers.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kiosk_video::{CallObserver, CallReport, FrameRef, KioskCall};
use provisioning::signalling::{HangupReason, KioskCallState, KioskCallStep, Party};
use slint::{ComponentHandle, Image, Rgba8Pixel, SharedPixelBuffer, Timer, TimerMode};

use super::controller::KioskController;
use super::poster::{Poster, UiRef};
use super::{AppWindow, Nav, Page, Video, VideoStage};
use crate::store::outbox;
use crate::video::VideoAvailability;

/// The controller's video-call state.
pub struct VideoUi {
    availability: VideoAvailability,
    call: RefCell<Option<KioskCall>>,
    /// Bumped for every call, so late reports of an earlier call are ignored.
    generation: Cell<u64>,
    category: RefCell<Option<String>>,
    muted: Cell<bool>,
    answer_timer: Timer,
    restore_timer: Timer,
    remote_pending: Arc<AtomicBool>,
    preview_pending: Arc<AtomicBool>,
}

impl VideoUi {
    /// State for a terminal with (or without) video calls.
    pub fn new(availability: VideoAvailability) -> Self {
        if let Err(reason) = &availability {
            tracing::warn!("video calls are unavailable: {reason}");
        }
        Self {
            availability,
            call: RefCell::new(None),
            generation: Cell::new(0),
            category: RefCell::new(None),
            muted: Cell::new(false),
            answer_timer: Timer::default(),
            restore_timer: Timer::default(),
            remote_pending: Arc::new(AtomicBool::new(false)),
            preview_pending: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether a call is being set up or in progress.
    pub fn active(&self) -> bool {
        self.call.borrow().is_some()
    }
}

/// Reports from the call engine, posted to the UI thread.
struct UiObserver {
    poster: Poster,
    ui: UiRef<KioskController>,
    generation: u64,
    remote_pending: Arc<AtomicBool>,
    preview_pending: Arc<AtomicBool>,
}

/// Copies a frame into a Slint pixel buffer (the one CPU copy of the software renderer).
fn pixels(frame: FrameRef<'_>) -> Option<SharedPixelBuffer<Rgba8Pixel>> {
    let mut buffer = SharedPixelBuffer::<Rgba8Pixel>::new(frame.width, frame.height);
    frame
        .copy_packed_into(buffer.make_mut_bytes())
        .then_some(buffer)
}

impl CallObserver for UiObserver {
    fn state(&self, state: &KioskCallState) {
        let (state, generation) = (state.clone(), self.generation);
        self.poster
            .post_to(&self.ui, move |c| c.on_call_state(generation, state));
    }

    fn remote_frame(&self, frame: FrameRef<'_>) {
        // Skip frames while the UI has not shown the previous one.
        if self.remote_pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let Some(buffer) = pixels(frame) else {
            self.remote_pending.store(false, Ordering::Release);
            return;
        };
        let (generation, pending) = (self.generation, self.remote_pending.clone());
        self.poster.post_to(&self.ui, move |c| {
            pending.store(false, Ordering::Release);
            c.show_frame(generation, buffer, true);
        });
    }

    fn preview_frame(&self, frame: FrameRef<'_>) {
        if self.preview_pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let Some(buffer) = pixels(frame) else {
            self.preview_pending.store(false, Ordering::Release);
            return;
        };
        let (generation, pending) = (self.generation, self.preview_pending.clone());
        self.poster.post_to(&self.ui, move |c| {
            pending.store(false, Ordering::Release);
            c.show_frame(generation, buffer, false);
        });
    }

    fn ended(&self, report: CallReport) {
        let generation = self.generation;
        self.poster
            .post_to(&self.ui, move |c| c.on_call_ended(generation, report));
    }
}

impl KioskController {
    pub(super) fn wire_video(&self, app: &AppWindow) {
        let video = app.global::<Video>();
        video.set_available(self.video.availability.is_ok());
        video.set_unavailable_reason(
            self.video
                .availability
                .as_ref()
                .err()
                .cloned()
                .unwrap_or_default()
                .into(),
        );
        let me = self.me.clone();
        video.on_open(move || {
            if let Some(this) = me.upgrade() {
                this.start_video_call(None);
            }
        });
        let on = |f: fn(&KioskController)| {
            let me = self.me.clone();
            move || {
                if let Some(this) = me.upgrade() {
                    f(&this);
                }
            }
        };
        video.on_agree(on(|c| c.agree_to_call()));
        video.on_cancel(on(|c| c.video_back()));
        video.on_hang_up(on(|c| c.hang_up_call()));
        video.on_toggle_mute(on(|c| c.toggle_mute()));
        video.on_take_ticket(on(|c| {
            c.leave_call();
            if let Some(app) = c.app.upgrade() {
                app.global::<Nav>().invoke_open_services();
            }
        }));
        video.on_done(on(|c| c.go_home()));
    }

    /// Opens the video call's privacy notice. `category` is the matter the citizen chose in
    /// a consultation (a catalogue id), shown to the lawyer; nothing personal.
    pub fn start_video_call(&self, category: Option<String>) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        if self.video.availability.is_err() || self.video.active() {
            return;
        }
        *self.video.category.borrow_mut() = category;
        let video = app.global::<Video>();
        video.set_stage(VideoStage::Notice);
        video.set_muted(false);
        app.global::<Nav>().set_page(Page::Video);
    }

    /// The citizen agreed to the notice: join the queue.
    fn agree_to_call(&self) {
        let Ok(calls) = self.video.availability.clone() else {
            return;
        };
        if self.video.active() {
            return;
        }
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let generation = self.video.generation.get() + 1;
        self.video.generation.set(generation);
        self.video.muted.set(false);
        let category = self.video.category.borrow().clone();
        self.record(
            outbox::kind::VIDEO_CALL_REQUESTED,
            serde_json::json!({ "category": category }),
        );
        let observer = Arc::new(UiObserver {
            poster: self.deps.poster.clone(),
            ui: self.ui_ref(),
            generation,
            remote_pending: self.video.remote_pending.clone(),
            preview_pending: self.video.preview_pending.clone(),
        });
        let call = KioskCall::start(
            calls.runtime.handle(),
            calls.services.clone(),
            category,
            observer,
        );
        *self.video.call.borrow_mut() = Some(call);
        app.global::<Video>().set_stage(VideoStage::Connecting);
        let me = self.me.clone();
        self.video
            .answer_timer
            .start(TimerMode::SingleShot, calls.answer_timeout, move || {
                if let Some(this) = me.upgrade()
                    && let Some(call) = this.video.call.borrow().as_ref()
                {
                    call.step(KioskCallStep::AnswerTimedOut);
                }
            });
    }

    /// 返回 or 取消 on the call page: leave the notice, or cancel the waiting call.
    pub(super) fn video_back(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        match app.global::<Video>().get_stage() {
            VideoStage::Notice => self.go_home(),
            VideoStage::Connecting | VideoStage::Waiting => self.hang_up_call(),
            _ => {}
        }
    }

    fn hang_up_call(&self) {
        if let Some(call) = self.video.call.borrow().as_ref() {
            call.hang_up();
        }
    }

    fn toggle_mute(&self) {
        let muted = !self.video.muted.get();
        self.video.muted.set(muted);
        if let Some(call) = self.video.call.borrow().as_ref() {
            call.set_muted(muted);
        }
        if let Some(app) = self.app.upgrade() {
            app.global::<Video>().set_muted(muted);
        }
    }

    /// The kiosk leaves the call page (home, idle, another service): hang up and forget.
    pub(super) fn leave_call(&self) {
        self.video.answer_timer.stop();
        self.video.restore_timer.stop();
        // Reports still on their way belong to a call the screen no longer shows.
        self.video.generation.set(self.video.generation.get() + 1);
        if let Some(call) = self.video.call.borrow_mut().take() {
            call.hang_up();
        }
        self.clear_pictures();
    }

    fn clear_pictures(&self) {
        if let Some(app) = self.app.upgrade() {
            let video = app.global::<Video>();
            video.set_remote(Image::default());
            video.set_preview(Image::default());
        }
    }

    fn show_frame(&self, generation: u64, buffer: SharedPixelBuffer<Rgba8Pixel>, remote: bool) {
        if generation != self.video.generation.get() || !self.video.active() {
            return;
        }
        if let Some(app) = self.app.upgrade() {
            let video = app.global::<Video>();
            let image = Image::from_rgba8(buffer);
            if remote {
                video.set_remote(image);
            } else {
                video.set_preview(image);
            }
        }
    }

    fn on_call_state(&self, generation: u64, state: KioskCallState) {
        if generation != self.video.generation.get() {
            return;
        }
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let video = app.global::<Video>();
        match state {
            KioskCallState::Idle | KioskCallState::Ended { .. } => {}
            KioskCallState::Connecting => video.set_stage(VideoStage::Connecting),
            KioskCallState::Waiting {
                position,
                lawyers_online,
                ..
            } => {
                video.set_position(i32::try_from(position).unwrap_or(i32::MAX));
                video.set_lawyers_online(i32::try_from(lawyers_online).unwrap_or(i32::MAX));
                video.set_stage(VideoStage::Waiting);
            }
            KioskCallState::Negotiating { call_id } => {
                self.video.answer_timer.stop();
                self.record(
                    outbox::kind::VIDEO_CALL_ANSWERED,
                    serde_json::json!({ "call_id": call_id }),
                );
                video.set_stage(VideoStage::ConnectingMedia);
            }
            KioskCallState::InCall { .. } => {
                self.video.restore_timer.stop();
                video.set_stage(VideoStage::InCall);
            }
            KioskCallState::Interrupted { .. } => {
                video.set_stage(VideoStage::Interrupted);
                let me = self.me.clone();
                let grace = self
                    .video
                    .availability
                    .as_ref()
                    .map(|c| c.reconnect_grace)
                    .unwrap_or_default();
                self.video
                    .restore_timer
                    .start(TimerMode::SingleShot, grace, move || {
                        if let Some(this) = me.upgrade()
                            && let Some(call) = this.video.call.borrow().as_ref()
                        {
                            call.step(KioskCallStep::RestoreTimedOut);
                        }
                    });
            }
        }
    }

    fn on_call_ended(&self, generation: u64, report: CallReport) {
        let quality = &report.quality;
        self.record(
            outbox::kind::VIDEO_CALL_ENDED,
            serde_json::json!({
                "call_id": report.call_id,
                "answered": report.answered,
                "ended_by": report.by.as_str(),
                "reason": report.reason.as_str(),
                "waited_s": report.waited.as_secs(),
                "duration_s": report.talked.as_secs(),
                "quality": {
                    "packets_received": quality.packets_received,
                    "packets_lost": quality.packets_lost,
                    "loss_ratio": quality.loss_ratio(),
                    "jitter_ms": quality.jitter_ms,
                    "round_trip_ms": quality.round_trip_ms,
                    "frames_decoded": quality.frames_decoded,
                },
            }),
        );
        if generation != self.video.generation.get() {
            return;
        }
        self.video.answer_timer.stop();
        self.video.restore_timer.stop();
        self.video.call.borrow_mut().take();
        self.clear_pictures();
        // The citizen may walk away from the page after the call: the idle watch resumes.
        self.touched();
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let video = app.global::<Video>();
        video.set_ended_by_lawyer(report.by == Party::Lawyer);
        let stage = match (report.reason, report.answered) {
            (HangupReason::Cancelled, _) => {
                self.go_home();
                return;
            }
            (HangupReason::NoAnswer, _) => VideoStage::NoAnswer,
            (HangupReason::NetworkLost, _) => VideoStage::NetworkLost,
            (HangupReason::Normal, true) => VideoStage::Ended,
            (HangupReason::PeerGone, true) if report.by == Party::Lawyer => VideoStage::Ended,
            (HangupReason::PeerGone, true) => VideoStage::NetworkLost,
            _ => VideoStage::Failed,
        };
        video.set_stage(stage);
        if stage == VideoStage::Ended {
            self.offer_rating_after_call(&report);
        }
    }

    /// After an answered call the citizen is asked to rate the service. The rating page is
    /// another engineer's; until it lands the call page's "ended" view stays (lead: open the
    /// rating page here with the call id).
    pub fn offer_rating_after_call(&self, report: &CallReport) {
        tracing::info!(
            answered = report.answered,
            "video call ended; rating page not wired yet"
        );
    }

    /// Writes an outbox event on the store thread.
    fn record(&self, kind: &'static str, payload: serde_json::Value) {
        let at = self.deps.clock.now();
        self.deps.worker.submit(move |store| {
            if let Err(e) = outbox::append(store.conn(), kind, &payload, at) {
                tracing::error!("cannot record {kind}: {e}");
            }
        });
    }
}
