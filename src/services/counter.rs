//! What staff do at the counters (call, recall, start, finish, transfer, open, pause…) and
//! to the hall's notice: each action runs on the store thread by the policy and catalogue in
//! force, is audited whether it succeeds or is refused, and tells the displays.

use std::sync::Arc;

use super::queue::QueueShared;
use crate::domain::maintenance::Actor;
use crate::domain::queue::calling::{self, ActionResult, CallError, Ctx, StaffAction};
use crate::domain::queue::notice::{self, NoticeError};

/// The counter service; cheap to clone.
#[derive(Clone)]
pub struct CounterService {
    shared: Arc<QueueShared>,
}

impl CounterService {
    pub fn new(shared: Arc<QueueShared>) -> Self {
        Self { shared }
    }

    /// Runs `action` as `actor`'s.
    pub fn act(
        &self,
        actor: Actor,
        action: StaffAction,
        reply: impl FnOnce(Result<ActionResult, CallError>) + Send + 'static,
    ) {
        let shared = self.shared.clone();
        let (policy, catalogue) = (shared.policy(), shared.catalogue());
        let now = shared.clock.now();
        self.shared.worker.submit(move |s| {
            let ctx = Ctx {
                policy: &policy,
                catalogue: &catalogue,
                actor: &actor,
                now,
            };
            let result = calling::run(s.conn(), &ctx, &action);
            match &result {
                Ok(_) => shared.changed(),
                Err(e) => {
                    if let CallError::Sql(err) = e {
                        tracing::error!("queue action failed: {err}");
                    }
                    let counter = action.counter();
                    calling::audit_refusal(s.conn(), &ctx, action.audit_action(), counter, e);
                }
            }
            reply(result);
        });
    }

    /// Sets the hall's notice (an empty text clears it).
    pub fn set_notice(
        &self,
        actor: Actor,
        text: String,
        reply: impl FnOnce(Result<(), NoticeError>) + Send + 'static,
    ) {
        let shared = self.shared.clone();
        let now = shared.clock.now();
        self.shared.worker.submit(move |s| {
            let result = notice::set_notice(s.conn(), &actor, &text, now);
            match &result {
                Ok(()) => shared.changed(),
                Err(NoticeError::Sql(e)) => tracing::error!("cannot save the hall notice: {e}"),
                Err(NoticeError::Bad) => {}
            }
            reply(result);
        });
    }
}
