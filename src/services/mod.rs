//! Application services: one call per user action. Each service runs its work on the store
//! thread, commits the change and its outbox row in one transaction, and answers with a
//! typed result. The touchscreen's controllers, the queue API, the command line and the
//! operations centre's commands all call the same methods (see ARCHITECTURE.md).
//!
//! A service method takes a `reply` that runs on whichever thread finished the work (the
//! store thread, a network task): the UI wraps it so that it reaches the UI thread, the CLI
//! waits for it with [`wait`], the queue API awaits it with [`answer`].

/// What a service calls once with its result.
pub type Reply<T> = Box<dyn FnOnce(T) + Send>;

/// Runs `start` with a reply and waits on this thread for the answer; `None` when the service
/// could not answer (its thread has stopped). For the command line and background threads:
/// never call it on the UI thread.
pub fn wait<T: Send + 'static>(start: impl FnOnce(Reply<T>)) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    start(Box::new(move |value| {
        let _ = tx.send(value);
    }));
    rx.recv().ok()
}

/// Runs `start` with a reply and awaits the answer without blocking the async runtime.
pub async fn answer<T: Send + 'static>(start: impl FnOnce(Reply<T>)) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    start(Box::new(move |value| {
        let _ = tx.send(value);
    }));
    rx.await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_from_another_thread_is_waited_for() {
        let got = wait(|reply: Reply<u32>| {
            std::thread::spawn(move || reply(7));
        });
        assert_eq!(got, Some(7));
    }

    #[test]
    fn a_service_that_drops_its_reply_answers_none() {
        let got = wait(|reply: Reply<u32>| drop(reply));
        assert_eq!(got, None);
    }
}
