//! The local API (axum) and the pages it serves, on a thread of its own with its own tokio
//! runtime. Actions run on the store thread (one at a time, each one transaction); views
//! are read on a second connection and pushed to the hall and counter pages as server-sent
//! events within milliseconds of a change.
//!
//! | method | path | who | what |
//! |---|---|---|---|
//! | GET | `/counter`, `/hall`, `/t/{token}` | anyone | the pages |
//! | POST | `/api/login` `{pin}` | anyone | staff login: session cookie |
//! | POST | `/api/logout` | staff | ends the session |
//! | GET | `/api/me` | staff | who is logged in |
//! | GET | `/api/state`, `/api/stream` | staff | counters, waiting list, today's counts (JSON, SSE) |
//! | POST | `/api/counters/{id}/{open,close,pause,resume,call-next,recall,start,finish,no-show}` | staff | counter actions |
//! | POST | `/api/counters/{id}/transfer` `{service_id}` | staff | to another service's queue |
//! | POST | `/api/counters/{id}/call` `{number}` | staff | call a number out of order |
//! | POST | `/api/priority` `{number, group}` | staff | set a waiting ticket's priority group |
//! | PUT | `/api/notice` `{text}` | staff | the hall's notice |
//! | GET | `/api/hall`, `/api/hall/stream` | anyone | the hall display (JSON, SSE) |
//! | GET | `/api/tickets/{token}` | anyone with the token | one ticket's live position |
//! | POST | `/api/issue`, `/api/import` | client terminals | issue a ticket; hand over offline tickets |
//! | GET | `/api/health` | anyone | liveness for client terminals |

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use thiserror::Error;
use tokio::sync::watch;

use super::auth::{self, Sessions, StaffLogin, TerminalTokens};
use super::config::{ClientsConfig, ServerConfig};
use super::pages;
use super::shared::{NOTICE_KEY, QueueShared, stored_notice};
use crate::domain::maintenance::{Authenticator, LoginError, Pin};
use crate::domain::queue::calling::{self, CallError, Ctx, action};
use crate::domain::queue::day::{day_text, ensure_day};
use crate::domain::queue::import::{self, ImportError, OfflineTicket};
use crate::domain::queue::{
    IssueRequest, Numbering, PriorityGroup, QueueError, TicketIdentity, active_ticket_of, issue,
    position, view,
};

/// The server could not start.
#[derive(Debug, Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the queue API thread: {0}")]
    Thread(std::io::Error),
}

/// The running server. Dropping it stops it and closes every connection.
pub struct QueueServer {
    /// Where it listens (the real port when configured with port 0).
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl QueueServer {
    /// Stops the server and waits until its connections are closed.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for QueueServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Views pushed to the streams, as JSON text.
struct Published {
    hall: watch::Sender<Arc<str>>,
    staff: watch::Sender<Arc<str>>,
}

#[derive(Clone)]
struct AppState {
    shared: Arc<QueueShared>,
    sessions: Arc<Sessions>,
    login: Authenticator,
    terminals: Arc<TerminalTokens>,
    published: Arc<Published>,
}

/// How many waiting tickets the counter page lists.
const WAITING_LIST: u32 = 200;

/// Starts the API on `config.listen`.
pub fn start(
    shared: Arc<QueueShared>,
    config: &ServerConfig,
    clients: &ClientsConfig,
    login: Authenticator,
) -> Result<QueueServer, ServerError> {
    let bind_err = |source| ServerError::Bind {
        addr: config.listen,
        source,
    };
    let listener = std::net::TcpListener::bind(config.listen).map_err(bind_err)?;
    listener.set_nonblocking(true).map_err(bind_err)?;
    let addr = listener.local_addr().map_err(bind_err)?;
    let state = AppState {
        shared,
        sessions: Arc::new(Sessions::new(
            Duration::from_secs(config.session_idle_minutes * 60),
            Duration::from_secs(config.session_max_hours * 3600),
        )),
        login,
        terminals: Arc::new(TerminalTokens::from_hex(&clients.token_sha256)),
        published: Arc::new(Published {
            hall: watch::channel(Arc::from("{}")).0,
            staff: watch::channel(Arc::from("{}")).0,
        }),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("queue-api".into())
        .spawn(move || serve(listener, state, stop_rx))
        .map_err(ServerError::Thread)?;
    tracing::info!(%addr, "queue API listening");
    Ok(QueueServer {
        addr,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

fn serve(
    listener: std::net::TcpListener,
    state: AppState,
    stop: tokio::sync::oneshot::Receiver<()>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the queue API runtime: {e}");
            return;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!("cannot use the queue API socket: {e}");
                return;
            }
        };
        tokio::spawn(publish_hall(state.clone()));
        tokio::spawn(publish_staff(state.clone()));
        tokio::spawn(day_watch(state.clone()));
        // Small writes go out at once: an SSE event held back by Nagle's algorithm waits for
        // the display's delayed ACK (40 ms on Linux) before it leaves.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("cannot set TCP_NODELAY on a queue API connection: {e}");
            }
        });
        let app = router(state);
        tokio::select! {
            result = axum::serve(listener, app) => {
                if let Err(e) = result {
                    tracing::error!("the queue API stopped: {e}");
                }
            }
            _ = stop => {}
        }
    });
    // Open streams end here, with the runtime.
    runtime.shutdown_timeout(Duration::ZERO);
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/counter") }))
        .route("/counter", get(|| async { pages::page(pages::COUNTER) }))
        .route("/hall", get(|| async { pages::page(pages::HALL) }))
        .route("/t/{token}", get(|| async { pages::page(pages::TICKET) }))
        .route("/assets/{file}", get(asset))
        .route("/api/health", get(|| async { Json(json!({ "ok": true })) }))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/state", get(staff_state))
        .route("/api/stream", get(staff_stream))
        .route("/api/hall", get(hall_state))
        .route("/api/hall/stream", get(hall_stream))
        .route("/api/tickets/{token}", get(ticket_status))
        .route("/api/counters/{id}/{action}", post(counter_action))
        .route("/api/counters/{id}/transfer", post(transfer))
        .route("/api/counters/{id}/call", post(call_number))
        .route("/api/priority", post(set_priority))
        .route("/api/notice", put(set_notice))
        .route("/api/issue", post(issue_for_terminal))
        .route("/api/import", post(import_for_terminal))
        .with_state(state)
}

/// An API error: a status, a short code and a message that says what to do.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the terminal's store cannot be reached",
        )
    }

    fn login_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "login_required",
            "log in with your staff PIN",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.code, "message": self.message })),
        )
            .into_response()
    }
}

impl From<CallError> for ApiError {
    fn from(e: CallError) -> Self {
        let status = match &e {
            CallError::UnknownCounter(_)
            | CallError::UnknownNumber(_)
            | CallError::UnknownService(_) => StatusCode::NOT_FOUND,
            CallError::Sql(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::CONFLICT,
        };
        if let CallError::Sql(err) = &e {
            tracing::error!("queue action failed: {err}");
        }
        Self::new(status, e.code(), e.to_string())
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A member of staff with a live session (and, for a change, the request header).
struct Staff {
    login: StaffLogin,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(&parts.headers).ok_or_else(ApiError::login_required)?;
        let login = state
            .sessions
            .touch(&token)
            .ok_or_else(ApiError::login_required)?;
        if parts.method != Method::GET && !parts.headers.contains_key(auth::REQUEST_HEADER) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "missing_header",
                format!(
                    "changing requests must carry the {} header",
                    auth::REQUEST_HEADER
                ),
            ));
        }
        Ok(Staff { login })
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(auth::token_from_cookies)
        .map(str::to_string)
}

/// A client terminal presenting its token.
struct Terminal;

impl FromRequestParts<AppState> for Terminal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match token {
            Some(t) if state.terminals.accepts(t.trim()) => Ok(Terminal),
            _ => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "terminal_token_required",
                "this terminal's token is not listed in the host's [queue.clients]",
            )),
        }
    }
}

async fn asset(Path(file): Path<String>) -> Response {
    match pages::asset(&file) {
        Some((mime, body)) => ([(header::CONTENT_TYPE, mime)], body).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct LoginBody {
    pin: String,
}

async fn login(State(st): State<AppState>, Json(body): Json<LoginBody>) -> Response {
    let pin = match Pin::parse(&body.pin) {
        Ok(pin) => pin,
        Err(e) => {
            return ApiError::new(StatusCode::BAD_REQUEST, "bad_pin", e.to_string())
                .into_response();
        }
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    st.login.login(pin, move |result| {
        let _ = tx.send(result);
    });
    let result = match rx.await {
        Ok(result) => result,
        Err(_) => return ApiError::unavailable().into_response(),
    };
    match result {
        Ok(session) => {
            let login = StaffLogin {
                name: session.name.clone(),
                role: session.role,
            };
            let token = st.sessions.create(login);
            let mut response = Json(json!({
                "name": session.name,
                "role": session.role.as_str(),
            }))
            .into_response();
            if let Ok(cookie) = HeaderValue::from_str(&st.sessions.cookie(&token)) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(LoginError::Locked { remaining }) => {
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "locked",
                format!(
                    "too many wrong PINs: try again in {} minutes",
                    remaining.as_secs().div_ceil(60)
                ),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&remaining.as_secs().to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        Err(e @ (LoginError::WrongPin { .. } | LoginError::NoAccounts)) => {
            ApiError::new(StatusCode::UNAUTHORIZED, "wrong_pin", e.to_string()).into_response()
        }
        Err(LoginError::Store(e)) => {
            tracing::error!("staff login failed: {e}");
            ApiError::unavailable().into_response()
        }
    }
}

async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session_token(&headers)
        && let Some(login) = st.sessions.end(&token)
    {
        let (actor, now) = (login.actor(), st.shared.clock.now());
        let _ = st
            .shared
            .write(move |s| {
                crate::domain::maintenance::audit::record_alone(
                    s.conn(),
                    &actor,
                    crate::domain::maintenance::audit::action::LOGOUT,
                    crate::domain::maintenance::Outcome::Ok,
                    json!({ "via": "counter_page" }),
                    now,
                )
            })
            .await;
    }
    let mut response = Json(json!({ "ok": true })).into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::clear_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn me(staff: Staff) -> Json<serde_json::Value> {
    Json(json!({ "name": staff.login.name, "role": staff.login.role.as_str() }))
}

/// Computes the hall view as JSON.
async fn hall_json(shared: &Arc<QueueShared>) -> Result<String, ApiError> {
    let (catalogue, policy) = (shared.catalogue(), shared.policy());
    let centre = shared.centre_name.clone();
    let day = day_text(shared.clock.now().date_naive());
    shared
        .read(move |s| {
            let notice = stored_notice(s.conn())?;
            let hall = view::hall(s.conn(), &catalogue, &policy, &centre, notice, &day)?;
            Ok::<_, rusqlite::Error>(serde_json::to_string(&hall).unwrap_or_default())
        })
        .await
        .map_err(|_| ApiError::unavailable())?
        .map_err(|e| {
            tracing::error!("cannot read the hall view: {e}");
            ApiError::unavailable()
        })
}

/// Computes the counter page's view as JSON.
async fn staff_json(shared: &Arc<QueueShared>) -> Result<String, ApiError> {
    let (catalogue, policy) = (shared.catalogue(), shared.policy());
    let day = day_text(shared.clock.now().date_naive());
    shared
        .read(move |s| {
            let v = view::staff(s.conn(), &catalogue, &policy, &day, WAITING_LIST)?;
            Ok::<_, rusqlite::Error>(serde_json::to_string(&v).unwrap_or_default())
        })
        .await
        .map_err(|_| ApiError::unavailable())?
        .map_err(|e| {
            tracing::error!("cannot read the counter view: {e}");
            ApiError::unavailable()
        })
}

fn json_text(text: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], text).into_response()
}

async fn hall_state(State(st): State<AppState>) -> Result<Response, ApiError> {
    Ok(json_text(hall_json(&st.shared).await?))
}

async fn staff_state(State(st): State<AppState>, _staff: Staff) -> Result<Response, ApiError> {
    Ok(json_text(staff_json(&st.shared).await?))
}

/// After each change, the views for the streams that have listeners.
async fn publish_hall(st: AppState) {
    let mut changes = st.shared.events.subscribe();
    while changes.changed().await.is_ok() {
        if st.published.hall.receiver_count() == 0 {
            continue;
        }
        if let Ok(json) = hall_json(&st.shared).await {
            st.published.hall.send_replace(Arc::from(json));
        }
    }
}

async fn publish_staff(st: AppState) {
    let mut changes = st.shared.events.subscribe();
    while changes.changed().await.is_ok() {
        if st.published.staff.receiver_count() == 0 {
            continue;
        }
        if let Ok(json) = staff_json(&st.shared).await {
            st.published.staff.send_replace(Arc::from(json));
        }
    }
}

/// Local midnight: the new day opens (earlier days closed) even if nobody acts; displays
/// refresh every half minute so estimates follow the time.
async fn day_watch(st: AppState) {
    let mut day = st.shared.clock.now().date_naive();
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    loop {
        tick.tick().await;
        let now = st.shared.clock.now();
        if now.date_naive() != day {
            day = now.date_naive();
            let opened = st.shared.write(move |s| ensure_day(s.conn(), now)).await;
            if let Ok(Err(e)) = opened {
                tracing::error!("cannot open the new queue day: {e}");
            }
        }
        st.shared.events.notify();
    }
}

/// A stream of `event` messages: `first`, then each published version.
fn event_stream(
    event: &'static str,
    first: String,
    rx: watch::Receiver<Arc<str>>,
    alive: impl Fn() -> bool + Send + 'static,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let first =
        futures_util::stream::once(async move { Ok(Event::default().event(event).data(first)) });
    let rest = futures_util::stream::unfold(rx, move |mut rx| {
        let alive = alive();
        async move {
            if !alive || rx.changed().await.is_err() {
                return None;
            }
            let data = rx.borrow_and_update().clone();
            Some((Ok(Event::default().event(event).data(&*data)), rx))
        }
    });
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

async fn hall_stream(State(st): State<AppState>) -> Result<Response, ApiError> {
    let rx = st.published.hall.subscribe();
    let first = hall_json(&st.shared).await?;
    Ok(event_stream("hall", first, rx, || true).into_response())
}

async fn staff_stream(
    State(st): State<AppState>,
    headers: HeaderMap,
    _staff: Staff,
) -> Result<Response, ApiError> {
    let rx = st.published.staff.subscribe();
    let first = staff_json(&st.shared).await?;
    let token = session_token(&headers).unwrap_or_default();
    let sessions = st.sessions.clone();
    // The stream ends with the session (logout or expiry).
    Ok(event_stream("state", first, rx, move || sessions.is_live(&token)).into_response())
}

async fn ticket_status(
    State(st): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<view::TicketStatus> {
    if token.len() != 32 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_ticket",
            "no such ticket",
        ));
    }
    let (catalogue, policy) = (st.shared.catalogue(), st.shared.policy());
    let found = st
        .shared
        .read(move |s| view::ticket_status(s.conn(), &catalogue, &policy, &token))
        .await
        .map_err(|_| ApiError::unavailable())?
        .map_err(|e| {
            tracing::error!("cannot read a ticket's status: {e}");
            ApiError::unavailable()
        })?;
    found
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "unknown_ticket", "no such ticket"))
}

/// Runs a staff action on the store thread: audited either way, the displays told on success.
async fn act<T: Serialize + Send + 'static>(
    st: &AppState,
    staff: &Staff,
    name: &'static str,
    counter: Option<String>,
    f: impl FnOnce(&mut rusqlite::Connection, &Ctx<'_>) -> Result<T, CallError> + Send + 'static,
) -> ApiResult<T> {
    let (policy, catalogue) = (st.shared.policy(), st.shared.catalogue());
    let (actor, now) = (staff.login.actor(), st.shared.clock.now());
    let result = st
        .shared
        .write(move |s| {
            let ctx = Ctx {
                policy: &policy,
                catalogue: &catalogue,
                actor: &actor,
                now,
            };
            let result = f(s.conn(), &ctx);
            if let Err(e) = &result {
                calling::audit_refusal(s.conn(), &ctx, name, counter.as_deref(), e);
            }
            result
        })
        .await
        .map_err(|_| ApiError::unavailable())?;
    let value = result?;
    st.shared.events.notify();
    Ok(Json(value))
}

async fn counter_action(
    State(st): State<AppState>,
    staff: Staff,
    Path((id, what)): Path<(String, String)>,
) -> Response {
    let counter = Some(id.clone());
    let result = match what.as_str() {
        "open" => {
            act(&st, &staff, action::OPEN_COUNTER, counter, move |c, ctx| {
                calling::set_open(c, ctx, &id, true).map(|s| json!(s))
            })
            .await
        }
        "close" => {
            act(
                &st,
                &staff,
                action::CLOSE_COUNTER,
                counter,
                move |c, ctx| calling::set_open(c, ctx, &id, false).map(|s| json!(s)),
            )
            .await
        }
        "pause" => {
            act(&st, &staff, action::PAUSE, counter, move |c, ctx| {
                calling::set_paused(c, ctx, &id, true).map(|s| json!(s))
            })
            .await
        }
        "resume" => {
            act(&st, &staff, action::RESUME, counter, move |c, ctx| {
                calling::set_paused(c, ctx, &id, false).map(|s| json!(s))
            })
            .await
        }
        "call-next" => {
            act(&st, &staff, action::CALL_NEXT, counter, move |c, ctx| {
                calling::call_next(c, ctx, &id).map(|r| json!(r))
            })
            .await
        }
        "recall" => {
            act(&st, &staff, action::RECALL, counter, move |c, ctx| {
                calling::recall(c, ctx, &id).map(|r| json!(r))
            })
            .await
        }
        "start" => {
            act(&st, &staff, action::START, counter, move |c, ctx| {
                calling::start(c, ctx, &id).map(|r| json!(r))
            })
            .await
        }
        "finish" => {
            act(&st, &staff, action::FINISH, counter, move |c, ctx| {
                calling::finish(c, ctx, &id).map(|r| json!(r))
            })
            .await
        }
        "no-show" => {
            act(&st, &staff, action::NO_SHOW, counter, move |c, ctx| {
                calling::no_show(c, ctx, &id).map(|r| json!(r))
            })
            .await
        }
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_action",
            format!("no counter action {what:?}"),
        )),
    };
    result.into_response()
}

#[derive(Deserialize)]
struct TransferBody {
    service_id: String,
}

async fn transfer(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(body): Json<TransferBody>,
) -> ApiResult<calling::TicketRow> {
    let counter = Some(id.clone());
    act(&st, &staff, action::TRANSFER, counter, move |c, ctx| {
        calling::transfer(c, ctx, &id, &body.service_id)
    })
    .await
}

#[derive(Deserialize)]
struct NumberBody {
    number: String,
}

async fn call_number(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(body): Json<NumberBody>,
) -> ApiResult<calling::CallNext> {
    let counter = Some(id.clone());
    act(&st, &staff, action::CALL_NUMBER, counter, move |c, ctx| {
        calling::call_number(c, ctx, &id, &body.number)
    })
    .await
}

#[derive(Deserialize)]
struct PriorityBody {
    number: String,
    group: Option<PriorityGroup>,
}

async fn set_priority(
    State(st): State<AppState>,
    staff: Staff,
    Json(body): Json<PriorityBody>,
) -> ApiResult<calling::TicketRow> {
    act(&st, &staff, action::SET_PRIORITY, None, move |c, ctx| {
        calling::set_priority(c, ctx, &body.number, body.group)
    })
    .await
}

#[derive(Deserialize)]
struct NoticeBody {
    text: String,
}

/// The longest hall notice, in characters.
const MAX_NOTICE_CHARS: usize = 200;

async fn set_notice(
    State(st): State<AppState>,
    staff: Staff,
    Json(body): Json<NoticeBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let text = body.text.trim().to_string();
    if text.chars().count() > MAX_NOTICE_CHARS || text.chars().any(char::is_control) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_notice",
            format!("a notice is one line of at most {MAX_NOTICE_CHARS} characters"),
        ));
    }
    let (actor, now) = (staff.login.actor(), st.shared.clock.now());
    let saved = st
        .shared
        .write(move |s| {
            let tx = s.conn().transaction()?;
            tx.execute(
                "INSERT INTO kiosk_settings (key, value, set_at, set_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key) DO UPDATE SET value = ?2, set_at = ?3, set_by = ?4",
                rusqlite::params![NOTICE_KEY, text, now.to_rfc3339(), actor.label()],
            )?;
            crate::domain::maintenance::audit::record(
                &tx,
                &actor,
                action::SET_NOTICE,
                crate::domain::maintenance::Outcome::Ok,
                json!({ "chars": text.chars().count() }),
                now,
            )?;
            tx.commit()
        })
        .await
        .map_err(|_| ApiError::unavailable())?;
    saved.map_err(|e| {
        tracing::error!("cannot save the hall notice: {e}");
        ApiError::unavailable()
    })?;
    st.shared.events.notify();
    Ok(Json(json!({ "ok": true })))
}

/// A client terminal asks for a ticket.
#[derive(Debug, Serialize, Deserialize)]
pub struct IssueAsk {
    pub service_id: String,
    #[serde(default)]
    pub identity: Option<TicketIdentity>,
    #[serde(default)]
    pub priority: Option<PriorityGroup>,
    /// Give the ticket this person already holds for the service today, if any.
    #[serde(default)]
    pub one_per_person: bool,
}

/// The host's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueAnswer {
    pub id: i64,
    pub token: String,
    pub number: String,
    pub service_id: String,
    pub seq: u32,
    pub service_day: String,
    pub issued_at: String,
    pub people_ahead: u32,
    pub estimate: Option<crate::domain::queue::WaitEstimate>,
    /// What the ticket's QR code holds (the host's page).
    pub url: String,
    /// The person already held this ticket.
    pub already_taken: bool,
}

async fn issue_for_terminal(
    State(st): State<AppState>,
    _terminal: Terminal,
    Json(ask): Json<IssueAsk>,
) -> ApiResult<IssueAnswer> {
    let answer = issue_here(&st.shared, ask, Some("client"))
        .await
        .map_err(|e| match e {
            IssueHereError::Queue(QueueError::UnknownService(s)) => ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_service",
                format!("unknown service {s:?}"),
            ),
            IssueHereError::Queue(e) => {
                tracing::error!("cannot issue a ticket for a client terminal: {e}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "issue_failed",
                    e.to_string(),
                )
            }
            IssueHereError::Gone => ApiError::unavailable(),
        })?;
    Ok(Json(answer))
}

/// Why [`issue_here`] failed.
#[derive(Debug, Error)]
pub enum IssueHereError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("the store cannot be reached")]
    Gone,
}

/// Issues a ticket in this terminal's queue (for the kiosk itself or a client terminal),
/// or returns the one the person already holds; tells the displays.
pub async fn issue_here(
    shared: &Arc<QueueShared>,
    ask: IssueAsk,
    origin: Option<&'static str>,
) -> Result<IssueAnswer, IssueHereError> {
    let answer = shared
        .write({
            let shared = shared.clone();
            move |s| issue_blocking(&shared, s.conn(), ask, origin)
        })
        .await
        .map_err(|_| IssueHereError::Gone)??;
    if !answer.already_taken {
        shared.events.notify();
    }
    Ok(answer)
}

/// [`issue_here`] on the store thread.
pub fn issue_blocking(
    shared: &QueueShared,
    conn: &mut rusqlite::Connection,
    ask: IssueAsk,
    origin: Option<&str>,
) -> Result<IssueAnswer, QueueError> {
    let (catalogue, policy) = (shared.catalogue(), shared.policy());
    let now = shared.clock.now();
    let held = match ask.identity.as_ref().filter(|_| ask.one_per_person) {
        Some(identity) => {
            active_ticket_of(conn, &identity.id_hash, &ask.service_id, now.date_naive())?
        }
        None => None,
    };
    let (ticket, already_taken) = match held {
        Some(t) => (t, true),
        None => {
            let t = issue(
                conn,
                &catalogue,
                &policy,
                &IssueRequest {
                    identity: ask.identity.as_ref(),
                    priority: ask.priority,
                    numbering: Numbering::Next {
                        reserved: &shared.reserved,
                    },
                    origin,
                    ..IssueRequest::new(&ask.service_id, now)
                },
            )?;
            (t, false)
        }
    };
    let place = position::position(conn, &policy, ticket.id)?;
    Ok(IssueAnswer {
        url: shared.ticket_url(&ticket.token),
        id: ticket.id,
        people_ahead: place.map_or(ticket.people_ahead, |p| p.people_ahead),
        estimate: place.and_then(|p| p.estimate),
        token: ticket.token,
        number: ticket.number,
        service_id: ticket.service_id,
        seq: ticket.seq,
        service_day: day_text(ticket.service_day),
        issued_at: ticket.issued_at.to_rfc3339(),
        already_taken,
    })
}

#[derive(Debug, Serialize, Deserialize)]
struct ImportBody {
    tickets: Vec<OfflineTicket>,
}

async fn import_for_terminal(
    State(st): State<AppState>,
    _terminal: Terminal,
    Json(body): Json<ImportBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let catalogue = st.shared.catalogue();
    let now = st.shared.clock.now();
    let results = st
        .shared
        .write(move |s| {
            body.tickets
                .iter()
                .map(|t| {
                    let r = import::import_offline(s.conn(), &catalogue, t, now);
                    match r {
                        Ok(outcome) => json!({ "token": t.token, "outcome": outcome }),
                        Err(e) => {
                            if let ImportError::Sql(err) = &e {
                                tracing::error!("cannot take an offline ticket: {err}");
                            } else {
                                tracing::warn!(number = %t.number, "offline ticket refused: {e}");
                            }
                            json!({ "token": t.token, "outcome": "refused", "message": e.to_string() })
                        }
                    }
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|_| ApiError::unavailable())?;
    st.shared.events.notify();
    Ok(Json(json!({ "results": results })))
}
