//! Work orders at the registry (issue 20), on either store: made from terminals'
//! `work_order` events inside the events' own transaction (exactly once per event: unique
//! on the event's device and idempotency key), dispatched, accepted, closed or returned
//! with a history row for every change, in one conditional transaction each (see
//! [`super::checked`]).

use super::checked::{Outcome, Step};
use super::portable::{Row, Value};
use super::raw::for_postgres;
use super::{Store, StoreError, now_text};
use crate::work_orders::{
    Action, Classification, EVENT_KIND, OVERDUE_ALERT, Status, WorkOrderEvent,
};
use provisioning::protocol::Event;
use serde::Serialize;
use std::collections::HashMap;

/// The schema (SQLite's dialect; PostgreSQL's through `pg::schema::dialect`).
pub const DDL: &str = "
CREATE TABLE work_orders (
  id INTEGER PRIMARY KEY,
  source_device TEXT NOT NULL,            -- the terminal that sent it ('' for other channels)
  source_key TEXT NOT NULL,               -- its event's idempotency key
  category TEXT NOT NULL,                 -- the classification's item code
  kind TEXT NOT NULL,                     -- callback | complaint | follow_up | legal_aid
  region TEXT NOT NULL,
  platform_id TEXT NOT NULL,
  channel TEXT NOT NULL,                  -- terminal | online | hotline-12348 | wechat …
  id_hash TEXT NOT NULL,                  -- keyed hash of the citizen's ID number
  phone TEXT NOT NULL,
  summary TEXT NOT NULL,
  status TEXT NOT NULL,                   -- new | dispatched | accepted | done | returned
  assignee_kind TEXT NOT NULL DEFAULT '', -- institution | person
  assignee TEXT NOT NULL DEFAULT '',
  deadline TEXT NOT NULL DEFAULT '',      -- RFC 3339 UTC, '' for none
  outcome TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source_device, source_key)
);
CREATE INDEX work_orders_hash ON work_orders (id_hash);
CREATE INDEX work_orders_status ON work_orders (status, deadline);
CREATE TABLE work_order_history (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES work_orders(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,                   -- created | dispatched | accepted | done | returned
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX work_order_history_order ON work_order_history (order_id, id);
CREATE TABLE work_order_categories (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  class_code TEXT NOT NULL,
  class_name TEXT NOT NULL,
  position INTEGER NOT NULL
);
CREATE TABLE operator_institutions (
  username TEXT PRIMARY KEY,              -- an operator of role institution
  institution_id TEXT NOT NULL
);
";

const INSERT_ORDER: &str = "INSERT INTO work_orders (source_device, source_key, category, kind, region, platform_id, channel, id_hash, phone, summary, status, created_at, updated_at)
     SELECT CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS TEXT), CAST(?4 AS TEXT), p.region, p.id, 'terminal',
            CAST(?5 AS TEXT), CAST(?6 AS TEXT), CAST(?7 AS TEXT), 'new', CAST(?8 AS TEXT), CAST(?8 AS TEXT)
     FROM platforms p WHERE p.id = ?9
     ON CONFLICT (source_device, source_key) DO NOTHING";

const INSERT_CREATED: &str =
    "INSERT INTO work_order_history (order_id, at, actor, action, from_status, to_status, detail)
     SELECT id, CAST(?3 AS TEXT), CAST(?1 AS TEXT), 'created', '', 'new', '' FROM work_orders
     WHERE source_device = ?1 AND source_key = ?2";

fn order_params(
    device: &str,
    platform: &str,
    event: &Event,
    w: &WorkOrderEvent,
    now: &str,
) -> [String; 9] {
    [
        device.to_string(),
        event.idempotency_key.clone(),
        w.category.trim().to_string(),
        w.kind.clone(),
        w.id_hash.clone(),
        w.phone.trim().to_string(),
        w.summary.clone(),
        now.to_string(),
        platform.to_string(),
    ]
}

fn parse(event: &Event) -> Option<WorkOrderEvent> {
    if event.kind != EVENT_KIND {
        return None;
    }
    // Events with a defect were quarantined before this is called.
    serde_json::from_value(event.payload.clone()).ok()
}

/// Makes the work order a stored `work_order` event carries (SQLite, inside the events'
/// transaction); nothing if it exists already.
pub fn from_event_sqlite(
    tx: &rusqlite::Transaction<'_>,
    device: &str,
    platform: &str,
    event: &Event,
) -> Result<(), StoreError> {
    let Some(w) = parse(event) else {
        return Ok(());
    };
    let now = now_text();
    let p = order_params(device, platform, event, &w, &now);
    let made = tx
        .prepare_cached(INSERT_ORDER)?
        .execute(rusqlite::params_from_iter(p.iter()))?;
    if made == 1 {
        tx.prepare_cached(INSERT_CREATED)?
            .execute(rusqlite::params![device, event.idempotency_key, now])?;
    }
    Ok(())
}

/// As [`from_event_sqlite`], on PostgreSQL.
pub async fn from_event_pg(
    tx: &tokio_postgres::Transaction<'_>,
    device: &str,
    platform: &str,
    event: &Event,
) -> Result<(), StoreError> {
    let Some(w) = parse(event) else {
        return Ok(());
    };
    let now = now_text();
    let p = order_params(device, platform, event, &w, &now);
    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = p
        .iter()
        .map(|s| s as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect();
    let made = tx.execute(&for_postgres(INSERT_ORDER), &params).await?;
    if made == 1 {
        tx.execute(
            &for_postgres(INSERT_CREATED),
            &[&device, &event.idempotency_key, &now],
        )
        .await?;
    }
    Ok(())
}

/// A work order as the console and the command line see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkOrder {
    /// Number.
    pub id: i64,
    /// Classification item code.
    pub category: String,
    /// Its name, if the classification has it.
    pub category_name: String,
    /// callback | complaint | follow_up | legal_aid.
    pub kind: String,
    /// Region.
    pub region: String,
    /// Platform.
    pub platform_id: String,
    /// Channel.
    pub channel: String,
    /// Status.
    pub status: String,
    /// institution | person | ''.
    pub assignee_kind: String,
    /// The institution's id or the person's login.
    pub assignee: String,
    /// Deadline (RFC 3339 UTC) or ''.
    pub deadline: String,
    /// Outcome when done, reason when returned.
    pub outcome: String,
    /// Phone to call back.
    pub phone: String,
    /// What the citizen consented to pass on.
    pub summary: String,
    /// Created.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// The terminal that sent it.
    pub source_device: String,
}

/// One change of a work order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// When.
    pub at: String,
    /// Who (an operator's login, `cli`, or the terminal's device id).
    pub actor: String,
    /// created | dispatched | accepted | done | returned.
    pub action: String,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Assignee, outcome or reason.
    pub detail: String,
}

/// What a citizen sees of their orders at a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CitizenStatus {
    /// Classification item code.
    pub category: String,
    /// Status.
    pub status: String,
}

/// Orders found by the receipt printed for the citizen (migration 22 on PostgreSQL).
pub const RECEIPT_INDEX: &str = "CREATE INDEX work_orders_receipt ON work_orders (source_key);";

/// Filters for listing.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Only this status.
    pub status: Option<String>,
    /// Only orders assigned to this (kind, assignee) or, for `person`, to this login.
    pub assigned: Option<Vec<(String, String)>>,
}

const ORDER_SELECT: &str = "SELECT w.id, w.category, COALESCE(c.name, ''), w.kind, w.region, w.platform_id, w.channel, w.status,
       w.assignee_kind, w.assignee, w.deadline, w.outcome, w.phone, w.summary, w.created_at, w.updated_at, w.source_device
     FROM work_orders w LEFT JOIN work_order_categories c ON c.code = w.category";

fn order_from(r: &Row) -> WorkOrder {
    let t = |i: usize| r[i].text().to_string();
    WorkOrder {
        id: r[0].int(),
        category: t(1),
        category_name: t(2),
        kind: t(3),
        region: t(4),
        platform_id: t(5),
        channel: t(6),
        status: t(7),
        assignee_kind: t(8),
        assignee: t(9),
        deadline: t(10),
        outcome: t(11),
        phone: t(12),
        summary: t(13),
        created_at: t(14),
        updated_at: t(15),
        source_device: t(16),
    }
}

/// Who may change an order: the conditions a transition adds.
#[derive(Debug, Clone)]
pub struct Change {
    /// The order.
    pub id: i64,
    /// What to do.
    pub action: Action,
    /// Who does it (for the history).
    pub actor: String,
    /// For dispatch: (institution | person, id).
    pub assignee: Option<(String, String)>,
    /// For dispatch: the deadline (RFC 3339 UTC).
    pub deadline: Option<String>,
    /// Outcome (close) or reason (return).
    pub detail: String,
    /// Only if the order is assigned to this (kind, assignee) now (institutions' users).
    pub only_if_assigned_to: Option<(String, String)>,
}

/// Why a change was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRefusal {
    /// No such order.
    NotFound,
    /// Its status does not allow it (the status it has).
    WrongStatus(String),
    /// It is not assigned to the one acting.
    NotAssigned,
}

impl Store {
    /// Work orders, newest first.
    pub async fn work_orders(&self, filter: &OrderFilter) -> Result<Vec<WorkOrder>, StoreError> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "{ORDER_SELECT} WHERE (CAST(?1 AS TEXT) IS NULL OR w.status = ?1) ORDER BY w.id DESC"
            )
        });
        let rows = self.rows(sql, vec![filter.status.clone().into()]).await?;
        let mut orders: Vec<WorkOrder> = rows.iter().map(order_from).collect();
        if let Some(assigned) = &filter.assigned {
            orders.retain(|o| {
                assigned
                    .iter()
                    .any(|(k, a)| *k == o.assignee_kind && *a == o.assignee)
            });
        }
        Ok(orders)
    }

    /// One work order and its history.
    pub async fn work_order(
        &self,
        id: i64,
    ) -> Result<Option<(WorkOrder, Vec<HistoryEntry>)>, StoreError> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| format!("{ORDER_SELECT} WHERE w.id = ?1"));
        let Some(order) = self
            .rows(sql, vec![id.into()])
            .await?
            .first()
            .map(order_from)
        else {
            return Ok(None);
        };
        let history = self
            .rows(
                "SELECT at, actor, action, from_status, to_status, detail FROM work_order_history
                 WHERE order_id = ?1 ORDER BY id",
                vec![id.into()],
            )
            .await?
            .iter()
            .map(|r| HistoryEntry {
                at: r[0].text().into(),
                actor: r[1].text().into(),
                action: r[2].text().into(),
                from_status: r[3].text().into(),
                to_status: r[4].text().into(),
                detail: r[5].text().into(),
            })
            .collect();
        Ok(Some((order, history)))
    }

    /// Moves a work order on, with its history row, in one transaction; only from the
    /// statuses the action allows (and, for institutions' users, only their own orders).
    pub async fn work_order_change(
        &self,
        c: &Change,
    ) -> Result<Result<WorkOrder, ChangeRefusal>, StoreError> {
        let Some((before, _)) = self.work_order(c.id).await? else {
            return Ok(Err(ChangeRefusal::NotFound));
        };
        let from = before.status.clone();
        if !Status::parse(&from).is_some_and(|s| c.action.from().contains(&s)) {
            return Ok(Err(ChangeRefusal::WrongStatus(from)));
        }
        if let Some((kind, who)) = &c.only_if_assigned_to
            && (before.assignee_kind != *kind || before.assignee != *who)
        {
            return Ok(Err(ChangeRefusal::NotAssigned));
        }
        let now = now_text();
        let to = c.action.to().as_str();
        let (assignee_kind, assignee) = c
            .assignee
            .clone()
            .unwrap_or((before.assignee_kind.clone(), before.assignee.clone()));
        let deadline = c.deadline.clone().unwrap_or(before.deadline.clone());
        let outcome = match c.action {
            Action::Close | Action::Return => c.detail.clone(),
            Action::Dispatch | Action::Accept => before.outcome.clone(),
        };
        let detail = match c.action {
            Action::Dispatch => format!("{assignee_kind}:{assignee} until {deadline}"),
            _ => c.detail.clone(),
        };
        // Conditional on the status read (and the assignee): a concurrent change makes this
        // one touch nothing, and it is refused rather than applied twice.
        let steps = vec![
            Step::must(
                "UPDATE work_orders SET status = ?1, assignee_kind = ?2, assignee = ?3, deadline = ?4,
                   outcome = ?5, updated_at = ?6
                 WHERE id = ?7 AND status = ?8 AND assignee_kind = ?9 AND assignee = ?10",
                vec![
                    to.into(),
                    assignee_kind.into(),
                    assignee.into(),
                    deadline.into(),
                    outcome.into(),
                    now.clone().into(),
                    c.id.into(),
                    from.clone().into(),
                    before.assignee_kind.clone().into(),
                    before.assignee.clone().into(),
                ],
            ),
            Step::run(
                "INSERT INTO work_order_history (order_id, at, actor, action, from_status, to_status, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                vec![
                    c.id.into(),
                    now.into(),
                    c.actor.clone().into(),
                    c.action.as_str().into(),
                    from.into(),
                    to.into(),
                    detail.into(),
                ],
            ),
        ];
        match self.transact(steps).await? {
            Outcome::Committed(_) => {}
            Outcome::Refused(_) => {
                let now_status = self
                    .work_order(c.id)
                    .await?
                    .map(|(o, _)| o.status)
                    .unwrap_or_default();
                return Ok(Err(ChangeRefusal::WrongStatus(now_status)));
            }
        }
        let (after, _) = self
            .work_order(c.id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("work order {}", c.id)))?;
        Ok(Ok(after))
    }

    /// A citizen's orders by the keyed hash of their ID number: category and status only.
    pub async fn work_order_status(&self, id_hash: &str) -> Result<Vec<CitizenStatus>, StoreError> {
        self.citizen_statuses(
            "SELECT category, status FROM work_orders WHERE id_hash = ?1 ORDER BY id DESC LIMIT 50",
            id_hash,
        )
        .await
    }

    /// One order by the receipt printed for the citizen (its event's idempotency key, 128
    /// random bits): category and status only.
    pub async fn work_order_status_by_receipt(
        &self,
        receipt: &str,
    ) -> Result<Vec<CitizenStatus>, StoreError> {
        self.citizen_statuses(
            "SELECT category, status FROM work_orders WHERE source_key = ?1 AND channel = 'terminal' LIMIT 1",
            receipt,
        )
        .await
    }

    /// What a citizen may see of the orders `sql` selects by `key`: category and status.
    async fn citizen_statuses(
        &self,
        sql: &'static str,
        key: &str,
    ) -> Result<Vec<CitizenStatus>, StoreError> {
        let rows = self.rows(sql, vec![key.into()]).await?;
        Ok(rows
            .iter()
            .map(|r| CitizenStatus {
                category: r[0].text().into(),
                status: r[1].text().into(),
            })
            .collect())
    }

    /// The alerts overdue orders call for: (originating terminal, kind) → the orders.
    pub async fn work_orders_overdue(
        &self,
        now: &str,
    ) -> Result<HashMap<(String, String), String>, StoreError> {
        let rows = self
            .rows(
                "SELECT source_device, id FROM work_orders
                 WHERE deadline <> '' AND deadline < ?1 AND status IN ('new', 'dispatched', 'accepted')
                   AND source_device <> ''
                 ORDER BY id",
                vec![now.into()],
            )
            .await?;
        let mut out: HashMap<(String, String), String> = HashMap::new();
        for r in rows {
            let detail = out
                .entry((r[0].text().to_string(), OVERDUE_ALERT.to_string()))
                .or_default();
            if !detail.is_empty() {
                detail.push(' ');
            }
            detail.push_str(&format!("#{}", r[1].int()));
        }
        Ok(out)
    }

    /// Replaces the classification.
    pub async fn categories_load(&self, list: &Classification) -> Result<usize, StoreError> {
        let mut statements: Vec<(&'static str, Vec<Value>)> =
            vec![("DELETE FROM work_order_categories", vec![])];
        let mut position = 0i64;
        for class in &list.classes {
            for item in &class.items {
                position += 1;
                statements.push((
                    "INSERT INTO work_order_categories (code, name, class_code, class_name, position)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    vec![
                        item.code.clone().into(),
                        item.name.clone().into(),
                        class.code.clone().into(),
                        class.name.clone().into(),
                        position.into(),
                    ],
                ));
            }
        }
        self.exec_all(statements).await?;
        Ok(position as usize)
    }

    /// The classification's items: (code, name, class code, class name), in order.
    pub async fn categories(&self) -> Result<Vec<[String; 4]>, StoreError> {
        let rows = self
            .rows(
                "SELECT code, name, class_code, class_name FROM work_order_categories ORDER BY position",
                vec![],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                [
                    r[0].text().into(),
                    r[1].text().into(),
                    r[2].text().into(),
                    r[3].text().into(),
                ]
            })
            .collect())
    }

    /// Links an institution's login to its institution.
    pub async fn operator_institution_set(
        &self,
        username: &str,
        institution: &str,
    ) -> Result<(), StoreError> {
        let known = self
            .rows(
                "SELECT 1 FROM institutions WHERE id = ?1",
                vec![institution.into()],
            )
            .await?;
        if known.is_empty() {
            return Err(StoreError::NotFound(format!(
                "no institution {institution} in the directory"
            )));
        }
        self.exec_all(vec![(
            "INSERT INTO operator_institutions (username, institution_id) VALUES (?1, ?2)
             ON CONFLICT (username) DO UPDATE SET institution_id = excluded.institution_id",
            vec![username.into(), institution.into()],
        )])
        .await?;
        Ok(())
    }

    /// The institution a login belongs to.
    pub async fn operator_institution(&self, username: &str) -> Result<Option<String>, StoreError> {
        let rows = self
            .rows(
                "SELECT institution_id FROM operator_institutions WHERE username = ?1",
                vec![username.into()],
            )
            .await?;
        Ok(rows.first().map(|r| r[0].text().to_string()))
    }

    /// Whether an assignee exists: an institution of the directory or an operator's login.
    pub async fn assignee_exists(&self, kind: &str, id: &str) -> Result<bool, StoreError> {
        let sql = match kind {
            "institution" => "SELECT 1 FROM institutions WHERE id = ?1",
            "person" => "SELECT 1 FROM operators WHERE username = ?1 AND status = 'active'",
            _ => return Ok(false),
        };
        Ok(!self.rows(sql, vec![id.into()]).await?.is_empty())
    }
}
