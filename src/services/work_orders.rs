//! Work orders from the terminal (issue 20): a request the citizen consented to becomes a
//! `work_order` event in the outbox (delivered once, by its idempotency key, however often
//! the link retries), and the status of the citizen's orders is asked of the operations
//! centre by the keyed hash of their ID number. The number itself is hashed on the store
//! thread and forgotten; it never reaches the outbox, the disk or the network.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

use super::{ServiceError, StoreAccess};
use crate::domain::appointments::Appointments;
use crate::domain::work_orders::{
    EVENT_KIND, Request, WorkOrderEvent, classification_in_force, event,
};
use crate::store::outbox;

/// A question to the operations centre: the keyed hash in, the orders' statuses out (or why
/// there is no answer). Wired to the sync link by the application.
pub type AskStatus =
    Arc<dyn Fn(StatusQuery, Box<dyn FnOnce(Result<StatusAnswer, String>) + Send>) + Send + Sync>;

/// What the terminal sends: the hash, or the receipt's code, only.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusQuery {
    IdHash(String),
    Receipt(String),
}

/// What the centre answers: each order's category and status, newest first.
#[derive(Debug, Clone, Deserialize)]
pub struct StatusAnswer {
    pub work_orders: Vec<StatusEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatusEntry {
    pub category: String,
    pub status: String,
}

/// One of the citizen's orders as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderStatus {
    /// The category's name from the classification in force (its code when unknown).
    pub category: String,
    /// The status as stored (`new`, `dispatched`…).
    pub status: String,
}

/// A request filed: its receipt code (the order's event key, printed in the receipt's QR)
/// and its category's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub receipt: String,
    pub category: String,
}

/// Why a request was not filed or no status shown.
#[derive(Debug, Error)]
pub enum WorkOrderError {
    /// The centre has not told this terminal how to file requests, or no region key is in
    /// force (the `work-order-categories` and `appointments` bundles).
    #[error("this terminal takes no requests yet (no classification or no region key in force)")]
    NotOffered,
    /// The card's number is not an ID number.
    #[error("the card's number is not a resident ID number")]
    BadNumber,
    /// The phone number given is not one.
    #[error("not a phone number")]
    BadPhone,
    /// The operations centre could not be asked.
    #[error("the operations centre cannot be reached: {0}")]
    Unreachable(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The work order `request` becomes for the citizen whose card gave `id_number`, under the
/// classification and region key in force (on the store thread, inside the caller's
/// transaction when it has one).
pub fn order_for(
    conn: &rusqlite::Connection,
    request: Request,
    id_number: &str,
    phone: &str,
    summary: &str,
) -> Result<WorkOrderEvent, WorkOrderError> {
    let (Some(list), Some(keys)) = (classification_in_force(conn), Appointments::in_force(conn))
    else {
        return Err(WorkOrderError::NotOffered);
    };
    let items = list.terminal.as_ref().ok_or(WorkOrderError::NotOffered)?;
    let hash = keys.hash_of(id_number).ok_or(WorkOrderError::BadNumber)?;
    Ok(event(request, items, hash, phone, summary))
}

/// The centre's answer with each category named from the classification in force.
fn named(
    answer: Result<StatusAnswer, String>,
    list: Option<&crate::domain::work_orders::Classification>,
) -> Result<Vec<OrderStatus>, WorkOrderError> {
    match answer {
        Ok(answer) => Ok(answer
            .work_orders
            .into_iter()
            .map(|o| OrderStatus {
                category: list
                    .and_then(|l| l.item_name(&o.category))
                    .map_or(o.category.clone(), str::to_owned),
                status: o.status,
            })
            .collect()),
        Err(e) => {
            tracing::warn!("no work-order status: {e}");
            Err(WorkOrderError::Unreachable(e))
        }
    }
}

#[derive(Clone)]
pub struct WorkOrderService {
    store: StoreAccess,
    ask: AskStatus,
}

impl WorkOrderService {
    pub fn new(store: StoreAccess, ask: AskStatus) -> Self {
        Self { store, ask }
    }

    /// Whether the terminal can take requests now.
    pub fn offered(&self, reply: impl FnOnce(bool) + Send + 'static) {
        self.store.run(
            |store, _| -> Result<bool, ServiceError> {
                let conn = store.conn();
                Ok(classification_in_force(conn).is_some()
                    && Appointments::in_force(conn).is_some())
            },
            move |r| reply(r.unwrap_or(false)),
        );
    }

    /// Files `request` for the citizen whose card gave `id_number`, with the phone number
    /// they typed (may be empty) and the terminal's summary of what they asked.
    pub fn file(
        &self,
        request: Request,
        id_number: Zeroizing<String>,
        phone: String,
        summary: String,
        reply: impl FnOnce(Result<Filed, WorkOrderError>) + Send + 'static,
    ) {
        if (request.needs_phone() || !phone.trim().is_empty())
            && !provisioning::appointments::valid_phone(&phone)
        {
            reply(Err(WorkOrderError::BadPhone));
            return;
        }
        self.store.run(
            move |store, at| -> Result<Filed, WorkOrderError> {
                let conn = store.conn();
                let order = order_for(conn, request, &id_number, &phone, &summary)?;
                let row =
                    outbox::append(conn, EVENT_KIND, &order, at).map_err(ServiceError::from)?;
                let receipt = outbox::key_of(conn, row).map_err(ServiceError::from)?;
                let category = classification_in_force(conn)
                    .and_then(|l| l.item_name(&order.category).map(str::to_owned))
                    .unwrap_or(order.category);
                Ok(Filed { receipt, category })
            },
            move |result| {
                match &result {
                    Ok(_) => tracing::info!(request = request.id(), "work order filed"),
                    Err(e) => tracing::warn!(request = request.id(), "no work order: {e}"),
                }
                reply(result);
            },
        );
    }

    /// The status of the order whose receipt was scanned (`receipt`, its code), asked of
    /// the operations centre.
    pub fn status_by_receipt(
        &self,
        receipt: String,
        reply: impl FnOnce(Result<Vec<OrderStatus>, WorkOrderError>) + Send + 'static,
    ) {
        let ask = self.ask.clone();
        self.store.run(
            |store, _| -> Result<_, ServiceError> { Ok(classification_in_force(store.conn())) },
            move |list| {
                let list = list.ok().flatten();
                ask(
                    StatusQuery::Receipt(receipt),
                    Box::new(move |answer| reply(named(answer, list.as_ref()))),
                );
            },
        );
    }

    /// The status of the citizen's orders, asked of the operations centre.
    pub fn status(
        &self,
        id_number: Zeroizing<String>,
        reply: impl FnOnce(Result<Vec<OrderStatus>, WorkOrderError>) + Send + 'static,
    ) {
        let ask = self.ask.clone();
        self.store.run(
            move |store, _| -> Result<_, WorkOrderError> {
                let conn = store.conn();
                let (Some(list), Some(keys)) =
                    (classification_in_force(conn), Appointments::in_force(conn))
                else {
                    return Err(WorkOrderError::NotOffered);
                };
                let hash = keys.hash_of(&id_number).ok_or(WorkOrderError::BadNumber)?;
                Ok((Some(list), hash))
            },
            move |found| {
                let (list, id_hash) = match found {
                    Ok(found) => found,
                    Err(e) => return reply(Err(e)),
                };
                ask(
                    StatusQuery::IdHash(id_hash),
                    Box::new(move |answer| reply(named(answer, list.as_ref()))),
                );
            },
        );
    }
}
