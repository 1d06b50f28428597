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
use crate::store::stats::{Dim, Grain, Query as StatsQuery, Row, Sums, metric};
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
}

impl Scope {
    fn ids(&self) -> Vec<String> {
        self.platforms.iter().map(|p| p.id.clone()).collect()
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

async fn sums(
    state: &AppState,
    grain: Grain,
    (from, to): (NaiveDate, NaiveDate),
    metrics: Vec<String>,
    scope: &Scope,
    group: Vec<Dim>,
    device: Option<String>,
) -> Result<Vec<Row>, ApiFailure> {
    Ok(state
        .store
        .stats_query(StatsQuery {
            grain,
            from: from.to_string(),
            to: to.to_string(),
            metrics,
            platforms: Some(scope.ids()),
            device,
            group,
        })
        .await?)
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
async fn summary(
    state: &AppState,
    days: (NaiveDate, NaiveDate),
    scope: &Scope,
) -> Result<Out, ApiFailure> {
    let rows = sums(
        state,
        Grain::Daily,
        days,
        Vec::new(),
        scope,
        vec![Dim::Metric],
        None,
    )
    .await?;
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

/// The period a day falls in.
fn bucket(d: NaiveDate, by: &str) -> String {
    match by {
        "week" => {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        "month" => format!("{}-{:02}", d.year(), d.month()),
        _ => d.to_string(),
    }
}

async fn trend(
    state: &AppState,
    days: (NaiveDate, NaiveDate),
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
    let rows = sums(
        state,
        Grain::Daily,
        days,
        vec![m.to_string()],
        scope,
        vec![Dim::Day],
        None,
    )
    .await?;
    // Every period of the range, those without events too (a chart's gaps are zeros).
    let mut out: BTreeMap<String, Sums> = BTreeMap::new();
    let mut d = days.0;
    while d <= days.1 {
        out.entry(bucket(d, by)).or_default();
        d = d.succ_opt().unwrap_or(d + chrono::Days::new(1));
    }
    for r in &rows {
        if let Ok(d) = NaiveDate::parse_from_str(&r.keys[0], "%Y-%m-%d") {
            add(out.entry(bucket(d, by)).or_default(), &r.sums);
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

async fn heatmap(
    state: &AppState,
    days: (NaiveDate, NaiveDate),
    scope: &Scope,
    m: &str,
) -> Result<Out, ApiFailure> {
    let rows = sums(
        state,
        Grain::Hourly,
        days,
        vec![m.to_string()],
        scope,
        vec![Dim::Day, Dim::Hour],
        None,
    )
    .await?;
    let mut cells = [[0i64; 24]; 7];
    for r in &rows {
        let (Ok(d), Ok(h)) = (
            NaiveDate::parse_from_str(&r.keys[0], "%Y-%m-%d"),
            r.keys[1].parse::<usize>(),
        ) else {
            continue;
        };
        if h < 24 {
            cells[d.weekday().num_days_from_monday() as usize][h] += r.sums.n;
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

async fn by_platform(
    state: &AppState,
    days: (NaiveDate, NaiveDate),
    scope: &Scope,
    m: &str,
) -> Result<Vec<Row>, ApiFailure> {
    sums(
        state,
        Grain::Daily,
        days,
        vec![m.to_string()],
        scope,
        vec![Dim::Platform],
        None,
    )
    .await
}

fn regions_of(rows: &[Row], scope: &Scope) -> BTreeMap<String, (String, Sums)> {
    let platforms = scope.by_id();
    let mut out: BTreeMap<String, (String, Sums)> = BTreeMap::new();
    for r in rows {
        let region = platforms
            .get(r.keys[0].as_str())
            .map_or("?", |p| p.region.as_str());
        let entry = out
            .entry(region.to_string())
            .or_insert_with(|| (region.to_string(), Sums::default()));
        add(&mut entry.1, &r.sums);
    }
    out
}

fn platforms_of(rows: &[Row], scope: &Scope) -> BTreeMap<String, (String, Sums)> {
    let platforms = scope.by_id();
    rows.iter()
        .map(|r| {
            let name = platforms
                .get(r.keys[0].as_str())
                .map_or("", |p| p.name.as_str());
            (r.keys[0].clone(), (name.to_string(), r.sums))
        })
        .collect()
}

async fn ranking(
    state: &AppState,
    days: (NaiveDate, NaiveDate),
    scope: &Scope,
    m: &str,
    by: Option<&str>,
) -> Result<Out, ApiFailure> {
    let groups = match by.unwrap_or("platform") {
        "region" => regions_of(&by_platform(state, days, scope, m).await?, scope),
        "platform" => platforms_of(&by_platform(state, days, scope, m).await?, scope),
        "key" => {
            let rows = sums(
                state,
                Grain::Daily,
                days,
                vec![m.to_string()],
                scope,
                vec![Dim::K1, Dim::K2],
                None,
            )
            .await?;
            rows.iter()
                .map(|r| {
                    let (id, name) = key_name(&r.keys[0], &r.keys[1]);
                    (id, (name, r.sums))
                })
                .collect()
        }
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
    days: (NaiveDate, NaiveDate),
    scope: &Scope,
    m: &str,
    p: &StatsParams,
) -> Result<Out, ApiFailure> {
    let (level, groups) = if p.platform.is_some() {
        let rows = sums(
            state,
            Grain::Terminal,
            days,
            vec![m.to_string()],
            scope,
            vec![Dim::Device],
            None,
        )
        .await?;
        let groups = rows
            .iter()
            .map(|r| (r.keys[0].clone(), (String::new(), r.sums)))
            .collect();
        ("terminal", groups)
    } else if p.region.is_some() {
        (
            "platform",
            platforms_of(&by_platform(state, days, scope, m).await?, scope),
        )
    } else {
        (
            "region",
            regions_of(&by_platform(state, days, scope, m).await?, scope),
        )
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
    a: (NaiveDate, NaiveDate),
    b: (NaiveDate, NaiveDate),
    scope: &Scope,
    m: &str,
) -> Result<Out, ApiFailure> {
    let keyed = |rows: Vec<Row>| -> BTreeMap<(String, String), Sums> {
        rows.into_iter()
            .map(|r| ((r.keys[0].clone(), r.keys[1].clone()), r.sums))
            .collect()
    };
    let group = vec![Dim::K1, Dim::K2];
    let first = keyed(
        sums(
            state,
            Grain::Daily,
            a,
            vec![m.to_string()],
            scope,
            group.clone(),
            None,
        )
        .await?,
    );
    let second = keyed(
        sums(
            state,
            Grain::Daily,
            b,
            vec![m.to_string()],
            scope,
            group,
            None,
        )
        .await?,
    );
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
