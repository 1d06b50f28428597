//! The terminal booking API (issue 20; contract in `provisioning::booking`): a terminal
//! lists its own platform's free slots and books one for the citizen at its screen. The
//! platform is the one the terminal is enrolled at, never one from the body, so a terminal
//! cannot book at another centre. The booking goes through the channels' checks and store
//! path (`channel::place`), recorded under the channel `terminal:<device id>`, and its
//! refusals carry the same reasons as protocol error codes (`slot_full`, `past_time`, …).

use crate::app::AppState;
use crate::appointments::{self, start_text};
use crate::auth::Signed;
use crate::error::{ApiFailure, parse_json};
use crate::routes::channel::{self, Placing};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use provisioning::booking::{
    BookAnswer, BookRequest, CHANNEL_PREFIX, DaySlots, MAX_DAYS, ServiceDays, SlotPlaces,
    SlotsAnswer, SlotsRequest,
};

/// `POST /v1/appointments/slots`: the terminal's platform's bookable services (or one) and
/// the free places of their slots, day by day.
pub async fn slots(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<SlotsAnswer>, ApiFailure> {
    let request: SlotsRequest = parse_json(&signed.body)?;
    if request.days == 0 || request.days > MAX_DAYS {
        return Err(ApiFailure::bad_request(format!(
            "days must be 1 to {MAX_DAYS}"
        )));
    }
    let now = appointments::local_now(chrono::Utc::now());
    let from = match &request.from {
        Some(day) => {
            appointments::parse_date(day).map_err(|e| ApiFailure::bad_request(e.to_string()))?
        }
        None => now.date(),
    };
    let platform = signed.caller.placement.platform_id;
    let mut schedules = state.store.schedules(Some(&platform)).await?;
    if let Some(service) = &request.service {
        schedules.retain(|s| &s.service_id == service);
        if schedules.is_empty() {
            return Err(ApiFailure::new(
                StatusCode::NOT_FOUND,
                provisioning::protocol::ErrorCode::UnknownService,
                format!("platform {platform} takes no appointments for {service:?}"),
            ));
        }
    }
    // Slots that have begun are not offered.
    let begun = start_text(now);
    let mut services = Vec::with_capacity(schedules.len());
    for schedule in &schedules {
        let mut days = Vec::with_capacity(request.days as usize);
        for offset in 0..request.days {
            let day = from + chrono::Duration::days(i64::from(offset));
            let answer = state.store.day_slots(schedule, day).await?;
            days.push(DaySlots {
                day: answer.day,
                closed: answer.closed,
                slots: answer
                    .slots
                    .into_iter()
                    .map(|s| SlotPlaces {
                        free: if s.start <= begun { 0 } else { s.free },
                        start: s.start,
                    })
                    .collect(),
            });
        }
        services.push(ServiceDays {
            service_id: schedule.service_id.clone(),
            days,
        });
    }
    Ok(Json(SlotsAnswer {
        platform_id: platform,
        services,
    }))
}

/// `POST /v1/appointments/bookings`: books a slot at the terminal's platform.
pub async fn book(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<(StatusCode, Json<BookAnswer>), ApiFailure> {
    let request: BookRequest = parse_json(&signed.body)?;
    if !appointments::is_id_hash(&request.id_hash) {
        return Err(ApiFailure::bad_request(
            "id_hash must be the keyed hash (64 lower-case hex characters), never the number",
        ));
    }
    let name = request.masked_name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiFailure::bad_request(
            "masked_name must be 1 to 64 characters",
        ));
    }
    let placement = signed.caller.placement;
    let (region, schedule) = channel::schedule_of(&state, &placement.platform_id, &request.service)
        .await
        .map_err(channel::Failure::into_api)?;
    let booked = channel::place(
        &state,
        Placing {
            channel: format!("{CHANNEL_PREFIX}{}", placement.device_id),
            region,
            schedule,
            start: request.start,
            // Masked again here: whatever a terminal sends, no more than the masked form is
            // kept (masking a masked name leaves it as it is).
            masked_name: appointments::mask_name(name),
            id_hash: request.id_hash,
            phone: request.phone,
            asked: None,
        },
    )
    .await
    .map_err(channel::Failure::into_api)?;
    Ok((
        StatusCode::CREATED,
        Json(BookAnswer {
            code: booked.code,
            platform_id: booked.platform_id,
            service_id: booked.service_id,
            start: booked.start,
            masked_name: booked.masked_name,
        }),
    ))
}
