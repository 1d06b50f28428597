//! Calling at the counters: call next (by the policy), recall, start, finish, no-show,
//! transfer to another service, call a given number, set a ticket's priority group — each a
//! row of the ticket lifecycle ([`super::lifecycle`]), run by its one executor — and what
//! every action shares: who acts and when, why an action is refused, the audit entry.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::Serialize;
use thiserror::Error;

use super::catalogue::Catalogue;
use super::day::ensure_day;
use super::lifecycle::{Action, Command, Executed, execute};
use super::policy::{CounterDef, Policy, PriorityGroup};
use super::state::TicketState;
use crate::domain::maintenance::audit::{self, Actor, Outcome};

pub use super::counters::{CounterChange, CounterState, change_counter, counter_state};
pub use super::rows::{TICKET_COLUMNS, TicketRow, candidates, current_ticket, ticket_by_number};

/// Audit action names of the queue.
pub mod action {
    pub const OPEN_COUNTER: &str = "queue.open_counter";
    pub const CLOSE_COUNTER: &str = "queue.close_counter";
    pub const CALL_NEXT: &str = "queue.call_next";
    pub const CALL_NUMBER: &str = "queue.call_number";
    pub const RECALL: &str = "queue.recall";
    pub const START: &str = "queue.start";
    pub const FINISH: &str = "queue.finish";
    pub const NO_SHOW: &str = "queue.no_show";
    pub const TRANSFER: &str = "queue.transfer";
    pub const PAUSE: &str = "queue.pause";
    pub const RESUME: &str = "queue.resume";
    pub const SET_PRIORITY: &str = "queue.set_priority";
    pub const SET_NOTICE: &str = "queue.set_notice";
}

/// What every action needs: the policy and catalogue in force, who acts, and when.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub policy: &'a Policy,
    pub catalogue: &'a Catalogue,
    pub actor: &'a Actor,
    pub now: DateTime<FixedOffset>,
}

/// Why an action was refused; each message says what to do instead.
#[derive(Debug, Error)]
pub enum CallError {
    #[error("there is no counter {0:?}")]
    UnknownCounter(String),
    #[error("counter {0} is paused; resume it first")]
    Paused(String),
    #[error("{0} is still called at this counter: start, recall or mark it a no-show first")]
    StillCalled(String),
    #[error("this counter has no current ticket")]
    NoCurrentTicket,
    #[error("{number} is {state}: it cannot be {wanted}")]
    WrongState {
        number: String,
        state: TicketState,
        wanted: &'static str,
    },
    #[error("no ticket {0} today")]
    UnknownNumber(String),
    #[error("unknown service {0:?}")]
    UnknownService(String),
    #[error("{0} is already in that service's queue")]
    SameService(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

impl CallError {
    /// Short code for the API and the audit entry.
    pub fn code(&self) -> &'static str {
        match self {
            CallError::UnknownCounter(_) => "unknown_counter",
            CallError::Paused(_) => "counter_paused",
            CallError::StillCalled(_) => "still_called",
            CallError::NoCurrentTicket => "no_current_ticket",
            CallError::WrongState { .. } => "wrong_state",
            CallError::UnknownNumber(_) => "unknown_number",
            CallError::UnknownService(_) => "unknown_service",
            CallError::SameService(_) => "same_service",
            CallError::Sql(_) => "store_error",
        }
    }
}

/// The result of call-next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallNext {
    /// The ticket that was being served and is now finished.
    pub finished: Option<TicketRow>,
    /// The ticket now called; `None` when nobody waits for this counter's services.
    pub called: Option<TicketRow>,
}

/// The result of a recall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "ticket", rename_all = "snake_case")]
pub enum Recall {
    /// Called again (`recalls` counts the recalls so far).
    Recalled(TicketRow),
    /// Recalled the policy's number of times already: now a no-show.
    NoShow(TicketRow),
}

pub(super) fn audit_ok(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    action: &str,
    counter: Option<&str>,
    number: Option<&str>,
    extra: serde_json::Value,
) -> rusqlite::Result<()> {
    let mut detail = serde_json::json!({ "counter": counter, "number": number });
    if let (Some(d), serde_json::Value::Object(extra)) = (detail.as_object_mut(), extra) {
        d.extend(extra);
    }
    audit::record(tx, ctx.actor, action, Outcome::Ok, detail, ctx.now)?;
    Ok(())
}

/// Records a refused action (own transaction; a failure to record is logged, not raised).
pub fn audit_refusal(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    action: &str,
    counter: Option<&str>,
    error: &CallError,
) {
    if matches!(error, CallError::Sql(_)) {
        return;
    }
    audit::record_alone(
        conn,
        ctx.actor,
        action,
        Outcome::Refused,
        serde_json::json!({ "counter": counter, "reason": error.code() }),
        ctx.now,
    );
}

pub(super) fn counter_def(ctx: &Ctx<'_>, id: &str) -> Result<CounterDef, CallError> {
    ctx.policy
        .counter(id)
        .ok_or_else(|| CallError::UnknownCounter(id.to_string()))
}

/// Begins an action at a counter: the day is open, the transaction holds the write lock.
pub(super) fn begin<'c>(
    conn: &'c mut Connection,
    ctx: &Ctx<'_>,
) -> Result<Transaction<'c>, CallError> {
    ensure_day(conn, ctx.now)?;
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// The ticket an action at a counter or on a number must have found.
fn ticket(done: Executed) -> Result<TicketRow, CallError> {
    done.ticket.ok_or(CallError::NoCurrentTicket)
}

fn calls(done: Executed) -> CallNext {
    CallNext {
        finished: done.finished,
        called: done.ticket,
    }
}

/// Calls the next ticket for `counter_id` by the policy (finishing the one being served).
pub fn call_next(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
) -> Result<CallNext, CallError> {
    let counter = counter_id.to_string();
    execute(conn, ctx, &Command::CallNext { counter }).map(calls)
}

/// Calls ticket `number` out of order (also a no-show who came late) at `counter_id`.
pub fn call_number(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
    number: &str,
) -> Result<CallNext, CallError> {
    let (counter, number) = (counter_id.to_string(), number.to_string());
    execute(conn, ctx, &Command::CallNumber { counter, number }).map(calls)
}

/// Calls the current ticket again; once it was recalled `max_recalls` times, this marks it a
/// no-show instead.
pub fn recall(conn: &mut Connection, ctx: &Ctx<'_>, counter_id: &str) -> Result<Recall, CallError> {
    let counter = counter_id.to_string();
    match run(conn, ctx, &StaffAction::Ticket(Command::Recall { counter }))? {
        ActionResult::Recall(r) => Ok(r),
        _ => Err(CallError::NoCurrentTicket),
    }
}

/// The citizen came to the counter: serving starts.
pub fn start(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
) -> Result<TicketRow, CallError> {
    let counter = counter_id.to_string();
    execute(conn, ctx, &Command::Start { counter }).and_then(ticket)
}

/// The service is done (also from `called`, when staff did not press start).
pub fn finish(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
) -> Result<TicketRow, CallError> {
    let counter = counter_id.to_string();
    execute(conn, ctx, &Command::Finish { counter }).and_then(ticket)
}

/// The citizen did not come: the called ticket is a no-show (staff may call it again by
/// number if they turn up).
pub fn no_show(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
) -> Result<TicketRow, CallError> {
    let counter = counter_id.to_string();
    execute(conn, ctx, &Command::NoShow { counter }).and_then(ticket)
}

/// Sends the current ticket to the queue of `to_service`. It keeps its number and its place
/// by the time it was taken, so it does not start again at the back.
pub fn transfer(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
    to_service: &str,
) -> Result<TicketRow, CallError> {
    let (counter, to_service) = (counter_id.to_string(), to_service.to_string());
    execute(
        conn,
        ctx,
        &Command::Transfer {
            counter,
            to_service,
        },
    )
    .and_then(ticket)
}

/// Sets (or clears) the priority group of today's waiting ticket `number`, after staff saw
/// the document (disability certificate, military ID, poverty card, appointment).
pub fn set_priority(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    number: &str,
    group: Option<PriorityGroup>,
) -> Result<TicketRow, CallError> {
    let number = number.to_string();
    execute(conn, ctx, &Command::SetPriority { number, group }).and_then(ticket)
}

/// Anything staff do at a counter or to the waiting list, as the counter page asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffAction {
    /// A row of the ticket lifecycle.
    Ticket(Command),
    /// Open, close, pause or resume a counter.
    Counter {
        counter: String,
        change: CounterChange,
    },
}

impl StaffAction {
    /// The audit action (also of a refusal).
    pub fn audit_action(&self) -> &'static str {
        match self {
            StaffAction::Ticket(command) => super::lifecycle::transition(command.action()).audit,
            StaffAction::Counter { change, .. } => change.audit_action(),
        }
    }

    /// The counter it is taken at, if any.
    pub fn counter(&self) -> Option<&str> {
        match self {
            StaffAction::Ticket(command) => command.counter(),
            StaffAction::Counter { counter, .. } => Some(counter),
        }
    }
}

/// What a staff action answers, as the counter page reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ActionResult {
    /// Call next, call a number (two tickets: boxed to keep the others small).
    Calls(Box<CallNext>),
    Recall(Recall),
    /// Start, finish, no-show, transfer, set a priority.
    Ticket(TicketRow),
    /// Open, close, pause, resume.
    Counter(CounterState),
}

/// Runs `action`.
pub fn run(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    action: &StaffAction,
) -> Result<ActionResult, CallError> {
    let command = match action {
        StaffAction::Counter { counter, change } => {
            return change_counter(conn, ctx, counter, *change).map(ActionResult::Counter);
        }
        StaffAction::Ticket(command) => command,
    };
    let done = execute(conn, ctx, command)?;
    Ok(match command.action() {
        Action::CallNext | Action::CallNumber => ActionResult::Calls(Box::new(calls(done))),
        Action::Recall if done.transition.action == Action::NoShow => {
            ActionResult::Recall(Recall::NoShow(ticket(done)?))
        }
        Action::Recall => ActionResult::Recall(Recall::Recalled(ticket(done)?)),
        _ => ActionResult::Ticket(ticket(done)?),
    })
}
