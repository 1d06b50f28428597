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

/// A handle to an object that lives on the UI thread, which other threads can carry and send
/// back in posted tasks: `get()` gives the object only on the UI thread that registered it,
/// and only while it lives.
pub struct UiRef<T> {
    slot: usize,
    generation: u64,
    thread: std::thread::ThreadId,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<T> Clone for UiRef<T> {
    fn clone(&self) -> Self {
        Self {
            slot: self.slot,
            generation: self.generation,
            thread: self.thread,
            _type: std::marker::PhantomData,
        }
    }
}

thread_local! {
    /// Registered objects by slot, with the slot's generation so that a reused slot never
    /// answers for an older handle.
    static UI_OBJECTS: std::cell::RefCell<Vec<(u64, std::rc::Weak<dyn std::any::Any>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

impl<T: 'static> UiRef<T> {
    /// Registers `object` (on the UI thread).
    pub fn new(object: &std::rc::Rc<T>) -> Self {
        Self::from_weak(&std::rc::Rc::downgrade(object))
    }

    /// Registers the object behind `weak` (on the UI thread), e.g. inside `Rc::new_cyclic`.
    pub fn from_weak(weak: &std::rc::Weak<T>) -> Self {
        let weak: std::rc::Weak<dyn std::any::Any> = weak.clone();
        let (slot, generation) = UI_OBJECTS.with(|objects| {
            let mut objects = objects.borrow_mut();
            // Reuse a slot whose object is gone, so tests creating many kiosks stay small.
            // (An object still inside `Rc::new_cyclic` looks gone too: register one at a time.)
            match objects.iter().position(|(_, w)| w.strong_count() == 0) {
                Some(free) => {
                    let generation = objects[free].0 + 1;
                    objects[free] = (generation, weak);
                    (free, generation)
                }
                None => {
                    objects.push((0, weak));
                    (objects.len() - 1, 0)
                }
            }
        });
        Self {
            slot,
            generation,
            thread: std::thread::current().id(),
            _type: std::marker::PhantomData,
        }
    }

    /// The object, if this is its UI thread and it still lives.
    pub fn get(&self) -> Option<std::rc::Rc<T>> {
        if std::thread::current().id() != self.thread {
            return None;
        }
        let any = UI_OBJECTS.with(|objects| {
            let objects = objects.borrow();
            let (generation, weak) = objects.get(self.slot)?;
            (*generation == self.generation).then(|| weak.upgrade())?
        })?;
        any.downcast::<T>().ok()
    }
}

impl Poster {
    /// Runs `task` with the object behind `target` on the UI thread, if it still lives.
    pub fn post_to<T: 'static>(&self, target: &UiRef<T>, task: impl FnOnce(&T) + Send + 'static) {
        let target = target.clone();
        self.post(move || {
            if let Some(object) = target.get() {
                task(&object);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ui_ref_reaches_its_object_only_on_its_thread_and_while_it_lives() {
        let object = std::rc::Rc::new(41);
        let r = UiRef::new(&object);
        assert_eq!(r.get().as_deref(), Some(&41));
        let elsewhere = r.clone();
        let seen = std::thread::spawn(move || elsewhere.get().is_some())
            .join()
            .unwrap();
        assert!(!seen, "not from another thread");
        drop(object);
        assert!(r.get().is_none(), "not after it is gone");
        let other = std::rc::Rc::new(42);
        let r2 = UiRef::new(&other);
        assert_eq!(r2.get().as_deref(), Some(&42));
        assert!(
            r.get().is_none(),
            "a reused slot does not answer for the old handle"
        );
    }
}
