//! Calling at the counters: call next (by the policy), recall, start, finish, no-show,
//! transfer to another service, call a given number, pause a counter, set a ticket's priority
//! group. Each action is one IMMEDIATE transaction that also writes its outbox event (with
//! the times the operations centre's statistics need) and its audit entry, so two counters
//! calling at once can never get the same ticket and nothing is reported that did not happen.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use thiserror::Error;

use super::catalogue::Catalogue;
use super::day::{day_text, ensure_day};
use super::policy::{self, Candidate, CounterDef, Policy, PriorityGroup};
use crate::domain::maintenance::audit::{self, Actor, Outcome};
use crate::store::outbox;

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
        state: String,
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

/// A ticket as counters and displays see it: numbers and times, never personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketRow {
    pub id: i64,
    pub number: String,
    /// The service that numbered it.
    pub service_id: String,
    /// The service whose queue it is in (differs after a transfer).
    pub queue_service: String,
    pub state: String,
    pub priority: Option<String>,
    pub counter_id: Option<String>,
    pub recalls: u32,
    pub passed_by: u32,
    pub issued_at: String,
    pub first_called_at: Option<String>,
    pub called_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub transferred_from: Option<String>,
}

/// Columns of [`TicketRow`], for `SELECT {TICKET_COLUMNS} FROM tickets`.
pub const TICKET_COLUMNS: &str = "id, number, service_id, queue_service, state, priority, counter_id, \
     recalls, passed_by, issued_at, first_called_at, called_at, started_at, finished_at, transferred_from";

impl TicketRow {
    /// Reads a row selected with [`TICKET_COLUMNS`].
    pub fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            number: r.get(1)?,
            service_id: r.get(2)?,
            queue_service: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            state: r.get(4)?,
            priority: r.get(5)?,
            counter_id: r.get(6)?,
            recalls: r.get(7)?,
            passed_by: r.get(8)?,
            issued_at: r.get(9)?,
            first_called_at: r.get(10)?,
            called_at: r.get(11)?,
            started_at: r.get(12)?,
            finished_at: r.get(13)?,
            transferred_from: r.get(14)?,
        })
    }
}

/// A counter's stored state (the counter itself comes from the policy).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CounterState {
    pub open: bool,
    pub paused: bool,
    pub staff: Option<String>,
    pub last_priority: bool,
}

/// Reads a counter's state (closed and not paused if never used).
pub fn counter_state(conn: &Connection, id: &str) -> rusqlite::Result<CounterState> {
    Ok(conn
        .query_row(
            "SELECT open, paused, staff, last_priority FROM queue_counters WHERE id = ?1",
            [id],
            |r| {
                Ok(CounterState {
                    open: r.get(0)?,
                    paused: r.get(1)?,
                    staff: r.get(2)?,
                    last_priority: r.get(3)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

fn save_counter(
    conn: &Connection,
    id: &str,
    state: &CounterState,
    at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO queue_counters (id, open, paused, staff, last_priority, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET open = ?2, paused = ?3, staff = ?4, last_priority = ?5,
                                        updated_at = ?6",
        params![
            id,
            state.open,
            state.paused,
            state.staff,
            state.last_priority,
            at
        ],
    )?;
    Ok(())
}

/// The ticket called or being served at counter `id` today, if any.
pub fn current_ticket(
    conn: &Connection,
    counter_id: &str,
    day: &str,
) -> rusqlite::Result<Option<TicketRow>> {
    conn.query_row(
        &format!(
            "SELECT {TICKET_COLUMNS} FROM tickets
             WHERE service_day = ?1 AND state IN ('called', 'serving') AND counter_id = ?2
             ORDER BY called_at DESC LIMIT 1"
        ),
        params![day, counter_id],
        TicketRow::from_row,
    )
    .optional()
}

fn ticket_by_id(conn: &Connection, id: i64) -> rusqlite::Result<TicketRow> {
    conn.query_row(
        &format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"),
        [id],
        TicketRow::from_row,
    )
}

/// Today's ticket numbered `number` (e.g. `a012` or `A012`), newest numbering series first.
pub fn ticket_by_number(
    conn: &Connection,
    number: &str,
    day: &str,
) -> rusqlite::Result<Option<TicketRow>> {
    let number = number.trim().to_uppercase();
    conn.query_row(
        &format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE service_day = ?1 AND number = ?2
             ORDER BY series DESC LIMIT 1"
        ),
        params![day, number],
        TicketRow::from_row,
    )
    .optional()
}

/// The waiting tickets counter `counter` may call today, as the calling rule sees them.
pub fn candidates(
    conn: &Connection,
    policy: &Policy,
    counter: &CounterDef,
    day: &str,
) -> rusqlite::Result<Vec<Candidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, priority, issued_ms, passed_by, queue_service FROM tickets
         WHERE service_day = ?1 AND state = 'waiting'",
    )?;
    let rows = stmt.query_map([day], |r| {
        Ok((
            Candidate {
                id: r.get(0)?,
                weight: policy.weight(r.get::<_, Option<String>>(1)?.as_deref()),
                issued_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                passed_by: r.get(3)?,
            },
            r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (candidate, service) = row?;
        if counter.serves(&service) {
            out.push(candidate);
        }
    }
    Ok(out)
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

/// Outbox payload of every ticket event: numbers, services and times only.
#[derive(Debug, Serialize)]
struct TicketEvent<'a> {
    ticket_id: i64,
    number: &'a str,
    service_id: &'a str,
    queue_service: &'a str,
    service_day: &'a str,
    counter_id: Option<&'a str>,
    priority: Option<&'a str>,
    state: &'a str,
    issued_at: &'a str,
    first_called_at: Option<&'a str>,
    called_at: Option<&'a str>,
    started_at: Option<&'a str>,
    finished_at: Option<&'a str>,
    recalls: u32,
    /// Taken to first call, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    waited_secs: Option<i64>,
    /// First call to finish, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    service_secs: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transferred_from: Option<&'a str>,
    /// `next` or `number` for a call.
    #[serde(skip_serializing_if = "Option::is_none")]
    how: Option<&'a str>,
}

fn secs_between(from: Option<&str>, to: Option<&str>) -> Option<i64> {
    let from = DateTime::parse_from_rfc3339(from?).ok()?;
    let to = DateTime::parse_from_rfc3339(to?).ok()?;
    Some((to - from).num_seconds())
}

fn emit(
    conn: &Connection,
    kind: &str,
    t: &TicketRow,
    day: &str,
    how: Option<&str>,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    outbox::append(
        conn,
        kind,
        &TicketEvent {
            ticket_id: t.id,
            number: &t.number,
            service_id: &t.service_id,
            queue_service: &t.queue_service,
            service_day: day,
            counter_id: t.counter_id.as_deref(),
            priority: t.priority.as_deref(),
            state: &t.state,
            issued_at: &t.issued_at,
            first_called_at: t.first_called_at.as_deref(),
            called_at: t.called_at.as_deref(),
            started_at: t.started_at.as_deref(),
            finished_at: t.finished_at.as_deref(),
            recalls: t.recalls,
            waited_secs: secs_between(Some(&t.issued_at), t.first_called_at.as_deref()),
            service_secs: secs_between(t.first_called_at.as_deref(), t.finished_at.as_deref()),
            transferred_from: t.transferred_from.as_deref(),
            how,
        },
        now,
    )?;
    Ok(())
}

fn audit_ok(
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

fn counter_def(ctx: &Ctx<'_>, id: &str) -> Result<CounterDef, CallError> {
    ctx.policy
        .counter(id)
        .ok_or_else(|| CallError::UnknownCounter(id.to_string()))
}

/// Begins an action at a counter: the day is open, the transaction holds the write lock.
fn begin<'c>(conn: &'c mut Connection, ctx: &Ctx<'_>) -> Result<Transaction<'c>, CallError> {
    ensure_day(conn, ctx.now)?;
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Finishes the ticket being served, as part of another action.
fn finish_in(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    t: &TicketRow,
    day: &str,
) -> Result<TicketRow, CallError> {
    let now = ctx.now.to_rfc3339();
    tx.execute(
        "UPDATE tickets SET state = 'done', finished_at = ?2,
                started_at = COALESCE(started_at, called_at)
         WHERE id = ?1",
        params![t.id, now],
    )?;
    let done = ticket_by_id(tx, t.id)?;
    emit(tx, outbox::kind::TICKET_FINISHED, &done, day, None, ctx.now)?;
    Ok(done)
}

/// Marks `id` called at `counter` and reports it.
fn mark_called(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    counter: &CounterDef,
    id: i64,
    day: &str,
    how: &str,
) -> Result<TicketRow, CallError> {
    let now = ctx.now.to_rfc3339();
    tx.execute(
        "UPDATE tickets SET state = 'called', counter_id = ?2, called_at = ?3,
                first_called_at = COALESCE(first_called_at, ?3), recalls = 0,
                started_at = NULL, finished_at = NULL
         WHERE id = ?1",
        params![id, counter.id, now],
    )?;
    let called = ticket_by_id(tx, id)?;
    emit(
        tx,
        outbox::kind::TICKET_CALLED,
        &called,
        day,
        Some(how),
        ctx.now,
    )?;
    Ok(called)
}

/// Makes way for a new call at a counter: a ticket being served is finished; a ticket
/// still called refuses the new call.
fn clear_counter(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    counter: &CounterDef,
    day: &str,
) -> Result<Option<TicketRow>, CallError> {
    match current_ticket(tx, &counter.id, day)? {
        Some(t) if t.state == "called" => Err(CallError::StillCalled(t.number)),
        Some(t) => Ok(Some(finish_in(tx, ctx, &t, day)?)),
        None => Ok(None),
    }
}

/// The counter's state after `actor` acted at it: open, by them.
fn touch_counter(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    id: &str,
    last_priority: Option<bool>,
) -> Result<CounterState, CallError> {
    let mut state = counter_state(tx, id)?;
    state.open = true;
    if let Actor::Staff(name) = ctx.actor {
        state.staff = Some(name.clone());
    }
    if let Some(p) = last_priority {
        state.last_priority = p;
    }
    save_counter(tx, id, &state, &ctx.now.to_rfc3339())?;
    Ok(state)
}

/// Calls the next ticket for `counter_id` by the policy (finishing the one being served).
pub fn call_next(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
) -> Result<CallNext, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    let day = day_text(ctx.now.date_naive());
    let tx = begin(conn, ctx)?;
    let state = counter_state(&tx, &counter.id)?;
    if state.paused {
        return Err(CallError::Paused(counter.id));
    }
    let finished = clear_counter(&tx, ctx, &counter, &day)?;
    let waiting = candidates(&tx, ctx.policy, &counter, &day)?;
    let Some(i) = policy::pick(ctx.policy, &waiting, state.last_priority) else {
        touch_counter(&tx, ctx, &counter.id, None)?;
        audit_ok(
            &tx,
            ctx,
            action::CALL_NEXT,
            Some(&counter.id),
            None,
            serde_json::json!({ "empty": true }),
        )?;
        tx.commit()?;
        return Ok(CallNext {
            finished,
            called: None,
        });
    };
    let passed = policy::passed_by_pick(ctx.policy, &waiting, i);
    if !passed.is_empty() {
        let ids = serde_json::to_string(&passed)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        tx.execute(
            "UPDATE tickets SET passed_by = passed_by + 1
             WHERE id IN (SELECT value FROM json_each(?1))",
            [ids],
        )?;
    }
    let called = mark_called(&tx, ctx, &counter, waiting[i].id, &day, "next")?;
    touch_counter(&tx, ctx, &counter.id, Some(waiting[i].weight > 0))?;
    audit_ok(
        &tx,
        ctx,
        action::CALL_NEXT,
        Some(&counter.id),
        Some(&called.number),
        serde_json::json!({}),
    )?;
    tx.commit()?;
    Ok(CallNext {
        finished,
        called: Some(called),
    })
}

/// Calls ticket `number` out of order (also a no-show who came late) at `counter_id`.
pub fn call_number(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
    number: &str,
) -> Result<CallNext, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    let day = day_text(ctx.now.date_naive());
    let tx = begin(conn, ctx)?;
    if counter_state(&tx, &counter.id)?.paused {
        return Err(CallError::Paused(counter.id));
    }
    let ticket = ticket_by_number(&tx, number, &day)?
        .ok_or_else(|| CallError::UnknownNumber(number.trim().to_uppercase()))?;
    if !matches!(ticket.state.as_str(), "waiting" | "no_show") {
        return Err(CallError::WrongState {
            number: ticket.number,
            state: ticket.state,
            wanted: "called",
        });
    }
    let finished = clear_counter(&tx, ctx, &counter, &day)?;
    let called = mark_called(&tx, ctx, &counter, ticket.id, &day, "number")?;
    let priority = ctx.policy.weight(called.priority.as_deref()) > 0;
    touch_counter(&tx, ctx, &counter.id, Some(priority))?;
    audit_ok(
        &tx,
        ctx,
        action::CALL_NUMBER,
        Some(&counter.id),
        Some(&called.number),
        serde_json::json!({ "was": ticket.state }),
    )?;
    tx.commit()?;
    Ok(CallNext {
        finished,
        called: Some(called),
    })
}

/// The ticket at `counter_id` in one of `states`, or why there is none.
fn current_in(
    tx: &Transaction<'_>,
    counter: &CounterDef,
    day: &str,
    states: &[&str],
    wanted: &'static str,
) -> Result<TicketRow, CallError> {
    let t = current_ticket(tx, &counter.id, day)?.ok_or(CallError::NoCurrentTicket)?;
    if !states.contains(&t.state.as_str()) {
        return Err(CallError::WrongState {
            number: t.number,
            state: t.state,
            wanted,
        });
    }
    Ok(t)
}

/// Calls the current ticket again; once it was recalled `max_recalls` times, this marks it a
/// no-show instead.
pub fn recall(conn: &mut Connection, ctx: &Ctx<'_>, counter_id: &str) -> Result<Recall, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    let day = day_text(ctx.now.date_naive());
    let tx = begin(conn, ctx)?;
    let t = current_in(&tx, &counter, &day, &["called"], "recalled")?;
    if t.recalls >= ctx.policy.max_recalls {
        let gone = no_show_in(&tx, ctx, &t, &day)?;
        audit_ok(
            &tx,
            ctx,
            action::NO_SHOW,
            Some(&counter.id),
            Some(&gone.number),
            serde_json::json!({ "after_recalls": t.recalls }),
        )?;
        tx.commit()?;
        return Ok(Recall::NoShow(gone));
    }
    tx.execute(
        "UPDATE tickets SET recalls = recalls + 1, called_at = ?2 WHERE id = ?1",
        params![t.id, ctx.now.to_rfc3339()],
    )?;
    let again = ticket_by_id(&tx, t.id)?;
    emit(
        &tx,
        outbox::kind::TICKET_RECALLED,
        &again,
        &day,
        None,
        ctx.now,
    )?;
    touch_counter(&tx, ctx, &counter.id, None)?;
    audit_ok(
        &tx,
        ctx,
        action::RECALL,
        Some(&counter.id),
        Some(&again.number),
        serde_json::json!({ "recalls": again.recalls }),
    )?;
    tx.commit()?;
    Ok(Recall::Recalled(again))
}

fn no_show_in(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    t: &TicketRow,
    day: &str,
) -> Result<TicketRow, CallError> {
    tx.execute(
        "UPDATE tickets SET state = 'no_show', finished_at = ?2 WHERE id = ?1",
        params![t.id, ctx.now.to_rfc3339()],
    )?;
    let gone = ticket_by_id(tx, t.id)?;
    emit(tx, outbox::kind::TICKET_NO_SHOW, &gone, day, None, ctx.now)?;
    Ok(gone)
}

/// The citizen came to the counter: serving starts.
pub fn start(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
) -> Result<TicketRow, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    let day = day_text(ctx.now.date_naive());
    let tx = begin(conn, ctx)?;
    let t = current_in(&tx, &counter, &day, &["called"], "started")?;
    tx.execute(
        "UPDATE tickets SET state = 'serving', started_at = ?2 WHERE id = ?1",
        params![t.id, ctx.now.to_rfc3339()],
    )?;
    let serving = ticket_by_id(&tx, t.id)?;
    emit(
        &tx,
        outbox::kind::TICKET_SERVING,
        &serving,
        &day,
        None,
        ctx.now,
    )?;
    touch_counter(&tx, ctx, &counter.id, None)?;
    audit_ok(
        &tx,
        ctx,
        action::START,
        Some(&counter.id),
        Some(&serving.number),
        serde_json::json!({}),
    )?;
    tx.commit()?;
    Ok(serving)
}

/// The service is done (also from `called`, when staff did not press start).
pub fn finish(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
) -> Result<TicketRow, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    let day = day_text(ctx.now.date_naive());
    let tx = begin(conn, ctx)?;
    let t = current_in(&tx, &counter, &day, &["called", "serving"], "finished")?;
    let done = finish_in(&tx, ctx, &t, &day)?;
    touch_counter(&tx, ctx, &counter.id, None)?;
    audit_ok(
        &tx,
        ctx,
        action::FINISH,
        Some(&counter.id),
        Some(&done.number),
        serde_json::json!({}),
    )?;
    tx.commit()?;
    Ok(done)
}

/// The citizen did not come: the called ticket is a no-show (staff may call it again by
/// number if they turn up).
pub fn no_show(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
) -> Result<TicketRow, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    let day = day_text(ctx.now.date_naive());
    let tx = begin(conn, ctx)?;
    let t = current_in(&tx, &counter, &day, &["called"], "marked a no-show")?;
    let gone = no_show_in(&tx, ctx, &t, &day)?;
    touch_counter(&tx, ctx, &counter.id, None)?;
    audit_ok(
        &tx,
        ctx,
        action::NO_SHOW,
        Some(&counter.id),
        Some(&gone.number),
        serde_json::json!({ "after_recalls": t.recalls }),
    )?;
    tx.commit()?;
    Ok(gone)
}

/// Sends the current ticket to the queue of `to_service`. It keeps its number and its place
/// by the time it was taken, so it does not start again at the back.
pub fn transfer(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
    to_service: &str,
) -> Result<TicketRow, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    if ctx.catalogue.get(to_service).is_none() {
        return Err(CallError::UnknownService(to_service.to_string()));
    }
    let day = day_text(ctx.now.date_naive());
    let tx = begin(conn, ctx)?;
    let t = current_in(&tx, &counter, &day, &["called", "serving"], "transferred")?;
    if t.queue_service == to_service {
        return Err(CallError::SameService(t.number));
    }
    tx.execute(
        "UPDATE tickets SET state = 'waiting', queue_service = ?2, transferred_from = ?3,
                counter_id = NULL, called_at = NULL, started_at = NULL, recalls = 0
         WHERE id = ?1",
        params![t.id, to_service, t.queue_service],
    )?;
    let moved = ticket_by_id(&tx, t.id)?;
    emit(
        &tx,
        outbox::kind::TICKET_TRANSFERRED,
        &moved,
        &day,
        None,
        ctx.now,
    )?;
    touch_counter(&tx, ctx, &counter.id, None)?;
    audit_ok(
        &tx,
        ctx,
        action::TRANSFER,
        Some(&counter.id),
        Some(&moved.number),
        serde_json::json!({ "from": t.queue_service, "to": to_service }),
    )?;
    tx.commit()?;
    Ok(moved)
}

/// Opens `counter_id` for the acting staff member (they chose it on the counter page), or
/// closes it (they logged out).
pub fn set_open(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
    open: bool,
) -> Result<CounterState, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    let tx = begin(conn, ctx)?;
    let mut state = counter_state(&tx, &counter.id)?;
    state.open = open;
    state.staff = match (open, ctx.actor) {
        (true, Actor::Staff(name)) => Some(name.clone()),
        _ => None,
    };
    if !open {
        state.paused = false;
    }
    save_counter(&tx, &counter.id, &state, &ctx.now.to_rfc3339())?;
    counter_event(&tx, &counter.id, &state, ctx.now)?;
    let act = if open {
        action::OPEN_COUNTER
    } else {
        action::CLOSE_COUNTER
    };
    audit_ok(
        &tx,
        ctx,
        act,
        Some(&counter.id),
        None,
        serde_json::json!({}),
    )?;
    tx.commit()?;
    Ok(state)
}

/// Pauses (no calls) or resumes `counter_id`.
pub fn set_paused(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
    paused: bool,
) -> Result<CounterState, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    let tx = begin(conn, ctx)?;
    let mut state = counter_state(&tx, &counter.id)?;
    state.paused = paused;
    save_counter(&tx, &counter.id, &state, &ctx.now.to_rfc3339())?;
    counter_event(&tx, &counter.id, &state, ctx.now)?;
    let act = if paused {
        action::PAUSE
    } else {
        action::RESUME
    };
    audit_ok(
        &tx,
        ctx,
        act,
        Some(&counter.id),
        None,
        serde_json::json!({}),
    )?;
    tx.commit()?;
    Ok(state)
}

fn counter_event(
    conn: &Connection,
    id: &str,
    state: &CounterState,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    outbox::append(
        conn,
        outbox::kind::QUEUE_COUNTER,
        &serde_json::json!({
            "counter_id": id,
            "open": state.open,
            "paused": state.paused,
            "at": now.to_rfc3339(),
        }),
        now,
    )?;
    Ok(())
}

/// Sets (or clears) the priority group of today's waiting ticket `number`, after staff saw
/// the document (disability certificate, military ID, poverty card, appointment).
pub fn set_priority(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    number: &str,
    group: Option<PriorityGroup>,
) -> Result<TicketRow, CallError> {
    let day = day_text(ctx.now.date_naive());
    let tx = begin(conn, ctx)?;
    let t = ticket_by_number(&tx, number, &day)?
        .ok_or_else(|| CallError::UnknownNumber(number.trim().to_uppercase()))?;
    if t.state != "waiting" {
        return Err(CallError::WrongState {
            number: t.number,
            state: t.state,
            wanted: "given a priority",
        });
    }
    tx.execute(
        "UPDATE tickets SET priority = ?2 WHERE id = ?1",
        params![t.id, group.map(PriorityGroup::as_str)],
    )?;
    let changed = ticket_by_id(&tx, t.id)?;
    emit(
        &tx,
        outbox::kind::TICKET_PRIORITY,
        &changed,
        &day,
        None,
        ctx.now,
    )?;
    audit_ok(
        &tx,
        ctx,
        action::SET_PRIORITY,
        None,
        Some(&changed.number),
        serde_json::json!({ "group": group.map(PriorityGroup::as_str) }),
    )?;
    tx.commit()?;
    Ok(changed)
}
