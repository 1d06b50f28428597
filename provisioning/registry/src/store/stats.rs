//! Demand analysis (区域、数量、热点、趋势、时段): rollups of the events terminals send,
//! kept in the same transaction as the events themselves, so that the console's statistics
//! read a few thousand summed rows instead of every event of a province-year.
//!
//! Three tables, one per grain the console asks for:
//! - `stats_hourly`: day × hour × platform × metric × key (heat map by time of day);
//! - `stats_daily`: the same without the hour (totals, trends, rankings, comparisons: about
//!   a tenth of the rows to sum);
//! - `stats_terminal_daily`: day × terminal × metric (the drill-down's last level).
//!
//! Day and hour are the terminal's local time as it wrote `created_at` (a citizen's 9 o'clock
//! is 9 o'clock wherever the registry runs). Only fields the kiosk really sends are read (see
//! the firmware's `store::outbox::kind` and the payloads of each service); an event without
//! the field counts under the key `?` rather than not at all.

use super::StoreError;
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;

/// The metrics the rollups hold.
pub mod metric {
    /// `ticket.issued`, key: service.
    pub const TICKET_ISSUED: &str = "ticket.issued";
    /// `ticket.called`, key: service; wait = issued to first call.
    pub const TICKET_CALLED: &str = "ticket.called";
    /// `ticket.finished`, key: service; wait as above, service = first call to finish.
    pub const TICKET_FINISHED: &str = "ticket.finished";
    /// `consultation.completed`, keys: category and matter.
    pub const CONSULTATION: &str = "consultation";
    /// `legal_aid.checked`, key: indication.
    pub const LEGAL_AID: &str = "legal_aid";
    /// `rating.submitted`, keys: level and the kind of service rated.
    pub const RATING: &str = "rating";
    /// One per reason of a rating, keys: reason and level.
    pub const RATING_REASON: &str = "rating.reason";
    /// `video.call_requested`, key: the matter's category.
    pub const VIDEO_REQUESTED: &str = "video.requested";
    /// `video.call_ended` answered; wait = until answered, service = talk time.
    pub const VIDEO_ANSWERED: &str = "video.answered";
    /// `video.call_ended` not answered; wait = until the citizen gave up.
    pub const VIDEO_MISSED: &str = "video.missed";

    /// Every metric, in the order the console lists them.
    pub const ALL: [&str; 10] = [
        TICKET_ISSUED,
        TICKET_CALLED,
        TICKET_FINISHED,
        CONSULTATION,
        LEGAL_AID,
        RATING,
        RATING_REASON,
        VIDEO_REQUESTED,
        VIDEO_ANSWERED,
        VIDEO_MISSED,
    ];
}

/// Benchmarks only (feature `testkit`): ingest without the rollups, to measure what they
/// cost. Production builds always keep them.
#[cfg(feature = "testkit")]
pub static SKIP_AT_INGEST: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Whether ingest adds to the rollups (always, but in a benchmark's baseline).
pub(crate) fn at_ingest() -> bool {
    #[cfg(feature = "testkit")]
    {
        !SKIP_AT_INGEST.load(std::sync::atomic::Ordering::Relaxed)
    }
    #[cfg(not(feature = "testkit"))]
    {
        true
    }
}

/// The event kinds that feed the rollups (rebuild reads only these).
pub const KINDS: [&str; 7] = [
    "ticket.issued",
    "ticket.called",
    "ticket.finished",
    "consultation.completed",
    "legal_aid.checked",
    "rating.submitted",
    "video.call_ended",
];

/// The event kinds that feed the rollups, with `video.call_requested`.
pub fn counted(kind: &str) -> bool {
    KINDS.contains(&kind) || kind == "video.call_requested"
}

/// Every kind a rebuild reads.
pub fn rebuilt_kinds() -> Vec<&'static str> {
    KINDS
        .iter()
        .copied()
        .chain(["video.call_requested"])
        .collect()
}

/// Summed measures of one rollup row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sums {
    /// Events.
    pub n: i64,
    /// Events with a waiting time.
    pub wait_n: i64,
    /// Their waiting times, seconds.
    pub wait_s: i64,
    /// Events with a service (or talk) time.
    pub serve_n: i64,
    /// Their service times, seconds.
    pub serve_s: i64,
}

impl Sums {
    /// Adds another row's sums.
    pub fn add(&mut self, o: &Sums) {
        self.n += o.n;
        self.wait_n += o.wait_n;
        self.wait_s += o.wait_s;
        self.serve_n += o.serve_n;
        self.serve_s += o.serve_s;
    }

    /// Mean waiting time in seconds, if any was measured.
    pub fn wait_avg(&self) -> Option<f64> {
        (self.wait_n > 0).then(|| self.wait_s as f64 / self.wait_n as f64)
    }

    /// Mean service time in seconds, if any was measured.
    pub fn serve_avg(&self) -> Option<f64> {
        (self.serve_n > 0).then(|| self.serve_s as f64 / self.serve_n as f64)
    }
}

/// What one event adds: a metric, its keys, its measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// Metric (see [`metric`]).
    pub metric: &'static str,
    /// First key (service, category, indication, level, reason).
    pub k1: String,
    /// Second key (matter, rated kind, level of a reason) or empty.
    pub k2: String,
    /// Measures.
    pub sums: Sums,
}

fn text(payload: &Value, pointer: &str) -> String {
    match payload.pointer(pointer) {
        Some(Value::String(s)) if !s.is_empty() => s.chars().take(64).collect(),
        Some(Value::Null) | None => "?".into(),
        Some(other) => other.to_string().chars().take(64).collect(),
    }
}

/// A non-negative number of seconds (a clock set back must not subtract).
fn secs(payload: &Value, field: &str) -> Option<i64> {
    payload
        .get(field)
        .and_then(Value::as_i64)
        .filter(|s| *s >= 0)
}

fn one(
    metric: &'static str,
    k1: String,
    k2: String,
    wait: Option<i64>,
    serve: Option<i64>,
) -> Contribution {
    Contribution {
        metric,
        k1,
        k2,
        sums: Sums {
            n: 1,
            wait_n: i64::from(wait.is_some()),
            wait_s: wait.unwrap_or(0),
            serve_n: i64::from(serve.is_some()),
            serve_s: serve.unwrap_or(0),
        },
    }
}

/// What an event of `kind` with `payload` counts for (nothing for kinds not analysed).
pub fn contributions(kind: &str, payload: &Value) -> Vec<Contribution> {
    let service = || text(payload, "/service_id");
    match kind {
        "ticket.issued" => vec![one(
            metric::TICKET_ISSUED,
            service(),
            String::new(),
            None,
            None,
        )],
        "ticket.called" => vec![one(
            metric::TICKET_CALLED,
            service(),
            String::new(),
            secs(payload, "waited_secs"),
            None,
        )],
        "ticket.finished" => vec![one(
            metric::TICKET_FINISHED,
            service(),
            String::new(),
            secs(payload, "waited_secs"),
            secs(payload, "service_secs"),
        )],
        "consultation.completed" => vec![one(
            metric::CONSULTATION,
            text(payload, "/record/category_id"),
            text(payload, "/record/matter_id"),
            None,
            None,
        )],
        "legal_aid.checked" => vec![one(
            metric::LEGAL_AID,
            text(payload, "/indication"),
            String::new(),
            None,
            None,
        )],
        "rating.submitted" => {
            let level = text(payload, "/level");
            let mut out = vec![one(
                metric::RATING,
                level.clone(),
                text(payload, "/event_kind"),
                None,
                None,
            )];
            if let Some(reasons) = payload.get("reasons").and_then(Value::as_array) {
                for reason in reasons.iter().take(16) {
                    let reason = reason
                        .as_str()
                        .map_or("?", |r| r)
                        .chars()
                        .take(64)
                        .collect();
                    out.push(one(
                        metric::RATING_REASON,
                        reason,
                        level.clone(),
                        None,
                        None,
                    ));
                }
            }
            out
        }
        "video.call_requested" => vec![one(
            metric::VIDEO_REQUESTED,
            text(payload, "/category"),
            String::new(),
            None,
            None,
        )],
        "video.call_ended" => {
            let answered = payload.get("answered").and_then(Value::as_bool) == Some(true);
            if answered {
                vec![one(
                    metric::VIDEO_ANSWERED,
                    String::new(),
                    String::new(),
                    secs(payload, "waited_s"),
                    secs(payload, "duration_s"),
                )]
            } else {
                vec![one(
                    metric::VIDEO_MISSED,
                    String::new(),
                    String::new(),
                    secs(payload, "waited_s"),
                    None,
                )]
            }
        }
        _ => Vec::new(),
    }
}

/// The terminal's local day (YYYY-MM-DD), ISO weekday (1 = Monday) and hour (two digits)
/// of `created_at` (RFC 3339, checked at ingest).
pub fn day_hour(created_at: &str) -> Option<(String, String, String)> {
    let t = chrono::DateTime::parse_from_rfc3339(created_at).ok()?;
    let local = t.naive_local();
    Some((
        local.format("%Y-%m-%d").to_string(),
        chrono::Datelike::weekday(&local)
            .number_from_monday()
            .to_string(),
        local.format("%H").to_string(),
    ))
}

/// The rollup tables. Each sums the same measures over its key columns (all text: days as
/// YYYY-MM-DD, months as YYYY-MM in the `day` column of the monthly tables, weekday 1–7,
/// hour 00–23). Platform tables answer questions about a platform or a terminal; region
/// tables (the platform's region when the event arrived) answer those about regions, so a
/// province-wide year sums a few hundred thousand rows, not millions. Monthly tables hold
/// whole months; a period's ragged ends come from the daily ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    /// Day × platform × metric × keys.
    Daily,
    /// Day × weekday × hour × platform × metric.
    Hourly,
    /// Day × terminal × platform × metric.
    Terminal,
    /// Month × platform × metric.
    PlatformMonthly,
    /// Day × region × metric × keys.
    RegionDaily,
    /// Month × region × metric × keys.
    RegionMonthly,
    /// Day × weekday × hour × region × metric.
    RegionHourly,
    /// Month × weekday × hour × region × metric.
    RegionMonthlyHours,
    /// Day × region × metric, without keys: a trend over many regions reads one row per
    /// region and day, not one per key.
    RegionDay,
}

impl Table {
    /// Every table.
    pub const ALL: [Table; 9] = [
        Table::Daily,
        Table::Hourly,
        Table::Terminal,
        Table::PlatformMonthly,
        Table::RegionDaily,
        Table::RegionMonthly,
        Table::RegionHourly,
        Table::RegionMonthlyHours,
        Table::RegionDay,
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Table::Daily => "stats_daily",
            Table::Hourly => "stats_hourly",
            Table::Terminal => "stats_terminal_daily",
            Table::PlatformMonthly => "stats_platform_monthly",
            Table::RegionDaily => "stats_region_daily",
            Table::RegionMonthly => "stats_region_monthly",
            Table::RegionHourly => "stats_region_hourly",
            Table::RegionMonthlyHours => "stats_region_monthly_hours",
            Table::RegionDay => "stats_region_day",
        }
    }

    /// Its key columns, in the order of a row's key values.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Table::Daily => &["day", "platform_id", "metric", "k1", "k2"],
            Table::Hourly => &["day", "weekday", "hour", "platform_id", "metric"],
            Table::Terminal => &["day", "device_id", "platform_id", "metric"],
            Table::PlatformMonthly => &["day", "platform_id", "metric"],
            Table::RegionDaily | Table::RegionMonthly => &["day", "region", "metric", "k1", "k2"],
            Table::RegionHourly | Table::RegionMonthlyHours => {
                &["day", "weekday", "hour", "region", "metric"]
            }
            Table::RegionDay => &["day", "region", "metric"],
        }
    }

    /// Its primary key: the columns a question narrows first. Platform tables start with
    /// the platform (a question about a platform or a district's few reads its rows only);
    /// region tables with the metric and the day (a question names a metric and a period,
    /// and covers most regions).
    pub fn primary_key(self) -> &'static [&'static str] {
        match self {
            Table::Daily => &["platform_id", "metric", "day", "k1", "k2"],
            Table::Hourly => &["platform_id", "metric", "day", "weekday", "hour"],
            Table::Terminal => &["platform_id", "metric", "day", "device_id"],
            Table::PlatformMonthly => &["metric", "day", "platform_id"],
            Table::RegionDaily | Table::RegionMonthly => &["metric", "day", "region", "k1", "k2"],
            Table::RegionHourly | Table::RegionMonthlyHours => {
                &["metric", "day", "weekday", "hour", "region"]
            }
            Table::RegionDay => &["metric", "day", "region"],
        }
    }

    /// The column a question's places filter: platforms or regions.
    pub fn place(self) -> &'static str {
        match self {
            Table::Daily | Table::Hourly | Table::Terminal | Table::PlatformMonthly => {
                "platform_id"
            }
            _ => "region",
        }
    }

    /// Whether `day` holds months.
    pub fn monthly(self) -> bool {
        matches!(
            self,
            Table::PlatformMonthly | Table::RegionMonthly | Table::RegionMonthlyHours
        )
    }
}

pub use super::rollup::Rollup;

/// The measure columns, in the order of [`Sums`].
pub const MEASURES: &str = "n, wait_n, wait_s, serve_n, serve_s";

/// The `DO UPDATE SET` list adding `excluded`'s measures to `table`'s row (both dialects).
pub fn merge(table: &str) -> String {
    ["n", "wait_n", "wait_s", "serve_n", "serve_s"]
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tables (SQLite dialect; PostgreSQL's through `pg::schema::dialect`). Primary keys
/// start with the metric and the day: every question names a metric (or all) and a period.
pub const DDL: &str = "
CREATE TABLE stats_daily (
  day TEXT NOT NULL, platform_id TEXT NOT NULL, metric TEXT NOT NULL, k1 TEXT NOT NULL, k2 TEXT NOT NULL,
  n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL,
  PRIMARY KEY (metric, day, platform_id, k1, k2)
);
CREATE INDEX stats_daily_platform ON stats_daily (platform_id, day);
CREATE TABLE stats_hourly (
  day TEXT NOT NULL, weekday TEXT NOT NULL, hour TEXT NOT NULL, platform_id TEXT NOT NULL, metric TEXT NOT NULL,
  n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL,
  PRIMARY KEY (platform_id, metric, day, weekday, hour)
);
CREATE TABLE stats_terminal_daily (
  day TEXT NOT NULL, device_id TEXT NOT NULL, platform_id TEXT NOT NULL, metric TEXT NOT NULL,
  n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL,
  PRIMARY KEY (platform_id, metric, day, device_id)
);
CREATE TABLE stats_platform_monthly (
  day TEXT NOT NULL, platform_id TEXT NOT NULL, metric TEXT NOT NULL,
  n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL,
  PRIMARY KEY (metric, day, platform_id)
);
CREATE TABLE stats_region_daily (
  day TEXT NOT NULL, region TEXT NOT NULL, metric TEXT NOT NULL, k1 TEXT NOT NULL, k2 TEXT NOT NULL,
  n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL,
  PRIMARY KEY (metric, day, region, k1, k2)
);
CREATE TABLE stats_region_monthly (
  day TEXT NOT NULL, region TEXT NOT NULL, metric TEXT NOT NULL, k1 TEXT NOT NULL, k2 TEXT NOT NULL,
  n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL,
  PRIMARY KEY (metric, day, region, k1, k2)
);
CREATE TABLE stats_region_hourly (
  day TEXT NOT NULL, weekday TEXT NOT NULL, hour TEXT NOT NULL, region TEXT NOT NULL, metric TEXT NOT NULL,
  n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL,
  PRIMARY KEY (metric, day, weekday, hour, region)
);
CREATE TABLE stats_region_monthly_hours (
  day TEXT NOT NULL, weekday TEXT NOT NULL, hour TEXT NOT NULL, region TEXT NOT NULL, metric TEXT NOT NULL,
  n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL,
  PRIMARY KEY (metric, day, weekday, hour, region)
);
";

/// One rollup table's DDL (SQLite's dialect; `clustered`: `WITHOUT ROWID`, SQLite only).
fn table_ddl(table: Table, name: &str, clustered: bool) -> String {
    let keys = table
        .keys()
        .iter()
        .map(|k| format!("{k} TEXT NOT NULL, "))
        .collect::<String>();
    format!(
        "CREATE TABLE {name} ({keys}n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, \
         serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL, PRIMARY KEY ({})){};\n",
        table.primary_key().join(", "),
        if clustered { " WITHOUT ROWID" } else { "" }
    )
}

/// The keyless day × region table, filled from the keyed one (rollups kept before it).
fn region_day(clustered: bool) -> String {
    let t = Table::RegionDay;
    format!(
        "{}INSERT INTO {} SELECT day, region, metric, SUM(n), SUM(wait_n), SUM(wait_s), SUM(serve_n), SUM(serve_s) \
         FROM {} GROUP BY day, region, metric;\n",
        table_ddl(t, t.name(), clustered),
        t.name(),
        Table::RegionDaily.name()
    )
}

/// SQLite's second rollup schema: every table rebuilt `WITHOUT ROWID`, its rows stored in
/// primary-key order (a question reads consecutive pages of the key it narrows, and an
/// upsert writes one b-tree instead of a table and its key index), and the keyless day ×
/// region table for the trends.
pub fn sqlite_v2() -> String {
    let mut sql = String::new();
    for table in Table::ALL {
        if table == Table::RegionDay {
            continue;
        }
        let (name, new) = (table.name(), format!("{}_clustered", table.name()));
        let cols = format!("{}, {MEASURES}", table.keys().join(", "));
        sql.push_str(&table_ddl(table, &new, true));
        sql.push_str(&format!(
            "INSERT INTO {new} ({cols}) SELECT {cols} FROM {name};\nDROP TABLE {name};\nALTER TABLE {new} RENAME TO {name};\n"
        ));
    }
    sql.push_str(&region_day(true));
    sql
}

/// PostgreSQL's second rollup schema: the keyless day × region table (a constant, as the
/// migration list is; a test checks it is what the tables' keys make).
pub const POSTGRES_V2: &str = "CREATE TABLE stats_region_day (day TEXT NOT NULL, region TEXT NOT NULL, metric TEXT NOT NULL, \
n INTEGER NOT NULL, wait_n INTEGER NOT NULL, wait_s INTEGER NOT NULL, serve_n INTEGER NOT NULL, serve_s INTEGER NOT NULL, \
PRIMARY KEY (metric, day, region));
INSERT INTO stats_region_day SELECT day, region, metric, SUM(n), SUM(wait_n), SUM(wait_s), SUM(serve_n), SUM(serve_s) \
FROM stats_region_daily GROUP BY day, region, metric;
";

/// Events read per step of a rebuild (and rollup rows merged in memory before a write).
pub const REBUILD_STEP: i64 = 20_000;

/// The rebuild's read: events of the analysed kinds after an id, with their platform's
/// region now (`?` for a platform since removed).
pub const REBUILD_READ: &str = "SELECT e.id, e.device_id, e.platform_id, COALESCE(p.region, '?'), e.kind, e.payload, e.created_at
     FROM events e LEFT JOIN platforms p ON p.id = e.platform_id";

/// Recomputes every rollup from the stored events, in one transaction (ingest waits for it:
/// SQLite has one writer). Events count under their platform's region as it is now.
/// Returns the events counted.
pub fn rebuild(conn: &mut Connection) -> Result<u64, StoreError> {
    let tx = conn.transaction()?;
    for table in Table::ALL {
        tx.execute(&format!("DELETE FROM {}", table.name()), [])?;
    }
    let kinds = serde_json::to_string(&rebuilt_kinds()).unwrap_or_else(|_| "[]".into());
    let mut last = 0i64;
    let mut counted = 0u64;
    loop {
        let mut rollup = Rollup::default();
        let mut rows = 0;
        {
            let mut stmt = tx.prepare_cached(&format!(
                "{REBUILD_READ} WHERE e.id > ?1 AND e.kind IN (SELECT value FROM json_each(?3))
                 ORDER BY e.id LIMIT ?2"
            ))?;
            let mut cursor = stmt.query(params![last, REBUILD_STEP, kinds])?;
            while let Some(r) = cursor.next()? {
                rows += 1;
                last = r.get(0)?;
                counted += 1;
                let (device, platform, region, kind, payload, created): (
                    String,
                    String,
                    String,
                    String,
                    String,
                    String,
                ) = (
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                );
                rollup.add_text(&device, &platform, &region, &kind, &payload, &created);
            }
        }
        rollup.write(&tx)?;
        if rows < REBUILD_STEP {
            break;
        }
    }
    tx.commit()?;
    Ok(counted)
}

/// A question to the rollups: sums over `from..=to` (days, or months for a monthly table)
/// of some metrics at some places, grouped by some of the table's key columns.
#[derive(Debug, Clone)]
pub struct Query {
    /// Table.
    pub table: Table,
    /// First day (YYYY-MM-DD) or month (YYYY-MM).
    pub from: String,
    /// Last day or month.
    pub to: String,
    /// Metrics (empty: all).
    pub metrics: Vec<String>,
    /// Platforms or regions, as the table holds them (`None`: all; the caller has checked
    /// the operator's scope covers them).
    pub places: Option<Vec<String>>,
    /// Key columns to group by (each one of the table's `keys`).
    pub group: Vec<&'static str>,
}

/// One group's values (in the order of `Query::group`) and sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The group's values.
    pub keys: Vec<String>,
    /// Its sums.
    pub sums: Sums,
}

/// A parameter of [`Query::sql`]'s text, in the order of its placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// First day.
    From,
    /// Last day.
    To,
    /// The metrics (a list).
    Metrics,
    /// The places (a list).
    Places,
}

/// How a store's SQL names a list parameter: SQLite's JSON text, PostgreSQL's array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `?n`, lists as JSON arrays read by `json_each`.
    Sqlite,
    /// `$n`, lists as `text[]`.
    Postgres,
}

impl Dialect {
    fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    fn member_of(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("IN (SELECT value FROM json_each(?{n}))"),
            Dialect::Postgres => format!("= ANY(${n}::text[])"),
        }
    }
}

impl Query {
    /// The SQL in `dialect`, and the parameters its placeholders stand for, in order. Group
    /// columns not of the table are refused (they are the program's, never a request's).
    pub fn sql(&self, dialect: Dialect) -> Result<(String, Vec<Param>), StoreError> {
        if let Some(bad) = self.group.iter().find(|g| !self.table.keys().contains(g)) {
            return Err(StoreError::Invalid(format!(
                "{} has no column {bad}",
                self.table.name()
            )));
        }
        let select_keys = self
            .group
            .iter()
            .map(|k| format!("{k}, "))
            .collect::<String>();
        let sums = ["n", "wait_n", "wait_s", "serve_n", "serve_s"]
            .iter()
            .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut params = vec![Param::From, Param::To];
        let mut sql = format!(
            "SELECT {select_keys}{sums} FROM {} WHERE day >= {} AND day <= {}",
            self.table.name(),
            dialect.placeholder(1),
            dialect.placeholder(2)
        );
        if !self.metrics.is_empty() {
            params.push(Param::Metrics);
            sql.push_str(&format!(" AND metric {}", dialect.member_of(params.len())));
        }
        if self.places.is_some() {
            params.push(Param::Places);
            sql.push_str(&format!(
                " AND {} {}",
                self.table.place(),
                dialect.member_of(params.len())
            ));
        }
        if !self.group.is_empty() {
            sql.push_str(&format!(" GROUP BY {}", self.group.join(", ")));
        }
        Ok((sql, params))
    }
}

/// Runs a query on SQLite.
pub fn query(conn: &Connection, q: &Query) -> Result<Vec<Row>, StoreError> {
    let (sql, params) = q.sql(Dialect::Sqlite)?;
    let json = |list: &[String]| serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&sql)?;
    for (i, p) in params.iter().enumerate() {
        let value = match p {
            Param::From => q.from.clone(),
            Param::To => q.to.clone(),
            Param::Metrics => json(&q.metrics),
            Param::Places => json(q.places.as_deref().unwrap_or_default()),
        };
        stmt.raw_bind_parameter(i + 1, value)?;
    }
    let width = q.group.len();
    let mut out = Vec::new();
    let mut cursor = stmt.raw_query();
    while let Some(r) = cursor.next()? {
        let mut keys = Vec::with_capacity(width);
        for i in 0..width {
            keys.push(r.get::<_, Option<String>>(i)?.unwrap_or_default());
        }
        out.push(Row {
            keys,
            sums: Sums {
                n: r.get(width)?,
                wait_n: r.get(width + 1)?,
                wait_s: r.get(width + 2)?,
                serve_n: r.get(width + 3)?,
                serve_s: r.get(width + 4)?,
            },
        });
    }
    Ok(out)
}

/// A first and last day (or month), as the tables write them.
pub type Span = (String, String);

/// A period cut where whole months begin and end: the ragged ends as day ranges (for the
/// daily tables) and the whole months as a month range (for the monthly ones), so that a
/// year costs twelve monthly rows per key and a few days at most.
pub fn pieces(from: chrono::NaiveDate, to: chrono::NaiveDate) -> (Vec<Span>, Option<Span>) {
    use chrono::Datelike as _;
    let first_of_month = |d: chrono::NaiveDate| d.with_day(1).unwrap_or(d);
    let next_month = |d: chrono::NaiveDate| {
        first_of_month(d)
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(d)
    };
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let month = |d: chrono::NaiveDate| d.format("%Y-%m").to_string();
    // First day of the first whole month, and the day after the last whole month.
    let start = if from.day() == 1 {
        from
    } else {
        next_month(from)
    };
    let end = if to.succ_opt().is_some_and(|n| n.day() == 1) {
        next_month(to)
    } else {
        first_of_month(to)
    };
    if start >= end {
        return (vec![(day(from), day(to))], None);
    }
    let mut days = Vec::new();
    if from < start {
        days.push((day(from), day(start.pred_opt().unwrap_or(start))));
    }
    if end <= to {
        days.push((day(end), day(to)));
    }
    let last_month = end.pred_opt().unwrap_or(end);
    (days, Some((month(start), month(last_month))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use provisioning::protocol::Event;
    use serde_json::json;

    fn event(seq: i64, kind: &str, payload: Value, at: &str) -> Event {
        Event {
            seq,
            idempotency_key: format!("k{seq}"),
            kind: kind.into(),
            payload,
            created_at: at.into(),
        }
    }

    fn db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        super::super::migrations::migrations()
            .to_latest(&mut c)
            .unwrap();
        c
    }

    fn totals(c: &Connection, table: Table, group: &[&'static str]) -> Vec<Row> {
        let (from, to) = if table.monthly() {
            ("2026-01", "2026-12")
        } else {
            ("2026-01-01", "2026-12-31")
        };
        let mut rows = query(
            c,
            &Query {
                table,
                from: from.into(),
                to: to.into(),
                metrics: Vec::new(),
                places: None,
                group: group.to_vec(),
            },
        )
        .unwrap();
        rows.sort_by(|a, b| a.keys.cmp(&b.keys));
        rows
    }

    /// Every table, every row.
    fn everything(c: &Connection) -> Vec<Vec<Row>> {
        Table::ALL.iter().map(|t| totals(c, *t, t.keys())).collect()
    }

    /// The payloads as the kiosk writes them (see the firmware's services).
    fn sample() -> Vec<Event> {
        vec![
            event(
                1,
                "ticket.issued",
                json!({"ticket_id": 1, "service_id": "mediation", "number": "A001", "service_day": "2026-11-20", "issued_at": "2026-11-20T09:05:00+08:00", "people_ahead": 0}),
                "2026-11-20T09:05:00+08:00",
            ),
            event(
                2,
                "ticket.called",
                json!({"ticket_id": 1, "service_id": "mediation", "waited_secs": 300, "how": "next"}),
                "2026-11-20T09:10:00+08:00",
            ),
            event(
                3,
                "ticket.finished",
                json!({"ticket_id": 1, "service_id": "mediation", "waited_secs": 300, "service_secs": 600}),
                "2026-11-20T09:20:00+08:00",
            ),
            event(
                4,
                "consultation.completed",
                json!({"type": "consultation.completed", "record": {"category_id": "labour", "matter_id": "unpaid-wages"}}),
                "2026-11-20T23:59:59+08:00",
            ),
            event(
                5,
                "rating.submitted",
                json!({"type": "rating.submitted", "event_kind": "ticket", "level": "dissatisfied", "reasons": ["slow", "rude"]}),
                "2026-11-21T10:00:00+08:00",
            ),
            event(
                6,
                "legal_aid.checked",
                json!({"indication": "likely-eligible"}),
                "2026-11-21T10:00:00+08:00",
            ),
            event(
                7,
                "video.call_ended",
                json!({"call_id": "c1", "answered": true, "waited_s": 20, "duration_s": 400}),
                "2026-11-21T11:00:00+08:00",
            ),
            event(
                8,
                "video.call_ended",
                json!({"call_id": "c2", "answered": false, "waited_s": 90, "duration_s": 0}),
                "2026-11-21T11:30:00+08:00",
            ),
            event(
                9,
                "printer.health",
                json!({"state": "ok"}),
                "2026-11-21T11:30:00+08:00",
            ),
        ]
    }

    #[test]
    fn each_kind_counts_under_its_keys_with_its_times() {
        let mut c = db();
        c.execute(
            "INSERT INTO platforms (id, name, region, address, created_at) VALUES ('p1', 'P', '220104', '', '')",
            [],
        )
        .unwrap();
        super::super::events::ingest(&mut c, "dev-1", "p1", &sample()).unwrap();
        for table in [Table::Daily, Table::RegionDaily, Table::RegionMonthly] {
            let by_metric = totals(&c, table, &["metric", "k1", "k2"]);
            let find = |m: &str, k1: &str, k2: &str| {
                by_metric
                    .iter()
                    .find(|r| r.keys == [m, k1, k2])
                    .map(|r| r.sums)
                    .unwrap_or_else(|| panic!("no {m}/{k1}/{k2} in {by_metric:?}"))
            };
            assert_eq!(find("ticket.issued", "mediation", "").n, 1);
            assert_eq!(
                find("ticket.called", "mediation", "").wait_avg(),
                Some(300.0)
            );
            let finished = find("ticket.finished", "mediation", "");
            assert_eq!((finished.serve_n, finished.serve_s), (1, 600));
            assert_eq!(find("consultation", "labour", "unpaid-wages").n, 1);
            assert_eq!(find("rating", "dissatisfied", "ticket").n, 1);
            assert_eq!(find("rating.reason", "slow", "dissatisfied").n, 1);
            assert_eq!(find("rating.reason", "rude", "dissatisfied").n, 1);
            assert_eq!(find("legal_aid", "likely-eligible", "").n, 1);
            let answered = find("video.answered", "", "");
            assert_eq!(
                (answered.n, answered.wait_s, answered.serve_s),
                (1, 20, 400)
            );
            assert_eq!(find("video.missed", "", "").wait_s, 90);
            assert!(!by_metric.iter().any(|r| r.keys[0].contains("printer")));
        }
        let regions = totals(&c, Table::RegionMonthly, &["region", "day"]);
        assert!(regions.iter().all(|r| r.keys == ["220104", "2026-11"]));

        // The terminal's local day and hour: 23:59:59+08:00 is Friday the 20th at 23.
        for table in [Table::Hourly, Table::RegionHourly] {
            let hours = totals(&c, table, &["metric", "day", "weekday", "hour"]);
            assert!(
                hours
                    .iter()
                    .any(|r| r.keys == ["consultation", "2026-11-20", "5", "23"]),
                "{hours:?}"
            );
        }
        let terminal = totals(&c, Table::Terminal, &["device_id", "metric"]);
        assert!(
            terminal
                .iter()
                .any(|r| r.keys == ["dev-1", "ticket.issued"] && r.sums.n == 1)
        );
    }

    #[test]
    fn a_repeated_batch_counts_once_and_a_rebuild_gives_the_same_rollups() {
        let mut c = db();
        c.execute(
            "INSERT INTO platforms (id, name, region, address, created_at) VALUES ('p1', 'P', '220104', '', '')",
            [],
        )
        .unwrap();
        super::super::events::ingest(&mut c, "dev-1", "p1", &sample()).unwrap();
        super::super::events::ingest(&mut c, "dev-1", "p1", &sample()).unwrap();
        let before = everything(&c);
        let issued = totals(&c, Table::PlatformMonthly, &["metric"]);
        assert_eq!(
            issued
                .iter()
                .find(|r| r.keys[0] == "ticket.issued")
                .map(|r| r.sums.n),
            Some(1)
        );
        assert_eq!(rebuild(&mut c).unwrap(), 8);
        assert_eq!(everything(&c), before);
    }

    #[test]
    fn a_period_is_cut_into_whole_months_and_ragged_days() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let owned = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            pieces(d("2026-01-01"), d("2026-12-31")),
            (vec![], Some(("2026-01".into(), "2026-12".into())))
        );
        assert_eq!(
            pieces(d("2026-01-15"), d("2026-03-10")),
            (
                owned(&[("2026-01-15", "2026-01-31"), ("2026-03-01", "2026-03-10")]),
                Some(("2026-02".into(), "2026-02".into()))
            )
        );
        assert_eq!(
            pieces(d("2026-11-02"), d("2026-11-15")),
            (owned(&[("2026-11-02", "2026-11-15")]), None)
        );
        assert_eq!(
            pieces(d("2026-02-01"), d("2026-02-28")),
            (vec![], Some(("2026-02".into(), "2026-02".into())))
        );
    }

    #[test]
    fn postgresql_gets_the_same_day_by_region_table() {
        assert_eq!(POSTGRES_V2, region_day(false));
    }

    #[test]
    fn missing_fields_count_under_a_question_mark_and_negative_times_are_not_summed() {
        let c = contributions("ticket.called", &json!({"waited_secs": -5}));
        assert_eq!(c[0].k1, "?");
        assert_eq!(c[0].sums.wait_n, 0);
    }
}
