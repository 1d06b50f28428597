//! The booking channels' API (issue 20): the online platform, 12348 hotline agents and the
//! WeChat service list free slots, book, look up and cancel, under
//! `/v1/channels/{channel}/…` with `Authorization: Bearer <the channel's key>`.
//!
//! Every request is counted against its source address **before** the key is looked up,
//! so keys cannot be guessed at speed. Errors carry stable codes ([`Code`]) that channels
//! may show their agents or map to their own messages.

use crate::app::AppState;
use crate::appointments::{self, MAX_DAYS_AHEAD, start_text};
use crate::peer::SourceAddr;
use crate::store::StoreError;
use crate::store::bookings::{BookRefusal, Booking, NewBooking};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// The API's paths.
pub mod paths {
    /// `GET`: a day's slots of a service at a platform with their free places.
    pub const SLOTS: &str = "/v1/channels/{channel}/slots";
    /// `POST`: book a slot.
    pub const BOOKINGS: &str = "/v1/channels/{channel}/bookings";
    /// `GET`: a booking by code.
    pub const BOOKING: &str = "/v1/channels/{channel}/bookings/{code}";
    /// `POST`: cancel a booking.
    pub const CANCEL: &str = "/v1/channels/{channel}/bookings/{code}/cancel";
}

/// The stable error codes of the channel API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The body or a parameter is malformed.
    BadRequest,
    /// No key, or a key no channel has.
    Unauthenticated,
    /// The key is another channel's.
    WrongChannel,
    /// Too many requests from this address; see `Retry-After`.
    RateLimited,
    /// No such platform.
    UnknownPlatform,
    /// The platform takes no appointments for this service.
    UnknownService,
    /// Not a slot of the schedule (closed day, holiday, outside hours, not on the half hour).
    NotASlot,
    /// The slot has begun or is over.
    PastTime,
    /// The slot is further ahead than bookings are taken.
    TooFarAhead,
    /// No place left in the slot.
    SlotFull,
    /// The person already has a booking for this service at this platform that day.
    DuplicateBooking,
    /// The booking code asked for is already used.
    BookingCodeConflict,
    /// The ID number is not a valid 18-character number.
    InvalidIdNumber,
    /// No booking with this code.
    BookingNotFound,
    /// The booking is cancelled already.
    AlreadyCancelled,
    /// The registry failed; try again later.
    Internal,
}

/// An error answer of the channel API.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    code: Code,
    message: String,
    retry_after: Option<u64>,
}

#[derive(Serialize)]
struct FailureBody<'a> {
    error: Code,
    message: &'a str,
}

fn fail(status: StatusCode, code: Code, message: impl Into<String>) -> Failure {
    Failure {
        status,
        code,
        message: message.into(),
        retry_after: None,
    }
}

fn bad(message: impl Into<String>) -> Failure {
    fail(StatusCode::BAD_REQUEST, Code::BadRequest, message)
}

fn unprocessable(code: Code, message: impl Into<String>) -> Failure {
    fail(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        tracing::error!("channel API: store failure: {e}");
        fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::Internal,
            "the registry could not complete the request; try again later",
        )
    }
}

impl Failure {
    /// The same refusal in the terminals' protocol (`provisioning::protocol::ErrorCode`),
    /// for the terminal booking API, whose callers read that error shape.
    pub(crate) fn into_api(self) -> crate::error::ApiFailure {
        use provisioning::protocol::ErrorCode as E;
        let code = match self.code {
            Code::BadRequest | Code::InvalidIdNumber => E::BadRequest,
            Code::Unauthenticated | Code::WrongChannel => E::Unauthenticated,
            Code::RateLimited => E::RateLimited,
            Code::UnknownPlatform | Code::BookingNotFound => E::NotFound,
            Code::UnknownService => E::UnknownService,
            Code::NotASlot => E::NotASlot,
            Code::PastTime | Code::AlreadyCancelled => E::PastTime,
            Code::TooFarAhead => E::TooFarAhead,
            Code::SlotFull => E::SlotFull,
            Code::DuplicateBooking | Code::BookingCodeConflict => E::DuplicateBooking,
            Code::Internal => E::Internal,
        };
        crate::error::ApiFailure {
            retry_after: self.retry_after,
            ..crate::error::ApiFailure::new(self.status, code, self.message)
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = FailureBody {
            error: self.code,
            message: &self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        response
    }
}

/// Counts the request against its source, then checks the key against the channel named
/// in the path.
async fn authenticate(
    state: &AppState,
    source: std::net::IpAddr,
    headers: &HeaderMap,
    channel: &str,
) -> Result<(), Failure> {
    if let Err(seconds) = state.channel_requests.take(source) {
        return Err(Failure {
            retry_after: Some(seconds),
            ..fail(
                StatusCode::TOO_MANY_REQUESTS,
                Code::RateLimited,
                format!("too many requests from this address; try again in {seconds} s"),
            )
        });
    }
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 128)
        .ok_or_else(|| {
            fail(
                StatusCode::UNAUTHORIZED,
                Code::Unauthenticated,
                "send the channel's key as `Authorization: Bearer <key>`",
            )
        })?;
    match state.store.channel_for_key(key).await? {
        Some(owner) if owner == channel => Ok(()),
        Some(owner) => {
            tracing::warn!("channel API: the key of channel {owner} was used for another channel");
            Err(fail(
                StatusCode::FORBIDDEN,
                Code::WrongChannel,
                "this key belongs to another channel",
            ))
        }
        None => Err(fail(
            StatusCode::UNAUTHORIZED,
            Code::Unauthenticated,
            "unknown or revoked channel key",
        )),
    }
}

/// `GET …/slots` parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotQuery {
    /// Platform id.
    pub platform: String,
    /// Service id.
    pub service: String,
    /// YYYY-MM-DD.
    pub day: String,
}

pub(crate) async fn schedule_of(
    state: &AppState,
    platform: &str,
    service: &str,
) -> Result<(String, appointments::Schedule), Failure> {
    let region = state
        .store
        .platform_region(platform)
        .await?
        .ok_or_else(|| {
            fail(
                StatusCode::NOT_FOUND,
                Code::UnknownPlatform,
                format!("no platform {platform:?}"),
            )
        })?;
    let schedule = state
        .store
        .schedule(platform, service)
        .await?
        .ok_or_else(|| {
            fail(
                StatusCode::NOT_FOUND,
                Code::UnknownService,
                format!("platform {platform} takes no appointments for {service:?}"),
            )
        })?;
    Ok((region, schedule))
}

/// `GET /v1/channels/{channel}/slots?platform=&service=&day=`.
pub async fn slots(
    State(state): State<AppState>,
    SourceAddr(source): SourceAddr,
    Path(channel): Path<String>,
    headers: HeaderMap,
    query: Result<Query<SlotQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<crate::store::appointments::Day>, Failure> {
    authenticate(&state, source, &headers, &channel).await?;
    let Query(q) = query.map_err(|e| bad(format!("platform, service and day are needed: {e}")))?;
    let day = appointments::parse_date(&q.day).map_err(|e| bad(e.to_string()))?;
    let (_, schedule) = schedule_of(&state, &q.platform, &q.service).await?;
    let mut answer = state.store.day_slots(&schedule, day).await?;
    // Slots that have begun are not offered.
    let now = start_text(appointments::local_now(chrono::Utc::now()));
    for slot in answer.slots.iter_mut().filter(|s| s.start <= now) {
        slot.free = 0;
    }
    Ok(Json(answer))
}

/// `POST …/bookings` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookRequest {
    /// Platform id.
    pub platform: String,
    /// Service id.
    pub service: String,
    /// Slot start, YYYY-MM-DDTHH:MM, China Standard Time.
    pub start: String,
    /// The citizen's full name (only its masked form is kept).
    pub name: String,
    /// The citizen's ID number (only its keyed hash is kept).
    pub id_number: String,
    /// A phone number for the centre's messages.
    pub phone: String,
    /// A booking code the channel already gave the citizen (optional; the registry makes
    /// one otherwise).
    #[serde(default)]
    pub code: Option<String>,
}

/// A booking made.
#[derive(Debug, Serialize)]
pub struct Booked {
    /// The booking code to give the citizen.
    pub code: String,
    /// Platform.
    pub platform_id: String,
    /// Service.
    pub service_id: String,
    /// Slot start.
    pub start: String,
    /// The name as kept.
    pub masked_name: String,
}

/// `POST /v1/channels/{channel}/bookings`.
pub async fn book(
    State(state): State<AppState>,
    SourceAddr(source): SourceAddr,
    Path(channel): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Booked>), Failure> {
    authenticate(&state, source, &headers, &channel).await?;
    let body = crate::routes::body_bytes(body).map_err(|e| bad(e.body.message))?;
    let request: BookRequest = serde_json::from_slice(&body)
        .map_err(|e| bad(format!("request body is not valid: {e}")))?;
    let (region, schedule) = schedule_of(&state, &request.platform, &request.service).await?;
    let mut id_number = appointments::normalise_id_number(&request.id_number).ok_or_else(|| {
        // The number itself is never echoed or logged.
        unprocessable(
            Code::InvalidIdNumber,
            "id_number is not a valid 18-character ID number (check digit wrong?)",
        )
    })?;
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(bad("name must be 1 to 64 characters"));
    }
    let asked = match &request.code {
        Some(code) => Some(appointments::normalise_code(code).ok_or_else(|| {
            bad(format!(
                "a booking code is {} of {}",
                appointments::CODE_LEN,
                String::from_utf8_lossy(appointments::CODE_ALPHABET)
            ))
        })?),
        None => None,
    };
    let key = state.store.region_key(&region).await?;
    let id_hash = appointments::id_hash(&key, &id_number);
    // Gone from memory as soon as it is hashed.
    zeroize::Zeroize::zeroize(&mut id_number);
    let booked = place(
        &state,
        Placing {
            channel: channel.clone(),
            region,
            schedule,
            start: request.start,
            masked_name: appointments::mask_name(name),
            id_hash,
            phone: request.phone,
            asked,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(booked)))
}

/// A booking to place once its caller is known and its person is reduced to a masked name
/// and a keyed hash: the channels' API and the terminals' (`routes::terminal_booking`)
/// share the checks, the store path and the error codes.
pub(crate) struct Placing {
    /// `online`, `hotline-12348`, `terminal:<device id>`.
    pub channel: String,
    /// The platform's region.
    pub region: String,
    /// The service's schedule at the platform.
    pub schedule: appointments::Schedule,
    /// The slot as asked, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    /// Masked name.
    pub masked_name: String,
    /// Keyed hash of the ID number.
    pub id_hash: String,
    /// Phone as given.
    pub phone: String,
    /// A code the caller chose, normalised.
    pub asked: Option<String>,
}

/// Checks the slot (begun, too far ahead, holiday, not of the schedule) and the phone, then
/// takes a place and records the booking.
pub(crate) async fn place(state: &AppState, p: Placing) -> Result<Booked, Failure> {
    let Placing {
        channel,
        region,
        schedule,
        start,
        masked_name,
        id_hash,
        phone,
        asked,
    } = p;
    let start = appointments::parse_start(&start).map_err(|e| bad(e.to_string()))?;
    let now = appointments::local_now(chrono::Utc::now());
    if start <= now {
        return Err(unprocessable(
            Code::PastTime,
            format!("{} has begun or is over", start_text(start)),
        ));
    }
    if start.date() > now.date() + chrono::Duration::days(MAX_DAYS_AHEAD) {
        return Err(unprocessable(
            Code::TooFarAhead,
            format!("bookings are taken up to {MAX_DAYS_AHEAD} days ahead"),
        ));
    }
    if let Some(holiday) = state
        .store
        .holiday_on(&schedule.platform_id, start.date())
        .await?
    {
        return Err(unprocessable(
            Code::NotASlot,
            format!("{} is a holiday ({holiday})", start.date()),
        ));
    }
    if !schedule.slots_on(start.date()).contains(&start) {
        return Err(unprocessable(
            Code::NotASlot,
            format!(
                "{} is not a slot of {} at {} (days {}, {}–{}, every 30 minutes)",
                start_text(start),
                schedule.service_id,
                schedule.platform_id,
                appointments::days_text(&schedule.days),
                schedule.opens,
                schedule.closes
            ),
        ));
    }
    if !appointments::valid_phone(&phone) {
        return Err(bad(
            "phone must be 5 to 20 digits (+, - and spaces allowed)",
        ));
    }
    let booking = NewBooking {
        channel,
        platform_id: schedule.platform_id.clone(),
        region,
        service_id: schedule.service_id.clone(),
        slot: start_text(start),
        masked_name,
        id_hash,
        phone: phone.trim().to_string(),
        capacity: schedule.capacity,
    };
    // A code the registry makes may collide with one in use (rarely): it makes another.
    for _ in 0..5 {
        let code = match &asked {
            Some(code) => code.clone(),
            None => appointments::new_code()
                .map_err(|e| StoreError::Task(format!("randomness for a booking code: {e}")))?,
        };
        match state.store.book(&booking, &code).await? {
            Ok(()) => {
                return Ok(Booked {
                    code,
                    platform_id: booking.platform_id,
                    service_id: booking.service_id,
                    start: booking.slot,
                    masked_name: booking.masked_name,
                });
            }
            Err(BookRefusal::SlotFull) => {
                return Err(fail(
                    StatusCode::CONFLICT,
                    Code::SlotFull,
                    format!("{} is full", booking.slot),
                ));
            }
            Err(BookRefusal::Duplicate) => {
                return Err(fail(
                    StatusCode::CONFLICT,
                    Code::DuplicateBooking,
                    "this person already has a booking for this service at this platform that day",
                ));
            }
            Err(BookRefusal::CodeTaken) if asked.is_some() => {
                return Err(fail(
                    StatusCode::CONFLICT,
                    Code::BookingCodeConflict,
                    "this booking code is already used; send another or none",
                ));
            }
            Err(BookRefusal::CodeTaken) => continue,
        }
    }
    Err(StoreError::Task("no free booking code after 5 tries".into()).into())
}

fn code_of(text: &str) -> Result<String, Failure> {
    appointments::normalise_code(text).ok_or_else(|| {
        fail(
            StatusCode::NOT_FOUND,
            Code::BookingNotFound,
            "no booking with this code",
        )
    })
}

/// `GET /v1/channels/{channel}/bookings/{code}`.
pub async fn lookup(
    State(state): State<AppState>,
    SourceAddr(source): SourceAddr,
    Path((channel, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Booking>, Failure> {
    authenticate(&state, source, &headers, &channel).await?;
    let code = code_of(&code)?;
    let booking = state.store.booking(&code).await?.ok_or_else(|| {
        fail(
            StatusCode::NOT_FOUND,
            Code::BookingNotFound,
            "no booking with this code",
        )
    })?;
    Ok(Json(booking))
}

/// `POST /v1/channels/{channel}/bookings/{code}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    SourceAddr(source): SourceAddr,
    Path((channel, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Booking>, Failure> {
    authenticate(&state, source, &headers, &channel).await?;
    let code = code_of(&code)?;
    let Some(booking) = state.store.booking(&code).await? else {
        return Err(fail(
            StatusCode::NOT_FOUND,
            Code::BookingNotFound,
            "no booking with this code",
        ));
    };
    let now = start_text(appointments::local_now(chrono::Utc::now()));
    if booking.status == "booked" && booking.start <= now {
        return Err(unprocessable(
            Code::PastTime,
            format!("{} has begun or is over", booking.start),
        ));
    }
    if !state.store.cancel_booking(&code, &channel).await? {
        return Err(fail(
            StatusCode::CONFLICT,
            Code::AlreadyCancelled,
            "this booking is cancelled already",
        ));
    }
    let booking = state.store.booking(&code).await?.unwrap_or(booking);
    Ok(Json(booking))
}
