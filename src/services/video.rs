//! What a video call with a lawyer leaves for the operations centre: requested (the matter's
//! category only), answered, ended (who, why, how long, the connection's quality).

use kiosk_video::CallReport;

use super::{ServiceError, StoreAccess, ignore};
use crate::store::outbox;

#[derive(Clone)]
pub struct VideoService {
    store: StoreAccess,
}

impl VideoService {
    pub fn new(store: StoreAccess) -> Self {
        Self { store }
    }

    /// A citizen agreed to the notice and joined the lawyers' queue.
    pub fn requested(&self, category: Option<&str>) {
        self.store.record(
            outbox::kind::VIDEO_CALL_REQUESTED,
            serde_json::json!({ "category": category }),
            ignore,
        );
    }

    /// A lawyer answered.
    pub fn answered(&self, call_id: &str) {
        self.store.record(
            outbox::kind::VIDEO_CALL_ANSWERED,
            serde_json::json!({ "call_id": call_id }),
            ignore,
        );
    }

    /// The call ended, answered or not.
    pub fn ended(
        &self,
        report: &CallReport,
        reply: impl FnOnce(Result<(), ServiceError>) + Send + 'static,
    ) {
        let quality = &report.quality;
        self.store.record(
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
            reply,
        );
    }
}
