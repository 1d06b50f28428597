//! The router: every endpoint, recorded in a route table that the OpenAPI test compares with
//! `provisioning/openapi.json`.

use crate::code_key::CodeKey;
use crate::config::ServeConfig;
use crate::error::ApiFailure;
use crate::login_guard::{LoginGuard, SourceLimiter};
use crate::routes;
use crate::routes::channel::paths as channel;
use crate::routes::ops::paths as ops;
use crate::routes::ops::work_orders::paths as work_orders;
use crate::store::Store;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use provisioning::auth::ReplayGuard;
use provisioning::protocol::{ErrorCode, limits, paths};
use provisioning::signalling::paths as signal;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Shared by all handlers.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Nonces seen in the clock window.
    pub replay: Arc<Mutex<ReplayGuard>>,
    /// Settings.
    pub config: Arc<ServeConfig>,
    /// Concurrent event-batch writes allowed.
    pub ingest_slots: Arc<Semaphore>,
    /// Video calls: queues and relay.
    pub video: Arc<crate::video::Hub>,
    /// Video-call signalling relayed to the instance that keeps the hub (PostgreSQL).
    pub relay: Option<Arc<crate::video::relay::Relay>>,
    /// Lawyers' console sessions.
    pub lawyer_sessions: Arc<crate::video::LawyerSessions>,
    /// Lawyers' logins: counted and bounded before any password hash.
    pub lawyer_logins: Arc<LoginGuard>,
    /// Operators' logins to the operations centre's console.
    pub operator_logins: Arc<LoginGuard>,
    /// Enrolment attempts per source address.
    pub enrol_attempts: Arc<SourceLimiter>,
    /// Booking channels' requests per source address (counted before the key is checked).
    pub channel_requests: Arc<SourceLimiter>,
    /// The key enrolment codes are hashed with.
    pub code_key: Arc<CodeKey>,
    /// The key the console's commands are signed with (a throwaway one until the server
    /// sets the registry's).
    pub command_key: Arc<ed25519_dalek::SigningKey>,
}

impl AppState {
    /// State for a server starting now.
    pub fn new(store: Store, code_key: CodeKey, config: ServeConfig) -> Self {
        let started = chrono::Utc::now().timestamp();
        let sessions = match &store {
            Store::Postgres(pg) => crate::video::LawyerSessions::shared(pg.clone()),
            Store::Sqlite(_) => crate::video::LawyerSessions::default(),
        };
        Self {
            store,
            code_key: Arc::new(code_key),
            command_key: Arc::new(ed25519_dalek::SigningKey::from_bytes(&[0; 32])),
            replay: Arc::new(Mutex::new(ReplayGuard::new(started))),
            ingest_slots: Arc::new(Semaphore::new(config.max_concurrent_ingest)),
            lawyer_logins: LoginGuard::new(&config.login),
            operator_logins: LoginGuard::new(&config.login),
            enrol_attempts: Arc::new(SourceLimiter::new(
                config.enrol_limit,
                config.login.max_tracked,
            )),
            channel_requests: Arc::new(SourceLimiter::new(
                config.channel_limit,
                config.login.max_tracked,
            )),
            config: Arc::new(config),
            video: Arc::new(crate::video::Hub::default()),
            relay: None,
            lawyer_sessions: Arc::new(sessions),
        }
    }
}

/// Routes with their (method, path) list.
struct RouteTable {
    router: Router<AppState>,
    list: Vec<(&'static str, &'static str)>,
}

impl RouteTable {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, route);
        self.list.push((method, path));
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("get", path, get(handler))
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("post", path, post(handler))
    }
}

fn table() -> RouteTable {
    RouteTable {
        router: Router::new(),
        list: Vec::new(),
    }
    .get(paths::HEALTH, routes::health::healthz)
    .get(paths::READY, routes::health::readyz)
    .post(paths::ENROL, routes::enrol::enrol)
    .post(paths::POLL, routes::poll::poll)
    .post(paths::EVENTS, routes::events::ingest)
    .get(paths::BUNDLE, routes::bundles::download)
    .get(paths::RELEASE_PACKAGE, routes::releases::package)
    .get(paths::MAP_FILE, routes::maps::file)
    .post(paths::COMMAND_ACK, routes::commands::ack)
    .add(
        "post",
        paths::COMMAND_LOGS,
        post(routes::commands::logs).layer(DefaultBodyLimit::max(limits::MAX_LOG_UPLOAD_BYTES)),
    )
    .get(signal::KIOSK, routes::signalling::kiosk)
    .get(signal::LAWYER, routes::signalling::lawyer)
    .post(signal::LAWYER_LOGIN, routes::lawyer::login)
    .post(signal::LAWYER_LOGOUT, routes::lawyer::logout)
    .get(signal::CONSOLE, routes::console::index)
    .get(signal::CONSOLE_SCRIPT, routes::console::script)
    .get(signal::CONSOLE_STYLE, routes::console::style)
    .get(ops::PAGE, routes::ops::pages::file)
    .get(ops::SCRIPT, routes::ops::pages::file)
    .get(ops::STYLE, routes::ops::pages::file)
    .get(ops::FONT, routes::ops::pages::file)
    .get(ops::LEAFLET_JS, routes::ops::pages::file)
    .get(ops::LEAFLET_CSS, routes::ops::pages::file)
    .get(ops::ECHARTS_JS, routes::ops::pages::file)
    .get(ops::MAP, routes::ops::map::info)
    .get(ops::TILE, routes::ops::map::tile)
    .post(ops::LOGIN, routes::ops::session::login)
    .post(ops::LOGOUT, routes::ops::session::logout)
    .get(ops::ME, routes::ops::session::me)
    .get(ops::FLEET, routes::ops::fleet::list)
    .get(ops::TERMINAL, routes::ops::fleet::terminal)
    .get(ops::ALERTS, routes::ops::alerts::list)
    .post(ops::ALERT_ACK, routes::ops::alerts::acknowledge)
    .post(ops::COMMANDS, routes::ops::commands::send)
    .get(ops::LOGS, routes::ops::commands::logs)
    .get(ops::DIRECTORY, routes::ops::directory::list)
    .post(ops::DIRECTORY, routes::ops::directory_entry::add)
    .add(
        "put",
        ops::DIRECTORY_ENTRY,
        put(routes::ops::directory_entry::edit),
    )
    .get(ops::DIRECTORY_CSV, routes::ops::directory::export)
    .add(
        "post",
        ops::DIRECTORY_CSV,
        post(routes::ops::directory::import).layer(DefaultBodyLimit::max(8 * 1024 * 1024)),
    )
    .get(ops::BUNDLES, routes::ops::bundles::list)
    .get(ops::AUDIT, routes::ops::audit::list)
    .get(channel::SLOTS, routes::channel::slots)
    .post(channel::BOOKINGS, routes::channel::book)
    .get(channel::BOOKING, routes::channel::lookup)
    .post(channel::CANCEL, routes::channel::cancel)
    .get(work_orders::LIST, routes::ops::work_orders::list)
    .get(work_orders::ONE, routes::ops::work_orders::one)
    .post(work_orders::DISPATCH, routes::ops::work_orders::dispatch)
    .post(work_orders::ACCEPT, routes::ops::work_orders::accept)
    .post(work_orders::CLOSE, routes::ops::work_orders::close)
    .post(work_orders::RETURN, routes::ops::work_orders::return_)
    .post(
        routes::work_order_status::PATH,
        routes::work_order_status::status,
    )
    .post(
        provisioning::booking::SLOTS_PATH,
        routes::terminal_booking::slots,
    )
    .post(
        provisioning::booking::BOOK_PATH,
        routes::terminal_booking::book,
    )
    .get(ops::STATS, routes::ops::stats::view)
}

/// Every (lower-case method, path) the server answers.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    table().list
}

/// The application with its limits: JSON bodies up to `limits::MAX_JSON_BODY_BYTES`, every
/// request finished within the configured timeout, JSON 404/405 answers.
pub fn router(state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    table()
        .router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limits::MAX_JSON_BODY_BYTES))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            deadline(req, next, timeout)
        }))
        .with_state(state)
}

async fn deadline(req: Request, next: Next, limit: Duration) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiFailure::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::RequestTimeout,
            "the request was not completed in time (slow client?)",
        )
        .into_response(),
    }
}

async fn not_found() -> ApiFailure {
    ApiFailure::not_found("no such endpoint; see provisioning/openapi.json")
}

async fn method_not_allowed() -> ApiFailure {
    ApiFailure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::BadRequest,
        "this endpoint does not accept that method",
    )
}
