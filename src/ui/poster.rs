//! Getting results from worker threads back onto the UI thread.
//!
//! In the kiosk this is `slint::invoke_from_event_loop`. Headless tests have no event loop,
//! so they use a manual queue and run what was posted when they choose; the controllers are
//! the same code either way.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

type Task = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct Poster(Inner);

#[derive(Clone)]
enum Inner {
    EventLoop,
    Manual(Arc<ManualQueue>),
}

#[derive(Default)]
pub struct ManualQueue {
    tasks: Mutex<VecDeque<Task>>,
    ready: Condvar,
}

impl Poster {
    /// Posts into the running Slint event loop.
    pub fn event_loop() -> Self {
        Self(Inner::EventLoop)
    }

    /// Posts into a queue that the owner drains with [`ManualQueue::run_until`].
    pub fn manual() -> (Self, Arc<ManualQueue>) {
        let queue = Arc::new(ManualQueue::default());
        (Self(Inner::Manual(queue.clone())), queue)
    }

    /// Runs `task` on the UI thread, soon.
    pub fn post(&self, task: impl FnOnce() + Send + 'static) {
        match &self.0 {
            Inner::EventLoop => {
                if let Err(e) = slint::invoke_from_event_loop(task) {
                    tracing::error!("cannot reach the UI thread: {e}");
                }
            }
            Inner::Manual(queue) => {
                let mut tasks = queue.tasks.lock().unwrap_or_else(|e| e.into_inner());
                tasks.push_back(Box::new(task));
                queue.ready.notify_all();
            }
        }
    }
}

impl ManualQueue {
    /// Runs posted tasks on the calling thread until `done()` holds or `timeout` passes.
    /// Returns whether `done()` held.
    pub fn run_until(&self, timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if done() {
                return true;
            }
            let task = {
                let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if let Some(task) = tasks.pop_front() {
                        break Some(task);
                    }
                    let now = Instant::now();
                    if now >= deadline {
                        break None;
                    }
                    tasks = self
                        .ready
                        .wait_timeout(tasks, deadline - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            };
            match task {
                Some(task) => task(),
                None => return done(),
            }
        }
    }

    /// Runs everything posted so far.
    pub fn run_pending(&self) {
        loop {
            let task = self
                .tasks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop_front();
            match task {
                Some(task) => task(),
                None => return,
            }
        }
    }
}
