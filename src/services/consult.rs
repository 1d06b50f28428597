//! The guided consultation's records: a consultation that reached its outcome is owed to
//! the operations centre (ids and the outcome, nothing about the person).

use super::{ServiceError, StoreAccess};
use crate::domain::consult::flow::ConsultationRecord;
use crate::store::outbox;

#[derive(Clone)]
pub struct ConsultService {
    store: StoreAccess,
}

impl ConsultService {
    pub fn new(store: StoreAccess) -> Self {
        Self { store }
    }

    /// Records a consultation that reached its outcome.
    pub fn completed(
        &self,
        record: &ConsultationRecord,
        reply: impl FnOnce(Result<(), ServiceError>) + Send + 'static,
    ) {
        self.store.record(
            outbox::kind::CONSULTATION_COMPLETED,
            record.outbox_payload(),
            reply,
        );
    }
}
