//! The `Video` global's controller: the call with a lawyer — privacy notice, waiting with
//! the place in the queue, the call, and what comes after (other ways to get help, or a
//! rating). The call engine (`kiosk_video::KioskCall`) runs on its own threads and reports
//! here through the poster; the timers the citizen sees (waiting for an answer, waiting for
//! a lost connection) are Slint timers. Each call has its own guard: reports of an earlier
//! call never reach the screen.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kiosk_video::{CallObserver, CallReport, FrameRef, KioskCall};
use provisioning::signalling::{HangupReason, KioskCallState, KioskCallStep, Party};
use slint::{ComponentHandle, Image, Rgba8Pixel, SharedPixelBuffer, Timer, TimerMode};

use super::shell::poster::{Poster, UiRef};
use super::shell::{Intent, Shell, callback, callback_with};
use super::{AppWindow, Page, Video, VideoStage};
use crate::domain::rating::ServiceKind;
use crate::services::{VideoService, ignore};
use crate::session::{Epoch, Guard};
use crate::video::VideoAvailability;

pub struct VideoController {
    shell: Shell,
    availability: VideoAvailability,
    video: VideoService,
    ui: UiRef<Self>,
    call: RefCell<Option<KioskCall>>,
    /// Advanced for every call and when the screen leaves it.
    calls: Epoch,
    category: RefCell<Option<String>>,
    /// The call is a booked consultation's (checked in at this terminal).
    booked: Cell<bool>,
    muted: Cell<bool>,
    answer_timer: Timer,
    restore_timer: Timer,
    remote_pending: Arc<AtomicBool>,
    preview_pending: Arc<AtomicBool>,
}

/// Reports from the call engine, posted to the UI thread while the call is the one shown.
struct UiObserver {
    poster: Poster,
    ui: UiRef<VideoController>,
    call: Guard,
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

impl UiObserver {
    fn post(&self, f: impl FnOnce(&VideoController) + Send + 'static) {
        let call = self.call.clone();
        self.poster.post_to(&self.ui, move |c| {
            if call.holds() {
                f(c);
            }
        });
    }

    /// Posts a frame unless the UI has not shown the previous one yet (then it is skipped).
    fn frame(&self, frame: FrameRef<'_>, pending: &Arc<AtomicBool>, remote: bool) {
        if pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let Some(buffer) = pixels(frame) else {
            pending.store(false, Ordering::Release);
            return;
        };
        let pending = pending.clone();
        self.poster.post_to(&self.ui, move |c| {
            pending.store(false, Ordering::Release);
            c.show_frame(buffer, remote);
        });
    }
}

impl CallObserver for UiObserver {
    fn state(&self, state: &KioskCallState) {
        let state = state.clone();
        self.post(move |c| c.on_call_state(state));
    }

    fn remote_frame(&self, frame: FrameRef<'_>) {
        self.frame(frame, &self.remote_pending, true);
    }

    fn preview_frame(&self, frame: FrameRef<'_>) {
        self.frame(frame, &self.preview_pending, false);
    }

    fn ended(&self, report: CallReport) {
        let shown = self.call.clone();
        self.poster
            .post_to(&self.ui, move |c| c.on_call_ended(report, shown.holds()));
    }
}

impl VideoController {
    pub fn attach(
        app: &AppWindow,
        shell: Shell,
        availability: VideoAvailability,
        video: VideoService,
    ) -> Rc<Self> {
        if let Err(reason) = &availability {
            tracing::warn!("video calls are unavailable: {reason}");
        }
        let g = app.global::<Video>();
        g.set_available(availability.is_ok());
        g.set_unavailable_reason(
            availability
                .as_ref()
                .err()
                .cloned()
                .unwrap_or_default()
                .into(),
        );
        let this = Rc::new_cyclic(|me| Self {
            shell: shell.clone(),
            availability,
            video,
            ui: UiRef::from_weak(me),
            call: RefCell::new(None),
            calls: Epoch::new(),
            category: RefCell::new(None),
            booked: Cell::new(false),
            muted: Cell::new(false),
            answer_timer: Timer::default(),
            restore_timer: Timer::default(),
            remote_pending: Arc::new(AtomicBool::new(false)),
            preview_pending: Arc::new(AtomicBool::new(false)),
        });
        let me = Rc::downgrade(&this);
        g.on_open(callback(&me, |this| {
            this.open(None);
        }));
        g.on_agree(callback(&me, |this| this.agree()));
        g.on_cancel(callback(&me, |this| this.back()));
        g.on_hang_up(callback(&me, |this| this.hang_up()));
        g.on_toggle_mute(callback(&me, |this| this.toggle_mute()));
        g.on_take_ticket(callback(&me, |this| {
            this.leave();
            this.shell.request(Intent::OpenServices);
        }));
        g.on_done(callback(&me, |this| this.shell.go_home()));
        shell.on_back(Page::Video, callback(&me, |this| this.back()));
        shell.on_home(callback_with(&me, |this, _ended: bool| this.leave()));
        let m = me.clone();
        shell.keep_awake_while(move || m.upgrade().is_some_and(|this| this.active()));
        let m = me.clone();
        shell.on_intent(move |intent| match (m.upgrade(), intent) {
            (Some(this), Intent::VideoCall { category }) => this.open(category.clone()),
            (Some(this), Intent::BookedVideoCall) => {
                let opened = this.open(None);
                this.booked.set(opened);
                opened
            }
            _ => false,
        });
        this
    }

    super::shell::with_global!(Video);

    /// Whether a call is being set up or in progress.
    fn active(&self) -> bool {
        self.call.borrow().is_some()
    }

    /// Opens the call's privacy notice. `category` is the matter the citizen chose in a
    /// consultation (a catalogue id), shown to the lawyer; nothing personal. False when this
    /// terminal cannot make calls.
    fn open(&self, category: Option<String>) -> bool {
        if self.availability.is_err() {
            return false;
        }
        if self.active() {
            return true;
        }
        *self.category.borrow_mut() = category;
        self.booked.set(false);
        self.with(|v| {
            v.set_stage(VideoStage::Notice);
            v.set_muted(false);
        });
        self.shell.show(Page::Video);
        true
    }

    /// The citizen agreed to the notice: join the queue.
    fn agree(&self) {
        let Ok(calls) = self.availability.clone() else {
            return;
        };
        if self.active() {
            return;
        }
        self.calls.advance();
        self.muted.set(false);
        let category = self.category.borrow().clone();
        self.video.requested(category.as_deref());
        let observer = Arc::new(UiObserver {
            poster: self.shell.poster().clone(),
            ui: self.ui.clone(),
            call: self.calls.guard(),
            remote_pending: self.remote_pending.clone(),
            preview_pending: self.preview_pending.clone(),
        });
        let call = KioskCall::start_with(
            &calls.net,
            calls.services.clone(),
            category,
            self.booked.get(),
            observer,
        );
        *self.call.borrow_mut() = Some(call);
        self.with(|v| v.set_stage(VideoStage::Connecting));
        let ui = self.ui.clone();
        self.answer_timer
            .start(TimerMode::SingleShot, calls.answer_timeout, move || {
                if let Some(this) = ui.get()
                    && let Some(call) = this.call.borrow().as_ref()
                {
                    call.step(KioskCallStep::AnswerTimedOut);
                }
            });
    }

    /// 返回 or 取消 on the call page: leave the notice, or cancel the waiting call.
    fn back(&self) {
        let Some(stage) = self.shell.app().map(|a| a.global::<Video>().get_stage()) else {
            return;
        };
        match stage {
            VideoStage::Notice => self.shell.go_home(),
            VideoStage::Connecting | VideoStage::Waiting => self.hang_up(),
            _ => {}
        }
    }

    fn hang_up(&self) {
        if let Some(call) = self.call.borrow().as_ref() {
            call.hang_up();
        }
    }

    fn toggle_mute(&self) {
        let muted = !self.muted.get();
        self.muted.set(muted);
        if let Some(call) = self.call.borrow().as_ref() {
            call.set_muted(muted);
        }
        self.with(|v| v.set_muted(muted));
    }

    /// The kiosk leaves the call page (home, idle, another service): hang up and forget.
    fn leave(&self) {
        self.answer_timer.stop();
        self.restore_timer.stop();
        // Reports still on their way belong to a call the screen no longer shows.
        self.calls.advance();
        if let Some(call) = self.call.borrow_mut().take() {
            call.hang_up();
        }
        self.clear_pictures();
    }

    fn clear_pictures(&self) {
        self.with(|v| {
            v.set_remote(Image::default());
            v.set_preview(Image::default());
        });
    }

    fn show_frame(&self, buffer: SharedPixelBuffer<Rgba8Pixel>, remote: bool) {
        if !self.active() {
            return;
        }
        let image = Image::from_rgba8(buffer);
        self.with(|v| {
            if remote {
                v.set_remote(image);
            } else {
                v.set_preview(image);
            }
        });
    }

    fn on_call_state(&self, state: KioskCallState) {
        match state {
            KioskCallState::Idle | KioskCallState::Ended { .. } => {}
            KioskCallState::Connecting => self.with(|v| v.set_stage(VideoStage::Connecting)),
            KioskCallState::Waiting {
                position,
                lawyers_online,
                ..
            } => self.with(|v| {
                v.set_position(i32::try_from(position).unwrap_or(i32::MAX));
                v.set_lawyers_online(i32::try_from(lawyers_online).unwrap_or(i32::MAX));
                v.set_stage(VideoStage::Waiting);
            }),
            KioskCallState::Negotiating { call_id } => {
                self.answer_timer.stop();
                self.video.answered(&call_id);
                self.with(|v| v.set_stage(VideoStage::ConnectingMedia));
            }
            KioskCallState::InCall { .. } => {
                self.restore_timer.stop();
                self.with(|v| v.set_stage(VideoStage::InCall));
            }
            KioskCallState::Interrupted { .. } => {
                self.with(|v| v.set_stage(VideoStage::Interrupted));
                let grace = self
                    .availability
                    .as_ref()
                    .map(|c| c.reconnect_grace)
                    .unwrap_or_default();
                let ui = self.ui.clone();
                self.restore_timer
                    .start(TimerMode::SingleShot, grace, move || {
                        if let Some(this) = ui.get()
                            && let Some(call) = this.call.borrow().as_ref()
                        {
                            call.step(KioskCallStep::RestoreTimedOut);
                        }
                    });
            }
        }
    }

    /// A call ended; `shown` when it is the call on screen (else only its record counts).
    fn on_call_ended(&self, report: CallReport, shown: bool) {
        self.video.ended(&report, ignore);
        if !shown {
            return;
        }
        self.answer_timer.stop();
        self.restore_timer.stop();
        self.call.borrow_mut().take();
        self.clear_pictures();
        // The citizen may walk away from the page after the call: the idle watch resumes.
        self.shell.touched();
        let stage = match (report.reason, report.answered) {
            (HangupReason::Cancelled, _) => {
                self.shell.go_home();
                return;
            }
            (HangupReason::NoAnswer, _) => VideoStage::NoAnswer,
            (HangupReason::NetworkLost, _) => VideoStage::NetworkLost,
            (HangupReason::Normal, true) => VideoStage::Ended,
            (HangupReason::PeerGone, true) if report.by == Party::Lawyer => VideoStage::Ended,
            (HangupReason::PeerGone, true) => VideoStage::NetworkLost,
            _ => VideoStage::Failed,
        };
        self.with(|v| {
            v.set_ended_by_lawyer(report.by == Party::Lawyer);
            v.set_stage(stage);
        });
        // After a conversation, 好差评: 跳过 comes back to this page.
        if stage == VideoStage::Ended && !report.call_id.is_empty() {
            self.shell.request(Intent::Rate {
                kind: ServiceKind::VideoCall,
                id: report.call_id.clone(),
                subject: None,
            });
        }
    }
}
