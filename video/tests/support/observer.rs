//! A call observer that records what the screen would show.
#![allow(dead_code)]

use kiosk_video::{CallObserver, CallReport, FrameRef};
use provisioning::signalling::KioskCallState;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Recorder {
    pub states: Mutex<Vec<KioskCallState>>,
    pub report: Mutex<Option<CallReport>>,
    pub remote_frames: AtomicU64,
    pub preview_frames: AtomicU64,
    pub remote_size: Mutex<(u32, u32)>,
    /// Wall-clock time of the first frame of the lawyer's video.
    pub first_remote_at: std::sync::OnceLock<std::time::SystemTime>,
    changed: Condvar,
}

impl CallObserver for Recorder {
    fn state(&self, state: &KioskCallState) {
        self.states.lock().unwrap().push(state.clone());
        self.changed.notify_all();
    }
    fn remote_frame(&self, frame: FrameRef<'_>) {
        assert_eq!(
            frame.to_packed().len(),
            (frame.width * frame.height * 4) as usize
        );
        *self.remote_size.lock().unwrap() = (frame.width, frame.height);
        let _ = self.first_remote_at.set(std::time::SystemTime::now());
        self.remote_frames.fetch_add(1, Ordering::Relaxed);
    }
    fn preview_frame(&self, _frame: FrameRef<'_>) {
        self.preview_frames.fetch_add(1, Ordering::Relaxed);
    }
    fn ended(&self, report: CallReport) {
        *self.report.lock().unwrap() = Some(report);
        self.changed.notify_all();
    }
}

impl Recorder {
    pub fn last(&self) -> Option<KioskCallState> {
        self.states.lock().unwrap().last().cloned()
    }

    /// Waits until the latest state satisfies `check` (at most `secs`).
    pub fn wait_for(
        &self,
        what: &str,
        secs: u64,
        check: impl Fn(&KioskCallState) -> bool,
    ) -> KioskCallState {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut states = self.states.lock().unwrap();
        loop {
            if let Some(last) = states.last()
                && check(last)
            {
                return last.clone();
            }
            let now = Instant::now();
            assert!(
                now < deadline,
                "timed out waiting for {what}; states: {:?}",
                *states
            );
            states = self.changed.wait_timeout(states, deadline - now).unwrap().0;
        }
    }

    /// Waits for the final report.
    pub fn wait_report(&self, secs: u64) -> CallReport {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut report = self.report.lock().unwrap();
        loop {
            if let Some(r) = report.clone() {
                return r;
            }
            let now = Instant::now();
            assert!(now < deadline, "the call reported no end");
            report = self.changed.wait_timeout(report, deadline - now).unwrap().0;
        }
    }

    pub fn wait_frames(&self, n: u64, secs: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.remote_frames.load(Ordering::Relaxed) < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.remote_frames.load(Ordering::Relaxed)
    }
}
