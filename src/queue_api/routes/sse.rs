//! The live streams: after each change of the queue (a [`KioskEvent::QueueChanged`] on the
//! bus) the hall and counter views are rebuilt once for all their listeners and sent as
//! server-sent events. A listener that is busy sees the latest version, not every step.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::AppState;
use super::counter::staff_json;
use super::error::ApiError;
use super::hall::hall_json;
use crate::domain::queue::day::ensure_day;
use crate::events::{Events, KioskEvent};
use crate::net::spawn_until;

/// The change signal and the views pushed to the streams, as JSON text.
pub(super) struct Streams {
    changes: Arc<watch::Sender<u64>>,
    pub(super) hall: watch::Sender<Arc<str>>,
    pub(super) staff: watch::Sender<Arc<str>>,
}

impl Streams {
    /// Streams that follow the queue's changes on `events`.
    pub(super) fn following(events: &Events) -> Arc<Self> {
        let changes = Arc::new(watch::channel(0).0);
        // Weak: once the server is gone its listener on the bus does nothing.
        let weak = Arc::downgrade(&changes);
        events.subscribe(move |e| {
            if matches!(e, KioskEvent::QueueChanged)
                && let Some(changes) = weak.upgrade()
            {
                changes.send_modify(|v| *v += 1);
            }
        });
        Arc::new(Self {
            changes,
            hall: watch::channel(Arc::from("{}")).0,
            staff: watch::channel(Arc::from("{}")).0,
        })
    }

    /// A new listener of `stream`, unless it has `max` already.
    pub(super) fn subscribe(
        &self,
        stream: &watch::Sender<Arc<str>>,
        max: usize,
    ) -> Result<watch::Receiver<Arc<str>>, ApiError> {
        if stream.receiver_count() >= max {
            return Err(ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "too_many_streams",
                "too many displays follow this stream; close one and try again",
            ));
        }
        Ok(stream.subscribe())
    }
}

/// Starts the tasks that keep the streams' views fresh, and the day watch.
pub(super) fn spawn_publishers(st: &AppState, runtime: &Handle, stop: &CancellationToken) {
    spawn_until(runtime, stop, publish(st.clone(), View::Hall));
    spawn_until(runtime, stop, publish(st.clone(), View::Staff));
    spawn_until(runtime, stop, day_watch(st.clone()));
}

#[derive(Debug, Clone, Copy)]
enum View {
    Hall,
    Staff,
}

/// After each change, the view for its stream, if the stream has listeners.
async fn publish(st: AppState, view: View) {
    let mut changes = st.streams.changes.subscribe();
    let stream = match view {
        View::Hall => &st.streams.hall,
        View::Staff => &st.streams.staff,
    };
    while changes.changed().await.is_ok() {
        if stream.receiver_count() == 0 {
            continue;
        }
        let json = match view {
            View::Hall => hall_json(&st.shared).await,
            View::Staff => staff_json(&st.shared).await,
        };
        if let Ok(json) = json {
            stream.send_replace(Arc::from(json));
        }
    }
}

/// Local midnight: the new day opens (earlier days closed) even if nobody acts; displays
/// refresh every half minute so estimates follow the time.
async fn day_watch(st: AppState) {
    let mut day = st.shared.clock.now().date_naive();
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    loop {
        tick.tick().await;
        let now = st.shared.clock.now();
        if now.date_naive() != day {
            day = now.date_naive();
            let opened = st.shared.write(move |s| ensure_day(s.conn(), now)).await;
            if let Ok(Err(e)) = opened {
                tracing::error!("cannot open the new queue day: {e}");
            }
        }
        st.shared.changed();
    }
}

/// A stream of `event` messages: `first`, then each published version while `alive`
/// (checked again whenever `ended` changes: a session ended).
pub(super) fn event_stream(
    event: &'static str,
    first: String,
    rx: watch::Receiver<Arc<str>>,
    alive: impl Fn() -> bool + Send + Sync + 'static,
    ended: Option<watch::Receiver<u64>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let first =
        futures_util::stream::once(async move { Ok(Event::default().event(event).data(first)) });
    let alive = Arc::new(alive);
    let rest = futures_util::stream::unfold((rx, ended), move |(mut rx, mut ended)| {
        let alive = alive.clone();
        async move {
            loop {
                if !alive() {
                    return None;
                }
                let changed = match ended.as_mut() {
                    Some(ended) => tokio::select! {
                        c = rx.changed() => c,
                        e = ended.changed() => {
                            if e.is_err() {
                                return None;
                            }
                            continue;
                        }
                    },
                    None => rx.changed().await,
                };
                if changed.is_err() {
                    return None;
                }
                let data = rx.borrow_and_update().clone();
                return Some((Ok(Event::default().event(event).data(&*data)), (rx, ended)));
            }
        }
    });
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
