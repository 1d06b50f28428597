//! The ticket lifecycle as a state machine: every action staff take on a ticket is a row of
//! [`TABLE`] (which ticket it is about, the states it may be in, the state it goes to, what
//! else changes, the outbox event and the audit entry), and [`execute`] runs any row the
//! same way: one IMMEDIATE transaction that checks, changes, reports and audits, so two
//! counters calling at once can never get the same ticket and nothing is reported that did
//! not happen.

use rusqlite::{Connection, Transaction};

use super::calling::{CallError, Ctx, action, audit_ok, begin, counter_def};
use super::counters::{counter_state, touch_counter};
use super::day::day_text;
use super::policy::{self, CounterDef, PriorityGroup};
use super::rows::{TicketRow, candidates, current_ticket, emit, ticket_by_id, ticket_by_number};
use super::state::TicketState::{self, Called, Done, NoShow, Serving, Waiting};
use crate::store::outbox::kind;

/// What staff do to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CallNext,
    CallNumber,
    Recall,
    Start,
    Finish,
    NoShow,
    Transfer,
    SetPriority,
}

/// Which ticket an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The one the policy picks among the waiting tickets the counter serves.
    NextByPolicy,
    /// The one staff named by its number.
    Number,
    /// The counter's current ticket (called or being served).
    AtCounter,
}

/// One row of the lifecycle.
#[derive(Debug)]
pub struct Transition {
    pub action: Action,
    pub target: Target,
    /// The states the ticket may be in.
    pub from: &'static [TicketState],
    pub to: TicketState,
    /// What else changes, as the `SET` list of an `UPDATE tickets … WHERE id = ?1`. Bound:
    /// ?2 the new state, ?3 now, ?4 the counter, ?5 the service transferred to, ?6 the
    /// priority group.
    set: &'static str,
    /// A call: refused at a paused counter, and it first finishes the ticket the counter is
    /// serving (one still called refuses it).
    pub is_call: bool,
    /// The outbox event's kind.
    pub outbox: &'static str,
    /// `how` in the outbox event (for calls).
    pub how: Option<&'static str>,
    /// The audit action.
    pub audit: &'static str,
    /// For the refusal "D001 is serving: it cannot be {wanted}".
    pub wanted: &'static str,
}

/// The lifecycle. A ticket is issued `waiting`; the day's close cancels what is left.
pub static TABLE: [Transition; 8] = [
    Transition {
        action: Action::CallNext,
        target: Target::NextByPolicy,
        from: &[Waiting],
        to: Called,
        set: CALLED,
        is_call: true,
        outbox: kind::TICKET_CALLED,
        how: Some("next"),
        audit: action::CALL_NEXT,
        wanted: "called",
    },
    Transition {
        action: Action::CallNumber,
        target: Target::Number,
        // A no-show who came late is called back by number.
        from: &[Waiting, NoShow],
        to: Called,
        set: CALLED,
        is_call: true,
        outbox: kind::TICKET_CALLED,
        how: Some("number"),
        audit: action::CALL_NUMBER,
        wanted: "called",
    },
    Transition {
        action: Action::Recall,
        target: Target::AtCounter,
        from: &[Called],
        to: Called,
        set: "recalls = recalls + 1, called_at = ?3",
        is_call: false,
        outbox: kind::TICKET_RECALLED,
        how: None,
        audit: action::RECALL,
        wanted: "recalled",
    },
    Transition {
        action: Action::Start,
        target: Target::AtCounter,
        from: &[Called],
        to: Serving,
        set: "started_at = ?3",
        is_call: false,
        outbox: kind::TICKET_SERVING,
        how: None,
        audit: action::START,
        wanted: "started",
    },
    Transition {
        action: Action::Finish,
        target: Target::AtCounter,
        // Also from called, when staff did not press start.
        from: &[Called, Serving],
        to: Done,
        set: "finished_at = ?3, started_at = COALESCE(started_at, called_at)",
        is_call: false,
        outbox: kind::TICKET_FINISHED,
        how: None,
        audit: action::FINISH,
        wanted: "finished",
    },
    Transition {
        action: Action::NoShow,
        target: Target::AtCounter,
        from: &[Called],
        to: NoShow,
        set: "finished_at = ?3",
        is_call: false,
        outbox: kind::TICKET_NO_SHOW,
        how: None,
        audit: action::NO_SHOW,
        wanted: "marked a no-show",
    },
    Transition {
        action: Action::Transfer,
        target: Target::AtCounter,
        from: &[Called, Serving],
        // Back in a queue, keeping its place by the time it was taken.
        to: Waiting,
        set: "queue_service = ?5, transferred_from = queue_service, counter_id = NULL,
              called_at = NULL, started_at = NULL, recalls = 0",
        is_call: false,
        outbox: kind::TICKET_TRANSFERRED,
        how: None,
        audit: action::TRANSFER,
        wanted: "transferred",
    },
    Transition {
        action: Action::SetPriority,
        target: Target::Number,
        from: &[Waiting],
        to: Waiting,
        set: "priority = ?6",
        is_call: false,
        outbox: kind::TICKET_PRIORITY,
        how: None,
        audit: action::SET_PRIORITY,
        wanted: "given a priority",
    },
];

const CALLED: &str =
    "counter_id = ?4, called_at = ?3, first_called_at = COALESCE(first_called_at, ?3),
                      recalls = 0, started_at = NULL, finished_at = NULL";

/// The row of `action` (the table lists the actions in their declared order).
pub fn transition(action: Action) -> &'static Transition {
    &TABLE[action as usize]
}

/// An action with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    CallNext {
        counter: String,
    },
    CallNumber {
        counter: String,
        number: String,
    },
    Recall {
        counter: String,
    },
    Start {
        counter: String,
    },
    Finish {
        counter: String,
    },
    NoShow {
        counter: String,
    },
    Transfer {
        counter: String,
        to_service: String,
    },
    SetPriority {
        number: String,
        group: Option<PriorityGroup>,
    },
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::CallNext { .. } => Action::CallNext,
            Command::CallNumber { .. } => Action::CallNumber,
            Command::Recall { .. } => Action::Recall,
            Command::Start { .. } => Action::Start,
            Command::Finish { .. } => Action::Finish,
            Command::NoShow { .. } => Action::NoShow,
            Command::Transfer { .. } => Action::Transfer,
            Command::SetPriority { .. } => Action::SetPriority,
        }
    }

    /// The counter it is taken at (setting a priority is not).
    pub fn counter(&self) -> Option<&str> {
        match self {
            Command::CallNext { counter }
            | Command::CallNumber { counter, .. }
            | Command::Recall { counter }
            | Command::Start { counter }
            | Command::Finish { counter }
            | Command::NoShow { counter }
            | Command::Transfer { counter, .. } => Some(counter),
            Command::SetPriority { .. } => None,
        }
    }

    fn number(&self) -> Option<&str> {
        match self {
            Command::CallNumber { number, .. } | Command::SetPriority { number, .. } => {
                Some(number)
            }
            _ => None,
        }
    }
}

/// What an action did.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The row that ran (a recall beyond the policy's limit runs the no-show row).
    pub transition: &'static Transition,
    /// The ticket as it is now; `None` only when call-next found nobody waiting.
    pub ticket: Option<TicketRow>,
    /// The ticket a call finished first (the counter was serving it).
    pub finished: Option<TicketRow>,
}

/// Runs `command`: finds its ticket, checks its state, changes it, reports and audits it,
/// in one transaction.
pub fn execute(
    conn: &mut Connection,
    ctx: &Ctx<'_>,
    command: &Command,
) -> Result<Executed, CallError> {
    let mut row = transition(command.action());
    let counter = command
        .counter()
        .map(|id| counter_def(ctx, id))
        .transpose()?;
    if let Command::Transfer { to_service, .. } = command
        && ctx.catalogue.get(to_service).is_none()
    {
        return Err(CallError::UnknownService(to_service.clone()));
    }
    let day = day_text(ctx.now.date_naive());
    let tx = begin(conn, ctx)?;
    let last_priority = match &counter {
        Some(c) => {
            let state = counter_state(&tx, &c.id)?;
            if row.is_call && state.paused {
                return Err(CallError::Paused(c.id.clone()));
            }
            state.last_priority
        }
        None => false,
    };
    let found = match (row.target, &counter) {
        (Target::AtCounter, Some(c)) => {
            Some(current_ticket(&tx, &c.id, &day)?.ok_or(CallError::NoCurrentTicket)?)
        }
        (Target::Number, _) => {
            let number = command.number().unwrap_or_default();
            Some(
                ticket_by_number(&tx, number, &day)?
                    .ok_or_else(|| CallError::UnknownNumber(number.trim().to_uppercase()))?,
            )
        }
        _ => None,
    };
    if let Some(t) = &found {
        if !row.from.contains(&t.state) {
            return Err(CallError::WrongState {
                number: t.number.clone(),
                state: t.state,
                wanted: row.wanted,
            });
        }
        if let Command::Transfer { to_service, .. } = command
            && t.queue_service == *to_service
        {
            return Err(CallError::SameService(t.number.clone()));
        }
        if row.action == Action::Recall && t.recalls >= ctx.policy.max_recalls {
            row = transition(Action::NoShow);
        }
    }
    let finished = match (&counter, row.is_call) {
        (Some(c), true) => make_way(&tx, ctx, c, &day)?,
        _ => None,
    };
    let before = match found {
        Some(t) => t,
        None => match pick_next(&tx, ctx, counter.as_ref(), &day, last_priority)? {
            Some(t) => t,
            None => {
                // Nobody waits for this counter: it was still used.
                if let Some(c) = &counter {
                    touch_counter(&tx, ctx, &c.id, None)?;
                }
                let counter_id = counter.as_ref().map(|c| c.id.as_str());
                let detail = serde_json::json!({ "empty": true });
                audit_ok(&tx, ctx, row.audit, counter_id, None, detail)?;
                tx.commit()?;
                return Ok(Executed {
                    transition: row,
                    ticket: None,
                    finished,
                });
            }
        },
    };
    let after = apply(&tx, ctx, row, &before, command, &day)?;
    if let Some(c) = &counter {
        let priority = row
            .is_call
            .then(|| ctx.policy.weight(after.priority.as_deref()) > 0);
        touch_counter(&tx, ctx, &c.id, priority)?;
    }
    let detail = audit_detail(row.action, &before, &after, command);
    let counter_id = counter.as_ref().map(|c| c.id.as_str());
    audit_ok(&tx, ctx, row.audit, counter_id, Some(&after.number), detail)?;
    tx.commit()?;
    Ok(Executed {
        transition: row,
        ticket: Some(after),
        finished,
    })
}

/// The waiting ticket call-next takes at `counter` (counting the tickets it passes over for
/// the anti-starvation bound), if anyone waits.
fn pick_next(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    counter: Option<&CounterDef>,
    day: &str,
    last_priority: bool,
) -> Result<Option<TicketRow>, CallError> {
    let Some(counter) = counter else {
        return Ok(None);
    };
    let waiting = candidates(tx, ctx.policy, counter, day)?;
    let Some(i) = policy::pick(ctx.policy, &waiting, last_priority) else {
        return Ok(None);
    };
    let passed = policy::passed_by_pick(ctx.policy, &waiting, i);
    if !passed.is_empty() {
        let ids = serde_json::to_string(&passed)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        tx.prepare_cached(
            "UPDATE tickets SET passed_by = passed_by + 1
             WHERE id IN (SELECT value FROM json_each(?1))",
        )?
        .execute([ids])?;
    }
    Ok(Some(ticket_by_id(tx, waiting[i].id)?))
}

/// Makes way for a call at `counter`: a ticket being served is finished (by the finish row);
/// one still called refuses the call.
fn make_way(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    counter: &CounterDef,
    day: &str,
) -> Result<Option<TicketRow>, CallError> {
    match current_ticket(tx, &counter.id, day)? {
        Some(t) if t.state == Called => Err(CallError::StillCalled(t.number)),
        Some(t) => {
            let finish = Command::Finish {
                counter: counter.id.clone(),
            };
            Ok(Some(apply(
                tx,
                ctx,
                transition(Action::Finish),
                &t,
                &finish,
                day,
            )?))
        }
        None => Ok(None),
    }
}

/// Moves `t` along `row` and reports it; returns the ticket as it is now.
fn apply(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    row: &Transition,
    t: &TicketRow,
    command: &Command,
    day: &str,
) -> Result<TicketRow, CallError> {
    let now = ctx.now.to_rfc3339();
    let (to_service, group) = match command {
        Command::Transfer { to_service, .. } => (Some(to_service.as_str()), None),
        Command::SetPriority { group, .. } => (None, group.map(PriorityGroup::as_str)),
        _ => (None, None),
    };
    let counter = command.counter();
    let values: [&dyn rusqlite::ToSql; 6] = [&t.id, &row.to, &now, &counter, &to_service, &group];
    let mut stmt = tx.prepare_cached(&format!(
        "UPDATE tickets SET state = ?2, {} WHERE id = ?1",
        row.set
    ))?;
    // Each row's SQL uses the values up to the highest it names.
    for (i, value) in values.iter().enumerate().take(stmt.parameter_count()) {
        stmt.raw_bind_parameter(i + 1, value)?;
    }
    stmt.raw_execute()?;
    let now_row = ticket_by_id(tx, t.id)?;
    emit(tx, row.outbox, &now_row, day, row.how, ctx.now)?;
    Ok(now_row)
}

/// What the audit entry of an action records beside the counter and the number.
fn audit_detail(
    action: Action,
    before: &TicketRow,
    after: &TicketRow,
    command: &Command,
) -> serde_json::Value {
    match (action, command) {
        (Action::CallNumber, _) => serde_json::json!({ "was": before.state }),
        (Action::Recall, _) => serde_json::json!({ "recalls": after.recalls }),
        (Action::NoShow, _) => serde_json::json!({ "after_recalls": before.recalls }),
        (Action::Transfer, Command::Transfer { to_service, .. }) => {
            serde_json::json!({ "from": before.queue_service, "to": to_service })
        }
        (Action::SetPriority, Command::SetPriority { group, .. }) => {
            serde_json::json!({ "group": group.map(PriorityGroup::as_str) })
        }
        _ => serde_json::json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_row_and_no_row_reopens_a_closed_ticket() {
        let actions = [
            Action::CallNext,
            Action::CallNumber,
            Action::Recall,
            Action::Start,
            Action::Finish,
            Action::NoShow,
            Action::Transfer,
            Action::SetPriority,
        ];
        assert_eq!(actions.len(), TABLE.len());
        for action in actions {
            assert_eq!(transition(action).action, action);
        }
        for row in &TABLE {
            assert!(!row.from.is_empty(), "{:?}", row.action);
            for closed in [TicketState::Done, TicketState::Cancelled] {
                assert!(!row.from.contains(&closed), "{:?}", row.action);
            }
            let calls = row.to == TicketState::Called && row.action != Action::Recall;
            assert_eq!(row.is_call, calls, "{:?}", row.action);
        }
    }
}
