//! The guidance content in force (consultation catalogue, legal-aid rules, rating reasons,
//! institutions), replaced as soon as the operations centre's bundle changes it: a corrected
//! deadline or threshold must reach the next citizen, not wait for a restart.

use std::sync::{Arc, RwLock};

use crate::domain::content::GuidanceContent;
use crate::store::worker::Worker;

/// The bundle streams the guidance content is read from.
pub const GUIDANCE_STREAMS: [&str; 3] = ["catalogue", "legal-aid-rules", "institutions"];

/// Shared by every controller; each reads [`ContentService::current`] when a citizen starts
/// something, so a flow already under way keeps the content it started with.
#[derive(Clone)]
pub struct ContentService {
    current: Arc<RwLock<GuidanceContent>>,
    worker: Worker,
}

impl ContentService {
    pub fn new(initial: GuidanceContent, worker: Worker) -> Self {
        ContentService {
            current: Arc::new(RwLock::new(initial)),
            worker,
        }
    }

    /// The content in force now (a cheap copy: its parts are shared).
    pub fn current(&self) -> GuidanceContent {
        match self.current.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads the content in force from the store again when `stream` carries guidance.
    /// Blocks on the store thread: call it from the sync thread, never the UI thread. An
    /// unusable bundle never gets here (it is refused before it is stored); should reading
    /// still fail, the content in force stays and the error is logged.
    pub fn reload_if_guidance(&self, stream: &str) -> bool {
        if !GUIDANCE_STREAMS.contains(&stream) {
            return false;
        }
        match self
            .worker
            .call(|store| GuidanceContent::in_force(store.conn()))
        {
            Some(Ok(content)) => {
                tracing::info!(stream, rules = %content.rules_source, "guidance content reloaded");
                match self.current.write() {
                    Ok(mut c) => *c = content,
                    Err(poisoned) => *poisoned.into_inner() = content,
                }
                true
            }
            Some(Err(e)) => {
                tracing::error!(
                    "the guidance content could not be reloaded ({e}); the previous content stays"
                );
                false
            }
            None => false,
        }
    }
}
