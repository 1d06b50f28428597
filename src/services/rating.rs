//! 好差评: finding the ticket a citizen wants to rate (typed from the paper ticket), and
//! recording a rating — checked against the reasons in force, one event per rating.

use std::sync::Arc;

use rusqlite::OptionalExtension;
use thiserror::Error;

use super::{ContentService, ServiceError, StoreAccess};
use crate::domain::rating::{self, RatingLevel, RatingReasons, ServiceEvent};
use crate::store::outbox;

#[derive(Clone)]
pub struct RatingService {
    store: StoreAccess,
    content: ContentService,
}

/// Why a rating was not recorded.
#[derive(Debug, Error)]
pub enum RatingError {
    #[error(transparent)]
    Invalid(#[from] rating::RatingError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Today's ticket with a number, as far as rating needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedTicket {
    /// The ticket's private token: what the rating refers to.
    pub token: String,
    pub service_id: String,
}

impl RatingService {
    pub fn new(store: StoreAccess, content: ContentService) -> Self {
        Self { store, content }
    }

    /// The reasons citizens choose from (those in force now).
    pub fn reasons(&self) -> Arc<RatingReasons> {
        self.content.current().rating_reasons
    }

    /// Today's ticket `number` (the newest, should staff have restarted the numbering).
    pub fn find_ticket(
        &self,
        number: String,
        reply: impl FnOnce(Result<Option<RatedTicket>, ServiceError>) + Send + 'static,
    ) {
        self.store.run(
            move |store, now| {
                let day = now.date_naive().format("%Y-%m-%d").to_string();
                Ok(store
                    .conn()
                    .query_row(
                        "SELECT token, service_id FROM tickets WHERE number = ?1 AND service_day = ?2
                         ORDER BY id DESC LIMIT 1",
                        [&number, &day],
                        |r| {
                            Ok(RatedTicket {
                                token: r.get(0)?,
                                service_id: r.get(1)?,
                            })
                        },
                    )
                    .optional()?)
            },
            reply,
        );
    }

    /// Records a rating of `event`: reasons only for negative levels, known and applicable.
    pub fn submit(
        &self,
        event: ServiceEvent,
        level: RatingLevel,
        reasons: &[String],
        reply: impl FnOnce(Result<(), RatingError>) + Send + 'static,
    ) {
        let ids: Vec<&str> = reasons.iter().map(String::as_str).collect();
        let rating = match self.reasons().validate(event, level, &ids) {
            Ok(rating) => rating,
            Err(e) => {
                tracing::error!("rating refused: {e}");
                reply(Err(e.into()));
                return;
            }
        };
        self.store.record(
            outbox::kind::RATING_SUBMITTED,
            rating.outbox_payload(),
            move |result| reply(result.map_err(RatingError::from)),
        );
    }
}
