//! The counters' own state (open, paused, who is at it, whether its last call was a
//! priority ticket); the counters themselves come from the policy. Opening, closing, pausing
//! and resuming a counter are audited and reported like the ticket actions.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::calling::{CallError, Ctx, action, audit_ok, begin, counter_def};
use crate::domain::maintenance::audit::Actor;
use crate::store::outbox;

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
        .prepare_cached(
            "SELECT open, paused, staff, last_priority FROM queue_counters WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(CounterState {
                open: r.get(0)?,
                paused: r.get(1)?,
                staff: r.get(2)?,
                last_priority: r.get(3)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

fn save_counter(
    conn: &Connection,
    id: &str,
    state: &CounterState,
    at: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO queue_counters (id, open, paused, staff, last_priority, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET open = ?2, paused = ?3, staff = ?4, last_priority = ?5,
                                        updated_at = ?6",
    )?
    .execute(params![
        id,
        state.open,
        state.paused,
        state.staff,
        state.last_priority,
        at
    ])?;
    Ok(())
}

/// The counter's state after `ctx.actor` acted at it: open, by them.
pub(super) fn touch_counter(
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

/// What staff do to a counter itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterChange {
    /// They chose it on the counter page.
    Open,
    /// They logged out.
    Close,
    /// No calls for now.
    Pause,
    Resume,
}

impl CounterChange {
    /// The audit action name.
    pub fn audit_action(self) -> &'static str {
        match self {
            CounterChange::Open => action::OPEN_COUNTER,
            CounterChange::Close => action::CLOSE_COUNTER,
            CounterChange::Pause => action::PAUSE,
            CounterChange::Resume => action::RESUME,
        }
    }
}

/// Opens, closes, pauses or resumes `counter_id`. Opening records the acting member of
/// staff; closing also lifts a pause.
pub fn change_counter(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    counter_id: &str,
    change: CounterChange,
) -> Result<CounterState, CallError> {
    let counter = counter_def(ctx, counter_id)?;
    let tx = begin(conn, ctx)?;
    let mut state = counter_state(&tx, &counter.id)?;
    match change {
        CounterChange::Open | CounterChange::Close => {
            let open = change == CounterChange::Open;
            state.open = open;
            state.staff = match (open, ctx.actor) {
                (true, Actor::Staff(name)) => Some(name.clone()),
                _ => None,
            };
            if !open {
                state.paused = false;
            }
        }
        CounterChange::Pause | CounterChange::Resume => {
            state.paused = change == CounterChange::Pause;
        }
    }
    save_counter(&tx, &counter.id, &state, &ctx.now.to_rfc3339())?;
    counter_event(&tx, &counter.id, &state, ctx.now)?;
    audit_ok(
        &tx,
        ctx,
        change.audit_action(),
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
