//! What the hall display, the counter page and a ticket's QR page show, read from the store.
//! Numbers, counters and times only: never a name, an ID number or an age.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::calling::{self, TICKET_COLUMNS, TicketRow};
use super::catalogue::Catalogue;
use super::estimate::WaitEstimate;
use super::policy::{self, Policy, PriorityGroup};
use super::position;
use super::state::TicketState;

/// A number being called or served, for the hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HallCall {
    pub number: String,
    pub counter_id: String,
    pub counter_name: String,
    /// `called` or `serving`.
    pub state: TicketState,
    pub called_at: String,
    pub recalls: u32,
    /// The call in Korean, spoken after the Mandarin one when the centre enables it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spoken_ko: Option<String>,
}

/// One service's queue on the hall display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceQueue {
    pub service_id: String,
    pub name: String,
    pub prefix: String,
    pub waiting: u32,
    /// For someone taking a ticket now.
    pub estimate: Option<WaitEstimate>,
}

/// The hall display: what the TV shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HallView {
    pub centre_name: String,
    pub notice: Option<String>,
    /// Each counter's current number.
    pub now_serving: Vec<HallCall>,
    /// The latest calls (and recalls), newest first.
    pub last_calls: Vec<HallCall>,
    pub services: Vec<ServiceQueue>,
}

/// How many calls the hall lists.
const LAST_CALLS: u32 = 6;

fn counter_name(policy: &Policy, id: &str) -> String {
    policy
        .counter(id)
        .map_or_else(|| format!("{id}号窗口"), |c| c.name)
}

/// The Korean call of `number` to counter `id`: "B001번 고객님, 3번 창구로 오십시오.", or
/// without the counter when it has no Korean name and no numeric id.
pub fn korean_call(policy: &Policy, number: &str, id: &str) -> String {
    let counter = policy.counter(id).and_then(|c| c.name_ko).or_else(|| {
        (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{id}번 창구"))
    });
    match counter {
        Some(counter) => format!("{number}번 고객님, {counter}{} 오십시오.", toward(&counter)),
        None => format!("{number}번 고객님, 창구로 오십시오."),
    }
}

/// The particle "toward" after `word`: 로 after a vowel or ㄹ, 으로 after another final
/// consonant (a word not ending in Hangul is read as ending in a vowel).
fn toward(word: &str) -> &'static str {
    match word.chars().last().map(u32::from) {
        Some(c @ 0xAC00..=0xD7A3) => match (c - 0xAC00) % 28 {
            0 | 8 => "로",
            _ => "으로",
        },
        _ => "로",
    }
}

fn hall_call(policy: &Policy, t: &TicketRow) -> HallCall {
    let counter_id = t.counter_id.clone().unwrap_or_default();
    HallCall {
        number: t.number.clone(),
        counter_name: counter_name(policy, &counter_id),
        spoken_ko: policy
            .hall_korean
            .then(|| korean_call(policy, &t.number, &counter_id)),
        counter_id,
        state: t.state,
        called_at: t.called_at.clone().unwrap_or_default(),
        recalls: t.recalls,
    }
}

/// The hall display for `day`.
pub fn hall(
    conn: &Connection,
    catalogue: &Catalogue,
    policy: &Policy,
    centre_name: &str,
    notice: Option<String>,
    day: &str,
) -> rusqlite::Result<HallView> {
    let mut current = conn.prepare_cached(&format!(
        "SELECT {TICKET_COLUMNS} FROM tickets
         WHERE service_day = ?1 AND state IN (?2, ?3) ORDER BY counter_id"
    ))?;
    let [called, serving] = TicketState::AT_COUNTER;
    let now_serving: Vec<HallCall> = current
        .query_map(params![day, called, serving], TicketRow::from_row)?
        .map(|r| r.map(|t| hall_call(policy, &t)))
        .collect::<rusqlite::Result<_>>()?;
    let mut last = conn.prepare_cached(&format!(
        "SELECT {TICKET_COLUMNS} FROM tickets
         WHERE service_day = ?1 AND called_at IS NOT NULL AND counter_id IS NOT NULL
         ORDER BY called_at DESC, id DESC LIMIT ?2"
    ))?;
    let last_calls: Vec<HallCall> = last
        .query_map(params![day, LAST_CALLS], TicketRow::from_row)?
        .map(|r| r.map(|t| hall_call(policy, &t)))
        .collect::<rusqlite::Result<_>>()?;
    let waiting = waiting_by_service(conn, day)?;
    let mut services = Vec::new();
    for s in catalogue.services() {
        let n = waiting.get(&s.id).copied().unwrap_or(0);
        services.push(ServiceQueue {
            service_id: s.id.clone(),
            name: s.name.zh_cn.clone(),
            prefix: s.prefix.to_string(),
            waiting: n,
            estimate: position::estimate_for(conn, policy, &s.id, day, n)?,
        });
    }
    Ok(HallView {
        centre_name: centre_name.to_string(),
        notice: notice.or_else(|| policy.hall_notice.clone()),
        now_serving,
        last_calls,
        services,
    })
}

fn waiting_by_service(conn: &Connection, day: &str) -> rusqlite::Result<BTreeMap<String, u32>> {
    let mut stmt = conn.prepare_cached(
        "SELECT queue_service, COUNT(*) FROM tickets
         WHERE service_day = ?1 AND state = ?2 GROUP BY queue_service",
    )?;
    let rows = stmt.query_map(params![day, TicketState::Waiting], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

/// A counter on the counter page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterView {
    pub id: String,
    pub name: String,
    /// Service ids; empty: every service.
    pub services: Vec<String>,
    pub open: bool,
    pub paused: bool,
    pub staff: Option<String>,
    pub current: Option<TicketRow>,
    /// The number call-next would take now.
    pub next: Option<String>,
    pub waiting: u32,
}

/// A waiting ticket on the counter page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingTicket {
    pub number: String,
    pub queue_service: String,
    pub priority: Option<String>,
    /// e.g. 老年人, for the badge next to the number.
    pub priority_label: Option<String>,
    pub issued_at: String,
    pub passed_by: u32,
    pub transferred_from: Option<String>,
}

/// Today's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TodayCounts {
    pub issued: u32,
    pub waiting: u32,
    pub at_counters: u32,
    pub done: u32,
    pub no_show: u32,
    pub cancelled: u32,
    /// Average time from taking a ticket to its first call, seconds.
    pub avg_wait_secs: Option<u32>,
    /// Average time from first call to finish, seconds.
    pub avg_service_secs: Option<u32>,
}

/// The counter page: the counters, the waiting list (earliest first, at most `limit`) and
/// today's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffView {
    pub counters: Vec<CounterView>,
    pub waiting: Vec<WaitingTicket>,
    pub waiting_total: u32,
    pub today: TodayCounts,
    pub services: Vec<ServiceQueue>,
    pub max_recalls: u32,
}

/// The counter page's view of `day`.
pub fn staff(
    conn: &Connection,
    catalogue: &Catalogue,
    policy: &Policy,
    day: &str,
    limit: u32,
) -> rusqlite::Result<StaffView> {
    let mut counters = Vec::new();
    for c in policy.counters() {
        let state = calling::counter_state(conn, &c.id)?;
        let candidates = calling::candidates(conn, policy, &c, day)?;
        let next = policy::pick(policy, &candidates, state.last_priority)
            .map(|i| candidates[i].id)
            .map(|id| {
                conn.query_row("SELECT number FROM tickets WHERE id = ?1", [id], |r| {
                    r.get::<_, String>(0)
                })
            })
            .transpose()?;
        counters.push(CounterView {
            current: calling::current_ticket(conn, &c.id, day)?,
            waiting: u32::try_from(candidates.len()).unwrap_or(u32::MAX),
            id: c.id,
            name: c.name,
            services: c.services,
            open: state.open,
            paused: state.paused,
            staff: state.staff,
            next,
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT number, queue_service, priority, issued_at, passed_by, transferred_from
         FROM tickets WHERE service_day = ?1 AND state = ?3
         ORDER BY issued_ms, id LIMIT ?2",
    )?;
    let waiting: Vec<WaitingTicket> = stmt
        .query_map(params![day, limit, TicketState::Waiting], |r| {
            let priority: Option<String> = r.get(2)?;
            Ok(WaitingTicket {
                number: r.get(0)?,
                queue_service: r.get(1)?,
                priority_label: priority
                    .as_deref()
                    .and_then(PriorityGroup::parse)
                    .map(|g| g.label_zh().to_string()),
                priority,
                issued_at: r.get(3)?,
                passed_by: r.get(4)?,
                transferred_from: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let today = today_counts(conn, day)?;
    let hall = hall(conn, catalogue, policy, "", None, day)?;
    Ok(StaffView {
        counters,
        waiting,
        waiting_total: today.waiting,
        today,
        services: hall.services,
        max_recalls: policy.max_recalls,
    })
}

fn today_counts(conn: &Connection, day: &str) -> rusqlite::Result<TodayCounts> {
    use TicketState::{Called, Cancelled, Done, NoShow, Serving, Waiting};
    conn.prepare_cached(
        "SELECT COUNT(*),
                COALESCE(SUM(state = ?2), 0),
                COALESCE(SUM(state IN (?3, ?4)), 0),
                COALESCE(SUM(state = ?5), 0),
                COALESCE(SUM(state = ?6), 0),
                COALESCE(SUM(state = ?7), 0),
                AVG((julianday(first_called_at) - julianday(issued_at)) * 86400.0),
                AVG(CASE WHEN state = ?5
                    THEN (julianday(finished_at) - julianday(first_called_at)) * 86400.0 END)
         FROM tickets WHERE service_day = ?1",
    )?
    .query_row(
        params![day, Waiting, Called, Serving, Done, NoShow, Cancelled],
        |r| {
            let secs = |v: Option<f64>| {
                v.filter(|s| s.is_finite() && *s >= 0.0)
                    .map(|s| s.round() as u32)
            };
            Ok(TodayCounts {
                issued: r.get(0)?,
                waiting: r.get(1)?,
                at_counters: r.get(2)?,
                done: r.get(3)?,
                no_show: r.get(4)?,
                cancelled: r.get(5)?,
                avg_wait_secs: secs(r.get(6)?),
                avg_service_secs: secs(r.get(7)?),
            })
        },
    )
}

/// A ticket's live status for its QR page: no personal data, reachable only by its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TicketStatus {
    pub number: String,
    pub service_id: String,
    pub service_name: String,
    pub state: TicketState,
    pub people_ahead: Option<u32>,
    pub estimate: Option<WaitEstimate>,
    /// Where to go when called.
    pub counter_name: Option<String>,
    pub issued_at: String,
    pub service_day: String,
}

/// The status of the ticket with `token`, if any.
pub fn ticket_status(
    conn: &Connection,
    catalogue: &Catalogue,
    policy: &Policy,
    token: &str,
) -> rusqlite::Result<Option<TicketStatus>> {
    let row = conn
        .query_row(
            &format!("SELECT {TICKET_COLUMNS}, service_day FROM tickets WHERE token = ?1"),
            [token],
            |r| Ok((TicketRow::from_row(r)?, r.get::<_, String>(15)?)),
        )
        .optional()?;
    let Some((t, service_day)) = row else {
        return Ok(None);
    };
    let place = if t.state == TicketState::Waiting {
        position::position(conn, policy, t.id)?
    } else {
        None
    };
    Ok(Some(TicketStatus {
        service_name: catalogue
            .get(&t.queue_service)
            .map_or_else(|| t.queue_service.clone(), |s| s.name.zh_cn.clone()),
        number: t.number,
        service_id: t.queue_service,
        counter_name: match t.state {
            TicketState::Called | TicketState::Serving => {
                t.counter_id.as_deref().map(|c| counter_name(policy, c))
            }
            _ => None,
        },
        state: t.state,
        people_ahead: place.map(|p| p.people_ahead),
        estimate: place.and_then(|p| p.estimate),
        issued_at: t.issued_at,
        service_day,
    }))
}
