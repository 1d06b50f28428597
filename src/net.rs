//! The kiosk's one network runtime: the sync link, video-call signalling, the LAN queue API
//! and a client terminal's link to its host all run their network work here, owned by the
//! assembled kiosk and stopped with it. (Command-line tools that run once have their own.)

use std::future::Future;
use std::io;

use tokio::runtime::{Handle, Runtime};
use tokio_util::sync::CancellationToken;

/// The runtime; dropping it stops every task on it.
pub struct Network {
    runtime: Runtime,
}

impl Network {
    /// Two worker threads: enough for polling, a call's signalling and a LAN of counters, on
    /// a board with four small cores that also draws the screen.
    pub fn start() -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("net")
            .enable_all()
            .build()?;
        Ok(Self { runtime })
    }

    /// Where network tasks are spawned (and blocking callers wait with `block_on`).
    pub fn handle(&self) -> Handle {
        self.runtime.handle().clone()
    }
}

/// Spawns `task` on `runtime`, to be dropped (closing whatever sockets it holds) as soon as
/// `stop` is cancelled: how a part of the kiosk (the queue API, a client's host link) ends
/// its tasks on the shared runtime without ending the runtime.
pub fn spawn_until<F>(runtime: &Handle, stop: &CancellationToken, task: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    runtime.spawn(stop.clone().run_until_cancelled_owned(task));
}
