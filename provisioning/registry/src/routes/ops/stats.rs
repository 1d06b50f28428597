//! Demand analysis (`GET /v1/ops/stats/{view}`): totals, trends, the weekday × hour heat
//! map, rankings, the drill-down region → platform → terminal and the comparison of two
//! periods, read from the rollups (`store::stats`), never from the raw events. Every view
//! is a table (`columns` and `rows`), as JSON or, with `?format=csv`, as CSV with a BOM (so
//! that Excel reads the Chinese as UTF-8). The scope is the account's regions: a region or
//! platform outside them is refused (403) and audited; without one, only the account's
//! platforms are summed.

use super::Session;
use crate::app::AppState;
use crate::error::ApiFailure;
use crate::store::platforms::Platform;
use crate::store::stats::{self, Query as StatsQuery, Row, Sums, Table as Source, metric};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike as _, NaiveDate};
use provisioning::scope::region_contains;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// The filters every view takes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsParams {
    /// First day (YYYY-MM-DD, the terminals' local days); default 29 days before `to`.
    pub from: Option<String>,
    /// Last day; default today.
    pub to: Option<String>,
    /// Only this region (within the account's).
    pub region: Option<String>,
    /// Only this platform.
    pub platform: Option<String>,
    /// The metric (default `ticket.issued`; see `store::stats::metric`).
    pub metric: Option<String>,
    /// trend: `day`, `week`, `month`; ranking: `region`, `platform`, `key`.
    pub by: Option<String>,
    /// compare: the second period's first and last day.
    pub from2: Option<String>,
    /// See `from2`.
    pub to2: Option<String>,
    /// `csv` for CSV.
    pub format: Option<String>,
}

/// A view: named columns and rows of values.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Which view.
    pub view: String,
    /// The metric shown.
    pub metric: String,
    /// Days covered (first, last).
    pub from: String,
    /// See `from`.
    pub to: String,
    /// Column names.
    pub columns: Vec<&'static str>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
}

/// The metric's name as the console shows it.
pub fn metric_label(m: &str) -> &'static str {
    match m {
        metric::TICKET_ISSUED => "取号",
        metric::TICKET_CALLED => "叫号",
        metric::TICKET_FINISHED => "办结",
        metric::CONSULTATION => "咨询事项",
        metric::LEGAL_AID => "法律援助自测",
        metric::RATING => "评价",
        metric::RATING_REASON => "差评原因",
        metric::VIDEO_REQUESTED => "视频呼叫",
        metric::VIDEO_ANSWERED => "视频接通",
        metric::VIDEO_MISSED => "视频未接",
        _ => "",
    }
}

/// A key's name where the registry knows one (rating levels, legal-aid indications).
fn key_label(k: &str) -> &str {
    match k {
        "very-satisfied" => "非常满意",
        "satisfied" => "满意",
        "basically-satisfied" => "基本满意",
        "dissatisfied" => "不满意",
        "very-dissatisfied" => "非常不满意",
        "no-means-test" => "免予经济困难审查",
        "likely-eligible" => "可能符合条件",
        "means-check" => "需核查经济状况",
        "staff-review" => "需工作人员审查",
        other => other,
    }
}

fn bad_query(rejection: QueryRejection) -> ApiFailure {
    ApiFailure::bad_request(format!("query: {}", rejection.body_text()))
}

fn day(text: &str, name: &str) -> Result<NaiveDate, ApiFailure> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiFailure::bad_request(format!("{name} must be a day (YYYY-MM-DD), not {text:?}"))
    })
}

/// A period: from and to, checked, at most about ten years.
fn period(
    from: Option<&str>,
    to: Option<&str>,
    names: (&str, &str),
) -> Result<(NaiveDate, NaiveDate), ApiFailure> {
    let to = match to {
        Some(t) => day(t, names.1)?,
        None => chrono::Utc::now().date_naive(),
    };
    let from = match from {
        Some(f) => day(f, names.0)?,
        None => to - chrono::Days::new(29),
    };
    if from > to || (to - from).num_days() > 3660 {
        return Err(ApiFailure::bad_request(format!(
            "{} {from} to {} {to}: not a period of at most ten years",
            names.0, names.1
        )));
    }
    Ok((from, to))
}

/// The platforms a request sums, after the account's scope and the request's filters.
struct Scope {
    platforms: Vec<Platform>,
    /// The request named one platform: the platform tables answer, not the regions'.
    one_platform: bool,
}

impl Scope {
    fn ids(&self) -> Vec<String> {
        self.platforms.iter().map(|p| p.id.clone()).collect()
    }

    /// The regions of the scope's platforms (the regions' tables are keyed by them).
    fn regions(&self) -> Vec<String> {
        let mut out: Vec<String> = self.platforms.iter().map(|p| p.region.clone()).collect();
        out.sort();
        out.dedup();
        out
    }

    fn by_id(&self) -> HashMap<&str, &Platform> {
        self.platforms.iter().map(|p| (p.id.as_str(), p)).collect()
    }
}

async fn scope(state: &AppState, session: &Session, p: &StatsParams) -> Result<Scope, ApiFailure> {
    let all = state.store.platforms_async().await?;
    if let Some(id) = &p.platform {
        let Some(platform) = all.into_iter().find(|x| &x.id == id) else {
            return Err(ApiFailure::not_found(format!("no platform {id}")));
        };
        session
            .require_region(state, "stats.view", &platform.region)
            .await?;
        return Ok(Scope {
            platforms: vec![platform],
            one_platform: true,
        });
    }
    if let Some(region) = &p.region {
        session.require_region(state, "stats.view", region).await?;
    }
    Ok(Scope {
        platforms: all
            .into_iter()
            .filter(|x| session.operator.covers(&x.region))
            .filter(|x| {
                p.region
                    .as_deref()
                    .is_none_or(|r| region_contains(r, &x.region))
            })
            .collect(),
        one_platform: false,
    })
}

fn the_metric(p: &StatsParams) -> Result<String, ApiFailure> {
    let m = p.metric.as_deref().unwrap_or(metric::TICKET_ISSUED);
    if metric::ALL.contains(&m) {
        Ok(m.to_string())
    } else {
        Err(ApiFailure::bad_request(format!(
            "no metric {m:?} ({})",
            metric::ALL.join(", ")
        )))
    }
}

fn avg(v: Option<f64>) -> Value {
    v.map_or(Value::Null, |x| json!((x * 10.0).round() / 10.0))
}

/// count, mean wait, mean service.
fn measures(s: &Sums) -> [Value; 3] {
    [json!(s.n), avg(s.wait_avg()), avg(s.serve_avg())]
}

fn add(into: &mut Sums, s: &Sums) {
    into.n += s.n;
    into.wait_n += s.wait_n;
    into.wait_s += s.wait_s;
    into.serve_n += s.serve_n;
    into.serve_s += s.serve_s;
}

type Days = (NaiveDate, NaiveDate);

/// Sums of `metrics` over `days` at `places`, grouped by `group`: from `daily`, or, given a
/// `monthly` twin, its whole months plus the daily table's ragged ends (the same sums,
/// read from a twelfth of the rows for a year).
async fn summed(
    state: &AppState,
    days: Days,
    metrics: &[String],
    places: Vec<String>,
    (daily, monthly): (Source, Option<Source>),
    group: &[&'static str],
) -> Result<Vec<Row>, ApiFailure> {
    let mut asks = Vec::new();
    let ask = |table: Source, from: String, to: String| StatsQuery {
        table,
        from,
        to,
        metrics: metrics.to_vec(),
        places: Some(places.clone()),
        group: group.to_vec(),
    };
    match monthly {
        Some(monthly) => {
            let (ragged, months) = stats::pieces(days.0, days.1);
            for (from, to) in ragged {
                asks.push(ask(daily, from, to));
            }
            if let Some((from, to)) = months {
                asks.push(ask(monthly, from, to));
            }
        }
        None => asks.push(ask(daily, days.0.to_string(), days.1.to_string())),
    }
    let mut merged: BTreeMap<Vec<String>, Sums> = BTreeMap::new();
    for q in asks {
        for row in state.store.stats_query(q).await? {
            add(merged.entry(row.keys).or_default(), &row.sums);
        }
    }
    Ok(merged
        .into_iter()
        .map(|(keys, sums)| Row { keys, sums })
        .collect())
}

/// Sums by metric and keys: the platform's own table for one platform, else the regions'.
async fn keyed(
    state: &AppState,
    days: Days,
    metrics: &[String],
    scope: &Scope,
    group: &[&'static str],
) -> Result<Vec<Row>, ApiFailure> {
    if scope.one_platform {
        // One platform's year is a few thousand daily rows.
        summed(
            state,
            days,
            metrics,
            scope.ids(),
            (Source::Daily, None),
            group,
        )
        .await
    } else {
        summed(
            state,
            days,
            metrics,
            scope.regions(),
            (Source::RegionDaily, Some(Source::RegionMonthly)),
            group,
        )
        .await
    }
}

/// `GET /v1/ops/stats/{view}`.
pub async fn view(
    State(state): State<AppState>,
    session: Session,
    Path(view): Path<String>,
    params: Result<Query<StatsParams>, QueryRejection>,
) -> Result<Response, ApiFailure> {
    let Query(p) = params.map_err(bad_query)?;
    let csv = match p.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiFailure::bad_request(format!(
                "format {other:?}? (json, csv)"
            )));
        }
    };
    let m = the_metric(&p)?;
    let days = period(p.from.as_deref(), p.to.as_deref(), ("from", "to"))?;
    let scope = scope(&state, &session, &p).await?;
    let (columns, rows): (Vec<&'static str>, Vec<Vec<Value>>) = match view.as_str() {
        "summary" => summary(&state, days, &scope).await?,
        "trend" => trend(&state, days, &scope, &m, p.by.as_deref()).await?,
        "heatmap" => heatmap(&state, days, &scope, &m).await?,
        "ranking" => ranking(&state, days, &scope, &m, p.by.as_deref()).await?,
        "drill" => drill(&state, days, &scope, &m, &p).await?,
        "compare" => {
            let other = period(p.from2.as_deref(), p.to2.as_deref(), ("from2", "to2"))?;
            compare(&state, days, other, &scope, &m).await?
        }
        other => {
            return Err(ApiFailure::not_found(format!(
                "no statistics view {other:?} (summary, trend, heatmap, ranking, drill, compare)"
            )));
        }
    };
    let table = Table {
        view: view.clone(),
        metric: m,
        from: days.0.to_string(),
        to: days.1.to_string(),
        columns,
        rows,
    };
    if !csv {
        return Ok(Json(table).into_response());
    }
    let target = p
        .platform
        .clone()
        .or(p.region.clone())
        .unwrap_or_else(|| session.operator.regions.join(","));
    session
        .audit(&state, "stats.export", &format!("{view} {target}"), "ok")
        .await;
    Ok(csv_response(&table))
}

/// The table as CSV: a UTF-8 byte order mark, the header, the rows.
pub fn csv_bytes(table: &Table) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let cell = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    // Writing to memory cannot fail.
    let _ = writer.write_record(&table.columns);
    for row in &table.rows {
        let _ = writer.write_record(row.iter().map(cell));
    }
    writer.into_inner().unwrap_or_default()
}

fn csv_response(table: &Table) -> Response {
    let mut response = csv_bytes(table).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let name = format!(
        "attachment; filename=\"stats-{}-{}-{}-{}.csv\"",
        table.view, table.metric, table.from, table.to
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

type Out = (Vec<&'static str>, Vec<Vec<Value>>);

/// Every metric's totals.
async fn summary(state: &AppState, days: Days, scope: &Scope) -> Result<Out, ApiFailure> {
    let rows = keyed(state, days, &[], scope, &["metric"]).await?;
    let found: HashMap<&str, &Sums> = rows.iter().map(|r| (r.keys[0].as_str(), &r.sums)).collect();
    let zero = Sums::default();
    let out = metric::ALL
        .iter()
        .map(|m| {
            let s = found.get(m).copied().unwrap_or(&zero);
            let [n, w, sv] = measures(s);
            vec![json!(m), json!(metric_label(m)), n, w, sv]
        })
        .collect();
    Ok((
        vec!["metric", "name", "count", "avg_wait_s", "avg_service_s"],
        out,
    ))
}

/// The period a day (YYYY-MM-DD) or a whole month (YYYY-MM) falls in.
fn bucket(key: &str, by: &str) -> Option<String> {
    if by == "month" {
        return key.get(..7).map(str::to_string);
    }
    let d = NaiveDate::parse_from_str(key, "%Y-%m-%d").ok()?;
    Some(match by {
        "week" => {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        _ => d.to_string(),
    })
}

async fn trend(
    state: &AppState,
    days: Days,
    scope: &Scope,
    m: &str,
    by: Option<&str>,
) -> Result<Out, ApiFailure> {
    let by = by.unwrap_or("day");
    if !["day", "week", "month"].contains(&by) {
        return Err(ApiFailure::bad_request(format!(
            "trend by {by:?}? (day, week, month)"
        )));
    }
    let metrics = [m.to_string()];
    let rows = if by == "month" {
        keyed(state, days, &metrics, scope, &["day"]).await?
    } else if scope.one_platform {
        summed(
            state,
            days,
            &metrics,
            scope.ids(),
            (Source::Daily, None),
            &["day"],
        )
        .await?
    } else {
        summed(
            state,
            days,
            &metrics,
            scope.regions(),
            (Source::RegionDay, None),
            &["day"],
        )
        .await?
    };
    // Every period of the range, those without events too (a chart's gaps are zeros).
    let mut out: BTreeMap<String, Sums> = BTreeMap::new();
    let mut d = days.0;
    while d <= days.1 {
        if let Some(b) = bucket(&d.to_string(), by) {
            out.entry(b).or_default();
        }
        d = d.succ_opt().unwrap_or(d + chrono::Days::new(1));
    }
    for r in &rows {
        if let Some(b) = bucket(&r.keys[0], by) {
            add(out.entry(b).or_default(), &r.sums);
        }
    }
    let rows = out
        .into_iter()
        .map(|(period, s)| {
            let [n, w, sv] = measures(&s);
            vec![json!(period), n, w, sv]
        })
        .collect();
    Ok((vec!["period", "count", "avg_wait_s", "avg_service_s"], rows))
}

async fn heatmap(state: &AppState, days: Days, scope: &Scope, m: &str) -> Result<Out, ApiFailure> {
    let metrics = [m.to_string()];
    let group = ["weekday", "hour"];
    let rows = if scope.one_platform {
        summed(
            state,
            days,
            &metrics,
            scope.ids(),
            (Source::Hourly, None),
            &group,
        )
        .await?
    } else {
        let tables = (Source::RegionHourly, Some(Source::RegionMonthlyHours));
        summed(state, days, &metrics, scope.regions(), tables, &group).await?
    };
    let mut cells = [[0i64; 24]; 7];
    for r in &rows {
        let (Ok(wd), Ok(h)) = (r.keys[0].parse::<usize>(), r.keys[1].parse::<usize>()) else {
            continue;
        };
        if (1..=7).contains(&wd) && h < 24 {
            cells[wd - 1][h] += r.sums.n;
        }
    }
    let mut out = Vec::with_capacity(168);
    for (wd, hours) in cells.iter().enumerate() {
        for (h, n) in hours.iter().enumerate() {
            out.push(vec![json!(wd + 1), json!(h), json!(n)]);
        }
    }
    Ok((vec!["weekday", "hour", "count"], out))
}

fn key_name(k1: &str, k2: &str) -> (String, String) {
    if k2.is_empty() {
        (k1.to_string(), key_label(k1).to_string())
    } else {
        (
            format!("{k1}/{k2}"),
            format!("{} / {}", key_label(k1), key_label(k2)),
        )
    }
}

/// Ranks `groups` (id, name, sums): most first, then by id.
fn ranked(groups: BTreeMap<String, (String, Sums)>) -> Vec<Vec<Value>> {
    let mut list: Vec<_> = groups.into_iter().collect();
    list.sort_by(|a, b| b.1.1.n.cmp(&a.1.1.n).then(a.0.cmp(&b.0)));
    list.into_iter()
        .enumerate()
        .map(|(i, (id, (name, s)))| {
            let [n, w, sv] = measures(&s);
            vec![json!(i + 1), json!(id), json!(name), n, w, sv]
        })
        .collect()
}

const RANK_COLUMNS: [&str; 6] = ["rank", "id", "name", "count", "avg_wait_s", "avg_service_s"];

/// Per platform of the scope, with names.
async fn per_platform(
    state: &AppState,
    days: Days,
    scope: &Scope,
    m: &str,
) -> Result<BTreeMap<String, (String, Sums)>, ApiFailure> {
    let tables = (Source::Daily, Some(Source::PlatformMonthly));
    let rows = summed(
        state,
        days,
        &[m.to_string()],
        scope.ids(),
        tables,
        &["platform_id"],
    )
    .await?;
    let platforms = scope.by_id();
    Ok(rows
        .iter()
        .map(|r| {
            let name = platforms
                .get(r.keys[0].as_str())
                .map_or("", |p| p.name.as_str());
            (r.keys[0].clone(), (name.to_string(), r.sums))
        })
        .collect())
}

/// Per region of the scope.
async fn per_region(
    state: &AppState,
    days: Days,
    scope: &Scope,
    m: &str,
) -> Result<BTreeMap<String, (String, Sums)>, ApiFailure> {
    if scope.one_platform {
        // One platform: its own region, from its own rows.
        let rows = keyed(state, days, &[m.to_string()], scope, &["metric"]).await?;
        let region = scope.platforms.first().map_or("?", |p| p.region.as_str());
        let mut total = Sums::default();
        for r in &rows {
            add(&mut total, &r.sums);
        }
        return Ok(BTreeMap::from([(
            region.to_string(),
            (region.to_string(), total),
        )]));
    }
    let rows = summed(
        state,
        days,
        &[m.to_string()],
        scope.regions(),
        (Source::RegionDaily, Some(Source::RegionMonthly)),
        &["region"],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.keys[0].clone(), (r.keys[0].clone(), r.sums)))
        .collect())
}

async fn ranking(
    state: &AppState,
    days: Days,
    scope: &Scope,
    m: &str,
    by: Option<&str>,
) -> Result<Out, ApiFailure> {
    let groups = match by.unwrap_or("platform") {
        "region" => per_region(state, days, scope, m).await?,
        "platform" => per_platform(state, days, scope, m).await?,
        "key" => keyed(state, days, &[m.to_string()], scope, &["k1", "k2"])
            .await?
            .iter()
            .map(|r| {
                let (id, name) = key_name(&r.keys[0], &r.keys[1]);
                (id, (name, r.sums))
            })
            .collect(),
        other => {
            return Err(ApiFailure::bad_request(format!(
                "ranking by {other:?}? (region, platform, key)"
            )));
        }
    };
    Ok((RANK_COLUMNS.to_vec(), ranked(groups)))
}

/// Regions of the scope; with `region`, its platforms; with `platform`, its terminals.
async fn drill(
    state: &AppState,
    days: Days,
    scope: &Scope,
    m: &str,
    p: &StatsParams,
) -> Result<Out, ApiFailure> {
    let (level, groups) = if p.platform.is_some() {
        let rows = summed(
            state,
            days,
            &[m.to_string()],
            scope.ids(),
            (Source::Terminal, None),
            &["device_id"],
        )
        .await?;
        let groups = rows
            .iter()
            .map(|r| (r.keys[0].clone(), (String::new(), r.sums)))
            .collect();
        ("terminal", groups)
    } else if p.region.is_some() {
        ("platform", per_platform(state, days, scope, m).await?)
    } else {
        ("region", per_region(state, days, scope, m).await?)
    };
    let rows = ranked(groups)
        .into_iter()
        .map(|mut r| {
            r[0] = json!(level);
            r
        })
        .collect();
    Ok((
        vec![
            "level",
            "id",
            "name",
            "count",
            "avg_wait_s",
            "avg_service_s",
        ],
        rows,
    ))
}

async fn compare(
    state: &AppState,
    a: Days,
    b: Days,
    scope: &Scope,
    m: &str,
) -> Result<Out, ApiFailure> {
    let keyed_by = |rows: Vec<Row>| -> BTreeMap<(String, String), Sums> {
        rows.into_iter()
            .map(|r| ((r.keys[0].clone(), r.keys[1].clone()), r.sums))
            .collect()
    };
    let metrics = [m.to_string()];
    let first = keyed_by(keyed(state, a, &metrics, scope, &["k1", "k2"]).await?);
    let second = keyed_by(keyed(state, b, &metrics, scope, &["k1", "k2"]).await?);
    let mut keys: Vec<&(String, String)> = first.keys().chain(second.keys()).collect();
    keys.sort();
    keys.dedup();
    let zero = Sums::default();
    let (mut total_a, mut total_b) = (Sums::default(), Sums::default());
    let mut rows = Vec::new();
    for k in keys {
        let (sa, sb) = (
            first.get(k).unwrap_or(&zero),
            second.get(k).unwrap_or(&zero),
        );
        add(&mut total_a, sa);
        add(&mut total_b, sb);
        let (id, name) = key_name(&k.0, &k.1);
        rows.push(row_of_change(id, name, sa, sb));
    }
    rows.insert(
        0,
        row_of_change("*".into(), "合计".into(), &total_a, &total_b),
    );
    Ok((
        vec!["id", "name", "count_a", "count_b", "change", "change_pct"],
        rows,
    ))
}

fn row_of_change(id: String, name: String, a: &Sums, b: &Sums) -> Vec<Value> {
    let pct = (a.n > 0).then(|| ((b.n - a.n) as f64 * 1000.0 / a.n as f64).round() / 10.0);
    vec![
        json!(id),
        json!(name),
        json!(a.n),
        json!(b.n),
        json!(b.n - a.n),
        json!(pct),
    ]
}
